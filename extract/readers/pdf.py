"""PDF reader: page text in reading order, ruled tables as grids, framed 专栏 boxes as boxes.

Per page (turned upright first: ``pdf_upright``):

1. the rulings (visible axis-aligned lines) come from pdfium's path objects, and pdfplumber's
   table geometry turns them into grids (``pdf_layout``): a grid of two or more columns is a
   table, a one-column frame is a box;
2. every character comes from pdfium's text layer: the body as the text of the horizontal
   bands between grids, each cell as the text inside its box (so a Latin digit set lower than
   the CJK glyphs around it keeps its place), each box's lines joined into its paragraphs;
3. a page whose text reads badly (private-use, replacement or foreign-script characters, lost
   digits: ``text.quality``) or whose text depends on fonts the machine may lack (non-embedded
   fonts) is read again with pdfminer, and the better text kept.

Then running headers and footers, page numbers and table-of-contents pages are removed, glyphs
are substituted (``patterns/glyphs.yaml``) and wrapped lines joined by the normaliser.  Tables
and boxes reach the document model as regions, so their cells and items are exactly what the
page shows.  A PDF with no text layer at all is an error ("OCR needed"); pages without text in
an otherwise readable PDF are counted and reported.
"""
from __future__ import annotations

import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import regex

from ..model import Document
from ..text.normalize import NormalizeOptions, normalize
from ..text.quality import unusual_share
from .base import ReadError, Region, SourceCell, blocks_from_text, doc_id_from_path
from .pdf_layout import Grid, find_grids, rulings
from .pdf_upright import upright

