"""Page geometry of a PDF: ruling lines from pdfium's path objects, table grids and framed boxes.

pdfium hands out every drawn path with its segments, transform and paint; the visible,
axis-aligned ones are a page's rulings.  pdfplumber's table geometry (``merge_edges`` …
``cells_to_tables``) turns rulings into cells without pdfminer having to parse the page, and
each cell's text is taken from pdfium's text layer inside the cell, so characters come in the
order pdfium reads them whatever their font's baseline (a Latin digit set lower than the CJK
glyphs around it stays in its place: ``PM2.5``, ``2026年``).

A table drawn without vertical rules (borderless, three-line, only horizontal rules) is found
from the characters instead (``aligned_tables``): a header line of column labels over lines whose
chunks line up with it.

Coordinates are PDF user space (origin bottom left, y up) throughout; pdfplumber's functions
are fed ``top = -y`` so that their "top" grows downwards as they expect.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import compress
from typing import NamedTuple

import pypdfium2.raw as pdfium_c
import regex

from ..text.numbering import marks
from .pdf_fonts import portable

# a ruling is at most this thick (a thin filled rectangle drawn as a line counts)
_MAX_RULE_WIDTH = 3.0
# … and at least this long
_MIN_RULE_LENGTH = 6.0
# rulings closer than this are one (pdfplumber's snap/join tolerances)
_SNAP = 3.0
# paint lighter than this on every channel is invisible on white paper
_WHITE = 235
# a grid needs at least this many cells to be a table (a frame is one cell)
_MIN_TABLE_CELLS = 1
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class Segment:
    """A visible axis-aligned ruling: ``x0 <= x1``, ``y0 <= y1`` (one of the spans is ~0)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return (self.x1 - self.x0) >= (self.y1 - self.y0)


@dataclass
class GridCell:
    """A cell of a grid: its row/column span and its box (PDF space)."""

    row: int
    col: int
    rowspan: int
    colspan: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str = ""


