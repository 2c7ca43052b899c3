"""DOCX reader: paragraphs and tables in body order, heading levels from styles.

python-docx gives the body in order (``iter_inner_content``).  A paragraph is a heading when
its style (or a style it is based on) is a heading style or carries an outline level, or when
the paragraph itself sets ``w:outlineLvl``; numbered headings are also found by their
numbering text like in any other format.  Tracked changes are read as accepted (insertions
kept, deletions dropped).  Tables are written into the text stream as tab-separated rows, a
cell repeated by a horizontal or vertical merge (the same ``_tc`` left of it or above it)
written once; footnotes are not part of the body and are not read.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import regex

from ..model import Document
from ..text.normalize import NormalizeOptions, normalize
from .base import ReadError, blocks_from_text, doc_id_from_path

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = regex.compile(r"^(?:heading|标题)\s*(\d)$", regex.I)


def _paragraph_text(p) -> str:
    """Text of a paragraph with tracked insertions kept and deletions dropped."""
    out = []
    for node in p._p.iter():
        if node.tag == f"{_W}t" and not any(a.tag == f"{_W}del" for a in node.iterancestors()):
            out.append(node.text or "")
        elif node.tag == f"{_W}tab":
            out.append(" ")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            out.append(" ")
    return "".join(out)


def _outline_level(ppr) -> int | None:
    if ppr is None:
        return None
    lvl = ppr.find(f"{_W}outlineLvl")
    if lvl is not None:
        val = int(lvl.get(f"{_W}val", "9"))
        return val + 1 if val < 9 else None
    return None


def heading_level(p) -> int | None:
    """Heading level of a paragraph: its own outline level, then its style chain's."""
    level = _outline_level(p._p.pPr)
    if level:
        return level
    style = p.style
    seen = 0
    while style is not None and seen < 10:
        m = _HEADING_STYLE.match(style.name or "")
        if m:
            return int(m.group(1))
        if style.name and style.name.lower() == "title":
            return 1
        level = _outline_level(style.element.pPr)
        if level:
            return level
        style, seen = style.base_style, seen + 1
    return None


def table_lines(table) -> list[str]:
    """Tab-separated rows of a table, each merged cell written once."""
    lines = []
    prev_row = None
    for row in table.rows:
        cells = row.cells
        texts = []
        for c, cell in enumerate(cells):
            repeated = (c > 0 and cells[c - 1]._tc is cell._tc) or (
                prev_row is not None and c < len(prev_row) and prev_row[c]._tc is cell._tc)
            text = "" if repeated else "".join(_paragraph_text(p) for p in cell.paragraphs)
            texts.append(regex.sub(r"\s+", " ", text.replace("\t", " ")).strip())
        prev_row = cells
        if any(texts):
            lines.append("\t".join(texts))
    return lines


def read_docx(path: Path, rel: str, patterns=None) -> Document:
    """Read a DOCX plan.

    Raises:
        ReadError: not a DOCX (or a damaged one).
    """
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        d = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise ReadError(f"not a readable DOCX: {type(exc).__name__}") from exc
    lines: list[str] = []
    heading_levels: dict[int, int] = {}      # line index -> level
    for item in d.iter_inner_content():
        if isinstance(item, Table):
            lines.append("")
            lines.extend(table_lines(item))
            lines.append("")
            continue
        text = _paragraph_text(item).strip()
        if not text:
            continue
        level = heading_level(item)
        if level:
            heading_levels[len(lines)] = level
        lines.append(text)
    text = "\n".join(lines)
    if not regex.search(r"\p{Han}", text):
        raise ReadError("no Chinese text found in the DOCX")
    options = NormalizeOptions(join_wraps=False, glyphs=patterns.glyphs if patterns is not None else {})
    doc = Document(doc_id_from_path(rel), rel, "docx", hashlib.sha256(text.encode("utf-8")).hexdigest(),
                   normalize(text, options), options=options)
    doc.blocks = blocks_from_text(doc)
    # style headings: mark the blocks that start on a heading line, with the style's level
    starts = [0]
    for ln in lines[:-1]:
        starts.append(starts[-1] + len(ln) + 1)
    by_source = {starts[i]: lvl for i, lvl in heading_levels.items()}
    for block in doc.blocks:
        src = doc.norm.starts[block.char_start] if block.char_start < len(doc.norm.starts) else -1
        line_start = text.rfind("\n", 0, src) + 1 if src >= 0 else -1
        if line_start in by_source and block.kind != "table":
            block.kind = "heading"
            block.level = by_source[line_start]
    return doc
