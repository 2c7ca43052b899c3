"""Per-document results on disk: one shard folder per document and version of its inputs.

A shard lives in ``OUT/.plan-extract/shards/<slot>-<key>/`` where ``slot`` names the document
(a hash of its path relative to the corpus root) and ``key`` hashes everything its rows depend
on: the file's bytes, its relative path, the package code and version, the ``patterns/`` folder
and the document's manifest entry.  A shard holds one Parquet file per table (absent when the
document has no rows for it) and ``ref.json``, written last, which makes the shard complete:
the shard's index, naming each of its Parquet files with its SHA-256.

A shard is written into a temporary folder and renamed into place, so a killed run leaves
either a complete shard or none.  A shard is read back only through its index
(:func:`read_shard_table`): a file missing, truncated or changed since raises
:class:`~extract.batch.faults.ShardDamaged`, and the run reads that document again.  Error rows
made by the supervisor (a killed or timed-out worker) are marked ``cache: false`` and are tried
again on the next run.

The content part of the key is the hash of the bytes the worker actually read and parsed (read
once): a file that changes between the plan and the reading gets the key of what was read, so a
later run sees the difference and reads it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from .. import __version__
from .faults import ShardDamaged

STATE_DIR = ".plan-extract"  # inside the output folder: shards, staging, journals
SHARDS = "shards"
REF = "ref.json"
# table name -> schema name in outputs.writer (kept in one place: TABLES there)
TABLE_NAMES = ("documents", "commitments", "sections", "likely_misses")


@dataclass(frozen=True)
class ShardRef:
    """What the merge needs to know about one finished document (small, picklable)."""

    name: str  # folder name under shards/: <slot>-<key>
    doc_id: str
    source_path: str
    status: str  # "ok" | "error"
    error: str | None
    n_commitments: int
    cache: bool = True  # False: an error made by the supervisor; try the document again next run
    files: dict | None = None  # table name -> SHA-256 of its Parquet file in the shard


def shards_dir(out: Path) -> Path:
    """The folder holding every shard of output folder ``out``."""
    return out / STATE_DIR / SHARDS


def _hash_tree(folder: Path, suffixes: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.suffix in suffixes and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(folder)).encode("utf-8") + b"\0")
            h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Package version plus a hash of the package's own code (an edited checkout counts as new)."""
    pkg = Path(__file__).resolve().parents[1]
    return f"{__version__}:{_hash_tree(pkg, ('.py', '.j2'))[:16]}"


def patterns_fingerprint(patterns_dir: str | None) -> str:
    """Hash of the contents of the ``patterns/`` folder in use."""
    from ..patterns import default_patterns_dir

    folder = Path(patterns_dir) if patterns_dir else default_patterns_dir()
    return _hash_tree(folder.resolve(), (".yaml", ".yml", ".txt", ".csv", ".json"))[:16]


def bytes_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (a small file, read whole)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def slot_of(rel: str) -> str:
    """Stable folder prefix of a document, from its path relative to the corpus root."""
    return hashlib.sha1(rel.encode("utf-8")).hexdigest()[:12]


def shard_key(content_sha256: str, rel: str, fingerprint: str, manifest_entry: dict | None) -> str:
    """The key a shard is valid for: file content, path, code + patterns, manifest entry."""
    entry = json.dumps(manifest_entry or {}, sort_keys=True, ensure_ascii=False)
    raw = "|".join((content_sha256, rel, fingerprint, entry))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


def shard_name(rel: str, key: str) -> str:
    return f"{slot_of(rel)}-{key}"


def read_ref(folder: Path) -> ShardRef | None:
    """The reference of a complete shard, or None (missing, half-written or unreadable)."""
    try:
        data = json.loads((folder / REF).read_text(encoding="utf-8"))
        ref = ShardRef(**data)
    except (OSError, ValueError, TypeError):
        return None
    return ref if isinstance(ref.files, dict) else None  # an index without checksums: read again


def write_shard(root: Path, name: str, tables: dict[str, list[dict]], cache: bool = True) -> ShardRef:
    """Write one document's rows as a shard (temp folder + rename); returns its reference.

    Args:
        root: the shards folder (:func:`shards_dir`).
        name: the shard's folder name (:func:`shard_name`).
        tables: rows per table name; ``documents`` holds exactly one row.
        cache: whether a later run may reuse the shard.
    """
    import pyarrow.parquet as pq

    from ..outputs.writer import TABLES, rows_to_table

    doc = tables["documents"][0]
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        files = {}
        for table_name in TABLE_NAMES:
            rows = tables.get(table_name) or []
            if rows:
                pq.write_table(rows_to_table(rows, TABLES[table_name]), tmp / f"{table_name}.parquet")
                files[table_name] = bytes_sha256(tmp / f"{table_name}.parquet")
        ref = ShardRef(
            name,
            doc["doc_id"],
            doc["source_path"],
            doc["status"],
            doc.get("error"),
            int(doc.get("n_commitments") or 0),
            cache,
            files,
        )
        (tmp / REF).write_text(json.dumps(asdict(ref), ensure_ascii=False), encoding="utf-8")
        final = root / name
        if final.exists():  # the same key written again (--redo, a retried error): replace it
            old = root / f".old-{name}-{uuid.uuid4().hex[:8]}"
            os.rename(final, old)
            shutil.rmtree(old, ignore_errors=True)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ref


def read_shard_table(root: Path, ref: ShardRef, table_name: str, schema):
    """One table of a shard as a ``pyarrow.Table`` (None when the document has no rows in it).

    The file's bytes are read once, checked against the shard's index and parsed.

    Raises:
        ShardDamaged: the file is missing, or its bytes are not the ones indexed.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    expected = (ref.files or {}).get(table_name)
    if expected is None:
        return None
    try:
        data = (root / ref.name / f"{table_name}.parquet").read_bytes()
    except FileNotFoundError:
        raise ShardDamaged([ref.name]) from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise ShardDamaged([ref.name])
    # ParquetFile, not read_table: the dataset layer read_table goes through (and the pandas it
    # imports) costs the supervisor ~0.3 s of start-up; a shard holds exactly the table's schema
    table = pq.ParquetFile(pa.BufferReader(data)).read()
    return table if table.schema.equals(schema) else table.cast(schema)


def shard_intact(root: Path, ref: ShardRef) -> bool:
    """Whether every file a shard's index names is there with its bytes."""
    try:
        return all(bytes_sha256(root / ref.name / f"{t}.parquet") == sha for t, sha in (ref.files or {}).items())
    except OSError:
        return False


def prune(root: Path, keep: set[str]) -> int:
    """Delete shards (and leftovers of killed writes) not named in ``keep``; returns how many."""
    if not root.is_dir():
        return 0
    n = 0
    for entry in os.scandir(root):
        if entry.name not in keep:
            shutil.rmtree(entry.path, ignore_errors=True)
            n += 1
    return n
