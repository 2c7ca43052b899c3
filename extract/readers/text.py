"""Text readers (.txt/.md): decoding in a fixed order of encodings, then the document model.

Text readers decode with a fixed order of encodings (BOMs, strict UTF-8, GB18030, then
charset-normalizer on the whole file) and refuse to guess: an undecodable file raises
:class:`~extract.readers.base.ReadError`, which the pipeline turns into an error row.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from ..model import Document
from ..text.normalize import NormalizeOptions, looks_hard_wrapped, normalize
from .base import ReadError, blocks_from_text, doc_id_from_path

_BAD_CHARS = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\p{Co}\ufffd]")
# control characters a plan can carry by accident (a stray form feed, a NUL from a converter):
# dropped and counted when there are few of them
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.01
_KANA = regex.compile(r"[\p{Hiragana}\p{Katakana}]")
_HAN = regex.compile(r"\p{Han}")
# share of Han characters among the 3,755 most common ones (GB2312 level 1) that real Chinese
# text reaches easily (≈0.95) and bytes of another encoding read as GB18030 do not (≈0.2)
_MIN_COMMON_HAN_SHARE = 0.6


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the encoding that gave it and how many control characters were dropped."""

    text: str
    encoding: str
    dropped_controls: int = 0


def _plausible(text: str) -> bool:
    """Reject decodings full of control or private-use characters (mojibake)."""
    return len(_BAD_CHARS.findall(text)) <= max(2, len(text) // 2000)


@lru_cache(maxsize=1)
def _common_han() -> frozenset[str]:
    chars = set()
    for b1 in range(0xB0, 0xD8):
        for b2 in range(0xA1, 0xFF):
            chars.update(bytes([b1, b2]).decode("gb2312", errors="ignore"))
    return frozenset(chars)


def _common_han_share(text: str) -> float:
    """Share of the Han characters (first 20,000) that are among the most common ones; 1.0 if few."""
    han = _HAN.findall(text[:200_000])[:20_000]
    if len(han) < 20:
        return 1.0
    common = _common_han()
    return sum(1 for c in han if c in common) / len(han)


def _drop_controls(text: str) -> tuple[str, int] | None:
    """Text without its control characters when they are few (else None: not this encoding)."""
    n = len(_CONTROL.findall(text))
    if n == 0:
        return text, 0
    if n > max(2, len(text) * _MAX_CONTROL_SHARE):
        return None
    return _CONTROL.sub("", text), n


def decode_text(data: bytes, require_han: bool = True) -> Decoded:
    """Decode a text file: BOMs, strict UTF-8, GB18030, then charset-normalizer.

    A few control characters are dropped (and counted) rather than failing the file; GB18030
    must give common Chinese characters (bytes of another encoding read as GB18030 do not).

    Raises:
        ReadError: no encoding gives plausible text, or the text is Japanese.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            raise ReadError(f"invalid UTF-8 after BOM: {exc.reason} at byte {exc.start}") from exc
        kept = _drop_controls(text) or (text, 0)
        return Decoded(kept[0], "utf-8-sig", kept[1])
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(f"invalid UTF-16 after BOM: {exc.reason}") from exc
        kept = _drop_controls(text) or (text, 0)
        return Decoded(kept[0], "utf-16", kept[1])
    for enc in ("utf-8", "gb18030"):
        try:
            text = data.decode(enc, errors="strict")
        except UnicodeDecodeError:
            continue
        kept = _drop_controls(text)
        if kept is None or not _plausible(kept[0]):
            continue
        if enc == "gb18030" and _common_han_share(kept[0]) < _MIN_COMMON_HAN_SHARE:
            continue  # another encoding's bytes read as GB18030: mojibake
        return Decoded(kept[0], enc, kept[1])
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        kept = _drop_controls(text)
        if kept is not None and _plausible(kept[0]) and (not require_han or _HAN.search(kept[0])):
            if require_han and len(_KANA.findall(kept[0])) > 0.05 * max(1, len(_HAN.findall(kept[0]))):
                raise ReadError(f"not Chinese: the text reads as Japanese ({best.encoding})")
            return Decoded(kept[0], best.encoding, kept[1])
    raise ReadError("cannot decode text: not UTF-8, UTF-16, GB18030 or any detectable encoding")


def decode_bytes(data: bytes, require_han: bool = True) -> tuple[str, str]:
    """Decode a text file (see :func:`decode_text`).

    Returns:
        ``(text, encoding)``.

    Raises:
        ReadError: no encoding gives plausible text.

    >>> decode_bytes("到2027年".encode("gb18030"))
    ('到2027年', 'gb18030')
    """
    d = decode_text(data, require_han)
    return d.text, d.encoding


def read_text_file(path: Path, rel: str, patterns=None, data: bytes | None = None) -> Document:
    """Read a .txt/.md plan (``data``: its bytes, when already read)."""
    try:
        data = path.read_bytes() if data is None else data
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror}") from exc
    if not data.strip():
        raise ReadError("empty file")
    decoded = decode_text(data)
    # content hash of the decoded text: the same plan in another encoding has the same hash
    doc = document_from_text(
        decoded.text,
        doc_id_from_path(rel),
        rel,
        path.suffix.lower().lstrip(".") or "txt",
        glyphs=patterns.glyphs if patterns is not None else None,
    )
    if decoded.dropped_controls:
        doc.warnings.append(f"{decoded.dropped_controls} control characters dropped")
    return doc


def document_from_text(
    text: str,
    doc_id: str,
    source_path: str = "",
    fmt: str = "txt",
    sha256: str | None = None,
    glyphs: dict | None = None,
) -> Document:
    """Build a Document from decoded text (used by the text reader and by tests)."""
    if not regex.search(r"\p{Han}", text):
        raise ReadError("no Chinese text found")
    options = NormalizeOptions(join_wraps=looks_hard_wrapped(text), glyphs=glyphs or {})
    norm = normalize(text, options)
    doc = Document(
        doc_id,
        source_path or doc_id,
        "md" if fmt in ("md", "markdown") else "txt",
        sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        norm,
        options=options,
    )
    doc.blocks = blocks_from_text(doc)
    return doc
