"""What every reader shares: the error type and cutting normalised text into blocks.

A reader turns a file into a :class:`~extract.model.Document`: normalised text (with an offset
map) cut into blocks: paragraphs, headings, tables as rows of cells and 专栏 boxes.  Lines
holding tabs are table rows, whatever the format they came from.  A reader that knows more
than the text shows (a PDF's ruled grid with its merged cells, a framed box) hands that over
as :class:`Region` objects in source offsets; their blocks are built from what the reader knew.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Optional

import regex

from ..context.sections import is_heading_line, match_heading
from ..model import Block, Cell, Document
from ..text.numerals import parse_number


class ReadError(Exception):
    """A document cannot be read; the message is the one-line reason shown to the user."""


def doc_id_from_path(rel: str) -> str:
    """The document id: the path relative to the corpus root, without its extension.

    A file at the root keeps its stem, so gold annotations keyed by file stem still match;
    files in sub-folders keep their folders, so ``jilin/plan.txt`` and
    ``heilongjiang/plan.txt`` stay two documents.

    >>> doc_id_from_path("jilin/plan.txt"), doc_id_from_path("002_c17eb5853f4ec420.txt")
    ('jilin/plan', '002_c17eb5853f4ec420')
    """
    path = PurePosixPath(rel)  # "/"-separated (relative_path); a "\\" is part of a name (an escape)
    return str(path.with_name(path.stem)) if path.suffix else str(path)


@dataclass
class SourceCell:
    """A grid position of a known table: its text's span in the source text, and its merge."""

    start: int
    end: int
    row_span: int = 1
    col_span: int = 1
    covered_by: Optional[tuple[int, int]] = None


@dataclass
class Region:
    """Source lines ``[start, end)`` whose structure the reader knows.

    ``kind`` "table": a ruled grid, ``cells`` a complete grid of :class:`SourceCell`.
    ``kind`` "box": a framed 专栏 box; its lines are ordinary text (wraps joined) and its
    paragraphs become the box's items; ``title`` is its caption when the frame holds one.
    """

    kind: str
    start: int
    end: int
    cells: list[list[SourceCell]] = field(default_factory=list)
    title: Optional[str] = None


OUT_OF_MEMORY = "out of memory while reading the document"


def reason_for(exc: BaseException) -> str:
    """A specific one-line reason for a document that failed with ``exc``.

    >>> reason_for(ReadError("empty file"))
    'empty file'
    >>> reason_for(MemoryError())
    'out of memory while reading the document'
    >>> reason_for(KeyError("word/document.xml"))
    "internal error: missing key 'word/document.xml' (KeyError)"
    """
    msg = " ".join(str(exc).split())
    if isinstance(exc, ReadError):
        reason = msg or "unreadable document"
    elif isinstance(exc, MemoryError):
        reason = OUT_OF_MEMORY
    elif isinstance(exc, RecursionError):
        reason = "document too deeply nested to read (recursion limit)"
    elif isinstance(exc, KeyError):
        reason = f"internal error: missing key {msg} (KeyError)"
    elif isinstance(exc, OSError) and exc.strerror:
        reason = f"cannot read file: {exc.strerror}"
    elif "PDFium: Success" in msg or "PDFium: Unknown" in msg:
        reason = "damaged PDF: pdfium cannot parse it (truncated or not a PDF)"
    elif not msg:
        reason = f"internal error: {type(exc).__name__} without a message"
    else:
        reason = f"{type(exc).__name__}: {msg}"
    if "PDFium: Success" in reason:
        reason = "damaged PDF: pdfium cannot parse it (truncated or not a PDF)"
    from ..outputs.console import printable

    return printable(reason)[:300]  # a file name in a message stays text


def _table_rows(text: str, lines: list[tuple[int, int]]) -> list[list[Cell]]:
    """Rows of cells from the lines of a text table.

    Two layouts occur in text exports: one row per line with tab-separated cells, and one cell
    per line (each starting with a tab, a cell's text continuing on untabbed lines, rows
    separated by blank lines).
    """
    body = [(a, b) for a, b in lines if text[a:b].strip()]
    multi = sum(1 for a, b in body if len([c for c in text[a:b].split("\t") if c.strip()]) >= 2)
    rows: list[list[Cell]] = []
    if body and multi / len(body) >= 0.5:
        for a, b in body:
            row, pos = [], a
            for part in text[a:b].split("\t"):
                lead = len(part) - len(part.lstrip())
                row.append(Cell(part.strip(), pos + lead, pos + lead + len(part.strip())))
                pos += len(part) + 1
            rows.append(row)
        return rows
    row: list[Cell] = []
    for a, b in lines:
        line = text[a:b]
        if not line.strip(" \u3000"):  # a blank line (a lone tab is an empty cell)
            if len(row) >= 2:  # a one-cell "row" is a cell continued after a blank line
                rows.append(row)
                row = []
            continue
        if line.startswith("\t") or not row or "\t" in line.strip():
            for k, part in enumerate(line.lstrip("\t").split("\t")):
                off = a + (len(line) - len(line.lstrip("\t")))
                cs = off + sum(len(x) + 1 for x in line.lstrip("\t").split("\t")[:k])
                lead = len(part) - len(part.lstrip())
                row.append(Cell(part.strip(), cs + lead, cs + lead + len(part.strip())))
        else:  # a cell's text continued on the next line
            last = row[-1]
            piece = line.strip()
            row[-1] = Cell(
                last.text + piece, last.char_start if last.text else a + line.index(piece[0]), a + len(line.rstrip())
            )
    if row:
        rows.append(row)
    return rows


