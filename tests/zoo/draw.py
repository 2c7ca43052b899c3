"""Draw one zoo layout as a PDF with reportlab, from its description in ``layouts.yaml``.

A layout is a list of pages, each a list of blocks drawn top to bottom (``Flow``):

- ``title``/``heading``/``para``/``caption``/``note``: text lines (a paragraph wraps at the margins
  with a two-character indent, as plan bodies do); ``at: [x, y]`` puts the first baseline there;
- ``table``: a grid of cells.  ``x`` lists the column rule positions; ``y`` the row rule positions
  (else rows are ``row_height`` high, taller when a cell wraps unless ``fixed_height``).  Rows are strings of cells split
  at ``|`` (a list of pieces is joined first); a cell ``<`` is merged with the cell on its left, ``^`` with the cell above.  ``rules``
  says which lines are drawn (``full``, ``horizontal``, ``three-line``, ``outer``, ``none``);
  ``break_after: N`` carries the rows after the N-th data row over to a new page (with the header
  again when ``repeat_header``);
- ``box``: a 专栏 (title and items) in a frame (``full``: a rectangle; ``titled``: a rectangle with
  a rule under the title; ``shaded``: a grey ground, no line; ``none``), optionally carried over a
  page break (``break_after``, ``continued``);
- ``space``: vertical space in points; ``move``: set the flow's y.

Text is drawn in one of three inks (``font``): ``embedded`` (the zoo's TrueType subsets, embedded
by reportlab: Chinese in ZooCJK, digits and Latin in ZooLatin, other symbols in ZooSymbols), ``nonembedded`` (reportlab's
STSong-Light CID font, Type0 with UniGB-UCS2-H and no font file, as gazette exports are) and
``outline`` (each glyph a filled path from fontTools, no text object: "converted to curves").

Any string value ``$name`` in a block is replaced by the variant's parameter ``name``, so one
layout description serves all its variants.  ``turn`` (90/270) draws the finished pages turned
on a page of the turned size with ``/Rotate`` set (``tests/pdf_build.turned_copy``).
"""

from __future__ import annotations

import copy
import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

import regex

from .make_font import FONT_ORDER

A4 = (595.0, 842.0)
DEFAULTS = {
    "font": "embedded",
    "size": 9.0,
    "pad": 4.0,
    "row_height": 22.0,
    "line_width": 0.6,
    "rule_style": "stroke",
    "page": list(A4),
    "margin": [70.0, 525.0],
    "top": 780.0,
    "page_numbers": True,
    "first_page": 1,
    "turn": 0,
    "rotate_flag": True,
}
CID_FONT = "STSong-Light"


# --- inks -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _ttfont(path: str):
    from fontTools.ttLib import TTFont

    return TTFont(path)


@functools.lru_cache(maxsize=None)
def _registered() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    for path in FONT_ORDER:
        pdfmetrics.registerFont(TTFont(path.stem, str(path)))
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))


def font_path_for(ch: str) -> Path:
    """The zoo font that draws ``ch`` (the first of ``FONT_ORDER`` that has it); KeyError if none has."""
    for path in FONT_ORDER:
        if ord(ch) in _ttfont(str(path)).getBestCmap():
            return path
    raise KeyError(f"{ch!r} (U+{ord(ch):04X}) is in no zoo font: run tests/zoo/make_font.py")


def _runs(text: str) -> list[tuple[Path, str]]:
    runs: list[tuple[Path, str]] = []
    for ch in text:
        path = font_path_for(ch)
        if runs and runs[-1][0] == path:
            runs[-1] = (path, runs[-1][1] + ch)
        else:
            runs.append((path, ch))
    return runs


def _advance(path: Path, ch: str) -> float:
    font = _ttfont(str(path))
    name = font.getBestCmap()[ord(ch)]
    return font["hmtx"][name][0] / font["head"].unitsPerEm


