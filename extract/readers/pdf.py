"""PDF reader: page text in reading order with a page number for every character.

Text comes from pypdfium2 (fast); pages that carry ruled lines go through pdfplumber, whose
geometry finds the tables: their rows are written into the text stream as tab-separated
lines at the table's place on the page (so the table reader treats them like any text table),
and their area is cropped out of the body text so nothing is read twice.  Running headers and
footers, page numbers ("－5－", "- 12 -") and table-of-contents lines with dot leaders are
removed; lines wrapped inside a sentence are joined by the normaliser.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import regex

from ..model import Document
from ..text.normalize import NormalizeOptions, normalize
from .base import ReadError, blocks_from_text

# a page number alone on a line: "－5－", "- 12 -", "第 3 页", "3"
_PAGE_NUMBER = regex.compile(r"^\s*(?:[－\-—–~·]*\s*\d{1,4}\s*[－\-—–~·]*|第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$")
# a table-of-contents line: title, dot leaders, page number
_TOC_LINE = regex.compile(r"[·.…．⋯]{4,}\s*\d{0,4}\s*$")
# a heading that the text layer put on the line of the sentence before it ("新步伐。 第二章 总体要求")
_HEADING_AFTER_SENTENCE = regex.compile(
    r"([。！？；])[ \u3000]+(?=第[一二三四五六七八九十百零\d]+[章节篇]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
# some fonts map the decimal point to a private-use glyph ("687\U00100170 1"): between digits it is "."
_PUA_DECIMAL = regex.compile(r"(?<=\d)\p{Co}(?=\d)")
_MIN_PATHS_FOR_TABLES = 8
_CELL_Y_TOLERANCE = 6        # ruled tables draw many path objects; plain pages draw none
_MIN_CHARS_PER_PAGE = 20         # below this on average the PDF is a scan


def _page_lines_fast(page) -> list[str]:
    text = page.get_textpage().get_text_range()
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _cell(text) -> str:
    return "" if text is None else regex.sub(r"\s*\n\s*", "", str(text)).replace("\t", " ").strip()


def _table_lines(rows: list[list]) -> list[str]:
    """Tab-separated lines of a pdfplumber table; vertically merged (None) cells filled from above."""
    out: list[list[str]] = []
    for r, row in enumerate(rows):
        cells = []
        for c, val in enumerate(row):
            if val is None and r > 0 and c < len(out[-1]):
                cells.append(out[-1][c])
            else:
                cells.append(_cell(val))
        out.append(cells)
    return ["\t".join(cells) if any(cells) else "" for cells in out if any(cells)]


def _page_lines_with_tables(plumber_page) -> list[str] | None:
    """Lines of a ruled page: body text outside the tables plus each table as TSV lines."""
    tables = plumber_page.find_tables()
    if not tables:
        return None
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        x0, top, x1, bottom = obj.get("x0", 0), obj.get("top", 0), obj.get("x1", 0), obj.get("bottom", 0)
        return not any(x0 >= b[0] - 1 and x1 <= b[2] + 1 and top >= b[1] - 1 and bottom <= b[3] + 1 for b in boxes)

    body = plumber_page.filter(outside)
    items: list[tuple[float, list[str]]] = [(ln["top"], [ln["text"]]) for ln in body.extract_text_lines()]
    for t in tables:
        # a wider vertical tolerance keeps sub/superscripts (PM2.5, m³) on their line
        lines = _table_lines(t.extract(y_tolerance=_CELL_Y_TOLERANCE))
        if lines:
            items.append((t.bbox[1], [""] + lines + [""]))
    items.sort(key=lambda it: it[0])
    return [ln for _top, lines in items for ln in lines]


def _repeated_margins(pages: list[list[str]]) -> set[str]:
    """Lines that open or close many pages (running headers and footers)."""
    if len(pages) < 4:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        body = [ln.strip() for ln in lines if ln.strip()]
        for ln in set(body[:2] + body[-2:]):
            counts[regex.sub(r"\d+", "#", ln)] += 1
    return {k for k, n in counts.items() if n >= max(3, len(pages) * 0.4) and len(k) <= 40}


def read_pdf(path: Path, rel: str) -> Document:
    """Read a PDF plan.

    Raises:
        ReadError: encrypted, damaged, or without a text layer (a scan needs OCR).
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    data = path.read_bytes()
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
        pages: list[list[str]] = []
        ruled: list[int] = []
        for i in range(n_pages):
            page = pdf[i]
            pages.append(_page_lines_fast(page))
            n_paths = sum(1 for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1))
            if n_paths >= _MIN_PATHS_FOR_TABLES:
                ruled.append(i)
    finally:
        pdf.close()
    if sum(len("".join(p).strip()) for p in pages) < _MIN_CHARS_PER_PAGE * n_pages:
        raise ReadError("no text layer: OCR needed (the PDF is a scan)")
    if ruled:
        import pdfplumber

        with pdfplumber.open(path) as plumb:
            for i in ruled:
                lines = _page_lines_with_tables(plumb.pages[i])
                if lines is not None:
                    pages[i] = lines
    # a table-of-contents page (many dot-leader lines) goes whole: its wrapped entries have none
    for i, lines in enumerate(pages):
        body = [ln for ln in lines if ln.strip()]
        if body and sum(1 for ln in body if _TOC_LINE.search(ln)) >= max(3, 0.3 * len(body)):
            pages[i] = []
    margins = _repeated_margins(pages)
    parts: list[str] = []
    page_of_char: list[int] = []
    for number, lines in enumerate(pages, start=1):
        kept = []
        for ln in (piece for raw in lines for piece in _HEADING_AFTER_SENTENCE.sub("\\1\n", raw).split("\n")):
            s = ln.strip()
            if s and (_PAGE_NUMBER.match(s) or _TOC_LINE.search(s) or regex.sub(r"\d+", "#", s) in margins):
                continue
            ln = _PUA_DECIMAL.sub(".", ln)
            kept.append(ln.rstrip() if "\t" in ln else ln.strip())
        chunk = "\n".join(kept) + "\n"
        parts.append(chunk)
        page_of_char.extend([number] * len(chunk))
    text = "\n" + "".join(parts)      # the first line is a line like any other (a title)
    page_of_char.insert(0, 1)
    if not regex.search(r"\p{Han}", text):
        raise ReadError("no Chinese text found in the PDF")
    lengths = sorted(len(ln.strip()) for ln in text.split("\n") if len(ln.strip()) >= 10 and "\t" not in ln)
    typical = lengths[len(lengths) // 2] if lengths else 0
    options = NormalizeOptions(join_wraps=True, min_wrap_line=int(typical * 0.6), full_line=typical)
    doc = Document(path.stem, rel, "pdf", hashlib.sha256(text.encode("utf-8")).hexdigest(),
                   normalize(text, options), n_pages=n_pages, page_of_char=page_of_char, options=options)
    doc.blocks = blocks_from_text(doc)
    return doc