# untabbed lines inside a text table are a cell's text continued: short, and few in a row
_MAX_CONTINUATION_LINES = 3
_MAX_CONTINUATION_CHARS = 40


def _norm_pos(doc: Document, source_pos: int) -> int:
    """The first normalised position whose source starts at or after ``source_pos``."""
    return bisect.bisect_left(doc.norm.starts, source_pos)


def _known_table(doc: Document, region: Region, table_id: str) -> Block:
    rows: list[list[Cell]] = []
    for grid_row in region.cells:
        row = []
        for sc in grid_row:
            a, b = _norm_pos(doc, sc.start), _norm_pos(doc, sc.end)
            raw = doc.text[a:b]
            lead = len(raw) - len(raw.lstrip())
            text = raw.strip()
            row.append(Cell(text, a + lead, a + lead + len(text), sc.row_span, sc.col_span, sc.covered_by))
        rows.append(row)
    a, b = _norm_pos(doc, region.start), _norm_pos(doc, region.end)
    while b > a and doc.text[b - 1] in "\n\t ":
        b -= 1
    return Block("table", doc.text[a:b], a, b, doc.line_of(a), doc.page_of(a), rows, table_id, ruled=True)


def _box(doc: Document, region: Region, inner: list[Block], table_id: str) -> Block:
    """A framed box: its paragraphs are its items (one single-cell row each)."""
    items = [b for b in inner if b.kind in ("paragraph", "heading")]
    title = region.title
    if items and title is None and regex_box_caption(items[0].text):
        title = items[0].text
    if items and title is not None and items[0].text == title:
        items = items[1:]
    a, b = _norm_pos(doc, region.start), _norm_pos(doc, region.end)
    while b > a and doc.text[b - 1] in "\n\t ":
        b -= 1
    rows = [[Cell(it.text, it.char_start, it.char_end)] for it in items]
    return Block("box", doc.text[a:b], a, b, doc.line_of(a), doc.page_of(a), rows, table_id, title=title)


def regex_box_caption(text: str) -> bool:
    """Whether a line is a box caption ("专栏5 大气污染源治理重点工程", "专栏３:…")."""
    return text.lstrip().startswith("专栏")


def blocks_from_text(doc: Document, regions: list[Region] | None = None) -> list[Block]:
    """Cut normalised text into blocks: one per non-empty line; tab lines form tables.

    ``regions`` (source offsets) are tables and boxes the reader knows: they become one block
    each, built from the reader's cells, whatever their lines look like.
    """
    text = doc.text
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    known = sorted(((_norm_pos(doc, r.start), _norm_pos(doc, r.end), r) for r in regions or []), key=lambda t: t[0])
    # a table line starts with a tab or has one inside (a trailing tab after a heading does not count)
    is_tab = [text[a:b].startswith("\t") or "\t" in text[a:b].strip() for a, b in spans]
    blocks: list[Block] = []
    i = 0
    n_tables = 0
    k_region = 0
    while i < len(spans):
        a, b = spans[i]
        while k_region < len(known) and known[k_region][1] <= a:
            k_region += 1
        if k_region < len(known) and known[k_region][0] <= a < known[k_region][1]:
            ra, rb, region = known[k_region]
            j = i
            while j + 1 < len(spans) and spans[j + 1][0] < rb:
                j += 1
            n_tables += 1
            table_id = f"{doc.doc_id}:t{n_tables:02d}"
            if region.kind == "table":
                blocks.append(_known_table(doc, region, table_id))
            else:
                inner = _line_blocks(doc, spans[i : j + 1])
                blocks.append(_box(doc, region, inner, table_id))
            k_region += 1
            i = j + 1
            continue
        if is_tab[i]:
            j = i
            while j + 1 < len(spans):
                na, nb = spans[j + 1]
                if is_tab[j + 1] or not text[na:nb].strip():
                    j += 1
                    continue
                # untabbed text stays in the table when a tabbed line follows before a blank one
                k, seen = j + 1, 0
                while k < len(spans) and not is_tab[k] and seen <= _MAX_CONTINUATION_LINES:
                    piece = text[spans[k][0] : spans[k][1]].strip()
                    if len(piece) > _MAX_CONTINUATION_CHARS:
                        break
                    seen += 1 if piece else 0
                    k += 1
                if k < len(spans) and is_tab[k] and seen <= _MAX_CONTINUATION_LINES:
                    j = k
                    continue
                break
            while j > i and not text[spans[j][0] : spans[j][1]].strip():
                j -= 1
            n_tables += 1
            rows = _table_rows(text, spans[i : j + 1])
            ta, tb = spans[i][0], spans[j][1]
            blocks.append(
                Block(
                    "table",
                    text[ta:tb],
                    ta,
                    tb,
                    doc.line_of(ta),
                    doc.page_of(ta),
                    rows,
                    f"{doc.doc_id}:t{n_tables:02d}",
                )
            )
            i = j + 1
            continue
        blocks.extend(_line_blocks(doc, [spans[i]]))
        i += 1
    return caption_boxes(doc, blocks)