class _PathPen:
    """A fontTools pen drawing into a reportlab path, glyph units scaled to points at (x, y)."""

    def __init__(self, rl_path, glyphs, scale: float, x: float, y: float):
        from fontTools.pens.basePen import BasePen

        outer = self

        class Pen(BasePen):
            def _moveTo(self, pt):
                rl_path.moveTo(*outer.at(pt))

            def _lineTo(self, pt):
                rl_path.lineTo(*outer.at(pt))

            def _curveToOne(self, p1, p2, p3):
                rl_path.curveTo(*outer.at(p1), *outer.at(p2), *outer.at(p3))

            def _closePath(self):
                rl_path.close()

        self.scale, self.x, self.y = scale, x, y
        self.pen = Pen(glyphs)

    def at(self, pt):
        return self.x + pt[0] * self.scale, self.y + pt[1] * self.scale


def text_width(text: str, size: float, ink: str) -> float:
    if ink == "nonembedded":
        from reportlab.pdfbase import pdfmetrics

        _registered()
        return pdfmetrics.stringWidth(text, CID_FONT, size)
    return sum(_advance(font_path_for(ch), ch) for ch in text) * size


def draw_text(c, x: float, y: float, text: str, size: float, ink: str) -> None:
    """``text`` with its baseline starting at (x, y) in ``ink``."""
    if not text:
        return
    _registered()
    if ink == "nonembedded":
        c.setFont(CID_FONT, size)
        c.drawString(x, y, text)
        return
    if ink == "embedded":
        for path, run in _runs(text):
            c.setFont(path.stem, size)
            c.drawString(x, y, run)
            x += sum(_advance(path, ch) for ch in run) * size
        return
    if ink != "outline":
        raise ValueError(f"unknown font {ink!r} (embedded, nonembedded, outline)")
    from reportlab.pdfgen.canvas import FILL_NON_ZERO

    for ch in text:
        path = font_path_for(ch)
        font = _ttfont(str(path))
        glyphs = font.getGlyphSet()
        name = font.getBestCmap()[ord(ch)]
        rl_path = c.beginPath()
        pen = _PathPen(rl_path, glyphs, size / font["head"].unitsPerEm, x, y)
        glyphs[name].draw(pen.pen)
        c.drawPath(rl_path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)
        x += _advance(path, ch) * size


_TOKEN = regex.compile(r"[0-9A-Za-z.%]+|.", regex.S)


def wrap(text: str, width: float, size: float, ink: str, indent: float = 0.0) -> list[str]:
    """``text`` broken into lines no wider than ``width``: anywhere between Chinese characters, not
    inside a number or a Latin word; an explicit newline always breaks; ``indent`` narrows the
    first line."""
    lines: list[str] = []
    for part in str(text).split("\n"):
        line, room = "", width - indent if not lines else width
        for token in _TOKEN.findall(part):
            if line and text_width(line + token, size, ink) > room:
                lines.append(line)
                line, room = "", width
            line += token
        lines.append(line)
    return lines


# --- grids ------------------------------------------------------------------------------------


@dataclass
class Region:
    """A (possibly merged) cell: rows r0..r1, columns c0..c1 inclusive, and its text and style."""

    r0: int
    c0: int
    r1: int
    c1: int
    text: str
    size: float
    ink: str
    align: str


def split_row(row: str) -> list[str]:
    return [cell.strip() for cell in str(row).split("|")]


def regions(rows: list[dict], ncols: int) -> tuple[list[Region], list[list[int]]]:
    """The cells of ``rows`` (each ``{"cells": [...], ...style}``) with ``<``/``^`` merged; and the
    owner index of every grid position."""
    found: list[Region] = []
    owner: list[list[int]] = []
    for r, row in enumerate(rows):
        cells = row["cells"]
        if len(cells) != ncols:
            raise ValueError(f"row {r} has {len(cells)} cells, the grid {ncols}: {cells}")
        line: list[int] = []
        for col, cell in enumerate(cells):
            if cell == "<" and col > 0:
                k = line[col - 1]
                found[k].c1 = max(found[k].c1, col)
            elif cell == "^" and r > 0:
                k = owner[r - 1][col]
                found[k].r1 = max(found[k].r1, r)
            else:
                k = len(found)
                found.append(
                    Region(
                        r,
                        col,
                        r,
                        col,
                        "" if cell in ("^", "<") else cell,
                        row["sizes"][col],
                        row["ink"],
                        row["align"][col],
                    )
                )
            line.append(k)
        owner.append(line)
    for k, reg in enumerate(found):
        for r in range(reg.r0, reg.r1 + 1):
            for col in range(reg.c0, reg.c1 + 1):
                if owner[r][col] != k:
                    raise ValueError(f"merged cell {reg.text!r} is not a rectangle (row {r}, column {col})")
    return found, owner


