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
import io
from pathlib import Path
from typing import BinaryIO

import regex

from ..model import Document
from ..text.normalize import NormalizeOptions, normalize
from .base import ReadError, blocks_from_text, doc_id_from_path

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = regex.compile(r"^(?:heading|标题)\s*(\d)$", regex.I)


def _run_text(node) -> str:
    """Text of a ``w:t`` element; an (unexpanded) entity reference inside it is skipped, not
    the text after it (lxml keeps that text as the entity node's tail)."""
    parts = [node.text or ""]
    for child in node:
        parts.append(child.tail or "")
    return "".join(parts)


def _paragraph_text(p) -> str:
    """Text of a paragraph with tracked insertions kept and deletions dropped."""
    out = []
    for node in p._p.iter():
        if node.tag == f"{_W}t" and not any(a.tag == f"{_W}del" for a in node.iterancestors()):
            out.append(_run_text(node))
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
                prev_row is not None and c < len(prev_row) and prev_row[c]._tc is cell._tc
            )
            text = "" if repeated else "".join(_paragraph_text(p) for p in cell.paragraphs)
            texts.append(regex.sub(r"\s+", " ", text.replace("\t", " ")).strip())
        prev_row = cells
        if any(texts):
            lines.append("\t".join(texts))
    return lines


# bounds on what a DOCX may inflate to (python-docx reads every part into memory): a real plan's
# parts are a few MB of XML and some images; a zip bomb declares (or hides) gigabytes
MAX_PART_BYTES = 256 * 2**20
MAX_TOTAL_BYTES = 512 * 2**20
MAX_PARTS = 5000


def check_zip_sizes(path: Path | BinaryIO) -> None:
    """Refuse a DOCX whose parts inflate beyond the bounds, by their declared and actual sizes.

    The declared sizes are checked first (cheap); then every part is inflated in blocks and
    counted, so a part that lies about its size is caught before python-docx reads it.

    Raises:
        ReadError: not a zip, too many parts, or a part too large (a zip bomb).
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_PARTS:
                raise ReadError(f"DOCX refused: {len(infos)} parts (more than {MAX_PARTS})")
            for info in infos:
                if info.file_size > MAX_PART_BYTES:
                    raise ReadError(
                        f"DOCX refused: part {info.filename} inflates to {info.file_size / 2**20:.0f} MB (zip bomb?)"
                    )
            declared = sum(i.file_size for i in infos)
            if declared > MAX_TOTAL_BYTES:
                raise ReadError(f"DOCX refused: parts inflate to {declared / 2**20:.0f} MB in all (zip bomb?)")
            total = 0
            for info in infos:
                size = 0
                with zf.open(info) as fh:
                    while block := fh.read(1 << 20):
                        size += len(block)
                        total += len(block)
                        if size > max(info.file_size, 0) or size > MAX_PART_BYTES or total > MAX_TOTAL_BYTES:
                            raise ReadError(
                                f"DOCX refused: part {info.filename} inflates beyond its declared size (zip bomb?)"
                            )
    except zipfile.BadZipFile as exc:
        raise ReadError(f"not a readable DOCX: damaged zip ({exc})") from exc
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError) as exc:
        raise ReadError(f"not a readable DOCX: {type(exc).__name__}: {exc}") from exc


def read_docx(path: Path, rel: str, patterns=None, data: bytes | None = None) -> Document:
    """Read a DOCX plan (``data``: its bytes, when already read; the file is then not opened).

    Raises:
        ReadError: not a DOCX (or a damaged one), or a zip bomb.
    """
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    check_zip_sizes(path if data is None else io.BytesIO(data))
    try:
        d = docx.Document(str(path) if data is None else io.BytesIO(data))
    except KeyError as exc:
        raise ReadError(f"not a readable DOCX: missing part {exc}") from exc
    except PackageNotFoundError as exc:
        raise ReadError("not a readable DOCX: no Word document inside the package") from exc
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ReadError(f"not a readable DOCX: {type(exc).__name__}: {exc}"[:200]) from exc
    except SyntaxError as exc:  # lxml.etree.XMLSyntaxError
        raise ReadError(f"not a readable DOCX: broken XML ({exc})"[:200]) from exc
    lines: list[str] = []
    heading_levels: dict[int, int] = {}  # line index -> level
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
    doc = Document(
        doc_id_from_path(rel),
        rel,
        "docx",
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
        normalize(text, options),
        options=options,
    )
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