# a page number alone on a line: "－5－", "- 12 -", "第 3 页", "3"
_PAGE_NUMBER = regex.compile(r"^\s*(?:[－\-—–~·]*\s*\d{1,4}\s*[－\-—–~·]*|第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$")
# a table-of-contents line: title, dot leaders, page number
_TOC_LINE = regex.compile(r"[·.…．⋯\p{Co}]{4,}\s*\d{0,4}\s*$")
# a heading that the text layer put on the line of the sentence before it ("新步伐。 第二章 总体要求")
_HEADING_AFTER_SENTENCE = regex.compile(
    r"([。！？；])[ \u3000]+(?=第[一二三四五六七八九十百零\d]+[章节篇]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
# a line that opens a new item inside a box ("１．电力行业", "（1）", "——", "一是")
_ITEM_START = regex.compile(
    r"^\s*(?:[0-9０-９]{1,2}\s*[.．、\p{Co}](?![0-9０-９])|[（(][0-9０-９一二三四五六七八九十]{1,3}[)）]|[①-⑳]"
    r"|——|[一二三四五六七八九十]+[是、]|[●■◆▲•])")
_SENTENCE_END = "。！？；：.!?"
_MIN_PAGE_CHARS = 20          # a page with fewer characters has no text layer (a scan or blank)
_BAD_PAGE = 0.03              # a page with more unusual characters than this is read again
_CELL_INSET = 0.8             # points inside a cell's rulings where its text is taken
_MIN_GRID_HEIGHT = 12.0       # a smaller grid is a decoration (an underline pair), not a table


@dataclass
class Piece:
    """A part of a page in reading order: text lines, a table grid or a box."""

    kind: str                   # "text" | "table" | "box"
    lines: list[str] = field(default_factory=list)
    grid: Grid | None = None
    title: str | None = None


@dataclass
class PageText:
    """What was read from one page."""

    number: int
    pieces: list[Piece]
    n_chars: int
    extractor: str = "pdfium"
    quality: float = 0.0
    embedded_fonts: bool = True


# --- pdfium -------------------------------------------------------------------------------------

def _join_cell_lines(text: str) -> str:
    """A cell's wrapped lines as one line (a space only between two Latin words)."""
    parts = [p.strip() for p in regex.split(r"\r\n|\r|\n", text) if p.strip()]
    out = ""
    for p in parts:
        if out and regex.match(r"[A-Za-z0-9]", p[0]) and regex.search(r"[A-Za-z]$", out):
            out += " "
        out += p
    return out.replace("\t", " ")


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _fonts_embedded(page) -> bool:
    """Whether every font the page's text uses is embedded (else its text may depend on the machine)."""
    import pypdfium2.raw as pdfium_c

    def embedded(objects) -> bool:
        for obj in objects:
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM:       # a form's own objects (a redrawn page)
                if not embedded(pdfium_c.FPDFFormObj_GetObject(obj, k)
                                for k in range(pdfium_c.FPDFFormObj_CountObjects(obj))):
                    return False
            elif kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
                font = pdfium_c.FPDFTextObj_GetFont(obj)
                if font and pdfium_c.FPDFFont_GetIsEmbedded(font) == 0:
                    return False
        return True

    raw = page.raw
    return embedded(pdfium_c.FPDFPage_GetObject(raw, i) for i in range(pdfium_c.FPDFPage_CountObjects(raw)))


# a line that opens with an item's title and goes on: "生活垃圾处理处置工程.大连市…", "国土绿化提升工程：以…"
_TITLE_START = regex.compile(r"^\p{Han}[^，。；：:.\d()（）]{1,23}?(?:工程|项目|行动|行业|建设|治理|保护|整治|利用|修复|体系|能力)[ ]?[.．。：:](?=.)")


def _box_paragraphs(lines: list[str]) -> list[str]:
    """The paragraphs of a box's lines: a new one at an item marker, an item title or after a 。."""
    out: list[str] = []
    for ln in (ln.strip() for ln in lines):
        if not ln:
            continue
        closed = out and out[-1].endswith(("。", "！", "？", "；"))
        ended = out and out[-1].endswith(("。", "！", "？", "；", ".", "．", "："))
        if not out or closed or _ITEM_START.match(ln) or (ended and _TITLE_START.match(ln)):
            out.append(ln)
        else:
            latin = regex.search(r"[A-Za-z]$", out[-1]) and regex.match(r"[A-Za-z]", ln)
            out[-1] += (" " if latin else "") + ln
    return out


def _grid_piece(textpage, grid: Grid) -> Piece:
    for cell in grid.cells:
        cell.text = _join_cell_lines(textpage.get_text_bounded(
            cell.x0 + _CELL_INSET, cell.y0 + _CELL_INSET, cell.x1 - _CELL_INSET, cell.y1 - _CELL_INSET))
    if grid.n_cols == 1:
        rows = sorted(grid.cells, key=lambda c: c.row)
        title = None
        lines: list[str] = []
        for k, cell in enumerate(rows):
            raw = textpage.get_text_bounded(cell.x0 + _CELL_INSET, cell.y0 + _CELL_INSET,
                                            cell.x1 - _CELL_INSET, cell.y1 - _CELL_INSET)
            if k == 0 and len(rows) > 1 and cell.text.startswith("专栏"):
                title = cell.text
                continue
            lines.extend(_box_paragraphs(_lines(raw)))
        return Piece("box", lines, grid, title)
    return Piece("table", [], grid)


def _read_page(page, number: int) -> PageText:
    textpage = page.get_textpage()
    n_chars = textpage.count_chars()
    grids = [g for g in find_grids(rulings(page)) if g.ys[0] - g.ys[-1] >= _MIN_GRID_HEIGHT]
    # a frame around other grids holds them: the inner grids are what the page shows
    grids = [g for g in grids if not any(h is not g and _inside(h, g) for h in grids)]
    if not grids:
        return PageText(number, [Piece("text", _lines(textpage.get_text_range()))], n_chars,
                        embedded_fonts=_fonts_embedded(page))
    width, height = page.get_size()
    left, right = -width, 2 * width
    pieces: list[Piece] = []
    top = 2 * height
    for g in sorted(grids, key=lambda g: -g.ys[0]):
        x0, y0, x1, y1 = g.bbox
        if top > y1:
            pieces.append(Piece("text", _lines(textpage.get_text_bounded(left, y1, right, top))))
        pieces.append(_grid_piece(textpage, g))
        for side in ((left, y0, x0, y1), (x1, y0, right, y1)):       # text beside the grid
            beside = textpage.get_text_bounded(*side)
            if beside.strip():
                pieces.append(Piece("text", _lines(beside)))
        top = min(top, y0)
    pieces.append(Piece("text", _lines(textpage.get_text_bounded(left, -height, right, top))))
    return PageText(number, pieces, n_chars, embedded_fonts=_fonts_embedded(page))


def _inside(inner: Grid, outer: Grid) -> bool:
    a, b = inner.bbox, outer.bbox
    return a[0] >= b[0] - 1 and a[1] >= b[1] - 1 and a[2] <= b[2] + 1 and a[3] <= b[3] + 1 and a != b


def _page_text(p: PageText) -> str:
    parts = []
    for piece in p.pieces:
        parts.extend(piece.lines)
        if piece.grid is not None and piece.kind == "table":
            parts.extend(c.text for c in piece.grid.cells)
    return "\n".join(parts)


# --- pdfminer (second extractor) ---------------------------------------------------------------

def _reread_with_pdfminer(source, pages: list[PageText], known: dict) -> None:
    """Read ``pages`` again with pdfminer (through pdfplumber); keep the better text of each."""
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.WARNING)
    with pdfplumber.open(source) as plumb:
        for p in pages:
            try:
                text = plumb.pages[p.number - 1].extract_text(y_tolerance=4) or ""
            except Exception:  # noqa: BLE001 - the first reading stays when the second fails
                continue
            quality = unusual_share(text.translate(known))
            # text in fonts the machine may lack comes from pdfminer (it never looks at installed
            # fonts) unless pdfminer cannot map it either; a badly read page takes the better text
            if quality < p.quality or (not p.embedded_fonts and quality <= p.quality):
                p.pieces = [Piece("text", _lines(text))]
                p.quality = quality
                p.extractor = "pdfminer"


