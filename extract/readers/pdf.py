"""PDF reader: page text in reading order, ruled tables as grids, framed 专栏 boxes as boxes.

Per page (turned upright first: ``pdf_upright``):

1. the rulings (visible axis-aligned lines) come from pdfium's path objects, and pdfplumber's
   table geometry turns them into grids (``pdf_layout``): a grid of two or more columns is a
   table, a one-column frame is a box;
2. every character comes from pdfium's text layer: the body as the text of the horizontal
   bands between grids, each cell as the text inside its box (so a Latin digit set lower than
   the CJK glyphs around it keeps its place), each box's lines joined into its paragraphs;
3. a page whose text reads badly (private-use, replacement or foreign-script characters, lost
   digits: ``text.quality``) or whose text uses a font neither in the PDF nor among pdfium's own
   (``pdf_fonts``: pdfium never looks at the machine's fonts) is read again with pdfminer, and
   the better text kept.

Then running headers and footers, page numbers and table-of-contents pages are removed, glyphs
are substituted (``patterns/glyphs.yaml``) and wrapped lines joined by the normaliser.  Tables
and boxes reach the document model as regions, so their cells and items are exactly what the
page shows.  A PDF with no text layer at all is an error ("OCR needed"); pages without text in
an otherwise readable PDF are counted and reported.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import Callable

import regex

from ..model import Document
from ..text.normalize import NormalizeOptions, normalize
from ..text.numbering import marks
from ..text.quality import unusual_share
from .base import ReadError, Region, SourceCell, blocks_from_text, doc_id_from_path, regex_box_caption
from .pdf_fonts import no_machine_fonts
from .pdf_layout import Glyph, Grid, aligned_tables, by_address, find_grids, glyph_lines, rulings_and_fonts
from .pdf_upright import redrawn, textpage_turn

# a page number alone on a line: "－5－", "- 12 -", "第 3 页", "3"
_PAGE_NUMBER = regex.compile(
    r"^\s*(?:[－\-—–~·]*\s*\d{1,4}\s*[－\-—–~·]*|第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$"
)
# a table-of-contents line: title, dot leaders, page number
_TOC_LINE = regex.compile(r"[·.…．⋯\p{Co}]{4,}\s*\d{0,4}\s*$")


@lru_cache(maxsize=1)
def _heading_after_sentence() -> regex.Pattern:
    """A heading the text layer put on the line of the sentence before it ("新步伐。 第二章 总体要求")."""
    return regex.compile(rf"([。！？；])[ \u3000]+(?={marks('part', 'chapter', 'section', 'cn_dun', 'cn_paren')})")


@lru_cache(maxsize=1)
def _item_start() -> regex.Pattern:
    """A line that opens a new item inside a box ("１．电力行业", "（1）", "——", "一是"); a private-use
    glyph may stand for the dot of "1." before the glyphs are mapped."""
    return regex.compile(
        r"^\s*(?:[0-9０-９]{1,2}\s*[.．、\p{Co}](?![0-9０-９])|"
        + marks("cn_paren", "arabic_paren", "circled", "dash", "enumerated", "cn_dun", "bullet")
        + ")"
    )


_SENTENCE_END = "。！？；：.!?"
_MIN_PAGE_CHARS = 20  # a page with fewer characters has no text layer (a scan or blank)
_BAD_PAGE = 0.03  # a page with more unusual characters than this is read again
_CELL_INSET = 0.8  # points inside a cell's rulings where its text is taken
_MIN_GRID_HEIGHT = 12.0  # a smaller grid is a decoration (an underline pair), not a table
_PAGE_BORDER = 0.6  # a one-cell frame over this share of the page is a border, not a box


@dataclass
class Piece:
    """A part of a page in reading order: text lines, a table grid or a box.

    The layout (kind, grid, the area a text piece covers) is found once, from pdfium's rulings;
    the text is then filled in from a reader's characters inside each area (:func:`_fill`), so
    a page read again with the second reader keeps its grids, boxes and order.
    """

    kind: str  # "text" | "table" | "box"
    lines: list[str] = field(default_factory=list)
    grid: Grid | None = None
    title: str | None = None  # a box's caption when the box is carried over from the page before
    bbox: tuple[float, float, float, float] | None = None  # a text piece's area (PDF space)
    continued: bool = False  # a box carrying on the box the page before ended in


@dataclass
class PageText:
    """What was read from one page."""

    number: int
    pieces: list[Piece]
    n_chars: int
    extractor: str = "pdfium"
    quality: float = 0.0
    fonts_portable: bool = True  # every font embedded or one of pdfium's own (``pdf_fonts``)
    warnings: list[str] = field(default_factory=list)


# the text a reader finds inside an area ``(x0, y0, x1, y1)`` of the page (PDF space), lines
# separated by newlines
TextIn = Callable[[float, float, float, float], str]


# --- pdfium -------------------------------------------------------------------------------------

_LINE_BREAK = regex.compile(r"\r\n|\r|\n")
_LATIN_OR_DIGIT = regex.compile(r"[A-Za-z0-9]")
_ENDS_LATIN = regex.compile(r"[A-Za-z]$")
_DIGIT_RUN = regex.compile(r"\d+")


def _join_cell_lines(text: str) -> str:
    """A cell's wrapped lines as one line (a space only between two Latin words)."""
    parts = [p.strip() for p in _LINE_BREAK.split(text) if p.strip()]
    out = ""
    for p in parts:
        if out and _LATIN_OR_DIGIT.match(p[0]) and _ENDS_LATIN.search(out):
            out += " "
        out += p
    return out.replace("\t", " ")


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# a line that opens with an item's title and goes on: "生活垃圾处理处置工程.大连市…", "国土绿化提升工程：以…"
_TITLE_START = regex.compile(
    r"^\p{Han}[^，。；：:.\d()（）]{1,23}?(?:工程|项目|行动|行业|建设|治理|保护|整治|利用|修复|体系|能力)[ ]?[.．。：:](?=.)"
)


