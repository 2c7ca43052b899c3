"""Find the documents of a corpus without losing any silently.

Every file with a registered reader's extension becomes a document, and a plan in a format no
reader takes (``.doc``, ``.wps``, ``.rtf``, ``.ofd``, images: ``readers.UNSUPPORTED``) an error row
saying what to do.  What cannot be read as one is reported instead of skipped: a dangling link,
a link leaving the corpus, a path too long to open or a FIFO/socket/device with a document's
extension becomes a :class:`Problem` with a path (an error row for it); a folder that cannot be
listed, a link that leads back into a folder already walked (a cycle), a folder link leaving the
corpus and a hidden file or folder (name beginning with ``.``) are a :class:`Problem` without a
document (a warning).  Special files are never opened (opening a FIFO blocks).

The walk is iterative (a folder nested thousands deep is walked like any other) and lists a
folder whose path is past the system's limit through its parent folders' descriptors, so the
files in it are found and reported.  File names are data: any bytes, kept as Python keeps them.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..readers import supported, unsupported_reason

# hidden folders that tools keep beside documents: skipped without a word
QUIET_HIDDEN = frozenset({".plan-extract", ".git", ".hg", ".svn", ".ipynb_checkpoints", ".DS_Store", ".Trash"})
OUTSIDE = "link points outside the corpus: not read"


@dataclass(frozen=True)
class Problem:
    """Something under the corpus that is not a readable document."""

    path: Path
    reason: str
    is_document: bool  # True: has a document's extension, becomes an error row


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def _open_long(corpus: Path, folder: Path) -> int:
    """A descriptor of ``folder`` opened one component at a time from ``corpus`` (for a path
    past the system's limit, which cannot be opened whole)."""
    fd = os.open(corpus, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in folder.relative_to(corpus).parts:
            nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def _listing(corpus: Path, folder: Path) -> tuple[os.stat_result, list[os.DirEntry]]:
    """The folder's identity and its entries sorted by name.

    Raises:
        OSError: the folder cannot be opened or listed.
    """
    try:
        st = folder.stat()
        with os.scandir(folder) as it:
            return st, sorted(it, key=lambda e: e.name)
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
    fd = _open_long(corpus, folder)
    try:
        st = os.fstat(fd)
        with os.scandir(fd) as it:
            return st, sorted(it, key=lambda e: e.name)
    finally:
        os.close(fd)


def find_documents(corpus: Path, follow_links_outside: bool = False) -> tuple[list[Path], list[Problem]]:
    """Document files under ``corpus`` (sorted) and the problems met on the way.

    Links to files and folders inside the corpus are followed (a folder only once: a link cycle
    is reported); a link leaving the corpus is reported, not read, unless
    ``follow_links_outside``.
    """
    if not corpus.is_dir():
        if corpus.is_file() or corpus.exists():
            return _classify(corpus, corpus.name)
        return [], [Problem(corpus, "corpus not found", False)]
    root = os.path.realpath(corpus)
    docs: list[Path] = []
    problems: list[Problem] = []
    seen: set[tuple[int, int]] = set()
    stack = [corpus]
    while stack:
        folder = stack.pop()
        try:
            st, entries = _listing(corpus, folder)
        except OSError as exc:
            what = "open" if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP) else "list"
            problems.append(Problem(folder, f"cannot {what} folder: {exc.strerror}", False))
            continue
        ident = (st.st_dev, st.st_ino)
        if ident in seen:
            problems.append(Problem(folder, "link cycle: folder already read, skipped", False))
            continue
        seen.add(ident)
        folders = []
        for entry in entries:
            name, path = entry.name, folder / entry.name
            if name == "manifest.csv":
                continue
            try:
                is_dir = entry.is_dir()  # follows links
            except OSError:
                is_dir = False
            if name.startswith("."):
                if name not in QUIET_HIDDEN and (is_dir or _plan_file(path)):
                    kind = "folder" if is_dir else "file"
                    problems.append(Problem(path, f"hidden {kind} (name begins with '.'): skipped", False))
                continue
            if (
                not follow_links_outside
                and _is_link(entry)
                and not _inside(_target(path), root)
                and os.path.exists(path)
            ):  # (a dangling one reads nothing: "broken link")
                if is_dir or _plan_file(path):
                    problems.append(Problem(path, OUTSIDE, not is_dir))
                continue
            if is_dir:
                folders.append(path)
                continue
            d, p = _classify(path, name, entry)
            docs.extend(d)
            problems.extend(p)
        stack.extend(reversed(folders))
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


def _plan_file(path: Path) -> bool:
    """A file a reader takes, or a plan in a format none takes (both would be a row)."""
    return supported(path) or bool(unsupported_reason(path))


def _is_link(entry: os.DirEntry) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _target(path: Path) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return ""


@lru_cache(maxsize=1)
def path_max() -> int:
    """The longest path the system opens (bytes)."""
    try:
        return int(os.pathconf("/", "PC_PATH_MAX"))
    except (OSError, ValueError, AttributeError):
        return 4096


def _classify(path: Path, name: str, entry: os.DirEntry | None = None) -> tuple[list[Path], list[Problem]]:
    if not supported(path):
        reason = unsupported_reason(path)
        return [], ([Problem(path, reason, True)] if reason else [])
    size = len(os.fsencode(path))
    if size >= path_max():
        return [], [
            Problem(path, f"path too long to open ({size} bytes; the system's limit is {path_max()}): not read", True)
        ]
    try:
        st = entry.stat() if entry is not None else path.stat()
    except FileNotFoundError:
        return [], [Problem(path, "broken link: its target does not exist", True)]
    except OSError as exc:
        if exc.errno == errno.ELOOP:
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
            raise SettingsError(
                f"two files give document id {doc_id!r}: {relative_path(first[doc_id], root)} and "
                f"{relative_path(p, root)} (rename or move one)"
            )
        first[doc_id] = p
        ids.append(doc_id)
    return ids
