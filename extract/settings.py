"""Checks on what a user asks for, made once before any output is touched.

Each ``check_*`` function returns the checked value (a resolved folder, loaded rules …) or
raises :class:`SettingsError` with a one-line message saying what is wrong and what to do.
The command line turns that into one line on stderr and exit status 2; nothing is written,
so a good earlier output survives a mistyped option.
"""

from __future__ import annotations

import os
from pathlib import Path

from .patterns import PatternError, Patterns, load_patterns
from .text.tokenizer import cache_dir

EXPORT_SUFFIXES = (".xlsx", ".csv", ".parquet")
FIRST_YEAR, LAST_YEAR = 1949, 2100


class SettingsError(ValueError):
    """An option or folder the user gave cannot be used (the message is one line)."""


def check_corpus(corpus: str | Path) -> Path:
    """The corpus folder (or single file); it must exist."""
    path = Path(corpus)
    if not path.exists():
        raise SettingsError(f"corpus not found: {path}")
    return path


def check_patterns(folder: str | Path | None) -> Patterns:
    """The rule files of ``folder`` (None: the shipped ones), loaded and validated."""
    if folder is not None and not Path(folder).is_dir():
        raise SettingsError(f"--patterns: no such folder: {folder}")
    try:
        return load_patterns(folder)
    except PatternError as exc:
        raise SettingsError(f"--patterns: {exc}") from None


# how many validated rule folders (by content) the cache remembers
_VALIDATED_KEPT = 32
_VALIDATED_FILE = "validated_patterns.json"


def check_patterns_for_run(folder: str | Path | None) -> None:
    """The rule files of ``folder`` (None: the shipped ones) valid, as :func:`check_patterns`
    finds them, for a run whose workers load the rules themselves.

    Validating compiles every rule (~0.1 s): a folder whose content (with this code and these
    versions of ``regex`` and PyYAML) was found valid before is not validated again.  The
    contents found valid are remembered by hash in the user's cache folder (the last
    ``_VALIDATED_KEPT``; the file replaced whole, anything unreadable in it ignored).
    """
    if folder is not None and not Path(folder).is_dir():
        raise SettingsError(f"--patterns: no such folder: {folder}")
    key = _validation_key(folder)
    path = Path(cache_dir()) / _VALIDATED_FILE
    known = _validated(path)
    if key in known:
        return
    check_patterns(folder)
    _remember_validated(path, [key] + [k for k in known if k != key][: _VALIDATED_KEPT - 1])


def _validation_key(folder: str | Path | None) -> str:
    import hashlib
    import sys

    import regex
    import yaml

    from .batch.shards import code_fingerprint, patterns_fingerprint

    parts = (code_fingerprint(), patterns_fingerprint(str(folder) if folder else None))
    versions = (sys.version, regex.__version__, yaml.__version__)
    return hashlib.sha256("|".join(parts + versions).encode("utf-8")).hexdigest()


def _validated(path: Path) -> list[str]:
    import json

    try:
        keys = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(keys, list):
        return []
    return [k for k in keys if isinstance(k, str)]


def _remember_validated(path: Path, keys: list[str]) -> None:
    import json
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".validated_patterns")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(keys, fh)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:  # a cache that cannot be written: validate again next time
        pass


def _writable_dir(folder: Path, what: str) -> None:
    """``folder`` is a directory we may write to, or can be created as one."""
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise SettingsError(f"{what}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise SettingsError(f"{what}: cannot write in {probe} (permission denied)")


def check_output_folder(out: str | Path) -> Path:
    """The output folder a run writes to: a folder (existing or not) we may write in."""
    path = Path(out)
    _writable_dir(path, "output folder")
    return path


def check_run_output(out: str | Path) -> Path:
    """An output folder holding a run's tables, one complete verified set (for eval, compare,
    audit, show and ``read_output``: every table matches its checksum in ``published.json``)."""
    from .batch.publish import verify_published

    path = Path(out)
    if not (path / "commitments.parquet").is_file() or not (path / "documents.parquet").is_file():
        if not (path / ".plan-extract" / "publish.json").is_file():
            raise SettingsError(f"no output in {path} (run 'plan-extract run' first, or give -o OUT)")
    verify_published(path)
    return path


def check_gold_folder(gold: str | Path) -> Path:
    """A folder of gold ``*.jsonl`` files."""
    path = Path(gold)
    if not path.is_dir():
        raise SettingsError(f"--gold: no such folder: {path}")
    if not any(path.glob("*.jsonl")):
        raise SettingsError(f"--gold: no *.jsonl files in {path}")
    return path


def check_file(path: str | Path, what: str) -> Path:
    """An input file that must exist."""
    p = Path(path)
    if not p.is_file():
        raise SettingsError(f"{what}: no such file: {p}")
    return p


def check_export_path(dest: str | Path, suffixes: tuple[str, ...] = EXPORT_SUFFIXES) -> Path:
    """Where ``compare`` (``export``, ``explain``) writes its table: one of ``suffixes`` in a writable folder."""
    path = Path(dest)
    kinds = ", ".join(suffixes[:-1]) + f" or {suffixes[-1]}" if len(suffixes) > 1 else suffixes[0]
    if path.suffix.lower() not in suffixes:
        raise SettingsError(f"--save: {path.name!r} is not {kinds}")
    if path.is_dir():
        raise SettingsError(f"--save: {path} is a folder; give a file name ending in {kinds}")
    _writable_dir(path.parent, "--save")
    return path


def check_page_path(dest: str | Path) -> Path:
    """Where ``audit`` writes its HTML page."""
    path = Path(dest)
    if path.is_dir():
        raise SettingsError(f"--html: {path} is a folder; give a file name such as audit.html")
    _writable_dir(path.parent, "--html")
    return path


def check_indicators(selectors: list[str] | None, known_ids: set[str]) -> list[str] | None:
    """Indicator ids or categories (``air``, ``water.surface_good_share``) among ``known_ids``."""
    if not selectors:
        return selectors
    from .catalogue import id_selected

    categories = sorted({i.split(".")[0] for i in known_ids})
    for s in selectors:
        if not any(id_selected(i, [s]) for i in known_ids):
            raise SettingsError(
                f"unknown indicator id or category {s!r} (categories: {', '.join(categories)};"
                f" every id is in patterns/indicators.yaml)"
            )
    return selectors


def check_year(year: int | None) -> int | None:
    """A four-digit target year."""
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise SettingsError(f"--year {year}: expected a year between {FIRST_YEAR} and {LAST_YEAR}")
    return year
