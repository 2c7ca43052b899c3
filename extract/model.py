"""The document model every reader produces and the one output record every rule emits.

Readers (txt/md, later PDF/DOCX) turn a file into a :class:`Document`: normalised text with
an offset map, cut into :class:`Block` objects (paragraph / heading / table).  Rules never
see the file format.  Each finding becomes one :class:`Commitment`, whose fields are the
columns of ``commitments.parquet`` (``../shared/SCHEMA.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .text.normalize import NormalizeOptions, NormText


@dataclass
class Cell:
    """One table cell: its text (continuation lines joined) and its span in the normalised text.

    Readers that know a table's geometry (ruled PDF tables, DOCX) give complete grids: a merged
    cell is written once, with its ``row_span``/``col_span``, and every other grid position it
    covers holds a copy whose ``covered_by`` names the merged cell's ``(row, col)``.
    """

    text: str
    char_start: int
    char_end: int
    row_span: int = 1
    col_span: int = 1
    covered_by: Optional[tuple[int, int]] = None


@dataclass
class Block:
    """A paragraph, heading or table of a document, as a span of its normalised text."""

    kind: str  # "paragraph" | "heading" | "table" | "box" (专栏: rows of one item each)
    text: str
    char_start: int
    char_end: int
    line: Optional[int] = None  # 1-based source line of the first character (text input)
    page: Optional[int] = None  # 1-based page (PDF input)
    rows: Optional[list[list[Cell]]] = None  # table cells, for kind == "table"
    table_id: Optional[str] = None
    level: Optional[int] = None  # heading level given by the format (DOCX heading styles)
    ruled: bool = False  # rows are a complete grid with merges (geometry known)
    title: Optional[str] = None  # a box's caption ("专栏5 大气污染源治理重点工程")


@dataclass
class Document:
    """One input document as every later stage sees it."""

    doc_id: str
    source_path: str
    format: str
    content_sha256: str
    norm: NormText
    blocks: list[Block] = field(default_factory=list)
    n_pages: Optional[int] = None
    page_of_char: Optional[list[int]] = None  # for PDF: page of each source character
    options: NormalizeOptions = field(default_factory=NormalizeOptions)
    # how well the text layer could be read (PDF): text_quality 0..1, extractor, pages_without_text,
    # warnings (one line each, e.g. "pages 12–14: 17% unusual characters")
    reading: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # repairs made while reading (one line each)

    @property
    def text(self) -> str:
        """The normalised text."""
        return self.norm.text

    def line_of(self, pos: int) -> Optional[int]:
        """1-based source line of normalised position ``pos`` (None for paged input)."""
        if self.page_of_char is not None:
            return None
        return self.norm.line_of(pos)

    def page_of(self, pos: int) -> Optional[int]:
        """1-based page of normalised position ``pos`` (None for text input)."""
        if self.page_of_char is None or not self.norm.starts:
            return None
        src = self.norm.starts[min(pos, len(self.norm.starts) - 1)]
        return self.page_of_char[min(src, len(self.page_of_char) - 1)]


@dataclass(frozen=True)
class Commitment:
    """One quantified commitment: one indicator x one target year x one value."""

    doc_id: str
    sentence: str
    char_start: int
    char_end: int
    indicator: str
    value_text: str
    year: Optional[int]
    year_source: str
    value: Optional[float]
    value_min: Optional[float] = None
    value_max: Optional[float] = None
    unit: str = ""
    comparator: str = "="
    change: str = "level"
    cumulative: bool = False
    strive: bool = False
    binding: Optional[str] = None
    baseline_year: Optional[int] = None
    baseline_value: Optional[float] = None
    source: str = "text"
    table_id: Optional[str] = None
    table_row: Optional[int] = None
    klass: str = "indicator"
    confidence: float = 0.8
    rule_id: str = ""
    line: Optional[int] = None
    page: Optional[int] = None
    value_start: int = 0  # absolute position of value_text in the normalised text
    chapter: str = ""
    section_path: tuple[str, ...] = ()
    indicator_id: Optional[str] = None
    year_start: Optional[int] = None  # absolute span of the year expression, when one is written
    year_end: Optional[int] = None
