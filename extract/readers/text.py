"""Text readers (.txt/.md): decoding in a fixed order of encodings, then the document model.

Text readers decode with a fixed order of encodings (BOMs, strict UTF-8, GB18030, then
charset-normalizer on the whole file) and refuse to guess: an undecodable file raises
:class:`~extract.readers.base.ReadError`, which the pipeline turns into an error row.
"""
from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import regex

from ..model import Document
from ..text.normalize import NormalizeOptions, looks_hard_wrapped, normalize
from .base import ReadError, blocks_from_text, doc_id_from_path

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


def read_text_file(path: Path, rel: str, patterns=None) -> Document:
    """Read a .txt/.md plan."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror}") from exc
    if not data.strip():
        raise ReadError("empty file")
    text, _enc = decode_bytes(data)
    # content hash of the decoded text: the same plan in another encoding has the same hash
    return document_from_text(text, doc_id_from_path(rel), rel, path.suffix.lower().lstrip(".") or "txt",
                              glyphs=patterns.glyphs if patterns is not None else None)


def document_from_text(text: str, doc_id: str, source_path: str = "", fmt: str = "txt",
                       sha256: str | None = None, glyphs: dict | None = None) -> Document:
    """Build a Document from decoded text (used by the text reader and by tests)."""
    if not regex.search(r"\p{Han}", text):
        raise ReadError("no Chinese text found")
    options = NormalizeOptions(join_wraps=looks_hard_wrapped(text), glyphs=glyphs or {})
    norm = normalize(text, options)
    doc = Document(doc_id, source_path or doc_id, "md" if fmt in ("md", "markdown") else "txt",
                   sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(), norm,
                   options=options)
    doc.blocks = blocks_from_text(doc)
    return doc
