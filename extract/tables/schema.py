"""A table's header rows and what each column means.

Column roles come from the header text (``patterns/table_headers.yaml``) and from the data
together: a column of small increasing integers is a serial number whatever its header; of
two indicator-like columns (一级指标｜二级指标) the right one names the indicator unless one
header spans both (then a row's name is the two cells together, 氮氧化物 + 重点工程减排量); a
year column is a target when the plan has not reached that year yet, a baseline (status)
when it has, and an earlier plan's target (a review) when its header says 目标 for a past
year.  A table whose value columns all look back is a review table and gives no targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import regex

from ..context.years import DocContext, Years
from ..model import Cell
from ..quantity import YEAR_NUMBER as _YEAR
from ..quantity import QuantityGrammar
from ..text.numbering import marks

_YEAR_LABEL = regex.compile(r"(?:(?:19|20)\d{2}年?|年(?:19|20)\d{2})[（(]?[\p{Han}]{0,4}[)）]?(?:值)?")
_SMALL_INT = regex.compile(r"\d{1,3}")
_SERIAL_CELL = regex.compile(r"(\d{1,3})[.、．]?")
_TWO_HAN = regex.compile(r"\p{Han}{2}")
_THREE_HAN = regex.compile(r"\p{Han}{3}")
# a name's numbering: "（1）", "1.", "2、"
_ROW_NUMBERING = regex.compile(r"^\s*(?:[（(]\s*\d{1,2}\s*[)）]|\d{1,2}\s*[.．、](?!\d))")
_MAX_HEADERLESS_NUMBERS = 3
_PLACEHOLDERS = {"-", "—", "－", "/", "／", "——", "--", "…"}


@lru_cache(maxsize=1)
def _group_number() -> regex.Pattern:
    """A group's number opening a row (一、, （一）): numbering.yaml."""
    return regex.compile(rf"^\s*{marks('cn_dun', 'cn_paren')}")


@dataclass
class Column:
    """A column: its header label, role and the year it stands for."""

    label: str
    role: str
    year: int | None = None
    implied: bool = False  # the year is the plan's end, not written in the header


@dataclass
class TableSchema:
    """What the columns of a table mean."""

    columns: list[Column]
    header_rows: int  # rows before the data (captions and header rows)
    title: str = ""  # a caption row spanning the table ("专栏2 …主要指标")
    roles: dict[str, list[int]] = field(default_factory=dict)
    from_data: bool = False  # no header words: the roles were read from the data

    def first(self, role: str) -> int | None:
        idx = self.roles.get(role)
        return idx[0] if idx else None

    @property
    def kind(self) -> str:
        """``indicator``, ``project`` (content cells read as prose), ``review`` or ``unknown``."""
        if "content" in self.roles or "project" in self.roles:
            return "project"
        if "target" in self.roles and "indicator" in self.roles:
            dated = any(_YEAR.search(self.columns[j].label) for j in self.roles["target"])
            if "review" in self.roles and not dated:
                return "review"  # 目标值 | 完成值: an earlier plan's targets and results
            return "indicator"
        if "indicator" in self.roles and ("review" in self.roles or "baseline" in self.roles):
            return "review"
        return "unknown"


def grid(rows: list[list[Cell]], ruled: bool) -> list[list[Cell | None]]:
    """Rows as a grid of one width: ruled tables are complete; text rows are right-aligned.

    A text table's row shorter than the widest lost its merged group cells on the left.
    """
    ncols = max((len(r) for r in rows), default=0)
    if ruled:
        return [list(r) + [None] * (ncols - len(r)) for r in rows]
    return [([None] * (ncols - len(r)) + list(r)) if len(r) < ncols else list(r) for r in rows]


def text_of(cell: Cell | None) -> str:
    return cell.text if cell is not None else ""