# a numbered heading inside a box: "（一）绿色转型提升工程" (no sentence, no clause in it)
_BOX_HEADING_TEXT = regex.compile(r"^[^，。；：,;:！？]{2,30}$")


def _box_paragraphs(lines: list[str]) -> list[str]:
    """The paragraphs of a box's lines: a new one at an item marker, an item title, after a 。, and
    after its caption or a numbered heading line that stands alone ("（一）绿色转型提升工程")."""
    lines = [ln.strip() for ln in lines if ln.strip()]
    full = max((len(ln) for ln in lines), default=0)
    out: list[str] = []
    heading = False
    for ln in lines:
        closed = out and out[-1].endswith(("。", "！", "？", "；"))
        ended = out and out[-1].endswith(("。", "！", "？", "；", ".", "．", "："))
        if not out or closed or heading or _item_start().match(ln) or (ended and _TITLE_START.match(ln)):
            out.append(ln)
            heading = bool(
                _BOX_HEADING_TEXT.match(ln)
                and (regex_box_caption(ln) or _item_start().match(ln) and len(ln) < 0.75 * full)
            )
        else:
            latin = regex.search(r"[A-Za-z]$", out[-1]) and regex.match(r"[A-Za-z]", ln)
            out[-1] += (" " if latin else "") + ln
            heading = False
    return out


def _fill_grid(piece: Piece, text_in: TextIn) -> None:
    """A table's cells, or a box's lines (its caption row apart), from the text inside each cell."""
    raw: dict[tuple[int, int], str] = {}
    for cell in piece.grid.cells:
        raw[(cell.row, cell.col)] = text_in(
            cell.x0 + _CELL_INSET, cell.y0 + _CELL_INSET, cell.x1 - _CELL_INSET, cell.y1 - _CELL_INSET
        )
        cell.text = _join_cell_lines(raw[(cell.row, cell.col)])
    if piece.kind != "box":
        return
    rows = sorted(piece.grid.cells, key=lambda c: c.row)
    piece.lines = []
    for k, cell in enumerate(rows):
        if k == 0 and len(rows) > 1 and cell.text.startswith("专栏"):
            piece.title = cell.text
            continue
        piece.lines.extend(_box_paragraphs(_lines(raw[(cell.row, cell.col)])))


