"""Merge shards into the output tables and publish them as one set.

The merged tables are streamed: documents in ``(doc_id, source_path)`` order, each shard read
in turn and appended to one Parquet writer per table, buffered up to :data:`ROW_GROUP_ROWS`
rows per row group, so memory does not grow with the batch.  Within a document, rows keep the
order the extraction gave them (commitments by char_start and id, sections by char_start and
id, misses by char_start), which is the order of a whole-batch sort.

Publishing keeps ``OUT/commitments.parquet`` (and the three others) plain files at their
documented paths.  The new set is written complete into ``OUT/.plan-extract/staging-*``; a
journal (``publish.json``, written atomically) then names it, each file is renamed into
place, and the journal is removed.  A run killed between two renames leaves the journal, and
the next run (or :func:`recover`) finishes the renames before doing anything else, so the
folder always ends holding one whole set: the old one or the new one.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Iterable

from .shards import STATE_DIR, TABLE_NAMES, ShardRef, read_shard_table

# rows per row group of the merged files: bounds the merge's memory; a table under this size is
# one row group, byte-identical to writing the whole table at once
ROW_GROUP_ROWS = 131_072
JOURNAL = "publish.json"
PUBLISHED = "published.json"


def _state(out: Path) -> Path:
    return out / STATE_DIR


def recover(out: Path) -> bool:
    """Finish a publication a killed run left half done; returns whether there was one."""
    journal = _state(out) / JOURNAL
    if not journal.is_file():
        for leftover in _state(out).glob("staging-*") if _state(out).is_dir() else ():
            shutil.rmtree(leftover, ignore_errors=True)   # never named in a journal: incomplete
        return False
    data = json.loads(journal.read_text(encoding="utf-8"))
    staging = _state(out) / data["staging"]
    for name in data["files"]:
        src = staging / name
        if src.is_file():
            os.replace(src, out / name)
    if data.get("published") is not None:
        _write_json(_state(out) / PUBLISHED, data["published"])
    journal.unlink()
    shutil.rmtree(staging, ignore_errors=True)
    return True


def _write_json(path: Path, data) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def is_current(out: Path, names: list[str], metadata: dict | None = None) -> bool:
    """Whether the published set was merged from exactly these shards and metadata (and is all there)."""
    try:
        data = json.loads((_state(out) / PUBLISHED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (data.get("shards") == names and data.get("metadata", {}) == (metadata or {})
            and all((out / f"{t}.parquet").is_file() for t in TABLE_NAMES))


class _StreamWriter:
    """A Parquet writer fed table by table, flushing full row groups only."""

    def __init__(self, path: Path, schema):
        import pyarrow.parquet as pq

        self.path, self.schema = path, schema
        self.buffer: list = []         # pyarrow Tables
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


def merge_and_publish(out: Path, shards_root: Path, refs: Iterable[ShardRef],
                      metadata: dict[str, dict[str, str]] | None = None) -> dict[str, int]:
    """Rebuild the four tables from ``refs`` (in their order) and publish them as one set.

    ``metadata`` adds key-value pairs to a table's file metadata (by table name).

    Returns:
        rows written per table name.
    """
    from ..outputs.writer import SCHEMA_VERSION, TABLES

    refs = list(refs)
    state = _state(out)
    state.mkdir(parents=True, exist_ok=True)
    staging_name = f"staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging = state / staging_name
    staging.mkdir()
    files = [f"{t}.parquet" for t in TABLE_NAMES]
    try:
        writers = {t: _StreamWriter(staging / f"{t}.parquet", TABLES[t].with_metadata(
                       {**(metadata or {}).get(t, {}), "schema_version": SCHEMA_VERSION}))
                   for t in TABLE_NAMES}
        for ref in refs:
            for t, w in writers.items():
                table = read_shard_table(shards_root, ref.name, t, TABLES[t])
                if table is not None and table.num_rows:
                    w.add(table.replace_schema_metadata(w.schema.metadata))
        for w in writers.values():
            w.close()
        counts = {t: w.rows for t, w in writers.items()}
        published = {"shards": [r.name for r in refs], "rows": counts, "metadata": metadata or {}}
        _write_json(state / JOURNAL, {"staging": staging_name, "files": files, "published": published})
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    recover(out)
    return counts