# headings that end a box drawn without a frame: the document's own outline
_OUTLINE_STYLES = {"part", "chapter", "section", "cn_dun", "box", "table_caption", "markdown"}


# a box item opening with its title and a colon ("冶金行业：…", "“一屏”：…")
_TITLED_ITEM = regex.compile(r"^[^，。；：:]{2,20}[：:]")
# a body paragraph opening with a run-in heading, a short sentence of its own ("做优做强主导产业。打造…")
_RUN_IN_HEADING = regex.compile(r"^[^，。；：:、]{4,16}。\p{Han}")


def caption_boxes(doc: Document, blocks: list[Block]) -> list[Block]:
    """A 专栏 caption followed by paragraphs is a box even without a frame.

    The box holds the paragraphs up to the next heading of the document's outline (第X章, 一、 …),
    the next box or table caption, or a table.  A caption followed by a table is left to it.
    """
    out: list[Block] = []
    i = 0
    n = sum(1 for b in blocks if b.kind in ("table", "box"))
    outline: dict[str, float] = {}  # the last number of each heading style before block ``read``
    read = 0
    while i < len(blocks):
        blk = blocks[i]
        m = match_heading(blk.text) if blk.kind == "heading" else None
        if m is None or m[0] != "box" or i + 1 >= len(blocks) or not _opens_items(blocks[i + 1]):
            out.append(blk)
            i += 1
            continue
        j = i + 1
        titled = bool(_TITLED_ITEM.match(blocks[i + 1].text))
        _note_numbers(outline, blocks[read:i])
        read = i
        while j < len(blocks) and blocks[j].kind in ("paragraph", "heading"):
            hm = match_heading(blocks[j].text) if blocks[j].kind == "heading" else None
            if hm is not None and (hm[0] in _OUTLINE_STYLES or _continues(outline, hm)):
                break  # the outline goes on ("（五）…" before the box, "（六）…" after it)
            if (
                j > i + 1
                and titled
                and blocks[j].kind == "paragraph"
                and not _TITLED_ITEM.match(blocks[j].text)
                and _RUN_IN_HEADING.match(blocks[j].text)
            ):
                break  # items "冶金行业：…" end where the body goes on ("做优做强主导产业。打造…")
            j += 1
        items = blocks[i + 1 : j]
        n += 1
        a, z = blk.char_start, items[-1].char_end
        rows = [[Cell(it.text, it.char_start, it.char_end)] for it in items]
        out.append(blk)
        out.append(
            Block("box", doc.text[a:z], a, z, blk.line, blk.page, rows, f"{doc.doc_id}:b{n:02d}", title=blk.text)
        )
        i = j
    return out


def _number_of(mark: str) -> float | None:
    return parse_number(regex.sub(r"[（()）、.．\s]", "", mark))


def _note_numbers(last: dict[str, float], blocks: list[Block]) -> None:
    """Update ``last``, the last number of each heading style, with ``blocks`` (read in order: the
    outline before a box is taken up where the last box left it, never from the start again)."""
    for blk in blocks:
        hm = match_heading(blk.text) if blk.kind == "heading" else None
        if hm is not None and (n := _number_of(hm[1])) is not None:
            last[hm[0]] = n


def _continues(outline: dict[str, float], hm: tuple[str, str, str]) -> bool:
    """Whether a heading takes up the numbering of the document's outline before the box."""
    n = _number_of(hm[1])
    return n is not None and outline.get(hm[0]) == n - 1


def _opens_items(block: Block) -> bool:
    """A paragraph, or a numbered item short enough to look like a heading ("（1）工业炉窑治理：…")."""
    if block.kind == "paragraph":
        return True
    hm = match_heading(block.text) if block.kind == "heading" else None
    return hm is not None and hm[0] not in _OUTLINE_STYLES


def _line_blocks(doc: Document, spans: list[tuple[int, int]]) -> list[Block]:
    """One heading or paragraph block per non-empty line."""
    out = []
    for a, b in spans:
        line = doc.text[a:b]
        stripped = line.strip(" \u3000\t")
        if stripped:
            lead = len(line) - len(line.lstrip(" \u3000\t"))
            s0 = a + lead
            kind = "heading" if is_heading_line(stripped) else "paragraph"
            out.append(Block(kind, stripped, s0, s0 + len(stripped), doc.line_of(s0), doc.page_of(s0)))
    return out