def _fill(pieces: list[Piece], text_in: TextIn) -> list[Piece]:
    """The page's pieces with their text read by ``text_in``: the layout stays, only characters change."""
    out = []
    for piece in pieces:
        new = replace(piece, lines=[], grid=_copy_grid(piece.grid) if piece.grid is not None else None)
        if new.kind == "text":
            new.lines = _lines(text_in(*new.bbox))
        elif new.grid is None:  # a box carried over from the page before, without a frame
            new.lines = _box_paragraphs(_lines(text_in(*new.bbox)))
        else:
            _fill_grid(new, text_in)
        out.append(new)
    return _captions_into_boxes(out)


def _copy_grid(grid: Grid) -> Grid:
    return Grid(list(grid.xs), list(grid.ys), [replace(c, text="") for c in grid.cells])


def _captions_into_boxes(pieces: list[Piece]) -> list[Piece]:
    """A 专栏 caption printed right above a box's frame is the box's first line (its title)."""
    for before, box in zip(pieces, pieces[1:]):
        if box.kind != "box" or before.kind != "text" or box.title or (box.lines and regex_box_caption(box.lines[0])):
            continue
        filled = [k for k, ln in enumerate(before.lines) if ln.strip()]
        if filled and regex_box_caption(before.lines[filled[-1]]) and len(before.lines[filled[-1]].strip()) <= 60:
            box.lines.insert(0, before.lines[filled[-1]].strip())
            del before.lines[filled[-1]]
    return pieces


def _layout(page, width: float, height: float, textpage=None, segments=None) -> list[Piece]:
    """The page's pieces top to bottom, without text: bands of text, tables, boxes.

    Ruled grids come from the page's rulings (``segments``, when already found); a table drawn
    without vertical rules is found in a band of text (or inside a one-column frame) from its
    characters' positions.
    """
    if segments is None:
        segments = rulings_and_fonts(page)[0]
    grids = [g for g in find_grids(segments) if g.ys[0] - g.ys[-1] >= _MIN_GRID_HEIGHT]
    # a frame around other grids holds them: the inner grids are what the page shows
    grids = [g for g in grids if not any(h is not g and _inside(h, g) for h in grids)]
    # a frame around (nearly) the whole page is a border, not a box
    grids = [
        g
        for g in grids
        if g.n_cols > 1
        or g.n_rows > 1
        or (g.bbox[2] - g.bbox[0]) * (g.bbox[3] - g.bbox[1]) < _PAGE_BORDER * width * height
    ]
    left, right = -width, 2 * width
    pieces: list[Piece] = []
    top = 2 * height
    for g in sorted(grids, key=lambda g: -g.ys[0]):
        x0, y0, x1, y1 = g.bbox
        if top > y1:
            pieces.append(Piece("text", bbox=(left, y1, right, top)))
        pieces.append(Piece("box" if g.n_cols == 1 else "table", grid=g))
        for side in ((left, y0, x0, y1), (x1, y0, right, y1)):  # text beside the grid
            pieces.append(Piece("text", bbox=side))
        top = min(top, y0)
    pieces.append(Piece("text", bbox=(left, -height, right, top)))
    if textpage is not None and _ALIGNED_HEADER.search(textpage.get_text_range()):
        pieces = _find_aligned_tables(pieces, _glyphs(textpage))
    return pieces


# a line that may head a table drawn without vertical rules: a year or 属性/目标 and another label
# (or a caption of an indicator table, whose header may not be text)
_ALIGNED_HEADER = regex.compile(
    r"(?m)^(?=.{0,60}$)(?=.*(?:(?:19|20)\d{2}|属性|性质|目标)).*(?:单位|序号|属性|性质|现状值|基准值|现状|基准年).*$"
    r"|^\s*附?表\s*[\d一二三四五六七八九十][^。；\n]{0,40}(?:指标|目标)"
)


