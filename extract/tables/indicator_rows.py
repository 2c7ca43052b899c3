"""Rows of an indicator table: one commitment per numeric target cell.

A row's name comes from its name column(s) (two cells when the header spans both: the
substance and the measure, 氮氧化物 + 重点工程减排量), cleaned of numbering, footnote marks and
a unit in brackets (which becomes the unit).  Each target cell is read with the one quantity
grammar (``quantity.py``): comparator words and signs, [ ] for a cumulative value.  The
baseline comes from the row's baseline column, binding from its binding column or the divider
row above it (参考性指标), a change from the name (…降低, …减排量).
"""

from __future__ import annotations

from dataclasses import replace

import regex

from ..model import Block, Cell, Commitment, Document
from ..patterns import alternation
from ..quantity import YEAR_NUMBER, QuantityGrammar
from ..text.numbering import marks
from . import decide
from .decide import Skips
from .schema import TableSchema, text_of

_SENTENCE_PUNCT = regex.compile(r"[。；]")
_PERCENT_NUMBER = regex.compile(r"\d\s*%")
_THREE_HAN = regex.compile(r"\p{Han}{3}")

_NUMBERING = regex.compile(r"^\s*(?:[（(]\s*\d{1,2}\s*[)）]|\d{1,2}\s*[.．、](?!\d)|[一二三四五六七八九十]+、)\s*")
_UNIT_IN_NAME = regex.compile(r"\s*(?:[（(]\s*([^（）()]{1,14}?)|(%|％))\s*[)）]\s*$")
_MAX_NAME_CHARS = 60