@dataclass
class Grid:
    """A ruled table or frame: column boundaries (left to right), row boundaries (top to bottom)."""

    xs: list[float]
    ys: list[float]
    cells: list[GridCell] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` in PDF space."""
        return self.xs[0], self.ys[-1], self.xs[-1], self.ys[0]

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1

    def contains(self, x: float, y: float, margin: float = 1.0) -> bool:
        x0, y0, x1, y1 = self.bbox
        return x0 - margin <= x <= x1 + margin and y0 - margin <= y <= y1 + margin


# --- rulings --------------------------------------------------------------------------------


def _matrix(obj) -> tuple[float, float, float, float, float, float]:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return 1.0, 0.0, 0.0, 1.0, 0.0, 0.0
    return m.a, m.b, m.c, m.d, m.e, m.f


def _compose(inner, outer):
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _visible(obj) -> tuple[bool, bool]:
    """Whether the path's stroke and its fill show on white paper."""
    fillmode = ctypes.c_int(0)
    stroke = ctypes.c_int(0)
    if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fillmode), ctypes.byref(stroke)):
        return False, False
    r, g, b, a = (ctypes.c_uint(0) for _ in range(4))

    def shows(getter) -> bool:
        if not getter(obj, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b), ctypes.byref(a)):
            return True
        return a.value > 0 and min(r.value, g.value, b.value) < _WHITE

    return bool(stroke.value) and shows(pdfium_c.FPDFPageObj_GetStrokeColor), bool(fillmode.value) and shows(
        pdfium_c.FPDFPageObj_GetFillColor
    )


def _path_points(obj, matrix) -> tuple[list[list[tuple[float, float]]], bool]:
    """The subpaths of a path object as point lists in page space (curves flattened to ends), and
    whether the path has curves."""
    a, b, c, d, e, f = matrix
    subpaths: list[list[tuple[float, float]]] = []
    curved = False
    x, y = ctypes.c_float(0), ctypes.c_float(0)
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
            continue
        px, py = a * x.value + c * y.value + e, b * x.value + d * y.value + f
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        curved = curved or kind == pdfium_c.FPDF_SEGMENT_BEZIERTO
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([(px, py)])
        else:
            subpaths[-1].append((px, py))
        if pdfium_c.FPDFPathSegment_GetClose(seg) and subpaths[-1]:
            subpaths[-1].append(subpaths[-1][0])
    return subpaths, curved


def _is_shape(subpaths: list[list[tuple[float, float]]], curved: bool) -> bool:
    """Whether a filled path draws shapes (glyph outlines: text "converted to curves", a logo), not
    lines: it has curves, or a part of it is thick both ways (a stroke of a glyph, a dot)."""
    if curved:
        return True
    for pts in subpaths:
        if len(pts) < 2:
            continue
        w = max(p[0] for p in pts) - min(p[0] for p in pts)
        h = max(p[1] for p in pts) - min(p[1] for p in pts)
        if min(w, h) > _MAX_RULE_WIDTH:
            return True
    return False


def _segments_of(obj, matrix) -> list[Segment]:
    stroked, filled = _visible(obj)
    if not (stroked or filled):
        return []
    subpaths, curved = _path_points(obj, matrix)
    if filled and not stroked and len(subpaths) > 1 and _is_shape(subpaths, curved):
        return []  # glyph outlines and drawings: their thin strokes are not rulings
    out: list[Segment] = []
    for pts in subpaths:
        if len(pts) < 2:
            continue
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        if filled and not stroked:
            # a filled thin rectangle is a ruling; a filled wide one is shading, not a line
            if h <= _MAX_RULE_WIDTH and w >= _MIN_RULE_LENGTH:
                out.append(Segment(min(xs), (min(ys) + max(ys)) / 2, max(xs), (min(ys) + max(ys)) / 2))
            elif w <= _MAX_RULE_WIDTH and h >= _MIN_RULE_LENGTH:
                out.append(Segment((min(xs) + max(xs)) / 2, min(ys), (min(xs) + max(xs)) / 2, max(ys)))
            continue
        for (xa, ya), (xb, yb) in zip(pts, pts[1:]):
            if abs(ya - yb) <= 0.5 and abs(xa - xb) >= _MIN_RULE_LENGTH:
                out.append(Segment(min(xa, xb), ya, max(xa, xb), ya))
            elif abs(xa - xb) <= 0.5 and abs(ya - yb) >= _MIN_RULE_LENGTH:
                out.append(Segment(xa, min(ya, yb), xa, max(ya, yb)))
    return out


def rulings(page) -> list[Segment]:
    """Visible axis-aligned line segments drawn on a pdfium page (form XObjects included)."""
    return rulings_and_fonts(page)[0]


def rulings_and_fonts(page) -> tuple[list[Segment], bool]:
    """The page's rulings (:func:`rulings`) and whether every font its text uses reads the same on
    every machine (embedded, or one of pdfium's own: ``pdf_fonts.portable``).

    One walk over the page's objects (form XObjects included) answers both.  A page holds
    hundreds of text objects for a few path objects, so the walk asks pdfium for the objects, their
    types and the text objects' fonts through plain-address calls (:func:`by_address`) mapped
    over each list (no Python frame per object), each font once (none once one font is not
    portable), and takes the typed object only for paths and forms.
    """
    out: list[Segment] = []
    fonts_portable = True
    calls = by_address()
    get_type, get_font, font_embedded = calls["type"], calls["font"], calls["embedded"]
    path, form, text = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM, pdfium_c.FPDF_PAGEOBJ_TEXT
    fonts: set[int | None] = {None}  # asked already (None: a text object without a font)

    def walk(objects: list[int], outer) -> None:
        nonlocal fonts_portable
        kinds = list(map(get_type, objects))
        if fonts_portable and text in kinds:
            new = set(map(get_font, compress(objects, map(text.__eq__, kinds)))) - fonts
            fonts.update(new)
            fonts_portable = all(portable(font, font_embedded(font)) for font in new)
        for obj, kind in compress(zip(objects, kinds), map(text.__ne__, kinds)):  # paths, forms: a few
            if kind == path:
                handle = ctypes.cast(obj, pdfium_c.FPDF_PAGEOBJECT)
                out.extend(_segments_of(handle, _compose(_matrix(handle), outer)))
            elif kind == form:
                handle = ctypes.cast(obj, pdfium_c.FPDF_PAGEOBJECT)
                count = pdfium_c.FPDFFormObj_CountObjects(handle)
                walk(list(map(partial(calls["form_object"], obj), range(count))), _compose(_matrix(handle), outer))

    raw = page.raw
    count = pdfium_c.FPDFPage_CountObjects(raw)
    walk(list(map(partial(calls["page_object"], ctypes.cast(raw, ctypes.c_void_p).value), range(count))), _IDENTITY)
    return out, fonts_portable


@lru_cache(maxsize=1)
def by_address() -> dict:
    """pdfium's page object and text page calls taking and giving plain addresses (ints) instead
    of typed pointers (the out-parameters of ``char_box`` too: ``ctypes.addressof`` of each double).

    The same C functions as ``pypdfium2.raw``'s, called through ``ctypes.CFUNCTYPE`` prototypes
    at their addresses: no pointer object is made per call.
    """
    vp, i = ctypes.c_void_p, ctypes.c_int

    def at(fn, restype, *argtypes):
        return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(fn, vp).value)

    return {
        "page_object": at(pdfium_c.FPDFPage_GetObject, vp, vp, i),
        "form_object": at(pdfium_c.FPDFFormObj_GetObject, vp, vp, ctypes.c_ulong),
        "type": at(pdfium_c.FPDFPageObj_GetType, i, vp),
        "font": at(pdfium_c.FPDFTextObj_GetFont, vp, vp),
        "embedded": at(pdfium_c.FPDFFont_GetIsEmbedded, i, vp),
        "char_unicode": at(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint, vp, i),
        "char_box": at(pdfium_c.FPDFText_GetCharBox, i, vp, i, vp, vp, vp, vp),
        "font_size": at(pdfium_c.FPDFText_GetFontSize, ctypes.c_double, vp, i),
    }


# --- grids ------------------------------------------------------------------------------------


def _edge(s: Segment) -> dict:
    # pdfplumber's edge dicts, with top = -y so that "top" grows downwards
    if s.horizontal:
        return {
            "x0": s.x0,
            "x1": s.x1,
            "top": -s.y0,
            "bottom": -s.y0,
            "width": s.x1 - s.x0,
            "height": 0.0,
            "orientation": "h",
            "object_type": "line",
        }
    return {
        "x0": s.x0,
        "x1": s.x0,
        "top": -s.y1,
        "bottom": -s.y0,
        "width": 0.0,
        "height": s.y1 - s.y0,
        "orientation": "v",
        "object_type": "line",
    }


def _boundaries(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _SNAP:
            out.append(v)
    return out


def _index(bounds: list[float], v: float) -> int:
    return min(range(len(bounds)), key=lambda i: abs(bounds[i] - v))


def _closing_edges(edges: list[dict]) -> list[dict]:
    """Horizontal edges where two or more column rulings end without one.

    A table broken over two pages leaves the row at the break open: its column rulings run to
    the page's end (or start) but no horizontal line closes them.  The row is closed where
    they end, so its cells are read as cells, not as loose text.
    """
    hs = [e for e in edges if e["orientation"] == "h"]
    open_ends: dict[float, list[dict]] = {}
    for v in (e for e in edges if e["orientation"] == "v"):
        for y in (v["top"], v["bottom"]):
            closed = any(abs(h["top"] - y) <= _SNAP and h["x0"] - _SNAP <= v["x0"] <= h["x1"] + _SNAP for h in hs)
            if not closed:
                key = next((k for k in open_ends if abs(k - y) <= _SNAP), y)
                open_ends.setdefault(key, []).append(v)
    out = []
    for y, vs in open_ends.items():
        if len(vs) >= 2:
            x0, x1 = min(v["x0"] for v in vs), max(v["x0"] for v in vs)
            out.append(
                {
                    "x0": x0,
                    "x1": x1,
                    "top": y,
                    "bottom": y,
                    "width": x1 - x0,
                    "height": 0.0,
                    "orientation": "h",
                    "object_type": "line",
                }
            )
    return out


def find_grids(segments: list[Segment]) -> list[Grid]:
    """Tables and frames formed by ``segments``, top to bottom, each with its cells' spans."""
    from pdfplumber.table import (
        cells_to_tables,
        edges_to_intersections,
        intersections_to_cells,
        merge_edges,
    )

    if len(segments) < 4:
        return []
    edges = merge_edges([_edge(s) for s in segments], _SNAP, _SNAP, _SNAP, _SNAP)
    edges = [e for e in edges if (e["width"] if e["orientation"] == "h" else e["height"]) >= _MIN_RULE_LENGTH]
    edges += _closing_edges(edges)
    cells = intersections_to_cells(edges_to_intersections(edges, _SNAP, _SNAP))
    tables = cells_to_tables(cells)
    # pdfplumber keeps tables of two cells or more; a lone cell is a frame (a 专栏 box)
    grouped = {c for table in tables for c in table}
    tables += [[c] for c in cells if c not in grouped]
    grids: list[Grid] = []
    for table in tables:
        if len(table) < _MIN_TABLE_CELLS:
            continue
        xs = _boundaries([c[0] for c in table] + [c[2] for c in table])
        tops = _boundaries([c[1] for c in table] + [c[3] for c in table])  # -y, ascending = downwards
        grid = Grid(xs, [-t for t in tops])
        for x0, top, x1, bottom in table:
            r0, r1 = _index(tops, top), _index(tops, bottom)
            c0, c1 = _index(xs, x0), _index(xs, x1)
            if r1 <= r0 or c1 <= c0:
                continue
            grid.cells.append(GridCell(r0, c0, r1 - r0, c1 - c0, x0, -bottom, x1, -top))
        grid.cells.sort(key=lambda c: (c.row, c.col))
        grids.append(grid)
    grids.sort(key=lambda g: -g.ys[0])
    return grids


# --- tables without rules: columns from the characters' positions --------------------------------


class Glyph(NamedTuple):
    """A printed character: its centre, its box and font size (PDF space)."""

    x: float  # centre
    y0: float
    y1: float
    size: float
    x0: float
    x1: float
    char: str


# two chunks of a line further apart than this many font sizes sit in two columns
_COLUMN_GAP = 1.2
# a header line of a table drawn without (vertical) rules: years, 属性, 单位, 指标, 目标 …
_HEADER_WORD = regex.compile(r"(?:19|20)\d{2}|属性|性质|单位|指标|目标|现状|基准|序号|名称|类型|规划值|期末")
_HEADER_ANCHOR = regex.compile(r"(?:19|20)\d{2}|属性|性质|目标|规划值")
_MIN_TEXT_COLUMNS = 3
_MIN_TEXT_ROWS = 2  # data rows under the header


def glyph_lines(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped into printed lines, top to bottom, each left to right (a full stop or a
    comma, low in the line, stays in it)."""
    lines: list[list[Glyph]] = []
    bounds: list[list[float]] = []  # [bottom, top] of each line
    for g in sorted(glyphs, key=lambda g: -(g.y0 + g.y1) / 2):
        centre = (g.y0 + g.y1) / 2
        if lines and bounds[-1][0] - 0.25 * g.size <= centre <= bounds[-1][1] + 0.25 * g.size:
            lines[-1].append(g)
            bounds[-1] = [min(bounds[-1][0], g.y0), max(bounds[-1][1], g.y1)]
        else:
            lines.append([g])
            bounds.append([g.y0, g.y1])
    return [sorted(line, key=lambda g: g.x0) for line in lines]


def _chunks(line: list[Glyph]) -> list[list[Glyph]]:
    """A line cut where the space between two characters is wide enough to part two columns."""
    out: list[list[Glyph]] = []
    for g in line:
        if out and g.x0 - out[-1][-1].x1 <= _COLUMN_GAP * max(g.size, out[-1][-1].size):
            out[-1].append(g)
        else:
            out.append([g])
    return out


def _text(chunk: list[Glyph]) -> str:
    return "".join(g.char for g in chunk)


def _is_header(chunks: list[list[Glyph]]) -> bool:
    texts = [_text(c) for c in chunks]
    return (
        len(chunks) >= _MIN_TEXT_COLUMNS
        and sum(1 for t in texts if _HEADER_WORD.search(t)) >= 2
        and any(_HEADER_ANCHOR.search(t) for t in texts)
    )


_NUMBER_CHUNK = regex.compile(r"^[\d.,≥≤<>＜＞%～~\-—－/\[\]［］]+$")


@lru_cache(maxsize=1)
def _group_mark() -> regex.Pattern:
    """A group's number opening a line (一、, （一）): numbering.yaml."""
    return regex.compile(rf"^\s*{marks('cn_dun', 'cn_paren')}")


_NOTE = regex.compile(r"^\s*(?:注|备注|说明|资料来源)\s*[：:\d]")
_CAPTION_TRIGGER = regex.compile(r"^\s*附?表\s*[\d一二三四五六七八九十][^。；]{0,40}(?:指标|目标)")
_CAPTION = regex.compile(r"^\s*(?:附?表\s*[\d一二三四五六七八九十]|专栏)")


def _top(line: list[Glyph]) -> float:
    return max(g.y1 for g in line)


def _bottom(line: list[Glyph]) -> float:
    return min(g.y0 for g in line)


def aligned_tables(lines: list[list[Glyph]]) -> list[tuple[Grid, int, int]]:
    """Tables drawn without vertical rules (borderless, three-line, only horizontal rules): a
    header line of column labels (years, 属性, 单位 …) over lines whose chunks line up with it.

    The header row takes the lines set tight above and below it (labels wrapped in their cells:
    基准值（ / 2020年）); each later line with two chunks or more is a row, a short line at the
    left finishes the row above (a wrapped name); the table ends at a line of running text, a
    caption, or a gap much wider than the rows'.  Columns are the x-bands the rows' chunks cover,
    parted where no chunk crosses.  Returns ``(grid, first_line, last_line)`` for each table.
    """
    out = []
    k = 0
    while k < len(lines):
        # a caption (表1 …指标) right over aligned data: the header is not text (drawn as outlines)
        captioned = (
            bool(_CAPTION_TRIGGER.match(_text(lines[k])))
            and k + 1 < len(lines)
            and len(_chunks(lines[k + 1])) >= _MIN_TEXT_COLUMNS
            and not _is_header(_chunks(lines[k + 1]))
        )
        if not captioned and not _is_header(_chunks(lines[k])):
            k += 1
            continue
        if captioned:
            k += 1
        size = max(g.size for g in lines[k])
        left = min(g.x0 for g in lines[k])
        right = max(g.x1 for g in lines[k])
        if captioned:
            first, header, j = k, [], k
        else:
            first = k
            while (
                first > 0
                and _bottom(lines[first - 1]) - _top(lines[first]) < 0.6 * size
                and min(g.x0 for g in lines[first - 1]) >= left - size
                and max(g.x1 for g in lines[first - 1]) <= right + size
                and not _CAPTION.match(_text(lines[first - 1]))
            ):
                first -= 1
            header = lines[first : k + 1]
            j = k + 1
            while (
                j < len(lines)
                and _bottom(header[-1]) - _top(lines[j]) < 0.6 * size
                and not any(_NUMBER_CHUNK.match(_text(c)) for c in _chunks(lines[j]))
            ):
                header.append(lines[j])
                j += 1
        rows = [header]
        pitch = None
        while j < len(lines):
            line = lines[j]
            parts = _chunks(line)
            gap = _bottom(rows[-1][-1]) - _top(line) if rows[-1] else 0.0
            if pitch is not None and gap > max(2.5 * pitch, 3 * size):
                break  # far below the table: a page number, the next text
            x0, x1 = min(g.x0 for g in line), max(g.x1 for g in line)
            if len(parts) >= 2 and not _CAPTION.match(_text(line)):
                rows.append([line])
                pitch = gap if pitch is None else max(pitch, gap)
                left, right = min(left, x0), max(right, x1)
            elif len(parts) == 1 and x1 - x0 < 0.4 * (right - left) and x0 < left + 0.3 * (right - left):
                if _NOTE.match(_text(line)):
                    break  # the table's notes (注：…) follow it
                if len(rows) == 1 or _group_mark().match(_text(line)):
                    rows.append([line])  # a group label on its own line (一、水环境)
                elif gap < 0.8 * size:
                    rows[-1].append(line)  # a wrapped name, set tight under its first line
                else:
                    break
            else:
                break
            j += 1
        grid = _grid_of(rows)
        if grid is None:
            k += 1
            continue
        out.append((grid, first, j - 1))
        k = j
    return out


def _grid_of(rows: list[list[list[Glyph]]]) -> Grid | None:
    """The grid of aligned rows (each a list of printed lines, the header first), or None when
    the columns are unclear.

    Columns come from the data rows.  Each header line is a row of its own, a label crossing a
    column boundary spanning the columns it covers (现状值 over 2019年 | 2020年); a data row of one
    chunk crossing a boundary is a group label across the table (一、水环境).
    """
    data = [line for row in rows[1:] for line in row if len(_chunks(line)) >= 2]
    if len(data) < _MIN_TEXT_ROWS:
        return None
    bands: list[list[float]] = []
    for a, b in sorted((c[0].x0, c[-1].x1) for line in data for c in _chunks(line)):
        if bands and a <= bands[-1][1] + 1.0:
            bands[-1][1] = max(bands[-1][1], b)
        else:
            bands.append([a, b])
    if len(bands) < _MIN_TEXT_COLUMNS:
        return None
    head = [g for line in rows[0] for g in line]
    xs = (
        [min([bands[0][0]] + [g.x0 for g in head]) - 2.0]
        + [(bands[i][1] + bands[i + 1][0]) / 2 for i in range(len(bands) - 1)]
        + [max([bands[-1][1]] + [g.x1 for g in head]) + 2.0]
    )
    n_header = len(rows[0])
    grid_rows = [[line] for line in rows[0]] + rows[1:]
    tops = [max(_top(line) for line in row) for row in grid_rows]
    bottoms = [min(_bottom(line) for line in row) for row in grid_rows]
    ys = [tops[0] + 2.0] + [(bottoms[i] + tops[i + 1]) / 2 for i in range(len(grid_rows) - 1)] + [bottoms[-1] - 2.0]
    grid = Grid(xs, ys)
    n = len(xs) - 1
    for r, row in enumerate(grid_rows):
        chunks = [c for line in row for c in _chunks(line)]
        spans: list[tuple[int, int]] = []  # merged column ranges [c0, c1)
        if r >= n_header and len(chunks) == 1:
            spans = [(0, n)] if _columns_of(chunks[0], xs)[1] - _columns_of(chunks[0], xs)[0] > 1 else []
        elif r < n_header:
            spans = [cols for c in chunks if (cols := _columns_of(c, xs))[1] - cols[0] > 1]
        c = 0
        while c < n:
            c1 = next((b for a, b in spans if a == c), c + 1)
            grid.cells.append(GridCell(r, c, 1, c1 - c, xs[c], ys[r + 1], xs[c1], ys[r]))
            c = c1
    return grid


def _columns_of(chunk: list[Glyph], xs: list[float]) -> tuple[int, int]:
    """The columns ``[first, last + 1)`` a chunk of text covers."""
    a, b = chunk[0].x0, chunk[-1].x1
    # a column counts when a character's width of the chunk lies in it (a wide label may overhang)
    size = max(g.size for g in chunk)
    cols = [c for c in range(len(xs) - 1) if min(b, xs[c + 1]) - max(a, xs[c]) > 0.8 * size]
    return (cols[0], cols[-1] + 1) if cols else (0, 1)