def _find_aligned_tables(pieces: list[Piece], glyphs: list[Glyph]) -> list[Piece]:
    """Bands of text and one-column frames that hold a table drawn without vertical rules, cut
    into the text around it and the table."""
    out: list[Piece] = []
    for piece in pieces:
        area = piece.bbox if piece.kind == "text" else piece.grid.bbox if piece.kind == "box" and piece.grid else None
        if area is None:
            out.append(piece)
            continue
        lines = glyph_lines([g for g in glyphs if _in(g, area)])
        found = aligned_tables(lines)
        if not found:
            out.append(piece)
            continue
        x0, y0, x1, y1 = area
        top = y1
        for grid, _first, _last in found:
            if top > grid.ys[0]:
                out.append(Piece("text", bbox=(x0, grid.ys[0], x1, top)))
            out.append(Piece("table", grid=grid))
            top = grid.ys[-1]
        out.append(Piece("text", bbox=(x0, y0, x1, top)))
    return out


@dataclass
class _OpenBox:
    """A box that reaches the end of its page: the next page may carry it on."""

    title: str | None  # its caption
    size: float  # its characters' font size
    body_size: float  # the font size of the page's running text
    next_item: tuple[str, int] | None = None  # the numbering the next item would have ("N.", 3)


def _read_page(page, number: int, carried: _OpenBox | None = None, textpage=None) -> tuple[PageText, _OpenBox | None]:
    """The page's pieces read by pdfium, and the box it leaves open for the next page (if any).

    ``carried``: a box the page before ended in; lines at the top of this page set in the box's
    (smaller) type continue it without a frame.  ``textpage``: the page's text page when
    already built (the upright check reads the same one).
    """
    textpage = textpage if textpage is not None else page.get_textpage()
    n_chars = textpage.count_chars()
    width, height = page.get_size()
    segments, fonts_portable = rulings_and_fonts(page)
    layout = _layout(page, width, height, textpage, segments)
    if carried is not None:
        layout = _carry_box_over(textpage, layout, carried)
    pieces = _fill(layout, textpage.get_text_bounded)
    # text beside a grid is usually nothing
    pieces = [p for p in pieces if p.kind != "text" or any(ln.strip() for ln in p.lines) or p is pieces[-1]]
    if carried is not None:
        _title_continued_box(pieces, carried)
    return PageText(number, pieces, n_chars, fonts_portable=fonts_portable), _box_left_open(textpage, pieces)


def _glyphs(textpage) -> list[Glyph]:
    """Every printed character on the page: centre, box, font size (found once per text page)."""
    found = getattr(textpage, "_plan_extract_glyphs", None)
    if found is None:
        found = _find_glyphs(textpage)
        textpage._plan_extract_glyphs = found
    return found


def _find_glyphs(textpage) -> list[Glyph]:
    import ctypes

    import pypdfium2 as pdfium

    calls = by_address()
    unicode_of, box_of, size_of = calls["char_unicode"], calls["char_box"], calls["font_size"]
    at = ctypes.cast(textpage.raw, ctypes.c_void_p).value
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))  # filled by each call (as get_charbox does)
    where = [ctypes.addressof(v) for v in (left, right, bottom, top)]
    skip = {0x20, 0x0D, 0x0A, 0x3000, 0xFFFE, 0x09}
    out = []
    make = tuple.__new__  # Glyph(...) without the named tuple's Python-level __new__
    for i, ch in enumerate(map(partial(unicode_of, at), range(textpage.count_chars()))):
        if ch in skip:
            continue
        if not box_of(at, i, *where):
            raise pdfium.PdfiumError("Failed to get charbox.")
        x0, y0, x1, y1 = left.value, bottom.value, right.value, top.value
        out.append(make(Glyph, ((x0 + x1) / 2, y0, y1, round(size_of(at, i), 1), x0, x1, chr(ch))))
    return out


def _in(g, bbox) -> bool:
    x0, y0, x1, y1 = bbox
    return x0 <= g[0] <= x1 and y0 <= (g[1] + g[2]) / 2 <= y1


def _ends_page(piece: Piece) -> bool:
    """Whether a text piece after a box holds nothing but a page number (the box ends the page)."""
    return piece.kind == "text" and all(not ln.strip() or _PAGE_NUMBER.match(ln) for ln in piece.lines)


