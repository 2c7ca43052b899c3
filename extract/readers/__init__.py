"""Readers: a file in, a :class:`~extract.model.Document` out, chosen by extension.

Every reader produces the same document model (``readers.base``), so rules never see the
file format.  An unreadable file raises :class:`ReadError`, which the pipeline turns into an
error row for that document.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Callable

from ..model import Document
from .base import ReadError, blocks_from_text, doc_id_from_path, reason_for
from .text import decode_bytes, document_from_text

Reader = Callable[..., Document]  # (path, path relative to the corpus root, patterns) -> Document
# extension (lower case, with the dot) -> (module, function) of its reader, imported on first use
# (pypdfium2 and python-docx are not loaded by a run that reads no PDF or DOCX)
READERS: dict[str, tuple[str, str]] = {
    ".txt": ("text", "read_text_file"),
    ".md": ("text", "read_text_file"),
    ".markdown": ("text", "read_text_file"),
    ".text": ("text", "read_text_file"),
    ".pdf": ("pdf", "read_pdf"),
    ".docx": ("docx", "read_docx"),
}
# formats plans come in that no reader takes, and what to do instead: such a file gets a
# documents row with this reason (status "error"), never silence
_IMAGE = "an image: OCR it into a PDF with a text layer"
UNSUPPORTED: dict[str, str] = {
    ".doc": "convert to .docx or PDF",
    ".wps": "a WPS document: save it as .docx or PDF",
    ".rtf": "convert to .docx or PDF",
    ".ofd": "an OFD document: convert it to PDF",
    ".jpg": _IMAGE,
    ".jpeg": _IMAGE,
    ".png": _IMAGE,
    ".tif": _IMAGE,
    ".tiff": _IMAGE,
    ".bmp": _IMAGE,
    ".gif": _IMAGE,
}


def reader_for(path: Path) -> Reader | None:
    """The reader registered for ``path``'s extension, or None."""
    entry = READERS.get(path.suffix.lower())
    if entry is None:
        return None
    module, function = entry
    return getattr(import_module(f".{module}", __name__), function)


__all__ = [
    "READERS",
    "UNSUPPORTED",
    "ReadError",
    "blocks_from_text",
    "decode_bytes",
    "doc_id_from_path",
    "document_from_text",
    "read_document",
    "read_source",
    "reader_for",
    "reason_for",
    "relative_path",
    "supported",
    "unsupported_reason",
]


def supported(path: Path) -> bool:
    """Whether a reader is registered for ``path``'s extension."""
    return path.suffix.lower() in READERS


def unsupported_reason(path: Path) -> str | None:
    """Why a plan file no reader takes is not read, when its format is a known one.

    >>> unsupported_reason(Path("plan.DOC")), unsupported_reason(Path("notes.xyz"))
    ('.doc: convert to .docx or PDF', None)
    """
    hint = UNSUPPORTED.get(path.suffix.lower())
    return f"{path.suffix.lower()}: {hint}" if hint else None


def relative_path(path: Path, root: Path | None) -> str:
    r"""``path`` relative to the corpus root, with ``/`` on every system (its name when outside).

    A file name is data: bytes that are not UTF-8 (a name unzipped from an archive made on
    Windows), control characters and bidi marks are written as visible escapes, so the path
    stored in the tables, and the document id made from it, is valid text and the same on
    every run.

    >>> relative_path(Path("/c/jilin/plan.txt"), Path("/c"))
    'jilin/plan.txt'
    >>> relative_path(Path("/c/" + b"plan\xff.txt".decode("utf-8", "surrogateescape")), Path("/c"))
    'plan\\xff.txt'
    """
    from ..outputs.console import printable

    if root is not None and path.is_relative_to(root):
        return printable(path.relative_to(root).as_posix())
    return printable(path.name)


def read_document(path: Path, root: Path | None = None, patterns=None, data: bytes | None = None) -> Document:
    """Read one file with the reader registered for its extension.

    The document's ``source_path`` is ``path`` relative to ``root`` and its ``doc_id`` that
    path without the extension (:func:`doc_id_from_path`).

    ``patterns`` (default: the shipped rules) gives the glyph substitutions of PDF text.
    ``data``, when given, is the file's content already read (:func:`read_source`): the reader
    parses those bytes and does not open the file again.

    Raises:
        ReadError: unknown extension, undecodable or unreadable file.
    """
    reader = reader_for(path)
    if reader is None:
        raise ReadError(unsupported_reason(path) or f"unsupported file type {path.suffix!r}")
    if patterns is None:
        from ..patterns import load_patterns

        patterns = load_patterns()
    if data is None:
        return reader(path, relative_path(path, root), patterns)
    return reader(path, relative_path(path, root), patterns, data=data)


def read_source(path: Path) -> bytes:
    """A document file's bytes, read once (its content key is their hash; its reader parses them).

    Raises:
        ReadError: the file cannot be opened or read (one-line reason).
    """
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReadError(reason_for(exc)) from exc