# --- the page flow ----------------------------------------------------------------------------


class Flow:
    """Blocks drawn down a page; a new page when asked."""

    def __init__(self, path: Path, params: dict):
        from reportlab.pdfgen.canvas import Canvas

        _registered()
        self.params = params
        self.width, self.height = params["page"]
        # the page's initial font is the zoo's own (not reportlab's default Helvetica, which a
        # reader would count as one more font that is not embedded)
        first = CID_FONT if params["font"] == "nonembedded" else FONT_ORDER[-1].stem
        self.canvas = Canvas(
            str(path), pagesize=(self.width, self.height), invariant=1, initialFontName=first, initialFontSize=10
        )
        self.page = 0
        self.y = 0.0
        self.started = False
        self.new_page()

    def new_page(self) -> None:
        if self.started:
            self.finish_page()
        self.started = True
        self.page += 1
        self.y = float(self.params["top"])

    def finish_page(self) -> None:
        if self.params["page_numbers"]:
            label = f"－{self.params['first_page'] + self.page - 1}－"
            size = 9.0
            w = text_width(label, size, self._ink(None))
            draw_text(self.canvas, (self.width - w) / 2, 36, label, size, self._ink(None))
        self.canvas.showPage()

    def save(self) -> None:
        self.finish_page()
        self.canvas.save()

    def _ink(self, block) -> str:
        return (block or {}).get("font") or self.params["font"]

    # text blocks
    def lines(self, block: dict, text: str, size: float, align: str, indent_chars: float) -> None:
        ink = self._ink(block)
        left, right = block.get("margin") or self.params["margin"]
        if "at" in block:  # the first baseline exactly there, not indented or centred
            left, base = block["at"]
            align, indent_chars = "left", 0
        else:
            base = self.y - size
        indent = indent_chars * size
        leading = float(block.get("leading", size * 1.7))
        for i, line in enumerate(wrap(text, right - left, size, ink, indent)):
            w = text_width(line, size, ink)
            if align == "center":
                x = left + (right - left - w) / 2
            else:
                x = left + (indent if i == 0 else 0.0)
            draw_text(self.canvas, x, base, line, size, ink)
            base -= leading
        self.y = base + leading - size * 0.6 - float(block.get("after", size * 0.5))

    def block(self, block: dict) -> None:
        kinds = [
            k
            for k in ("title", "heading", "para", "caption", "note", "table", "box", "space", "move", "newpage")
            if k in block
        ]
        if len(kinds) != 1:
            raise ValueError(f"a block needs exactly one kind: {block}")
        kind = kinds[0]
        if kind == "title":
            self.lines(block, block["title"], float(block.get("size", 16)), "center", 0)
        elif kind == "heading":
            self.lines(block, block["heading"], float(block.get("size", 12)), "left", 0)
        elif kind == "para":
            self.lines(block, block["para"], float(block.get("size", 10.5)), "left", 2)
        elif kind == "caption":
            self.lines(block, block["caption"], float(block.get("size", 10.5)), "center", 0)
        elif kind == "note":
            self.lines(block, block["note"], float(block.get("size", 9)), "left", 0)
        elif kind == "space":
            self.y -= float(block["space"])
        elif kind == "move":
            self.y = float(block["move"])
        elif kind == "newpage":
            self.new_page()
        elif kind == "table":
            Table(self, block["table"]).draw()
        else:
            Box(self, block["box"]).draw()

    # rules
    def rule(self, x0: float, y0: float, x1: float, y1: float, width: float | None = None) -> None:
        w = float(width or self.params["line_width"])
        c = self.canvas
        if self.params["rule_style"] == "rect":  # a thin filled rectangle, as Word exports draw rules
            if abs(y1 - y0) < 1e-6:
                c.rect(x0 - w / 2, y0 - w / 2, x1 - x0 + w, w, stroke=0, fill=1)
            else:
                c.rect(x0 - w / 2, y0 - w / 2, w, y1 - y0 + w, stroke=0, fill=1)
            return
        c.setLineWidth(w)
        c.line(x0, y0, x1, y1)


