"""Readers: a file in, a :class:`~extract.model.Document` out, registered by extension.

Text readers decode with a fixed order of encodings (BOMs, strict UTF-8, GB18030, then
charset-normalizer on the whole file) and refuse to guess: an undecodable file raises
:class:`ReadError`, which the pipeline turns into an error row for that document.
"""
from __future__ import annotations

import codecs
import hashlib
from pathlib import Path
from typing import Callable

import regex

from .model import Block, Cell, Document
from .normalize import NormalizeOptions, looks_hard_wrapped, normalize
from .sections import is_heading_line


class ReadError(Exception):
    """A document cannot be read; the message is the one-line reason shown to the user."""


Reader = Callable[[Path, str], Document]
READERS: dict[str, Reader] = {}


def register(*extensions: str) -> Callable[[Reader], Reader]:
    """Register a reader function for file extensions (lower case, with the dot)."""
    def deco(fn: Reader) -> Reader:
        for ext in extensions:
            READERS[ext] = fn
        return fn
    return deco


def supported(path: Path) -> bool:
    """Whether a reader is registered for ``path``'s extension."""
    return path.suffix.lower() in READERS


def read_document(path: Path, root: Path | None = None) -> Document:
    """Read one file with the reader registered for its extension.

    Raises:
        ReadError: unknown extension, undecodable or unreadable file.
    """
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ReadError(f"unsupported file type {path.suffix!r}")
    rel = str(path.relative_to(root)) if root and path.is_relative_to(root) else path.name
    return reader(path, rel)


_BAD_CHARS = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\p{Co}\ufffd]")


def _plausible(text: str) -> bool:
    """Reject decodings full of control or private-use characters (mojibake)."""
    return len(_BAD_CHARS.findall(text)) <= max(2, len(text) // 2000)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a text file: BOMs, strict UTF-8, GB18030, then charset-normalizer.

    Returns:
        ``(text, encoding)``.

    Raises:
        ReadError: no encoding gives plausible text.

    >>> decode_bytes("到2027年".encode("gb18030"))
    ('到2027年', 'gb18030')
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ReadError(f"invalid UTF-16 after BOM: {exc.reason}") from exc
    for enc in ("utf-8", "gb18030"):
        try:
            text = data.decode(enc, errors="strict")
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text, enc
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _plausible(text) and regex.search(r"\p{Han}", text):
            return text, best.encoding
    raise ReadError("cannot decode text: not UTF-8, UTF-16, GB18030 or any detectable encoding")


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
        if not line.strip(" \u3000"):   # a blank line (a lone tab is an empty cell)
            if len(row) >= 2:            # a one-cell "row" is a cell continued after a blank line
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
            row[-1] = Cell(last.text + piece, last.char_start if last.text else a + line.index(piece[0]),
                           a + len(line.rstrip()))
    if row:
        rows.append(row)
    return rows


# untabbed lines inside a text table are a cell's text continued: short, and few in a row
_MAX_CONTINUATION_LINES = 3
_MAX_CONTINUATION_CHARS = 40


def blocks_from_text(doc: Document) -> list[Block]:
    """Cut normalised text into blocks: one per non-empty line; tab lines form tables."""
    text = doc.text
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    # a table line starts with a tab or has one inside (a trailing tab after a heading does not count)
    is_tab = [text[a:b].startswith("\t") or "\t" in text[a:b].strip() for a, b in spans]
    blocks: list[Block] = []
    i = 0
    n_tables = 0
    while i < len(spans):
        a, b = spans[i]
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
                    piece = text[spans[k][0]:spans[k][1]].strip()
                    if len(piece) > _MAX_CONTINUATION_CHARS:
                        break
                    seen += 1 if piece else 0
                    k += 1
                if k < len(spans) and is_tab[k] and seen <= _MAX_CONTINUATION_LINES:
                    j = k
                    continue
                break
            while j > i and not text[spans[j][0]:spans[j][1]].strip():
                j -= 1
            n_tables += 1
            rows = _table_rows(text, spans[i:j + 1])
            ta, tb = spans[i][0], spans[j][1]
            blocks.append(Block("table", text[ta:tb], ta, tb, doc.line_of(ta), doc.page_of(ta), rows,
                                f"{doc.doc_id}:t{n_tables:02d}"))
            i = j + 1
            continue
        line = text[a:b]
        stripped = line.strip(" \u3000")
        if stripped:
            lead = len(line) - len(line.lstrip(" \u3000"))
            s0 = a + lead
            kind = "heading" if is_heading_line(stripped) else "paragraph"
            blocks.append(Block(kind, stripped, s0, s0 + len(stripped), doc.line_of(s0), doc.page_of(s0)))
        i += 1
    return blocks


@register(".txt", ".md", ".markdown", ".text")
def read_text_file(path: Path, rel: str) -> Document:
    """Read a .txt/.md plan."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror}") from exc
    if not data.strip():
        raise ReadError("empty file")
    text, _enc = decode_bytes(data)
    # content hash of the decoded text: the same plan in another encoding keeps its ids
    return document_from_text(text, path.stem, rel, path.suffix.lower().lstrip(".") or "txt")


def document_from_text(text: str, doc_id: str, source_path: str = "", fmt: str = "txt",
                       sha256: str | None = None) -> Document:
    """Build a Document from decoded text (used by the text reader and by tests)."""
    if not regex.search(r"\p{Han}", text):
        raise ReadError("no Chinese text found")
    options = NormalizeOptions(join_wraps=looks_hard_wrapped(text))
    norm = normalize(text, options)
    doc = Document(doc_id, source_path or doc_id, "md" if fmt in ("md", "markdown") else "txt",
                   sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(), norm,
                   options=options)
    doc.blocks = blocks_from_text(doc)
    return doc


# format readers that live in their own modules register themselves on import
from . import docx_reader, pdf  # noqa: E402,F401
