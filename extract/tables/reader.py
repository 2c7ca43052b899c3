"""Indicator tables and 专栏/project boxes: every numeric target cell becomes a row.

A table block (rows of cells, from any reader) is read in three steps:

1. header rows are the leading rows without a data value; a shorter header row's last cell
   spans the remaining columns (目标值 over 2025年/2030年); data rows shorter than the header
   are right-aligned (their merged group cells on the left are missing);
2. each column gets a role from its header text (``patterns/table_headers.yaml``): indicator,
   unit, baseline year(s), target year(s), binding, reference (a national standard, never a
   target), project content, build period …;
3. indicator tables give one commitment per numeric target cell; project/box tables run the
   prose rules over their content cells, with the year of the build-period column.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

from ..model import Block, Cell, Commitment, Document
from ..patterns import Patterns
from ..prose.candidate import Mode
from ..text.numerals import parse_number

_NUMBER = regex.compile(r"(?<![\dA-Za-z.Ⅰ-Ⅻ])(\d+(?:,\d{3})*(?:\.\d+)?)(?![\d.])(?!\s*年)")
_YEAR = regex.compile(r"((?:19|20)\d{2})\s*年?")
_CMP_BEFORE = [(">=", ">="), ("<=", "<="), (">", ">"), ("<", "<"), ("~", "~"), ("不低于", ">="), ("不少于", ">="),
               ("不高于", "<="), ("不超过", "<="), ("约", "~")]
_CMP_AFTER = [("以上", ">="), ("以下", "<="), ("以内", "<="), ("左右", "~")]
_UNIT_IN_NAME = regex.compile(r"\s*[（(]\s*([^（）()]{1,12}?)\s*[)）]\s*$")
_CHANGE_SUFFIX = regex.compile(r"(减少|降低|下降|削减|提高|增加|增长)$")
_MAX_NAME_CHARS = 40
_GROUP_LABEL = regex.compile(r"^[（(][一二三四五六七八九十]+[)）]")
_FOOTNOTE = regex.compile(r"[①-⑳]")


@dataclass
class Column:
    """A column of a table: header label, role and the year it stands for."""

    label: str
    role: str
    year: int | None = None


@dataclass
class TableSchema:
    """What the columns of a table mean."""

    columns: list[Column]
    header_rows: int
    roles: dict[str, list[int]] = field(default_factory=dict)

    def first(self, role: str) -> int | None:
        idx = self.roles.get(role)
        return idx[0] if idx else None


class TableReader:
    """Reads table blocks into commitments."""

    def __init__(self, patterns: Patterns, prose):
        self.p = patterns
        self.prose = prose
        spec = patterns.extra.get("table_headers")
        if not spec:
            raise ValueError("patterns/table_headers.yaml is missing")
        self.roles = spec["roles"]
        self.order = spec["order"]
        self.binding_values = spec["binding_values"]
        self.units = patterns.units
        self._unit_hint = regex.compile("|".join(regex.escape(u) for u in sorted(patterns.units, key=len, reverse=True)
                                                 if len(u) > 1 or u in "%米吨亩天") + "|/")
        self.reduction_amount = regex.compile(
            "(?:" + "|".join(map(regex.escape, patterns.change_verbs["reduction_amounts"])) + ")$")
        self.divider = regex.compile(r"^\s*(约束性|预期性|参考性)指标\s*$")

    # --- schema -------------------------------------------------------------------------
    def _is_data_cell(self, text: str) -> bool:
        return bool(_NUMBER.search(text)) and not regex.fullmatch(r"\s*(?:19|20)\d{2}\s*年?\s*(?:值)?\s*", text)

    def _marked(self, label: str, role: str) -> bool:
        """Whether a header names ``role`` with one of its words (目标值, 现状值 …)."""
        flat = label.replace(" ", "")
        return any(w.replace(" ", "") in flat for w in self.roles[role]["words"])

    def _role(self, label: str) -> str:
        flat = label.replace(" ", "")
        for role in self.order:
            spec = self.roles[role]
            words = [w.replace(" ", "") for w in spec["words"]]
            hit = flat in words if spec.get("exact") else any(w in flat for w in words)
            if hit and not any(w in flat for w in spec.get("not", [])):
                return role
        return "target" if _YEAR.search(flat) else "other"

    def schema(self, rows: list[list[Cell]], ctx) -> TableSchema | None:
        """Header rows and column roles, or None when the table has no header."""
        n_header = 0
        for row in rows:
            texts = [c.text for c in row]
            if any(self._is_data_cell(t) for t in texts) and n_header:
                break
            if any(self._is_data_cell(t) for t in texts):
                return None
            n_header += 1
            if n_header > 3:
                return None
        if n_header == 0 or n_header >= len(rows):
            return None
        ncols = max(len(r) for r in rows)
        labels = [""] * ncols
        single_short = n_header == 1 and len(rows[0]) < ncols
        for row in rows[:n_header]:
            cells = [c.text for c in row]
            if single_short:
                # one header row narrower than the data: its missing cells are the merged
                # group columns on the left (类别), so it aligns to the right like a data row
                cells = [""] * (ncols - len(cells)) + cells
            for j, t in enumerate(cells):
                span_to = ncols if j == len(cells) - 1 else j + 1
                for k in range(j, span_to):
                    if t and t not in labels[k]:
                        labels[k] = (labels[k] + " " + t).strip()
        columns = []
        for lab in labels:
            role = self._role(lab)
            years = [int(y) for y in _YEAR.findall(lab.replace(" ", ""))]
            year = years[-1] if years else None
            if role == "target" and year is not None and ctx.plan_start_year and year < ctx.plan_start_year:
                role = "baseline"
            if role == "target" and year is None and ctx.plan_end_year:
                year = ctx.plan_end_year
            columns.append(Column(lab, role, year))
        # bare year columns (2020年 | 2025年) with no 现状/目标 words: the earliest is the baseline
        year_targets = [c for c in columns if c.role == "target" and c.year and not self._marked(c.label, "target")]
        if len(year_targets) >= 2 and not any(c.role == "baseline" for c in columns):
            min(year_targets, key=lambda c: c.year).role = "baseline"
        roles: dict[str, list[int]] = {}
        for j, col in enumerate(columns):
            roles.setdefault(col.role, []).append(j)
        return TableSchema(columns, n_header, roles=roles)

    # --- cells ----------------------------------------------------------------------------
    def parse_cell(self, text: str, percent: bool = False) -> dict | None:
        """The first number of a value cell with its comparator and flags; None if non-numeric.

        With ``percent``, a number written with % wins over an earlier bare count
        ("3个国控断面…比例100%" -> 100).

        >>> TableReader.parse_cell(None, ">=46.43，保持稳定或持续改善")["value"]
        46.43
        >>> TableReader.parse_cell(None, "[1.21]")["cumulative"]
        True
        >>> TableReader.parse_cell(None, "基本消除") is None
        True
        """
        m = _NUMBER.search(text)
        if not m:
            return None
        if percent:
            m = next((x for x in _NUMBER.finditer(text) if text[x.end():x.end() + 1] == "%"), m)
        before = text[:m.start()]
        after = text[m.end():]
        comparator = "="
        for word, op in _CMP_BEFORE:
            if before.rstrip().endswith(word):
                comparator = op
                break
        for word, op in _CMP_AFTER:
            if after.lstrip(" %").startswith(word):
                comparator = op
                break
        start = m.start()
        for word, _op in _CMP_BEFORE:
            if before.rstrip().endswith(word):
                start = len(before.rstrip()) - len(word)
                break
        return {
            "value": parse_number(m.group(1)), "comparator": comparator,
            "cumulative": bool(regex.search(r"[\[［]\s*$", before)),
            "delta": "△" in before or "Δ" in before,
            "value_text": text[start:m.end()], "offset": start,
        }

    def _unit(self, surface: str) -> str:
        s = surface.replace(" ", "")
        if s in self.units:
            return self.units[s]["unit"]
        if s in ("-", "—", "/", "无", ""):
            return ""
        return s

    def _binding(self, text: str) -> str | None:
        for key, val in self.binding_values.items():
            if key in text:
                return val
        return None

    # --- reading a table ------------------------------------------------------------------
    def read(self, doc: Document, block: Block, ctx, schema: TableSchema | None, before_text: str = "") -> tuple[list[Commitment], TableSchema | None]:
        """Commitments of a table block; returns the schema used (to carry over a page break)."""
        rows = block.rows or []
        if block.kind == "box":
            return self._box(doc, block, rows, ctx, None), None
        own = self.schema(rows, ctx)
        if own is not None:
            schema, data = own, rows[own.header_rows:]
        elif schema is not None and rows and max(len(r) for r in rows) == len(schema.columns):
            data = rows           # a table continued after a page break keeps its header
        else:
            return self._box(doc, block, rows, ctx, None), None
        if "content" in schema.roles or ("target" not in schema.roles and "indicator" not in schema.roles):
            return self._box(doc, block, data, ctx, schema), schema
        if "indicator" not in schema.roles or "target" not in schema.roles:
            return [], schema
        return self._indicator_rows(doc, block, data, schema, before_text), schema

    def _aligned(self, row: list[Cell], ncols: int) -> list[Cell | None]:
        if len(row) >= ncols:
            return list(row[len(row) - ncols:])
        return [None] * (ncols - len(row)) + list(row)

    def _indicator_rows(self, doc, block, data, schema: TableSchema, before_text: str = "") -> list[Commitment]:
        out = []
        ncols = len(schema.columns)
        header_texts = [c.label for c in schema.columns]
        # a divider row "参考性指标" sets the binding of the rows under it; the rows above a
        # first divider take the other kind the text announces ("约束性指标16项")
        dividers = [self.divider.match("".join(c.text for c in r)) for r in data]
        first = next((d.group(1) for d in dividers if d), None) or next(
            (m.group(1) for r in data if r and (m := self.divider.match(r[0].text))), None)
        announced = [k for k in ("约束性", "预期性", "参考性") if k != first and f"{k}指标" in before_text]
        section_binding = announced[0] if first and len(announced) == 1 else None
        last_unit = ""
        for r_idx, raw in enumerate(data):
            if dividers[r_idx]:
                section_binding = dividers[r_idx].group(1)
                continue
            lead = self.divider.match(raw[0].text) if raw else None
            if lead:   # the divider written as the first cell of the row under it
                section_binding = lead.group(1)
                raw = raw[1:]
            row = self._aligned(raw, ncols)
            if [c.text if c else "" for c in row] == header_texts:
                continue
            ind_cell = row[schema.first("indicator")]
            if ind_cell is None or not ind_cell.text or len(ind_cell.text) > _MAX_NAME_CHARS or regex.search(
                    r"[，。；]", ind_cell.text):
                continue   # running text in a ruled box, not an indicator name
            if _GROUP_LABEL.match(ind_cell.text):
                continue   # "（二）应对气候变化": a group label, not an indicator
            name = _FOOTNOTE.sub("", ind_cell.text.replace("*", "")).strip()
            unit = ""
            u_idx = schema.first("unit")
            if u_idx is not None:
                # a unit cell merged with the one above comes back empty: fill it down
                u_text = row[u_idx].text if row[u_idx] is not None else ""
                unit = self._unit(u_text) if u_text else last_unit
                last_unit = unit
            um = _UNIT_IN_NAME.search(name)
            if um and (not unit) and self._looks_unit(um.group(1)):
                unit = self._unit(um.group(1))
            if um and self._looks_unit(um.group(1)):
                name = name[:um.start()].strip()
            change = "level"
            if self.reduction_amount.search(_UNIT_IN_NAME.sub("", name)):
                change = "decrease_by"   # 重点工程减排量（吨）: the value is an amount cut
            cm = _CHANGE_SUFFIX.search(name)
            if cm:
                change = "decrease_by" if cm.group(1) in ("减少", "降低", "下降", "削减") else "increase_by"
                name = name[:cm.start()].strip()
            binding = section_binding
            b_idx = schema.first("binding")
            if b_idx is not None and row[b_idx] is not None:
                binding = self._binding(row[b_idx].text)
            baseline_value = baseline_year = None
            for j in schema.roles.get("baseline", []):
                cell = row[j]
                if cell is not None:
                    parsed = self.parse_cell(cell.text, percent=unit == "%")
                    if parsed and parsed["value"] is not None:
                        baseline_value = parsed["value"]
                        ym = _YEAR.search(cell.text[:parsed["offset"]])
                        baseline_year = int(ym.group(1)) if ym else schema.columns[j].year
                        break
            cells = [c for c in row if c is not None and c.text]
            rendered_parts = []
            for j, c in enumerate(row):
                if c is None or not c.text:
                    continue
                col = schema.columns[j]
                rendered_parts.append(f"{col.year}: {c.text}" if col.year and col.role in ("target", "baseline")
                                      else c.text)
            sentence = " | ".join(rendered_parts)
            for j in schema.roles.get("target", []):
                cell = row[j]
                if cell is None:
                    continue
                parsed = self.parse_cell(cell.text, percent=unit == "%")
                if not parsed or parsed["value"] is None:
                    continue
                c_unit = unit
                tail = cell.text[parsed["offset"] + len(parsed["value_text"]):]
                if not c_unit and (regex.match(r"\s*%", tail) or regex.search(r"\d\s*%", sentence)):
                    c_unit = "%"   # "≥73%", or the baseline cell "83.16%" shows the unit
                c_change = "increase_by" if parsed["delta"] else change
                value_pos = cell.char_start + parsed["offset"]
                out.append(Commitment(
                    doc_id=doc.doc_id, sentence=sentence, char_start=cells[0].char_start,
                    char_end=cells[-1].char_end, indicator=name, value_text=parsed["value_text"],
                    year=schema.columns[j].year, year_source="explicit", value=parsed["value"],
                    unit=c_unit, comparator=parsed["comparator"], change=c_change,
                    cumulative=parsed["cumulative"],
                    strive=False, binding=binding, baseline_year=baseline_year if baseline_value is not None else None,
                    baseline_value=baseline_value, source="table", table_id=block.table_id, table_row=r_idx,
                    klass="indicator", confidence=0.9, rule_id="table.indicator_cell",
                    line=doc.line_of(value_pos), page=doc.page_of(value_pos), value_start=value_pos,
                ))
        return out

    def _looks_unit(self, s: str) -> bool:
        """Whether a parenthesised part of an indicator name is its unit ("（%）", "(亿 m ³)")."""
        s2 = s.replace(" ", "")
        return s2 in self.units or (len(s2) <= 8 and bool(self._unit_hint.search(s2)))

    def _box(self, doc, block, data, ctx, schema) -> list[Commitment]:
        """Prose rules over the long text cells of a project table or 专栏 box."""
        out = []
        period_idx = schema.first("period") if schema else None
        ncols = len(schema.columns) if schema else 0
        for r_idx, raw in enumerate(data):
            row = self._aligned(raw, ncols) if schema else list(raw)
            year = None
            if period_idx is not None and row[period_idx] is not None:
                years = [int(y) for y in regex.findall(r"(?:19|20)\d{2}", row[period_idx].text)]
                year = max(years) if years else None
            for j, cell in enumerate(row):
                if cell is None or len(cell.text) < 8 or not regex.search(r"\p{Han}{4}", cell.text):
                    continue
                if schema and schema.columns[j].role in ("indicator", "project", "category", "investment", "period"):
                    continue
                pseudo = Block("paragraph", doc.text[cell.char_start:cell.char_end], cell.char_start, cell.char_end,
                               doc.line_of(cell.char_start), doc.page_of(cell.char_start))
                # a project table's content cell or a 专栏 box: every quantity is a thing to build
                mode = Mode("project", True, year, block.title or "")
                for c in self.prose.extract_block(doc, pseudo, ctx, mode):
                    out.append(_replace(c, source="table", table_id=block.table_id, table_row=r_idx,
                                        rule_id="table.box_" + c.rule_id.split(".")[-1]))
        return out


def _replace(c: Commitment, **kw) -> Commitment:
    from dataclasses import replace

    return replace(c, **kw)