class Table:
    """A ``table`` block (see the module docstring)."""

    def __init__(self, flow: Flow, spec: dict):
        self.flow, self.spec = flow, spec
        p = flow.params
        xs = [float(v) for v in spec["x"]]
        order = spec.get("column_order")
        self.ncols = len(xs) - 1
        self.order = list(order) if order else list(range(self.ncols))
        widths = [xs[i + 1] - xs[i] for i in range(self.ncols)]
        widths = [widths[i] for i in self.order]
        self.xs = [xs[0]]
        for w in widths:
            self.xs.append(self.xs[-1] + w)
        self.size = float(spec.get("size", p["size"]))
        self.pad = float(spec.get("pad", p["pad"]))
        self.ink = spec.get("font") or p["font"]
        self.header = int(spec.get("header", 1))
        self.rules = spec.get("rules", "full")
        rows = [self._row(r, i) for i, r in enumerate(spec["rows"])]
        self.head_rows, self.body_rows = rows[: self.header], rows[self.header :]

    def _permute(self, values: list) -> list:
        return [values[i] for i in self.order]

    def _row(self, row, index: int) -> dict:
        spec = self.spec
        style = dict(row) if isinstance(row, dict) else {"cells": row}
        if isinstance(style["cells"], list):  # pieces joined (a "$name" piece is a parameter)
            style["cells"] = "".join(str(piece) for piece in style["cells"])
        cells = self._permute(split_row(style["cells"]))
        is_head = index < int(spec.get("header", 1))
        sizes = spec.get("sizes") or [self.size] * self.ncols
        sizes = self._permute([float(s) for s in sizes])
        if is_head and "header_size" in spec:
            sizes = [float(spec["header_size"])] * self.ncols
        if "size" in style:
            sizes = [float(style["size"])] * self.ncols
        if is_head:
            align = spec.get("header_align") or "c"
        else:
            align = spec.get("align") or self._default_align()
        align = style.get("align", align)
        if len(align) == 1:
            align = align * self.ncols
        if len(align) != self.ncols or set(align) - set("lcr"):
            raise ValueError(f"align {align!r}: one of l/c/r per column ({self.ncols})")
        align = "".join(self._permute(list(align)))
        ink = style.get("font") or (spec.get("header_font") if is_head else None) or self.ink
        return {"cells": cells, "sizes": sizes, "align": align, "ink": ink, "height": style.get("height")}

    def _default_align(self) -> str:
        widths = [self.spec["x"][i + 1] - self.spec["x"][i] for i in range(self.ncols)]
        widest = widths.index(max(widths))
        return "".join("l" if i == widest else "c" for i in range(self.ncols))

    def draw(self) -> None:
        spec = self.spec
        cut = spec.get("break_after")
        parts = [self.head_rows + self.body_rows]
        if cut is not None:
            rest = self.body_rows[int(cut) :]
            again = self.head_rows if spec.get("repeat_header", True) else []
            parts = [self.head_rows + self.body_rows[: int(cut)], again + rest]
        for i, rows in enumerate(parts):
            if i:
                self.flow.new_page()
                top = float(spec.get("continued_top", self.flow.params["top"]))
            else:
                top = float(spec.get("top", self.flow.y - 4))
            ys = [float(v) for v in spec["y"]] if "y" in spec and cut is None else None
            bottom = self._part(
                rows, top, ys, head=len(self.head_rows) if (i == 0 or spec.get("repeat_header", True)) else 0
            )
            self.flow.y = bottom - 8

    def _part(self, rows: list[dict], top: float, ys: list[float] | None, head: int) -> float:
        regs, owner = regions(rows, self.ncols)
        if ys is None:
            heights = [
                float(row["height"] or self.spec.get("row_height", self.flow.params["row_height"])) for row in rows
            ]
            # a row grows to hold its wrapped cells; a merged cell's last row takes what it lacks
            for reg in sorted([] if self.spec.get("fixed_height") else regs, key=lambda g: g.r1 - g.r0):
                width = self.xs[reg.c1 + 1] - self.xs[reg.c0] - 2 * self.pad
                need = len(wrap(reg.text, width, reg.size, reg.ink)) * reg.size * 1.35 + 2 * self.pad
                have = sum(heights[reg.r0 : reg.r1 + 1])
                if need > have:
                    heights[reg.r1] += need - have
            ys = [top]
            for h in heights:
                ys.append(ys[-1] - h)
        if len(ys) != len(rows) + 1:
            raise ValueError(f"{len(rows)} rows need {len(rows) + 1} row rules, not {len(ys)}")
        self._rules(owner, ys, head)
        c = self.flow.canvas
        for reg in regs:
            x0, x1 = self.xs[reg.c0] + self.pad, self.xs[reg.c1 + 1] - self.pad
            lines = wrap(reg.text, x1 - x0, reg.size, reg.ink) if reg.text else []
            if not lines:
                continue
            leading = reg.size * 1.35
            mid = (ys[reg.r0] + ys[reg.r1 + 1]) / 2
            base = mid + (len(lines) - 1) * leading / 2 - 0.36 * reg.size
            for line in lines:
                w = text_width(line, reg.size, reg.ink)
                x = {"l": x0, "r": x1 - w}.get(reg.align, (x0 + x1 - w) / 2)
                draw_text(c, x, base, line, reg.size, reg.ink)
                base -= leading
        return ys[-1]

    def _rules(self, owner: list[list[int]], ys: list[float], head: int) -> None:
        rules, xs, flow = self.rules, self.xs, self.flow
        nrows = len(owner)
        if rules == "none":
            return
        if rules == "three-line":
            flow.rule(xs[0], ys[0], xs[-1], ys[0], 1.2)
            if head:
                flow.rule(xs[0], ys[head], xs[-1], ys[head])
            flow.rule(xs[0], ys[-1], xs[-1], ys[-1], 1.2)
            return
        if rules == "outer":
            flow.rule(xs[0], ys[0], xs[-1], ys[0])
            flow.rule(xs[0], ys[-1], xs[-1], ys[-1])
            flow.rule(xs[0], ys[-1], xs[0], ys[0])
            flow.rule(xs[-1], ys[-1], xs[-1], ys[0])
            if head:
                flow.rule(xs[0], ys[head], xs[-1], ys[head])
            return
        if rules not in ("full", "horizontal"):
            raise ValueError(f"unknown rules {rules!r}")
        for r in range(nrows + 1):  # horizontal rules, merged cells left open
            run = None
            for col in range(self.ncols + 1):
                on = col < self.ncols and (r in (0, nrows) or owner[r - 1][col] != owner[r][col])
                if on and run is None:
                    run = col
                elif not on and run is not None:
                    flow.rule(xs[run], ys[r], xs[col], ys[r])
                    run = None
        if rules == "horizontal":
            return
        for col in range(self.ncols + 1):  # vertical rules
            run = None
            for r in range(nrows + 1):
                on = r < nrows and (col in (0, self.ncols) or owner[r][col - 1] != owner[r][col])
                if on and run is None:
                    run = r
                elif not on and run is not None:
                    flow.rule(xs[col], ys[r], xs[col], ys[run])
                    run = None