class IndicatorRows:
    """Reads the data rows of an indicator table into commitments."""

    def __init__(self, patterns, grammar: QuantityGrammar, spec: dict, split=lambda name: [name], qualitative=None):
        self.p = patterns
        self.grammar = grammar
        self.split = split  # a listed name into its items (the prose rules' coordination)
        # a target cell without a number ("完成省下达目标"): prose.qualitative.QualitativeTargets.cell_readings
        self.without_number = qualitative.cell_readings if qualitative is not None else (lambda name, text: [])
        self.binding_values = spec["binding_values"]
        # a group's label across a table ("（一）生态环境质量", "一、水环境")
        self.group_label = regex.compile(rf"^\s*{marks('cn_paren', 'cn_dun', numbering=patterns.numbering)}")
        # a row that only says which kind of indicators follow: "约束性指标" (table_headers.yaml binding_values)
        self.divider = regex.compile(rf"^\s*({alternation(set(self.binding_values.values()))})指标\s*$")
        self.footnotes = regex.compile(spec["footnote_marks"])
        self.note_starts = tuple(spec["note_starts"])
        chg = patterns.change_verbs
        self.change_suffix = regex.compile(f"({alternation(chg['decrease_by'] + chg['increase_by'])})(?:率)?$")
        self.decrease = set(chg["decrease_by"])
        self.cumulative_words = regex.compile(
            "|".join(map(regex.escape, patterns.lexicon["cumulative_words"])) + r"|\d年累计"
        )
        self.reduction_amount = regex.compile("(?:" + "|".join(map(regex.escape, chg["reduction_amounts"])) + ")$")
        self.heads = regex.compile(f"(?:{alternation(patterns.lexicon['indicator_heads'])})$")
        # a measure (浓度, 减排量, 排放总量 …), not a one-character head that ends a substance (化学需氧量)
        self.measures = regex.compile(
            "(?:"
            + alternation([h for h in patterns.lexicon["indicator_heads"] if len(h) > 1] + chg["reduction_amounts"])
            + ")$"
        )
        self.unit_hint = regex.compile(
            "|".join(
                regex.escape(u) for u in sorted(patterns.units, key=len, reverse=True) if len(u) > 1 or u in "%米吨亩天"
            )
            + "|/"
        )

    # --- cells --------------------------------------------------------------------------------
    def clean(self, text: str) -> str:
        """A cell without footnote marks and spaces around them."""
        return self.footnotes.sub("", text).strip()

    def looks_unit(self, s: str) -> bool:
        """Whether a bracketed part of a name is its unit ("（%）", "(亿 m ³)", "ug/m3")."""
        s2 = s.replace(" ", "")
        return s2 in self.p.units or (len(s2) <= 9 and bool(self.unit_hint.search(s2)) and not _THREE_HAN.search(s2))

    def unit_of(self, surface: str) -> str:
        s = surface.replace(" ", "")
        if s in self.p.units:
            return self.p.units[s]["unit"]
        if s in ("-", "—", "/", "无", ""):
            return ""
        q = self.grammar.cell("1" + s)
        return q.unit if q is not None and q.unit and q.unit_end - q.unit_start == len(s) else s

    def binding_of(self, text: str) -> str | None:
        for key, val in self.binding_values.items():
            if key in text:
                return val
        return None

    def name_of(self, parts: list[str]) -> tuple[str, str]:
        """The indicator name and the unit written in it, from the row's name cell(s)."""
        cleaned, unit = [], ""
        for part in parts:
            p = _NUMBERING.sub("", self.clean(part))
            m = _UNIT_IN_NAME.search(p)
            surface = m.group(1) or m.group(2) if m else ""
            if m and self.looks_unit(surface):
                unit = unit or self.unit_of(surface)
                p = p[: m.start()].strip()
            if p and p not in cleaned:
                cleaned.append(p)
        if len(cleaned) == 2 and self.measures.search(cleaned[0]) and not self.measures.search(cleaned[1]):
            cleaned.reverse()  # the substance before its measure: 氮氧化物 + 重点工程减排量
        return "".join(cleaned).replace(" ", ""), unit

    def _readings(self, name: str, text: str, unit: str) -> list[tuple[str, object, bool]]:
        """What a target cell says: ``(indicator, quantity, cumulative)`` for each value in it.

        One value, or one per item of a listed name ("氮氧化物、挥发性有机物…减排量" over
        "[7.96/3.27/…]"), plus a part the cell names after 其中 ("2350，其中机动车…为1800").
        """
        q = self.grammar.cell(text, "%" if unit == "%" else "")
        if q is None or (q.value is None and q.value_min is None):
            return self.without_number(name, text)
        values = [x for x in self.grammar.find(text) if not x.cn_numeral]
        if regex.fullmatch(r"[\[［]?\s*[\d.]+(?:\s*/\s*[\d.]+)+\s*[\]］]?", text):
            # one value per listed item, written "a/b/c": each number as it stands in the cell
            numbers = [m for m in regex.finditer(r"\d+(?:\.\d+)?", text)]
            items = self.split(name)
            if len(items) == len(numbers) > 1:
                bracketed = text.lstrip().startswith(("[", "［"))
                return [
                    (
                        it,
                        replace(
                            q,
                            start=m.start(),
                            end=m.end(),
                            num_start=m.start(),
                            num_end=m.end(),
                            value=float(m.group(0)),
                            text=m.group(0),
                            comparator="=",
                        ),
                        bracketed,
                    )
                    for it, m in zip(items, numbers)
                ]
        out = [(name, q, q.bracketed)]
        # "其中机动车…为1800", "其中：农业源200"
        part = regex.search(
            r"其中[：:]?([\p{Han}]{2,8}?)(?:(?:19|20)\d{2}年)?(?:目标)?(?:为|达到|不低于|不少于|(?=\d))", text
        )
        if part:
            sub = next((v for v in values if v.start > part.end() - 1 and v is not q), None)
            if sub is not None and sub.value is not None:
                out.append((part.group(1) + name, sub, False))
        return out

    # --- rows ---------------------------------------------------------------------------------
    def read(
        self,
        doc: Document,
        block: Block,
        data: list[list[Cell | None]],
        schema: TableSchema,
        before_text: str,
        first_row: int,
        skips: Skips | None = None,
    ) -> list[Commitment]:
        """The commitments of the data rows; what gives none is recorded in ``skips`` with its rule."""
        skips = skips or Skips(None)
        out: list[Commitment] = []
        header_texts = [c.label for c in schema.columns]
        name_cols = schema.roles.get("indicator", [])
        if not name_cols:
            return out
        section_binding = self._announced_binding(data, before_text)
        last_unit = ""
        for r_idx, row in enumerate(data):
            texts = [text_of(c) for c in row]
            own = {t for t in texts if t}
            first = next((t for t in texts if t), "")
            if not own:
                continue
            divider = self.divider.match(first)
            if divider:
                section_binding = divider.group(1)
                if len(own) == 1:
                    skips.cell(None, row, decide.ROW_DIVIDER, divider.group(0))
                    continue  # a divider row; else the divider is the first cell of the row under it
            if first.startswith(self.note_starts):
                skips.cell(None, row, decide.ROW_NOTE, first[:20])
                continue
            if len(own) == 1 and len(row) > 2:
                skips.cell(None, row, decide.ROW_GROUP, first[:20])
                continue  # a group label across the row ("（一）生态环境质量")
            if sum(1 for t, h in zip(texts, header_texts) if t and t == h) >= max(2, len(own) - 1):
                skips.cell(None, row, decide.ROW_HEADER, " | ".join(t for t in texts if t)[:40])
                continue  # the header repeated on a new page
            parts = self._name_parts(row, texts, name_cols)
            if not parts or any(len(p) > _MAX_NAME_CHARS or _SENTENCE_PUNCT.search(p) for p in parts):
                skips.cell(
                    None, row, decide.ROW_RUNNING_TEXT if parts else decide.ROW_NO_NAME, (parts or [first])[0][:30]
                )
                continue  # running text in a ruled box, not an indicator name
            if all(
                self.group_label.match(p) and not self.heads.search(self.clean(p).rstrip("）)")) for p in parts
            ) and not any(self.grammar.cell(texts[j]) for j in schema.roles.get("target", []) if j < len(row)):
                skips.cell(None, row, decide.ROW_GROUP_NAME, parts[0][:30])
                continue
            name, unit = self.name_of(parts)
            if not name:
                skips.cell(None, row, decide.ROW_NO_NAME, parts[0][:30])
                continue
            u_idx = schema.first("unit")
            if u_idx is not None and u_idx < len(row):
                u_text = self.clean(texts[u_idx])
                unit = self.unit_of(u_text) if u_text else (unit or last_unit)
                last_unit = unit
            out.extend(self._row(doc, block, row, texts, schema, name, unit, section_binding, first_row + r_idx, skips))
        return out

    def _name_parts(self, row, texts: list[str], name_cols: list[int]) -> list[str]:
        """The row's name cells; a group label merged down the leftmost name column is left out.

        (水环境 over 湟水…达标率 is a group; 重点工程减排量 over 氮氧化物 is part of the name.)
        """
        cols = [j for j in name_cols if j < len(row) and texts[j]]
        if len(cols) > 1:
            first = row[cols[0]]
            merged_down = first is not None and (
                first.row_span > 1 or (first.covered_by or (-1, -1))[1] == cols[0] and first.covered_by is not None
            )
            name = _UNIT_IN_NAME.sub("", self.clean(texts[cols[0]]))
            if merged_down and not self.heads.search(name) and not _UNIT_IN_NAME.search(self.clean(texts[cols[0]])):
                cols = cols[1:]
        return [texts[j] for j in cols]

    def _announced_binding(self, data, before_text: str) -> str | None:
        """The rows above a first divider take the other kind the text announces ("约束性指标16项")."""
        first = next(
            (
                m.group(1)
                for r in data
                for t in [next((text_of(c) for c in r if text_of(c)), "")]
                if (m := self.divider.match(t))
            ),
            None,
        )
        kinds = dict.fromkeys(self.binding_values.values())
        announced = [k for k in kinds if k != first and f"{k}指标" in before_text]
        return announced[0] if first and len(announced) == 1 else None

    def _baseline(self, row, texts, schema: TableSchema, unit: str) -> tuple[float | None, int | None]:
        """``(value, year)`` of the row's baseline: the latest status column that holds a value
        (2020年现状 over 2015年; a status column with no year is the current one)."""
        for j in sorted(schema.roles.get("baseline", []), key=lambda j: -(schema.columns[j].year or 9999)):
            if j < len(row) and texts[j]:
                q = self.grammar.cell(self.clean(texts[j]), "%" if unit == "%" else "")
                if q is not None and q.value is not None:
                    ym = regex.search(r"((?:19|20)\d{2})", texts[j][: q.start])
                    return q.value, int(ym.group(1)) if ym else schema.columns[j].year
        return None, None

    def _row(
        self,
        doc,
        block,
        row,
        texts,
        schema: TableSchema,
        name: str,
        unit: str,
        section_binding: str | None,
        table_row: int,
        skips: Skips,
    ) -> list[Commitment]:
        change = "level"
        if self.reduction_amount.search(name):
            change = "decrease_by"  # 重点工程减排量（吨）: the value is an amount cut
        cm = self.change_suffix.search(name)
        if cm and len(name) > len(cm.group(0)) + 2:
            change = "decrease_by" if cm.group(1) in self.decrease else "increase_by"
            name = name[: cm.start()].strip()
        binding = section_binding
        b_idx = schema.first("binding")
        if b_idx is not None and b_idx < len(row) and texts[b_idx]:
            binding = self.binding_of(texts[b_idx]) or binding
        baseline_value, baseline_year = self._baseline(row, texts, schema, unit)
        cells = [c for c in row if c is not None and c.text and c.covered_by is None] or [
            c for c in row if c is not None and c.text
        ]
        rendered = []
        for j, c in enumerate(row):
            if c is None or not c.text or (c.covered_by is not None and c.covered_by[0] == table_row):
                continue
            col = schema.columns[j]
            rendered.append(
                f"{col.year}: {c.text}" if col.year and col.role in ("target", "baseline", "cumulative") else c.text
            )
        sentence = " | ".join(rendered)
        out = []
        for j in schema.roles.get("target", []) + schema.roles.get("cumulative", []):
            if j >= len(row) or row[j] is None or not texts[j] or row[j].covered_by is not None:
                continue
            cell = row[j]
            readings = self._readings(name, self.clean(cell.text), unit)
            if not readings:
                skips.cell(cell, row, decide.CELL_NO_VALUE, cell.text[:20])
            for item, q, bracketed in readings:
                part = item != name and item.endswith(name)
                if YEAR_NUMBER.fullmatch(q.text.strip("[]［］ ")) and unit in ("", "年"):
                    # a year where a value stands (达峰时间 2030); under a unit (亿元) 2075 is a value
                    skips.cell(cell, row, decide.CELL_YEAR, q.text)
                    continue
                c_unit = unit or q.unit
                if not c_unit and _PERCENT_NUMBER.search(sentence):
                    c_unit = "%"  # the baseline cell "83.16%" shows the unit
                at = cell.text.find(q.text)
                value_pos = cell.char_start + (at if at >= 0 else q.start)
                out.append(
                    Commitment(
                        doc_id=doc.doc_id,
                        sentence=sentence,
                        char_start=cells[0].char_start,
                        char_end=cells[-1].char_end,
                        indicator=item,
                        value_text=q.text,
                        year=schema.columns[j].year,
                        year_source="implied" if schema.columns[j].implied else "explicit",
                        value=q.value,
                        value_min=q.value_min,
                        value_max=q.value_max,
                        unit=c_unit,
                        comparator=q.comparator,
                        change="increase_by" if "△" in cell.text[: q.start] else change,
                        cumulative=(
                            bracketed
                            or schema.columns[j].role == "cumulative"
                            or bool(self.cumulative_words.search(item))
                        ),
                        strive=False,
                        binding=binding,
                        # the row's baseline is the whole indicator's, not a part's (其中农业源…)
                        baseline_year=baseline_year if baseline_value is not None and not part else None,
                        baseline_value=None if part else baseline_value,
                        source="table",
                        table_id=block.table_id,
                        table_row=table_row,
                        klass="qualitative" if q.unit_kind == "qualitative" else "indicator",
                        confidence=0.7 if schema.from_data else 0.9,
                        rule_id="table.headerless_cell" if schema.from_data else "table.indicator_cell",
                        line=doc.line_of(value_pos),
                        page=doc.page_of(value_pos),
                        value_start=value_pos,
                    )
                )
        return out
