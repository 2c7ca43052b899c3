"""Readers: a file in, a :class:`~extract.model.Document` out, chosen by extension.

Every reader produces the same document model (``readers.base``), so rules never see the
file format.  An unreadable file raises :class:`ReadError`, which the pipeline turns into an
error row for that document.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..model import Document
from . import docx, pdf, text
from .base import ReadError, blocks_from_text
from .text import decode_bytes, document_from_text

Reader = Callable[..., Document]   # (path, path relative to the corpus root, patterns) -> Document
# extension (lower case, with the dot) -> reader
READERS: dict[str, Reader] = {
    ".txt": text.read_text_file, ".md": text.read_text_file, ".markdown": text.read_text_file,
    ".text": text.read_text_file, ".pdf": pdf.read_pdf, ".docx": docx.read_docx,
}

__all__ = ["READERS", "ReadError", "blocks_from_text", "decode_bytes", "document_from_text",
           "read_document", "supported"]


def supported(path: Path) -> bool:
    """Whether a reader is registered for ``path``'s extension."""
    return path.suffix.lower() in READERS


def read_document(path: Path, root: Path | None = None, patterns=None) -> Document:
    """Read one file with the reader registered for its extension.

    Raises:
        ReadError: unknown extension, undecodable or unreadable file.
    """
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ReadError(f"unsupported file type {path.suffix!r}")
    rel = str(path.relative_to(root)) if root and path.is_relative_to(root) else path.name
    return reader(path, rel, patterns)