class Box:
    """A ``box`` block: a 专栏 title and its items (see the module docstring)."""

    def __init__(self, flow: Flow, spec: dict):
        self.flow, self.spec = flow, spec
        p = flow.params
        self.x0, self.x1 = [float(v) for v in spec.get("x", p["margin"])]
        self.size = float(spec.get("size", p["size"] + 1))
        self.title_size = float(spec.get("title_size", self.size + 1))
        self.pad = float(spec.get("pad", p["pad"] + 2))
        self.ink = spec.get("font") or p["font"]

    def draw(self) -> None:
        spec = self.spec
        items = [str(i) for i in spec["items"]]
        cut = spec.get("break_after")
        first = items if cut is None else items[: int(cut)]
        self._part(spec.get("title"), first, spec.get("frame", "full"), float(spec.get("top", self.flow.y - 6)))
        if cut is not None:
            self.flow.new_page()
            self._part(
                spec.get("continued_title"),
                items[int(cut) :],
                spec.get("continued", "none"),
                float(self.flow.params["top"]),
            )

    def _part(self, title: str | None, items: list[str], frame: str, top: float) -> None:
        c, flow = self.flow.canvas, self.flow
        width = self.x1 - self.x0 - 2 * self.pad
        lead_title, lead = self.title_size * 1.6, self.size * 1.65
        title_lines = wrap(title, width, self.title_size, self.ink) if title else []
        body = [line for item in items for line in wrap(item, width, self.size, self.ink, 0)]
        title_h = len(title_lines) * lead_title + (self.pad if title_lines else 0)
        height = self.pad + title_h + len(body) * lead + self.pad
        bottom = top - height
        if frame == "shaded":
            c.saveState()
            c.setFillGray(0.9)
            c.rect(self.x0, bottom, self.x1 - self.x0, height, stroke=0, fill=1)
            c.restoreState()
        elif frame in ("full", "titled"):
            flow.rule(self.x0, top, self.x1, top)
            flow.rule(self.x0, bottom, self.x1, bottom)
            flow.rule(self.x0, bottom, self.x0, top)
            flow.rule(self.x1, bottom, self.x1, top)
            if frame == "titled" and title_lines:
                y = top - title_h - self.pad / 2
                flow.rule(self.x0, y, self.x1, y)
        elif frame != "none":
            raise ValueError(f"unknown frame {frame!r} (full, titled, shaded, none)")
        y = top - self.pad
        for line in title_lines:
            w = text_width(line, self.title_size, self.ink)
            draw_text(c, (self.x0 + self.x1 - w) / 2, y - self.title_size, line, self.title_size, self.ink)
            y -= lead_title
        if title_lines:
            y -= self.pad
        for line in body:
            draw_text(c, self.x0 + self.pad, y - self.size, line, self.size, self.ink)
            y -= lead
        flow.y = bottom - 10