def _box_left_open(textpage, pieces: list[Piece]) -> _OpenBox | None:
    """The page's last box when nothing but a page number follows it."""
    k = len(pieces) - 1
    while k >= 0 and _ends_page(pieces[k]):
        k -= 1
    if k < 0 or pieces[k].kind != "box":
        return None
    box = pieces[k]
    area = box.grid.bbox if box.grid else box.bbox
    glyphs = _glyphs(textpage)
    inside = Counter(g[3] for g in glyphs if _in(g, area))
    outside = Counter(g[3] for g in glyphs if not _in(g, area))
    if not inside:
        return None
    title = box.title or (box.lines[0] if box.lines and regex_box_caption(box.lines[0]) else None)
    size = inside.most_common(1)[0][0]
    numbered = [n for ln in box.lines if (n := _item_number(ln)) is not None]
    next_item = (numbered[-1][0], numbered[-1][1] + 1) if numbered else None
    return _OpenBox(title, size, outside.most_common(1)[0][0] if outside else size, next_item)


def _title_continued_box(pieces: list[Piece], carried: _OpenBox) -> None:
    """A framed box that opens the page with no caption carries on the box the page before ended in."""
    first = next((p for p in pieces if not _ends_page(p)), None)
    if (
        first is not None
        and first.kind == "box"
        and not first.title
        and not (first.lines and regex_box_caption(first.lines[0]))
    ):
        first.title = carried.title
        first.continued = True


# the numbering an item opens with: "3.", "3、", "（3）", "(三)", "③"
_ITEM_NUMBER = regex.compile(
    r"^\s*(?:(?P<dot>[0-9０-９]{1,2})\s*[.．、](?![0-9０-９])|[（(](?P<paren>[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})[)）]"
    r"|(?P<circled>[①-⑳]))"
)
_CN_DIGITS = "一二三四五六七八九十"


def _item_number(line: str) -> tuple[str, int] | None:
    """``(style, number)`` of a numbered item line ("3. 农村黑臭水体整治…" -> ("dot", 3)), else None."""
    m = _ITEM_NUMBER.match(line)
    if m is None:
        return None
    if m.group("circled"):
        return "circled", ord(m.group("circled")) - ord("①") + 1
    style = "dot" if m.group("dot") else "paren"
    digits = (m.group("dot") or m.group("paren")).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if digits.isdigit():
        return style, int(digits)
    if len(digits) == 1:
        return style + "_cn", _CN_DIGITS.index(digits) + 1
    return style + "_cn", 10 + (_CN_DIGITS.index(digits[-1]) + 1 if digits[-1] != "十" else 0)


# font sizes are compared as ratios (pdfium's sizes are in text space, before the text matrix)
_SAME_SIZE = 0.03  # two font sizes this close (a share of the larger) are one type size
_SMALLER_TYPE = 0.97  # a box's type is at most this share of the body's


@lru_cache(maxsize=1)
def _outline_heading() -> regex.Pattern:
    """A line that opens the document's outline: a chapter, a 一、 heading, a table or box caption."""
    return regex.compile(rf"^\s*(?:{marks('part', 'chapter', 'section', 'cn_dun')}|附?表\s*\d|专栏)")


def _carry_box_over(textpage, layout: list[Piece], carried: _OpenBox) -> list[Piece]:
    """The top of the page that carries on the box the page before ended in, as a box.

    Its lines are set in the box's type when that is smaller than the body's, or go on with the
    box's item numbering (3. after 2.) and the lines that finish those items, up to the first
    heading, body line or item out of sequence.
    """
    if not layout or layout[0].kind != "text":
        return layout
    by_size = carried.size <= carried.body_size * _SMALLER_TYPE
    if not by_size and carried.next_item is None:
        return layout
    band = layout[0]
    lines: list[list] = []  # glyphs of the band, one list per printed line, top to bottom
    for g in sorted((g for g in _glyphs(textpage) if _in(g, band.bbox)), key=lambda g: -g[2]):
        if lines and abs(lines[-1][0][2] - g[2]) <= 0.5 * g[3]:
            lines[-1].append(g)
        else:
            lines.append([g])
    split = None
    expect = carried.next_item
    open_item = False  # the last line taken ends inside its item (no 。 yet)
    for line in lines:
        size = Counter(g[3] for g in line).most_common(1)[0][0]
        same = abs(size - carried.size) <= _SAME_SIZE * max(size, carried.size)
        bottom, top = min(g[1] for g in line), max(g[2] for g in line)
        text = textpage.get_text_bounded(band.bbox[0], bottom - 0.5, band.bbox[2], top + 0.5).strip()
        number = _item_number(text)
        if split is None and len(line) <= 12 and not same and number is None:
            continue  # a running header or page number above the carried lines
        if _outline_heading().match(text) and number is None:
            break
        if by_size:
            if not same:
                break
        elif number is not None:
            if number != expect:
                break
        elif not open_item:
            break
        if number is not None and expect is not None and number[0] == expect[0]:
            expect = (expect[0], number[1] + 1)
        open_item = not text.endswith(("。", "；", "！", "？"))
        split = bottom
    if split is None:
        return layout
    x0, y0, x1, y1 = band.bbox
    box = Piece("box", bbox=(x0, split - 0.5, x1, y1), title=carried.title, continued=True)
    return [box, Piece("text", bbox=(x0, y0, x1, split - 0.5))] + layout[1:]


