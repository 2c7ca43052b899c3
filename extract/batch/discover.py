"""Find the documents of a corpus without losing any silently.

Every file with a registered reader's extension becomes a document, and a plan in a format no
reader takes (``.doc``, ``.wps``, ``.rtf``, ``.ofd``, images: ``readers.UNSUPPORTED``) an error row
saying what to do.  What cannot be read as one is reported instead of skipped: a dangling link or a FIFO/socket/device with a document's
extension becomes a :class:`Problem` with a path (an error row for it); a folder that cannot be
listed, or a link that leads back into a folder already walked (a cycle), is a :class:`Problem`
without a document (a warning).  Special files are never opened (opening a FIFO blocks).
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..readers import supported, unsupported_reason


@dataclass(frozen=True)
class Problem:
    """Something under the corpus that is not a readable document."""

    path: Path
    reason: str
    is_document: bool     # True: has a document's extension, becomes an error row


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _skip(name: str) -> bool:
    return name.startswith(".") or name == "manifest.csv"


def find_documents(corpus: Path) -> tuple[list[Path], list[Problem]]:
    """Document files under ``corpus`` (sorted) and the problems met on the way.

    Links to files and folders are followed (a folder only once: a link cycle is reported).
    """
    if not corpus.is_dir():
        if corpus.is_file() or corpus.exists():
            return _classify(corpus, corpus.name)
        return [], [Problem(corpus, "corpus not found", False)]
    docs: list[Path] = []
    problems: list[Problem] = []
    seen: set[tuple[int, int]] = set()

    def walk(folder: Path) -> None:
        try:
            st = folder.stat()
        except OSError as exc:
            problems.append(Problem(folder, f"cannot open folder: {exc.strerror}", False))
            return
        ident = (st.st_dev, st.st_ino)
        if ident in seen:
            problems.append(Problem(folder, "link cycle: folder already read, skipped", False))
            return
        seen.add(ident)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(folder, f"cannot list folder: {exc.strerror}", False))
            return
        for entry in entries:
            if _skip(entry.name):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()      # follows links
            except OSError:
                is_dir = False
            if is_dir:
                walk(path)
                continue
            d, p = _classify(path, entry.name)
            docs.extend(d)
            problems.extend(p)

    walk(corpus)
    return sorted(docs), _one_row_per_id(corpus, docs, problems)


def _one_row_per_id(root: Path, docs: list[Path], problems: list[Problem]) -> list[Problem]:
    """An unsupported file whose id a read document (or an earlier such file) has is a warning, not a row.

    (plan.doc left beside its conversion plan.docx must not give a second row ``plan``.)
    """
    from ..readers import doc_id_from_path, relative_path

    taken = {doc_id_from_path(relative_path(p, root)) for p in docs}
    out = []
    for p in problems:
        if p.is_document and not supported(p.path):
            doc_id = doc_id_from_path(relative_path(p.path, root))
            if doc_id in taken:
                p = Problem(p.path, f"{p.reason}; not read (another file gives its id {doc_id!r})", False)
            taken.add(doc_id)
        out.append(p)
    return out


def _classify(path: Path, name: str) -> tuple[list[Path], list[Problem]]:
    if not supported(path):
        reason = unsupported_reason(path)
        return [], ([Problem(path, reason, True)] if reason else [])
    try:
        st = path.stat()
    except FileNotFoundError:
        return [], [Problem(path, "broken link: its target does not exist", True)]
    except OSError as exc:
        if exc.errno == 40:   # ELOOP
            return [], [Problem(path, "link cycle: the link points back to itself", True)]
        return [], [Problem(path, f"cannot open: {exc.strerror}", True)]
    if not stat.S_ISREG(st.st_mode):
        return [], [Problem(path, f"{_kind(st.st_mode)}, not a file: not read", True)]
    return [path], []


def corpus_root(corpus: Path) -> Path:
    """The folder document ids are relative to: the corpus folder, or a single file's folder."""
    return corpus if corpus.is_dir() else corpus.parent


def document_ids(paths: list[Path], root: Path) -> list[str]:
    """The ``doc_id`` of each path (its path under ``root`` without the extension).

    Raises:
        SettingsError: two files give one id (``plan.txt`` beside ``plan.pdf``); nothing
            has been read yet.
    """
    from ..readers import doc_id_from_path, relative_path
    from ..settings import SettingsError

    ids: list[str] = []
    first: dict[str, Path] = {}
    for p in paths:
        doc_id = doc_id_from_path(relative_path(p, root))
        if doc_id in first:
            raise SettingsError(f"two files give document id {doc_id!r}: {relative_path(first[doc_id], root)} and "
                                f"{relative_path(p, root)} (rename or move one)")
        first[doc_id] = p
        ids.append(doc_id)
    return ids