# --- page clean-up ------------------------------------------------------------------------------

def _text_lines(p: PageText) -> list[str]:
    return [ln for piece in p.pieces if piece.kind == "text" for ln in piece.lines]


def _is_toc_page(p: PageText) -> bool:
    body = [ln for ln in _text_lines(p) if ln.strip()]
    return bool(body) and sum(1 for ln in body if _TOC_LINE.search(ln)) >= max(3, 0.3 * len(body))


def _repeated_margins(pages: list[PageText]) -> set[str]:
    """Lines that open or close many pages (running headers and footers)."""
    if len(pages) < 4:
        return set()
    counts: Counter[str] = Counter()
    for p in pages:
        body = [ln.strip() for ln in _text_lines(p) if ln.strip()]
        for ln in set(body[:2] + body[-2:]):
            counts[regex.sub(r"\d+", "#", ln)] += 1
    return {k for k, n in counts.items() if n >= max(3, len(pages) * 0.4) and len(k) <= 40}


def _clean_lines(lines: list[str], margins: set[str]) -> list[str]:
    kept = []
    for ln in (piece for raw in lines for piece in _HEADING_AFTER_SENTENCE.sub("\\1\n", raw).split("\n")):
        s = ln.strip()
        if s and (_PAGE_NUMBER.match(s) or _TOC_LINE.search(s) or regex.sub(r"\d+", "#", s) in margins):
            continue
        kept.append(s)
    return kept


# --- assembling the document ----------------------------------------------------------------------

class _Assembler:
    """The source text of the document with a page for every character and the regions."""

    def __init__(self):
        self.parts: list[str] = ["\n"]      # the first line is a line like any other (a title)
        self.pos = 1
        self.page_of_char: list[int] = [1]
        self.regions: list[Region] = []

    def add(self, text: str, page: int) -> tuple[int, int]:
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        self.page_of_char.extend([page] * len(text))
        return start, self.pos

    def lines(self, lines: list[str], page: int) -> None:
        if lines:
            self.add("\n".join(lines) + "\n", page)

    def table(self, grid: Grid, page: int) -> None:
        self.add("\n", page)
        start = self.pos
        by_pos = {(c.row, c.col): c for c in grid.cells}
        cover: dict[tuple[int, int], tuple[int, int]] = {}
        for c in grid.cells:
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    if (r, k) != (c.row, c.col):
                        cover[(r, k)] = (c.row, c.col)
        rows: list[list[SourceCell]] = []
        for r in range(grid.n_rows):
            row: list[SourceCell] = []
            for k in range(grid.n_cols):
                if k:
                    self.add("\t", page)
                cell = by_pos.get((r, k))
                if cell is not None and (r, k) not in cover:
                    a, b = self.add(cell.text, page)
                    row.append(SourceCell(a, b, cell.rowspan, cell.colspan))
                else:
                    row.append(SourceCell(self.pos, self.pos, covered_by=cover.get((r, k))))
            self.add("\n", page)
            rows.append(row)
        # a covered position carries the span of the cell covering it
        for row in rows:
            for k, sc in enumerate(row):
                if sc.covered_by is not None:
                    origin = rows[sc.covered_by[0]][sc.covered_by[1]]
                    row[k] = SourceCell(origin.start, origin.end, 1, 1, sc.covered_by)
        self.regions.append(Region("table", start, self.pos, rows))
        self.add("\n", page)

    def box(self, piece: Piece, page: int, lines: list[str]) -> None:
        self.add("\n", page)
        start = self.pos
        # one paragraph per line, with a tab line around each: the wrap joiner never joins across one
        self.add("\t\n" + "\n\t\n".join(lines) + "\n\t\n", page)
        self.regions.append(Region("box", start, self.pos, title=piece.title))

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _page_ranges(numbers: list[int]) -> str:
    """ "pages 3–5, 9" for [3, 4, 5, 9], "page 3" for [3]."""
    out, run = [], []
    for n in sorted(numbers):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            out.append(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [n]
    if run:
        out.append(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]))
    return ("page " if len(numbers) == 1 else "pages ") + ", ".join(out)