def _inside(inner: Grid, outer: Grid) -> bool:
    a, b = inner.bbox, outer.bbox
    return a[0] >= b[0] - 1 and a[1] >= b[1] - 1 and a[2] <= b[2] + 1 and a[3] <= b[3] + 1 and a != b


def _page_text(p: PageText) -> str:
    return _pieces_text(p.pieces)


def _pieces_text(pieces: list[Piece]) -> str:
    parts = []
    for piece in pieces:
        parts.extend(piece.lines)
        if piece.grid is not None and piece.kind == "table":
            parts.extend(c.text for c in piece.grid.cells)
    return "\n".join(parts)


# --- pdfminer (second extractor) ---------------------------------------------------------------


def _chars_text_in(plumb_page) -> TextIn:
    """pdfminer's characters inside an area, as lines (through pdfplumber)."""
    from pdfplumber.utils import extract_text

    chars = [c for c in pdfminer_chars(plumb_page) if c.get("upright", True) or c["text"].strip()]

    def text_in(x0: float, y0: float, x1: float, y1: float) -> str:
        inside = [c for c in chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and y0 <= (c["y0"] + c["y1"]) / 2 <= y1]
        return extract_text(inside, y_tolerance=4) if inside else ""

    return text_in


# the keys of pdfplumber's character dicts that its text extraction and this reader use
_CHAR_KEYS = ("x0", "x1", "y0", "y1", "width", "height", "size", "upright", "fontname", "adv")


def pdfminer_chars(plumb_page) -> list[dict]:
    """``plumb_page.chars`` as pdfplumber gives them, with the keys text extraction uses, made
    without the page's other objects.

    pdfplumber turns every object of the page (paths, images, characters) into a dict of all its
    attributes; the second reader needs only the characters' text and boxes.  The page is
    interpreted by pdfminer as pdfplumber does it (its aggregator, its resource manager), paths
    and images left out, and each character's dict holds pdfplumber's values for ``text``,
    :data:`_CHAR_KEYS` and ``top``/``bottom``/``doctop`` (the same arithmetic).
    """
    from pdfminer.layout import LTChar, LTContainer
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.utils.exceptions import PdfminerException

    pdf = plumb_page.pdf
    device = _chars_only_device()(pdf.rsrcmgr, pageno=plumb_page.page_number, laparams=pdf.laparams)
    try:
        PDFPageInterpreter(pdf.rsrcmgr, device).process_page(plumb_page.page_obj)
    except Exception as exc:
        raise PdfminerException(exc) from exc
    height = plumb_page.height
    mb_x0, mb_top = plumb_page.mediabox[:2]
    doctop = plumb_page.initial_doctop
    norm = pdf.unicode_norm
    out: list[dict] = []

    def walk(objects) -> None:
        for obj in objects:
            if isinstance(obj, LTContainer):
                walk(obj._objs)
            elif isinstance(obj, LTChar):
                attrs = obj.__dict__
                c = {k: attrs[k] for k in _CHAR_KEYS if k in attrs}
                text = obj.get_text()
                c["text"] = unicodedata.normalize(norm, text) if norm is not None else text
                if isinstance(c.get("fontname"), bytes):
                    from pdfplumber.page import fix_fontname_bytes

                    c["fontname"] = fix_fontname_bytes(c["fontname"])
                c["top"] = (height - c["y1"]) + mb_top
                c["bottom"] = (height - c["y0"]) + mb_top
                c["doctop"] = doctop + c["top"]
                if mb_x0 != 0:
                    c["x0"] = c["x0"] + mb_x0
                    c["x1"] = c["x1"] + mb_x0
                out.append(c)

    walk(device.get_result()._objs)
    return out