class SchemaReader:
    """Finds the header and the column roles of a table."""

    def __init__(self, spec: dict, grammar: QuantityGrammar, years: Years, units: frozenset[str] = frozenset()):
        self.roles = spec["roles"]
        self.order = spec["order"]
        self.binding_words = tuple(spec["binding_values"])
        self.grammar = grammar
        self.years = years
        self.units = units

    def role_of(self, label: str) -> str:
        """The role a header label names, or "" (a year alone decides later)."""
        flat = label.replace(" ", "")
        for role in self.order:
            spec = self.roles[role]
            words = [w.replace(" ", "") for w in spec["words"]]
            hit = flat in words if spec.get("exact") else any(w in flat for w in words)
            if hit and not any(w in flat for w in spec.get("not", [])):
                return role
        return ""

    def is_data_cell(self, text: str) -> bool:
        """A cell holding a value (not a year label such as "2025年" or "年2025")."""
        t = text.replace(" ", "")
        if not t or _YEAR_LABEL.fullmatch(t):
            return False
        return self.grammar.cell(t) is not None

    def _caption(self, row: list[Cell | None], ncols: int) -> str | None:
        """A row that is one cell across the table (a caption such as "专栏2 …主要指标"), else None."""
        texts = [text_of(c) for c in row if text_of(c)]
        if ncols < 2 or not texts or len(set(texts)) != 1:
            return None
        if (
            self.role_of(texts[0])
            and not regex.match(r"\s*(?:专栏|附?表\s*[\d一二三四五六七八九十])", texts[0])
            and len(texts[0]) <= 8
        ):
            return None
        own = [c for c in row if c is not None and c.text and c.covered_by is None]
        spans = len(own) == 1 and (len(row) == 1 or own[0].col_span >= ncols - 1 or len(texts) >= ncols - 1)
        return texts[0] if spans else None

    def is_data_like(self, text: str) -> bool:
        """A cell a header never holds: a value, a bare unit (万吨), a placeholder (-, /) or a
        binding word (约束性)."""
        t = text.replace(" ", "")
        return (
            self.is_data_cell(t)
            or t in self.units
            or t.strip("（）()") in self.units
            or t in _PLACEHOLDERS
            or any(t.startswith(w) and len(t) <= 5 for w in self.binding_words)
        )

    def _is_header_row(self, row: list[Cell | None]) -> bool:
        """No value in it, and a role word or a year label."""
        cells = [text_of(c).strip() for c in row if text_of(c).strip()]
        if any(self.is_data_like(t) for t in cells):
            return False
        return any(self.role_of(t) or _YEAR.search(t) or self._period_end(t) for t in cells)

    def is_group_row(self, row: list[Cell | None]) -> bool:
        """One cell across the row ("一、主要目标", "水环境"): a group label over the rows under it."""
        own = [c for c in row if c is not None and c.text.strip() and c.covered_by is None]
        texts = {text_of(c).strip() for c in row if text_of(c).strip()}
        return (
            len(own) == 1
            and len(texts) == 1
            and len(row) > 2
            and (
                own[0].col_span > 1
                or sum(1 for c in row if text_of(c).strip()) > 1
                or _group_number().match(own[0].text)
            )
        )

    def _continues_header(self, row: list[Cell | None]) -> bool:
        """A second or third header row: role words or years, no serial number, nothing a data row
        holds (完成省定目标 under 万吨 and "-" is a data row), not a group label across the table."""
        cells = [text_of(c).strip() for c in row if c is not None and c.covered_by is None]
        if any(_SMALL_INT.fullmatch(t) or self.is_data_like(t) for t in cells if t) or self.is_group_row(row):
            return False
        return any(self.role_of(t) or _YEAR.search(t) or self._period_end(t) for t in cells if t)

    def _period_end(self, label: str) -> int | None:
        """The end year of a plan period named in a label ("“十三五”目标值" -> 2020)."""
        for name, spec in self.years.p.periods.items():
            if name in label:
                return int(spec["end"])
        return None

    def detect(self, rows: list[list[Cell]], ruled: bool, ctx: DocContext) -> TableSchema | None:
        """The schema of a table whose first rows are its header, or None (no header).

        ``rows`` as the reader gave them: complete grids when ``ruled``, else ragged text rows.
        """
        ncols = max((len(r) for r in rows), default=0)
        title, start = "", 0
        while start < min(2, len(rows)) and (cap := self._caption(rows[start], ncols)) is not None:
            title, start = cap, start + 1
        n_header = 0
        for row in rows[start:]:
            if not self._is_header_row(row) or (n_header and not self._continues_header(row)):
                break
            n_header += 1
            if n_header > 3:
                return None
        if n_header == 0 or start + n_header > len(rows):
            return None  # (a header with no rows under it: its rows are on the next page)
        header = rows[start : start + n_header]
        labels = self._labels(header, ncols, ruled)
        columns = [self._column(lab, ctx) for lab in labels]
        self._refine(columns, grid(rows[start + n_header :], ruled), ctx)
        roles: dict[str, list[int]] = {}
        for j, col in enumerate(columns):
            roles.setdefault(col.role, []).append(j)
        return TableSchema(columns, start + n_header, title, roles)

    def from_data(self, rows: list[list[Cell]], ruled: bool, ctx: DocContext) -> TableSchema | None:
        """The schema of an indicator table whose header gives no words (drawn as outlines, or
        blank), read from its data; None unless the columns leave no doubt.

        The columns must tell themselves apart: serial numbers, one column of names, a column of
        units or of binding words (约束性/预期性: what makes it an indicator table) and one to
        three columns of numbers.  The last number column is the target and the one before it the
        status (a baseline); the years are the plan's (its end for the target, implied).
        """
        if ctx.plan_end_year is None:
            return None
        start = 0
        while start < len(rows) and not any(text_of(c).strip() for c in rows[start]):
            start += 1  # header rows with no text layer
        data = grid(rows[start:], ruled)
        body = [r for r in data if len({text_of(c) for c in r if text_of(c)}) > 1]
        ncols = max((len(r) for r in data), default=0)
        if len(body) < 2 or ncols < 3:
            return None
        kinds = [self._column_kind([text_of(r[j]).strip() for r in body if j < len(r)]) for j in range(ncols)]
        names = [j for j, k in enumerate(kinds) if k == "name"]
        numbers = [j for j, k in enumerate(kinds) if k == "number"]
        if len(names) != 1 or not 1 <= len(numbers) <= _MAX_HEADERLESS_NUMBERS or not {"unit", "binding"} & set(kinds):
            return None
        if len(numbers) == 1 and "binding" not in kinds:
            return None  # one number column and nothing saying it is a target
        role_of_kind = {"serial": "serial", "unit": "unit", "binding": "binding", "name": "indicator"}
        columns = [Column("", role_of_kind.get(k, "other")) for k in kinds]
        columns[numbers[-1]] = Column("", "target", ctx.plan_end_year, implied=True)
        if len(numbers) >= 2:
            start_year = ctx.plan_start_year - 1 if ctx.plan_start_year else None
            columns[numbers[-2]] = Column("", "baseline", start_year)
        roles: dict[str, list[int]] = {}
        for j, col in enumerate(columns):
            roles.setdefault(col.role, []).append(j)
        return TableSchema(columns, start, "", roles, from_data=True)

    def _column_kind(self, cells: list[str]) -> str:
        """What a column's data cells are: serial, unit, binding, number, name or other."""
        vals = [v for v in cells if v and v not in ("-", "—", "/")]
        if not vals:
            return "other"

        def share(test) -> float:
            return sum(1 for v in vals if test(v)) / len(vals)

        ints = [int(m.group(1)) for v in vals if (m := _SERIAL_CELL.fullmatch(v))]
        if len(ints) == len(vals) and sum(b == a + 1 for a, b in zip(ints, ints[1:])) >= 0.8 * (len(ints) - 1):
            return "serial"  # 1, 2, 3 …
        if share(lambda v: v.replace(" ", "").strip("（）()") in self.units) >= 0.8:
            return "unit"
        if share(lambda v: any(w in v for w in self.binding_words) and len(v) <= 5) >= 0.8:
            return "binding"
        if share(lambda v: self.is_data_cell(_ROW_NUMBERING.sub("", v))) >= 0.7:
            return "number"  # not "（1）森林覆盖率": a numbered name
        if share(lambda v: _TWO_HAN.search(v) and not self.is_data_cell(_ROW_NUMBERING.sub("", v))) >= 0.7:
            return "name"
        return "other"

    @staticmethod
    def _labels(header: list[list[Cell]], ncols: int, ruled: bool) -> list[str]:
        """One label per column from the header rows (a merged header cell labels every column it spans).

        In a text table a header row narrower than the table is either the only header row (it
        aligns right, its missing cells being the merged group columns on the left) or a row
        under a spanning cell (its last cell spans the remaining columns: 目标值 over 2025年/2030年).
        """
        labels = [""] * ncols
        single_short = not ruled and len(header) == 1 and len(header[0]) < ncols
        for row in header:
            cells = [text_of(c) for c in row]
            if single_short:
                cells = [""] * (ncols - len(cells)) + cells
            for j, t in enumerate(cells):
                span_to = ncols if (not ruled and not single_short and j == len(cells) - 1) else j + 1
                for k in range(j, span_to):
                    if t and t not in labels[k]:
                        labels[k] = (labels[k] + " " + t).strip()
        return labels

    def _column(self, label: str, ctx: DocContext) -> Column:
        role = self.role_of(label)
        years = [int(y) for y in _YEAR.findall(label.replace(" ", ""))]
        # a year written, else a plan period's end ("“十三五”目标值" is the 2020 target)
        year = years[-1] if years else self._period_end(label)
        if year is not None and role in ("", "target", "baseline", "review", "cumulative"):
            past = self.years.is_past_column(year, ctx)
            if role == "" and not past:
                role = "target"
            elif role == "":
                role = "baseline"
            elif role == "target" and past:
                role = "review"  # an earlier plan's target: "2020年(目标)"
        if role in ("target", "cumulative") and year is None:
            return Column(label, role, ctx.plan_end_year, implied=True)
        return Column(label, role or "other", year)

    def _refine(self, columns: list[Column], data: list[list[Cell | None]], ctx: DocContext) -> None:
        """Roles the data decides: serial numbers, the indicator among name columns, bare years."""
        rows = [r for r in data if len({text_of(c) for c in r if text_of(c)}) > 1]  # not group labels
        for j, col in enumerate(columns):
            vals = [text_of(r[j]).strip() for r in rows if j < len(r) and text_of(r[j]).strip()]
            ints = sum(1 for v in vals if _SMALL_INT.fullmatch(v))
            if vals and col.role in ("other", "indicator", "category") and ints >= 0.8 * len(vals):
                col.role = "serial"
        names = [j for j, c in enumerate(columns) if c.role == "indicator"]
        if len(names) > 1:
            labels = {columns[j].label for j in names}
            if len(labels) > 1:  # 一级指标｜二级指标: the right one names the indicator
                for j in names[:-1]:
                    columns[j].role = "category"
        if not names:
            texts = [
                j
                for j, c in enumerate(columns)
                if c.role == "other" and any(_THREE_HAN.search(text_of(r[j])) for r in data if j < len(r))
            ]
            if texts and any(c.role in ("target", "baseline") for c in columns):
                columns[texts[-1]].role = "indicator"
        # bare year columns (2020年 | 2025年) with no 现状/目标 words: the earliest is the baseline
        bare = [c for c in columns if c.role == "target" and c.year and not self.role_of(c.label)]
        if len(bare) >= 2 and not any(c.role == "baseline" for c in columns):
            min(bare, key=lambda c: c.year).role = "baseline"
