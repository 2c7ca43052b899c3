"""Merge shards into the output tables and publish them as one verified set.

The merged tables are streamed: documents in ``(doc_id, source_path)`` order, each shard read
in turn (through its index: :func:`~extract.batch.shards.read_shard_table` checks every file
against its checksum) and appended to one Parquet writer per table, buffered up to
:data:`ROW_GROUP_ROWS` rows per row group, so memory does not grow with the batch.  Within a
document, rows keep the order the extraction gave them (commitments by char_start and id,
sections by char_start and id, misses by char_start), which is the order of a whole-batch sort.
A shard found missing or damaged stops the merge with
:class:`~extract.batch.faults.ShardDamaged` naming every damaged shard; the runner reads those
documents again and merges once more.

Publishing keeps ``OUT/commitments.parquet`` (and the three others) plain files at their
documented paths, named with their SHA-256 in one manifest, ``OUT/published.json``.  The new
set and its manifest are written complete into ``OUT/.plan-extract/staging-*``; a journal
(``publish.json``, written atomically) then names them, each table is renamed into place, the
manifest last, and the journal is removed.  Until the manifest is renamed the tables do not
match it, so a reader (:func:`verify_published`) that meets a half-published set says so
instead of reading a mix; the next run finishes the renames from the journal (or, the journal
gone, finds the tables not matching the manifest and publishes again).  SIGINT and SIGTERM
wait for the renames to end.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from ..settings import SettingsError
from .faults import ShardDamaged
from .shards import STATE_DIR, TABLE_NAMES, ShardRef, read_shard_table, shard_intact

# rows per row group of the merged files: bounds the merge's memory (the supervisor's peak on
# 200 MB of plans: 504 MB with 131,072 rows, under 300 MB with 16,384); a table under this size
# is one row group, byte-identical to writing the whole table at once
ROW_GROUP_ROWS = 16_384
JOURNAL = "publish.json"  # in the state folder: a publication under way
MANIFEST = "published.json"  # beside the tables: every table of the set with its checksum
FILES = tuple(f"{t}.parquet" for t in TABLE_NAMES)


class PublishedSetError(SettingsError):
    """The output folder's tables are not one complete, verified set (one-line message)."""


def _state(out: Path) -> Path:
    return out / STATE_DIR


# --- checksums of published files (cached by identity, so a verified file is hashed once) ------

_VERIFIED: dict[tuple, str] = {}


def _identity(st: os.stat_result) -> tuple:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def file_checksum(path: Path) -> str:
    """SHA-256 of a published file, remembered for as long as the file is not touched.

    Raises:
        OSError: the file cannot be read.
    """
    key = _identity(path.stat())
    if key not in _VERIFIED:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        if len(_VERIFIED) > 4096:
            _VERIFIED.clear()
        _VERIFIED[key] = h.hexdigest()
    return _VERIFIED[key]