@lru_cache(maxsize=1)
def _chars_only_device():
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    class CharsOnly(PDFPageAggregatorWithMarkedContent):
        """pdfplumber's page aggregator keeping text only: paths and images are not made."""

        def paint_path(self, *args, **kwargs) -> None:
            return None

        def render_image(self, *args, **kwargs) -> None:
            return None

    return CharsOnly


def _lost_cells(first: list[Piece], second: list[Piece]) -> int:
    """Table cells and boxes the first reader found text in and the second found none."""
    lost = 0
    for a, b in zip(first, second):
        if a.kind == "table":
            lost += sum(1 for ca, cb in zip(a.grid.cells, b.grid.cells) if ca.text.strip() and not cb.text.strip())
        elif a.kind == "box":
            lost += int(any(ln.strip() for ln in a.lines) and not any(ln.strip() for ln in b.lines))
    return lost


def _reread_with_pdfminer(source, pages: list[PageText], known: dict) -> None:
    """Read ``pages`` again with pdfminer (through pdfplumber); keep the better text of each.

    The page's layout (its bands, grids and boxes, found from pdfium's rulings) stays: each
    area's text is taken again from pdfminer's characters inside it, cell by cell.
    """
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.WARNING)
    with pdfplumber.open(source) as plumb:
        for p in pages:
            try:
                pieces = _fill(p.pieces, _chars_text_in(plumb.pages[p.number - 1]))
            except Exception:  # noqa: BLE001 - the first reading stays when the second fails
                continue
            quality = unusual_share(_pieces_text(pieces).translate(known))
            # text in a font pdfium can only approximate comes from pdfminer (which reads the PDF's
            # own metrics) unless pdfminer cannot map it either; a badly read page takes the better text
            if quality < p.quality or (not p.fonts_portable and quality <= p.quality):
                lost = _lost_cells(p.pieces, pieces)
                if lost:
                    p.warnings.append(
                        f"page {p.number}: read again with pdfminer, whose characters miss "
                        f"{lost} table cell(s) or box(es) of the page's layout"
                    )
                p.pieces = pieces
                p.quality = quality
                p.extractor = "pdfminer"


def _join_items_over_page_breaks(pages: list[PageText]) -> None:
    """A box carried over to the next page whose first line starts no new item finishes the last
    item of the page before ("…美国白蛾防治" / "33.33万公顷次，…"): the line joins that item."""
    last_box = None
    for p in pages:
        for piece in p.pieces:
            if piece.kind == "box" and piece.continued and last_box is not None and piece.lines and last_box.lines:
                first, before = piece.lines[0], last_box.lines[-1]
                if not (
                    _item_start().match(first)
                    or _TITLE_START.match(first)
                    or regex_box_caption(first)
                    or before.endswith(("。", "！", "？", "；"))
                ):
                    last_box.lines[-1] = before + first
                    del piece.lines[0]
            if piece.kind == "box":
                last_box = piece
            elif not _ends_page(piece):
                last_box = None


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
            counts[_DIGIT_RUN.sub("#", ln)] += 1
    return {k for k, n in counts.items() if n >= max(3, len(pages) * 0.4) and len(k) <= 40}


def _clean_lines(lines: list[str], margins: set[str]) -> list[str]:
    kept = []
    for ln in (piece for raw in lines for piece in _heading_after_sentence().sub("\\1\n", raw).split("\n")):
        s = ln.strip()
        if s and (_PAGE_NUMBER.match(s) or _TOC_LINE.search(s) or _DIGIT_RUN.sub("#", s) in margins):
            continue
        kept.append(s)
    return kept


# --- assembling the document ----------------------------------------------------------------------


