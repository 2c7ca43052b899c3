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

from .model import Block, Document
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


_TABLE_LINE = regex.compile(r"^\t|\t")


def blocks_from_text(doc: Document) -> list[Block]:
    """Cut normalised text into blocks: one per non-empty line; tab lines form tables."""
    text = doc.text
    blocks: list[Block] = []
    pos = 0
    table: list[tuple[int, int]] = []

    def flush_table() -> None:
        if not table:
            return
        a, b = table[0][0], table[-1][1]
        rows = [text[s:e].split("\t") for s, e in table]
        blocks.append(Block("table", text[a:b], a, b, doc.line_of(a), doc.page_of(a), rows))
        table.clear()

    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip(" \u3000")
        if _TABLE_LINE.search(line):
            table.append((start, end))
            continue
        if not stripped:
            if table:   # blank lines separate the rows of a one-cell-per-line table
                continue
            continue
        flush_table()
        lead = len(line) - len(line.lstrip(" \u3000"))
        a = start + lead
        b = a + len(stripped)
        kind = "heading" if is_heading_line(stripped) else "paragraph"
        blocks.append(Block(kind, stripped, a, b, doc.line_of(a), doc.page_of(a)))
    flush_table()
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