# --- a layout ---------------------------------------------------------------------------------


def substitute(value, params: dict):
    """``value`` with every ``$name`` string replaced by ``params[name]``."""
    if isinstance(value, str) and value.startswith("$"):
        name = value[1:]
        if name not in params:
            raise KeyError(f"parameter {value} is not set by the layout or its variant")
        return params[name]
    if isinstance(value, list):
        return [substitute(v, params) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, params) for k, v in value.items()}
    return value


def parameters(layout: dict, variant: dict) -> dict:
    return {**DEFAULTS, **(layout.get("params") or {}), **(variant or {})}


def draw(layout: dict, variant: dict, path: Path) -> Path:
    """Write ``layout`` in ``variant`` to ``path`` (a PDF); returns ``path``."""
    params = parameters(layout, variant)
    pages = substitute(copy.deepcopy(layout["pages"]), params)
    turn = int(params["turn"])
    target = path
    if turn:
        tmp = tempfile.NamedTemporaryFile(suffix=".pdf", delete=False)
        tmp.close()
        target = Path(tmp.name)
    flow = Flow(target, params)
    for i, page in enumerate(pages):
        if i:
            flow.new_page()
        for block in page:
            if block is not None:
                flow.block(block)
    flow.save()
    if turn:
        from tests.pdf_build import turned_copy

        turned_copy(target, path, turn, rotate_flag=bool(params["rotate_flag"]))
        target.unlink()
    return path