class _Assembler:
    """The source text of the document with a page for every character and the regions."""

    def __init__(self):
        self.parts: list[str] = ["\n"]  # the first line is a line like any other (a title)
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


def _read_pages(pdf, n_pages: int) -> tuple[list[PageText], bytes | None]:
    """Every page read by pdfium, turned upright first (``pdf_upright``); and the bytes of the
    redrawn document when a page had to be turned (for the second reader), else None.

    Each page is loaded and its text page built once: the upright check and the reading share
    them.  A page whose text runs turned (rare) sends the whole document through the redrawn
    copy, read from its first page again.
    """
    pages: list[PageText] = []
    turns: list[int] = []
    carried = None
    for i in range(n_pages):
        page = pdf[i]
        if page.get_rotation():
            page.set_rotation(0)
            turn = _turn_of(page)
            page.close()
            page = pdf[i]  # read from a page loaded without its /Rotate
        else:
            turn = None
        textpage = page.get_textpage()
        if turn is None:
            turn = textpage_turn(textpage)
        turns.append(turn)
        if not any(turns):
            result, carried = _read_page(page, i + 1, carried, textpage)
            pages.append(result)
        textpage.close()
        page.close()
    if not any(turns):
        return pages, None
    turned, data = redrawn(pdf, turns)
    try:
        pages, carried = [], None
        for i in range(n_pages):
            page = turned[i]
            result, carried = _read_page(page, i + 1, carried)
            pages.append(result)
    finally:
        turned.close()
    return pages, data


def _turn_of(page) -> int:
    textpage = page.get_textpage()
    try:
        return textpage_turn(textpage)
    finally:
        textpage.close()


def read_pdf(path: Path, rel: str, patterns=None, data: bytes | None = None) -> Document:
    """Read a PDF plan.

    Raises:
        ReadError: encrypted, damaged, or without a text layer (a scan needs OCR).
    """
    import pypdfium2 as pdfium

    data = path.read_bytes() if data is None else data  # given: the bytes the run read (and hashed)
    no_machine_fonts()
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
        pages, redrawn_data = _read_pages(pdf, n_pages)
    finally:
        pdf.close()
    empty = [p.number for p in pages if p.n_chars < _MIN_PAGE_CHARS]
    if len(empty) == n_pages:
        raise ReadError("no text layer: OCR needed (the PDF is a scan)")
    known = str.maketrans(patterns.glyphs) if patterns is not None else {}
    for p in pages:
        p.quality = unusual_share(_page_text(p).translate(known)) if p.n_chars >= _MIN_PAGE_CHARS else 0.0
    reread = [p for p in pages if p.n_chars >= _MIN_PAGE_CHARS and (p.quality > _BAD_PAGE or not p.fonts_portable)]
    fallback_failed = None
    if reread:
        try:
            _reread_with_pdfminer(io.BytesIO(redrawn_data or data), reread, known)
        except Exception as exc:  # noqa: BLE001 - incl. RecursionError: pdfium's text stays
            fallback_failed = exc
    for p in pages:
        if _is_toc_page(p):
            p.pieces = []
    _join_items_over_page_breaks(pages)
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
    options = NormalizeOptions(
        join_wraps=True, min_wrap_line=int(typical * 0.6), full_line=typical, glyphs=glyphs, join_han_spaces=True
    )
    doc = Document(
        doc_id_from_path(rel),
        rel,
        "pdf",
        hashlib.sha256(data).hexdigest(),
        normalize(text, options),
        n_pages=n_pages,
        page_of_char=asm.page_of_char,
        options=options,
    )
    doc.blocks = blocks_from_text(doc, asm.regions)
    doc.reading = _reading_report(pages, empty)
    if fallback_failed is not None:
        from .base import reason_for

        doc.reading["warnings"].append(
            f"second reader (pdfminer) failed, pdfium's text kept: {reason_for(fallback_failed)}"
        )
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
    warnings.extend(w for p in read for w in p.warnings)
    extractors = sorted({p.extractor for p in read})
    return {
        "text_quality": round(1.0 - share, 4),
        "extractor": "+".join(extractors),
        "pages_without_text": len(empty),
        "warnings": warnings,
    }
