"""Tables and boxes into commitments: find the header, then read the rows the way the table asks.

- a 专栏 box (framed in a PDF): every item through the prose rules in project mode;
- an indicator table (名称 + target-year columns): one commitment per numeric target cell;
- a project table (项目名称 / 建设内容 / 建设时限): the content cells in project mode;
- a review table (an earlier plan's targets and results, or a caption that says so): nothing;
- a table without a header continues the one before it when it has as many columns (a table
  broken over a page); else its columns are read from its data when they leave no doubt; else
  its long text cells are read in project mode.

Every table that gives nothing says why, with a rule id (``tables.decide``).
"""

from __future__ import annotations

import logging

import regex

from ..model import Block, Commitment, Document
from ..patterns import Patterns
from ..prose.coordination import split_items
from ..prose.qualitative import QualitativeTargets
from ..quantity import QuantityGrammar
from . import decide
from .boxes import BoxReader
from .decide import Skips
from .indicator_rows import IndicatorRows
from .schema import SchemaReader, TableSchema, grid

log = logging.getLogger(__name__)

# the caption line right above a table: "表1 …", "附表2：…"
_CAPTION_LINE = regex.compile(r"^\s*(?:附?表\s*[\d一二三四五六七八九十]+|专栏)")


class TableReader:
    """Reads table and box blocks into commitments."""

    def __init__(self, patterns: Patterns, prose):
        spec = patterns.table_headers
        review = spec.get("review_captions", [])
        self.review_caption = regex.compile("|".join(map(regex.escape, review))) if review else None
        grammar = QuantityGrammar(patterns)
        self.schemas = SchemaReader(spec, grammar, prose.years, frozenset(patterns.units))
        self.indicator_rows = IndicatorRows(
            patterns,
            grammar,
            spec,
            lambda name: split_items(prose.lex, name, paired=True),
            patterns.compiled(QualitativeTargets),
        )
        self.boxes = BoxReader(prose)

    def read(
        self,
        doc: Document,
        block: Block,
        ctx,
        previous: TableSchema | None,
        before_text: str = "",
        rejections: list | None = None,
    ) -> tuple[list[Commitment], TableSchema | None]:
        """Commitments of a table or box block; returns the schema used (to carry over a page break).

        ``rejections`` collects what was turned down: by the prose rules in box items and content
        cells, and by the table's own decisions (``tables.decide``).
        """
        self.boxes.rejections = rejections
        skips = Skips(rejections)
        if block.kind == "box":
            return self.boxes.read_box(doc, block, ctx), None
        rows = block.rows or []
        if not rows:
            return [], None
        own = self.schemas.detect(rows, block.ruled, ctx)
        if own is not None:
            schema, data, first = own, grid(rows[own.header_rows :], block.ruled), own.header_rows
        elif previous is not None and max(len(r) for r in rows) == len(previous.columns):
            schema, data, first = previous, grid(rows, block.ruled), 0
        elif (guessed := self.schemas.from_data(rows, block.ruled, ctx)) is not None:
            schema, data, first = guessed, grid(rows[guessed.header_rows :], block.ruled), guessed.header_rows
        else:
            found = self.boxes.read_table(doc, block, grid(rows, block.ruled), None, ctx, 0)
            if not found:
                skips.table(block, rows, decide.NO_COLUMNS, "no header, and the data does not name the columns")
            return found, None
        if not data:
            skips.table(block, rows, decide.HEADER_ONLY, "the rows are in the next table (over a page break)")
            return [], schema
        kind = schema.kind
        caption = self._caption(schema, before_text)
        if kind == "indicator" and self._reviews(caption, schema):
            kind = "review"
        if kind == "indicator":
            return self.indicator_rows.read(doc, block, data, schema, before_text, first, skips), schema
        if kind == "project" or (kind == "unknown" and "target" not in schema.roles):
            before = len(rejections) if rejections is not None else 0
            found = self.boxes.read_table(doc, block, data, schema, ctx, first)
            if not found and (rejections is None or len(rejections) == before):
                skips.table(block, data, decide.NO_TARGET, " | ".join(c.label for c in schema.columns)[:60])
            return found, schema
        if kind == "review":
            skips.table(block, data, decide.REVIEW, caption or " | ".join(c.label for c in schema.columns)[:60])
        elif "indicator" not in schema.roles:
            skips.table(block, data, decide.NO_INDICATOR, " | ".join(c.label for c in schema.columns)[:60])
        else:
            skips.table(block, data, decide.NO_TARGET, " | ".join(c.label for c in schema.columns)[:60])
        return [], schema

    @staticmethod
    def _caption(schema: TableSchema, before_text: str) -> str:
        """The table's caption: its caption row, else the line right above it when it is one."""
        if schema.title:
            return schema.title
        lines = [ln.strip() for ln in before_text.split("\n") if ln.strip()]
        return lines[-1] if lines and _CAPTION_LINE.match(lines[-1]) and len(lines[-1]) <= 60 else ""

    def _reviews(self, caption: str, schema: TableSchema) -> bool:
        """A caption that reviews an earlier plan ("…指标完成情况"), and no column for a year to come."""
        if not caption or self.review_caption is None or not self.review_caption.search(caption):
            return False
        return not any(not schema.columns[j].implied for j in schema.roles.get("target", []))
