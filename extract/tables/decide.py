"""The table reader's decisions, named: every way a table, a row or a cell gives no commitment.

Like the prose steps (``extract.prose.decide``), each decision that turns something down says
which rule did, so ``plan-extract explain --file`` and the likely-misses view show why a table
or a cell gave no row.  The rejections are ``prose.extract.Rejection`` rows: the span is the cell
(or the table's first value cell), the sentence is the row.

Tables (``tables.read``):

- ``table.review``            an earlier plan's targets and results (a review caption such as
                              "…指标完成情况", or value columns that all look back: “十三五”目标值,
                              达标情况); nothing in it is a target
- ``table.header_only``       a caption and header with no rows under them: the rows follow over
                              the page break, read with this header
- ``table.no_columns``        no header row and columns the data cannot name: its text cells
                              gave nothing either
- ``table.no_indicator``      value columns but no column naming the indicators
- ``table.no_target``         no column of targets (a status or inventory table), and no text
                              cell naming a thing to build

Rows (``tables.indicator_rows``), in the order they are tried:

- ``table.row.divider``       a 约束性指标 / 预期性指标 divider (it sets the rows' binding)
- ``table.row.note``          the table's notes (注：…)
- ``table.row.group``         a group label across the row ("（一）生态环境质量", "一、主要目标")
- ``table.row.header``        the header repeated on a new page
- ``table.row.running_text``  a sentence in the name cell: running text in a ruled box
- ``table.row.group_name``    a numbered group name with no value of its own
- ``table.row.no_name``       nothing left of the name once numbering and unit are taken off

Cells:

- ``table.cell.no_value``     a target cell without a number (完成省下达目标, 稳中向好, "/")
- ``table.cell.year``         a target cell holding a year, not a value
"""

from __future__ import annotations

from ..model import Block, Cell
from ..prose.extract import Rejection

REVIEW = "table.review"
HEADER_ONLY = "table.header_only"
NO_COLUMNS = "table.no_columns"
NO_INDICATOR = "table.no_indicator"
NO_TARGET = "table.no_target"
ROW_DIVIDER = "table.row.divider"
ROW_NOTE = "table.row.note"
ROW_GROUP = "table.row.group"
ROW_HEADER = "table.row.header"
ROW_RUNNING_TEXT = "table.row.running_text"
ROW_GROUP_NAME = "table.row.group_name"
ROW_NO_NAME = "table.row.no_name"
CELL_NO_VALUE = "table.cell.no_value"
CELL_YEAR = "table.cell.year"


class Skips:
    """Collects what the table reader turned down, as ``Rejection`` rows (None: nobody asked)."""

    def __init__(self, rejections: list | None):
        self.rejections = rejections

    def cell(self, cell: Cell | None, row: list[Cell | None], rule_id: str, detail: str) -> None:
        """``cell`` (or the row's first cell) of ``row`` gave no commitment, by ``rule_id``."""
        if self.rejections is None:
            return
        own = [c for c in row if c is not None and c.text]
        target = cell if cell is not None and cell.text else (own[0] if own else None)
        if target is None:
            return
        start = min(c.char_start for c in own)
        end = max(c.char_end for c in own)
        self.rejections.append(Rejection(target.char_start, target.char_end, start, end, rule_id, detail))

    def table(self, block: Block, rows: list[list[Cell | None]], rule_id: str, detail: str) -> None:
        """The whole table gave no commitment: recorded on its first cell holding a digit."""
        if self.rejections is None:
            return
        for row in rows:
            for c in row:
                if c is not None and c.covered_by is None and any(ch.isdigit() for ch in c.text):
                    self.cell(c, row, rule_id, detail)
                    return
        first = next((c for row in rows for c in row if c is not None and c.text), None)
        if first is not None:
            self.rejections.append(
                Rejection(first.char_start, first.char_end, block.char_start, block.char_end, rule_id, detail)
            )
