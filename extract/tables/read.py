"""Tables and boxes into commitments: find the header, then read the rows the way the table asks.

- a 专栏 box (framed in a PDF): every item through the prose rules in project mode;
- an indicator table (名称 + target-year columns): one commitment per numeric target cell;
- a project table (项目名称 / 建设内容 / 建设时限): the content cells in project mode;
- a review table (an earlier plan's targets and results): nothing;
- a table without a header continues the one before it when it has as many columns (a table
  broken over a page); otherwise its long text cells are read in project mode.
"""
from __future__ import annotations

import logging

from ..model import Block, Commitment, Document
from ..patterns import Patterns
from ..prose.coordination import split_items
from ..prose.qualitative import QualitativeTargets
from ..quantity import QuantityGrammar
from .boxes import BoxReader
from .indicator_rows import IndicatorRows
from .schema import SchemaReader, TableSchema, grid

log = logging.getLogger(__name__)


class TableReader:
    """Reads table and box blocks into commitments."""

    def __init__(self, patterns: Patterns, prose):
        spec = patterns.extra.get("table_headers")
        if not spec:
            raise ValueError("patterns/table_headers.yaml is missing")
        grammar = QuantityGrammar(patterns)
        self.schemas = SchemaReader(spec, grammar, prose.years, frozenset(patterns.units))
        self.indicator_rows = IndicatorRows(patterns, grammar, spec,
                                            lambda name: split_items(prose.lex, name, paired=True),
                                            QualitativeTargets(patterns))
        self.boxes = BoxReader(prose)

    def read(self, doc: Document, block: Block, ctx, previous: TableSchema | None,
             before_text: str = "", rejections: list | None = None) -> tuple[list[Commitment], TableSchema | None]:
        """Commitments of a table or box block; returns the schema used (to carry over a page break).

        ``rejections`` collects what the prose rules rejected in box items and content cells.
        """
        self.boxes.rejections = rejections
        if block.kind == "box":
            return self.boxes.read_box(doc, block, ctx), None
        rows = block.rows or []
        if not rows:
            return [], None
        own = self.schemas.detect(rows, block.ruled, ctx)
        if own is not None:
            schema, data, first = own, grid(rows[own.header_rows:], block.ruled), own.header_rows
        elif previous is not None and max(len(r) for r in rows) == len(previous.columns):
            schema, data, first = previous, grid(rows, block.ruled), 0
        elif (guessed := self.schemas.from_data(rows, block.ruled, ctx)) is not None:
            schema, data, first = guessed, grid(rows[guessed.header_rows:], block.ruled), guessed.header_rows
        else:
            return self.boxes.read_table(doc, block, grid(rows, block.ruled), None, ctx, 0), None
        kind = schema.kind
        if kind == "indicator":
            return self.indicator_rows.read(doc, block, data, schema, before_text, first), schema
        if kind == "project" or (kind == "unknown" and "target" not in schema.roles):
            return self.boxes.read_table(doc, block, data, schema, ctx, first), schema
        return [], schema         # a review table, or one whose columns say nothing usable