def read_manifest(out: Path) -> dict | None:
    """``OUT/published.json``, or None when there is none (an output older than the manifest)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"tables": {}, "damaged": True}
    return data if isinstance(data, dict) and isinstance(data.get("tables"), dict) else {"tables": {}, "damaged": True}


def set_problem(out: Path, manifest: dict | None = None) -> str | None:
    """What is wrong with the published set, in one line, or None when it verifies."""
    if (_state(out) / JOURNAL).is_file():
        return "its tables are half published (a run was stopped while publishing)"
    manifest = read_manifest(out) if manifest is None else manifest
    if manifest is None:
        return None  # written before published.json existed: nothing to check against
    if manifest.get("damaged"):
        return f"{MANIFEST} is damaged"
    for name, entry in sorted(manifest["tables"].items()):
        try:
            ok = file_checksum(out / name) == entry.get("sha256")
        except FileNotFoundError:
            return f"{name} is missing"
        except OSError as exc:
            return f"{name} cannot be read ({exc.strerror})"
        if not ok:
            return f"{name} does not match {MANIFEST} (changed, damaged or left by a stopped run)"
    return None


def verify_published(out: Path) -> None:
    """Check that ``out`` holds one complete set of tables, each matching the manifest.

    Raises:
        PublishedSetError: a mixed, incomplete or damaged set (one line; a run repairs it).
    """
    problem = set_problem(out)
    if problem:
        raise PublishedSetError(
            f"the tables in {out} are not one complete set: {problem}; run 'plan-extract run' again to repair them"
        )


# --- publishing ---------------------------------------------------------------------------------


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends (the renames of one publication)."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _rename_all(out: Path, staging: Path, files: list[str]) -> None:
    """Rename the staged files into ``out`` in order (the manifest last)."""
    with _signals_held():
        for name in files:
            src = staging / name
            if src.is_file():
                os.replace(src, out / name)


def recover(out: Path) -> bool:
    """Finish a publication a stopped run left half done; returns whether there was one."""
    state = _state(out)
    journal = state / JOURNAL
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
        staging = state / data["staging"]
        files = list(data["files"])
    except FileNotFoundError:
        data = None
    except (OSError, ValueError, KeyError, TypeError):  # a damaged journal: publish again instead
        data = None
        journal.unlink(missing_ok=True)
    if data is None:
        for leftover in state.glob("staging-*") if state.is_dir() else ():
            shutil.rmtree(leftover, ignore_errors=True)  # never named in a journal: incomplete
        return False
    _rename_all(out, staging, files)
    journal.unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
    return True


def _write_json(path: Path, data) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def shards_digest(names: list[str]) -> str:
    """One hash of the shard names a set was merged from (in merge order)."""
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()


def is_current(out: Path, names: list[str], metadata: dict | None = None) -> bool:
    """Whether the published set was merged from exactly these shards and metadata and verifies."""
    manifest = read_manifest(out)
    if not manifest or manifest.get("damaged"):
        return False
    return (
        manifest.get("shards_sha256") == shards_digest(names)
        and manifest.get("metadata", {}) == (metadata or {})
        and sorted(manifest["tables"]) == sorted(FILES)
        and set_problem(out, manifest) is None
    )


class _StreamWriter:
    """A Parquet writer fed table by table, flushing full row groups only."""

    def __init__(self, path: Path, schema):
        import pyarrow.parquet as pq

        self.path, self.schema = path, schema
        self.buffer: list = []  # pyarrow Tables
        self.buffered = 0
        self.rows = 0
        self.writer = pq.ParquetWriter(str(path), schema)

    def add(self, table) -> None:
        import pyarrow as pa

        self.buffer.append(table)
        self.buffered += table.num_rows
        self.rows += table.num_rows
        while self.buffered >= ROW_GROUP_ROWS:
            whole = pa.concat_tables(self.buffer)
            self.writer.write_table(whole.slice(0, ROW_GROUP_ROWS).combine_chunks())
            rest = whole.slice(ROW_GROUP_ROWS)
            self.buffer, self.buffered = [rest], rest.num_rows

    def close(self) -> None:
        import pyarrow as pa

        if self.buffered or self.rows == 0:
            whole = pa.concat_tables(self.buffer) if self.buffer else self.schema.empty_table()
            self.writer.write_table(whole.combine_chunks())
        self.writer.close()


def _merge(staging: Path, shards_root: Path, refs: list[ShardRef], metadata: dict) -> dict[str, int]:
    """Write the four merged tables into ``staging``; returns rows per table.

    Raises:
        ShardDamaged: a shard is missing or damaged (every damaged one is named).
    """
    from ..outputs.writer import SCHEMA_VERSION, TABLES

    writers = {
        t: _StreamWriter(
            staging / f"{t}.parquet", TABLES[t].with_metadata({**metadata.get(t, {}), "schema_version": SCHEMA_VERSION})
        )
        for t in TABLE_NAMES
    }
    try:
        for k, ref in enumerate(refs):
            try:
                for t, w in writers.items():
                    table = read_shard_table(shards_root, ref, t, TABLES[t])
                    if table is not None and table.num_rows:
                        w.add(table.replace_schema_metadata(w.schema.metadata))
            except ShardDamaged:
                damaged = [ref.name] + [r.name for r in refs[k + 1 :] if not shard_intact(shards_root, r)]
                raise ShardDamaged(damaged) from None
    except BaseException:
        for w in writers.values():
            try:
                w.writer.close()
            except Exception:  # noqa: BLE001 - the staging folder is removed anyway
                pass
        raise
    for w in writers.values():
        w.close()
    return {t: w.rows for t, w in writers.items()}


def merge_and_publish(
    out: Path, shards_root: Path, refs: Iterable[ShardRef], metadata: dict[str, dict[str, str]] | None = None
) -> dict[str, int]:
    """Rebuild the four tables from ``refs`` (in their order) and publish them as one set.

    ``metadata`` adds key-value pairs to a table's file metadata (by table name).

    Returns:
        rows written per table name.

    Raises:
        ShardDamaged: a shard is missing or damaged; nothing was published.
    """
    refs = list(refs)
    metadata = metadata or {}
    staging = _new_staging(out)
    try:
        counts = _merge(staging, shards_root, refs, metadata)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _publish_staged(out, staging, counts, refs, metadata)
    return counts


def _new_staging(out: Path) -> Path:
    state = _state(out)
    state.mkdir(parents=True, exist_ok=True)
    staging = state / f"staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    return staging


def _publish_staged(out: Path, staging: Path, counts: dict[str, int], refs: list[ShardRef], metadata: dict) -> None:
    """Name the merged tables in ``staging`` in a manifest and rename the set into ``out`` (journalled)."""
    state = _state(out)
    try:
        tables = {
            f"{t}.parquet": {
                "sha256": file_checksum(staging / f"{t}.parquet"),
                "rows": counts[t],
                "bytes": (staging / f"{t}.parquet").stat().st_size,
            }
            for t in TABLE_NAMES
        }
        _write_json(
            staging / MANIFEST,
            {
                "tables": tables,
                "shards_sha256": shards_digest([r.name for r in refs]),
                "documents": len(refs),
                "metadata": metadata,
            },
        )
        files = list(FILES) + [MANIFEST]
        _write_json(state / JOURNAL, {"staging": staging.name, "files": files})
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # from here the journal names a complete staged set: a stopped run leaves it for the next
    _rename_all(out, staging, files)
    (state / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


class StreamedMerge:
    """The merge run while the documents are extracted, in the order of the merged tables.

    Every document of the run is known before the first is read (its shard name, doc_id and
    path), so the order of the merged tables is too.  A shard is appended to the tables as soon
    as every document before it is in; the supervisor does it between workers' results, so most
    of the merge is done when the last document finishes.  The tables are the ones
    :func:`merge_and_publish` writes from the same shards.  Anything unexpected (a shard
    damaged, a result not in the plan) stops the streamed merge; :meth:`publish` then returns
    None and the caller merges the usual way.
    """

    def __init__(self, out: Path, shards_root: Path, order: list[tuple[str, str, str]], metadata: dict | None):
        from ..outputs.writer import SCHEMA_VERSION, TABLES

        self.out, self.root, self.metadata = out, shards_root, metadata or {}
        self.order = sorted(order)  # (doc_id, source_path, shard name)
        self.position = {key[2]: k for k, key in enumerate(self.order)}
        self.ready: dict[int, ShardRef] = {}
        self.done: list[ShardRef] = []
        self.tables = TABLES
        self.staging: Path | None = _new_staging(out)
        self.writers = {
            t: _StreamWriter(
                self.staging / f"{t}.parquet",
                TABLES[t].with_metadata({**self.metadata.get(t, {}), "schema_version": SCHEMA_VERSION}),
            )
            for t in TABLE_NAMES
        }

    @property
    def stopped(self) -> bool:
        return self.staging is None

    def add(self, ref: ShardRef) -> None:
        """A finished document: append it, and every one after it that was waiting for it."""
        if self.stopped:
            return
        k = self.position.get(ref.name)
        if k is None or k in self.ready or self.order[k] != (ref.doc_id, ref.source_path, ref.name):
            self.stop()
            return
        self.ready[k] = ref
        try:
            while len(self.done) in self.ready:
                ref = self.ready.pop(len(self.done))
                for t, w in self.writers.items():
                    table = read_shard_table(self.root, ref, t, self.tables[t])
                    if table is not None and table.num_rows:
                        w.add(table.replace_schema_metadata(w.schema.metadata))
                self.done.append(ref)
        except Exception:  # noqa: BLE001 - a damaged shard, a full disk: extraction goes on, and the
            self.stop()  # usual merge afterwards meets the fault again (and reads damaged shards again)

    def stop(self) -> None:
        """Give the streamed merge up (its staging folder goes)."""
        if self.staging is None:
            return
        for w in self.writers.values():
            try:
                w.writer.close()
            except Exception:  # noqa: BLE001 - the staging folder is removed anyway
                pass
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging = None

    def publish(self) -> dict[str, int] | None:
        """Publish the merged set when every planned document is in; None when the merge stopped."""
        if self.stopped or len(self.done) != len(self.order):
            self.stop()
            return None
        assert self.staging is not None
        staging, self.staging = self.staging, None
        try:
            for w in self.writers.values():
                w.close()
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        counts = {t: w.rows for t, w in self.writers.items()}
        _publish_staged(self.out, staging, counts, self.done, self.metadata)
        return counts
