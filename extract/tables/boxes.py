"""专栏 boxes and project tables: every quantity of an item is a thing to build.

A box item ("散煤替代工程.2021年全省完成7.6万户：沈阳市3300户…") and a project table's content
cell are read by the prose rules in project mode: no target cue is needed, the class is
"project", the year is the one the text names, else the row's build period (建设时限), else the
plan's; the item's title (散煤替代工程) names what a bare count or a list of places counts.
Rows carry ``source = "table"`` like the gold does.
"""

from __future__ import annotations

from dataclasses import replace

import regex

from ..model import Block, Commitment, Document
from ..prose.candidate import Mode
from .schema import TableSchema, text_of

_FOUR_HAN = regex.compile(r"\p{Han}{4}")

# an item's title: numbering, then a short name ending at its first full stop or colon
_TITLE = regex.compile(
    r"^\s*(?:[（(]?[0-9０-９一二三四五六七八九十]{1,3}[)）.．、]\s*)?(?P<t>[^，。；：:.\d]{2,30}?)[ ]?[。.：:]"
)


def item_title(text: str) -> str:
    """The title an item opens with ("散煤替代工 程.以城中村…" -> 散煤替代工程), or "".

    >>> item_title("散煤替代工 程.以城中村为重点，实施散煤替代."), item_title("2021年全省完成7.6万户：")
    ('散煤替代工程', '')
    """
    m = _TITLE.match(text)
    if not m:
        return ""
    return regex.sub(r"(?<=\p{Han})[ ]+(?=\p{Han})", "", m.group("t")).strip()


class BoxReader:
    """Reads box items and project-table content cells with the prose rules in project mode."""

    def __init__(self, prose):
        self.prose = prose
        self.rejections: list | None = None  # where the prose rules record what they rejected

    def _cell(
        self, doc: Document, block: Block, text_start: int, text_end: int, ctx, mode: Mode, table_row: int
    ) -> list[Commitment]:
        pseudo = Block(
            "paragraph",
            doc.text[text_start:text_end],
            text_start,
            text_end,
            doc.line_of(text_start),
            doc.page_of(text_start),
        )
        out = []
        for c in self.prose.extract_block(doc, pseudo, ctx, mode, None, self.rejections):
            out.append(
                replace(
                    c,
                    source="table",
                    table_id=block.table_id,
                    table_row=table_row,
                    rule_id="table.box_" + c.rule_id.split(".")[-1],
                )
            )
        return out

    def read_box(self, doc: Document, block: Block, ctx) -> list[Commitment]:
        """Every item of a 专栏 box."""
        out = []
        for r, row in enumerate(block.rows or []):
            for cell in row:
                if cell is None or not cell.text:
                    continue
                mode = Mode("project", True, None, item_title(cell.text) or (block.title or ""))
                out.extend(self._cell(doc, block, cell.char_start, cell.char_end, ctx, mode, r))
        return out

    def read_table(
        self, doc: Document, block: Block, data, schema: TableSchema | None, ctx, first_row: int
    ) -> list[Commitment]:
        """The long text cells of a project table (or a table whose columns say nothing)."""
        out = []
        period_idx = schema.first("period") if schema else None
        name_idx = None
        if schema:
            name_idx = schema.first("project") if schema.first("project") is not None else schema.first("indicator")
        skip_roles = (
            "indicator",
            "project",
            "category",
            "investment",
            "period",
            "serial",
            "unit",
            "binding",
            "problem",
        )
        for r_idx, row in enumerate(data):
            year = None
            if period_idx is not None and period_idx < len(row) and row[period_idx] is not None:
                years = [int(y) for y in regex.findall(r"(?:19|20)\d{2}", row[period_idx].text)]
                year = max(years) if years else None
            title = text_of(row[name_idx]) if name_idx is not None and name_idx < len(row) else ""
            for j, cell in enumerate(row):
                if cell is None or cell.covered_by is not None or len(cell.text) < 6 or not _FOUR_HAN.search(cell.text):
                    continue
                if schema and j < len(schema.columns) and schema.columns[j].role in skip_roles:
                    continue
                mode = Mode("project", True, year, item_title(cell.text) or title)
                out.extend(self._cell(doc, block, cell.char_start, cell.char_end, ctx, mode, first_row + r_idx))
        return out