def read_pdf(path: Path, rel: str, patterns=None, data: bytes | None = None) -> Document:
    """Read a PDF plan.

    Raises:
        ReadError: encrypted, damaged, or without a text layer (a scan needs OCR).
    """
    import pypdfium2 as pdfium

    data = path.read_bytes() if data is None else data     # given: the bytes the run read (and hashed)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower() or "security" in msg.lower():
            raise ReadError("encrypted PDF: a password is needed to read it") from exc
        raise ReadError(f"not a readable PDF: {msg.splitlines()[0]}") from exc
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise ReadError("PDF has no pages")
        turned, redrawn = upright(pdf)
        pages = [_read_page(turned[i], i + 1) for i in range(n_pages)]
        if turned is not pdf:
            turned.close()
    finally:
        pdf.close()
    empty = [p.number for p in pages if p.n_chars < _MIN_PAGE_CHARS]
    if len(empty) == n_pages:
        raise ReadError("no text layer: OCR needed (the PDF is a scan)")
    known = str.maketrans(patterns.glyphs) if patterns is not None else {}
    for p in pages:
        p.quality = unusual_share(_page_text(p).translate(known)) if p.n_chars >= _MIN_PAGE_CHARS else 0.0
    reread = [p for p in pages if p.n_chars >= _MIN_PAGE_CHARS and (p.quality > _BAD_PAGE or not p.embedded_fonts)]
    fallback_failed = None
    if reread:
        try:
            _reread_with_pdfminer(io.BytesIO(redrawn or data), reread, known)
        except Exception as exc:  # noqa: BLE001 - incl. RecursionError: pdfium's text stays
            fallback_failed = exc
    for p in pages:
        if _is_toc_page(p):
            p.pieces = []
    margins = _repeated_margins(pages)
    asm = _Assembler()
    for p in pages:
        for piece in p.pieces:
            if piece.kind == "text":
                asm.lines(_clean_lines(piece.lines, margins), p.number)
            elif piece.kind == "table":
                asm.table(piece.grid, p.number)
            else:
                asm.box(piece, p.number, [ln for ln in _clean_lines(piece.lines, set()) if ln])
    text = asm.text
    if not regex.search(r"\p{Han}", text):
        raise ReadError("no Chinese text found in the PDF")
    lengths = sorted(len(ln.strip()) for ln in text.split("\n") if len(ln.strip()) >= 10 and "\t" not in ln)
    typical = lengths[len(lengths) // 2] if lengths else 0
    glyphs = patterns.glyphs if patterns is not None else {}
    options = NormalizeOptions(join_wraps=True, min_wrap_line=int(typical * 0.6), full_line=typical, glyphs=glyphs,
                               join_han_spaces=True)
    doc = Document(doc_id_from_path(rel), rel, "pdf", hashlib.sha256(data).hexdigest(), normalize(text, options),
                   n_pages=n_pages, page_of_char=asm.page_of_char, options=options)
    doc.blocks = blocks_from_text(doc, asm.regions)
    doc.reading = _reading_report(pages, empty)
    if fallback_failed is not None:
        from .base import reason_for

        doc.reading["warnings"].append(f"second reader (pdfminer) failed, pdfium's text kept: "
                                       f"{reason_for(fallback_failed)}")
    return doc


def _reading_report(pages: list[PageText], empty: list[int]) -> dict:
    """text_quality (1 = clean), extractor, pages_without_text and one-line warnings."""
    read = [p for p in pages if p.number not in empty]
    total = sum(p.n_chars for p in read) or 1
    share = sum(p.quality * p.n_chars for p in read) / total
    warnings = []
    bad = [p.number for p in read if p.quality > _BAD_PAGE]
    if bad:
        worst = max(p.quality for p in read)
        warnings.append(f"{_page_ranges(bad)}: up to {worst:.0%} unusual characters")
    if empty:
        warnings.append(f"{_page_ranges(empty)}: no text layer (scanned or blank)")
    extractors = sorted({p.extractor for p in read})
    return {"text_quality": round(1.0 - share, 4), "extractor": "+".join(extractors),
            "pages_without_text": len(empty), "warnings": warnings}

