"""The per-document task every engine runs: read, extract, write the document's shard.

:func:`run_task` is the one function the local pool and the Dask engine map over the files; it
never raises for a bad document (that is an error row) and returns only a small
:class:`~extract.batch.shards.ShardRef`, the rows themselves going to disk.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .shards import ShardRef, shard_key, shard_name, write_shard

CHANGED_WHILE_READ = "the file changed after the run listed it: rows are from the version read"


@dataclass(frozen=True)
class Task:
    """One document to extract into one shard."""

    path: str  # the file
    root: str  # the corpus root (for relative paths)
    rel: str  # path relative to the root
    name: str  # shard folder name (slot-key) the plan expects
    shards_root: str  # where shards go
    patterns_dir: str | None = None
    manifest_entry: dict | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)  # from the manifest check
    content_sha256: str = ""  # the file's hash when the run was planned
    fingerprint: str = ""  # code + patterns part of the shard key


def _sorted_rows(res) -> dict[str, list[dict]]:
    """A document's rows in the order of the merged tables."""
    res.commitments.sort(key=lambda r: (r["char_start"], r["commitment_id"]))
    res.sections.sort(key=lambda r: (r["char_start"], r["section_id"]))
    res.misses.sort(key=lambda r: r["char_start"])
    return {
        "documents": [res.document],
        "commitments": res.commitments,
        "sections": res.sections,
        "likely_misses": res.misses,
    }


def extract_rows(task: Task) -> tuple[str, dict[str, list[dict]], bool]:
    """One document's rows per table, in merge order; a bad document gives its error row.

    The file is read once: its bytes are hashed for the shard key and parsed by the reader.

    Returns:
        ``(shard name, rows, cache)``: the name keyed by the bytes read (the planned one when
        the file did not change), and whether a later run may reuse the shard.
    """
    from ..pipeline import process_file
    from ..readers import ReadError, read_source
    from ..readers.base import OUT_OF_MEMORY
    from ..rows import error_row

    path = Path(task.path)
    try:
        data = read_source(path)
    except ReadError as exc:  # listed and hashed, gone now: try again next run
        row = error_row(path, task.rel, str(exc))
        row["warnings"] = list(task.warnings)
        return task.name, {"documents": [row]}, False
    sha = hashlib.sha256(data).hexdigest()
    res = process_file(path, Path(task.root), task.patterns_dir, task.manifest_entry, data=data)
    del data
    if res.document.get("error") == OUT_OF_MEMORY:
        raise MemoryError  # the pool names the limit and replaces the worker
    warnings = list(task.warnings)
    name = task.name
    if task.content_sha256 and sha != task.content_sha256:
        name = shard_name(task.rel, shard_key(sha, task.rel, task.fingerprint, task.manifest_entry))
        warnings.append(CHANGED_WHILE_READ)
    res.document["warnings"] = warnings + list(res.document.get("warnings") or [])
    return name, _sorted_rows(res), True


def document_rows(task: Task) -> dict[str, list[dict]]:
    """One document's rows per table, in merge order, nothing written (the Python API)."""
    return extract_rows(task)[1]


def run_task(task: Task) -> ShardRef:
    """Extract one document and write its shard; a bad document gives an error-row shard."""
    name, rows, cache = extract_rows(task)
    return write_shard(Path(task.shards_root), name, rows, cache=cache)


def error_rows(task: Task, reason: str) -> dict[str, list[dict]]:
    """The rows of a document that gave none: its error row (worker died, ran out of time …)."""
    from ..rows import error_row

    row = error_row(Path(task.path), task.rel, reason)
    row["warnings"] = list(task.warnings)
    return {"documents": [row]}


def error_shard(task: Task, reason: str, cache: bool = False) -> ShardRef:
    """An error-row shard for a document whose worker died or ran out of time."""
    return write_shard(Path(task.shards_root), task.name, error_rows(task, reason), cache=cache)


# a target and a count in Chinese numerals: the rules, jieba and cn2an are all loaded
_WARM_UP_TEXT = "某市生态环境保护规划\n到2025年，森林覆盖率达到46%，新建两座污水处理厂。\n"


def warm_up(patterns_dir: str | None) -> None:
    """Load rules, catalogue, gazetteer, the jieba dictionary and Parquet once, before the first document.

    Parquet's allocator reserves its address space on first use: done here, before the pool
    caps the worker's address space.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..outputs.writer import DOCUMENTS, rows_to_table
    from ..patterns import load_patterns
    from ..pipeline import rows_from_text, rules_for

    rows_from_text(_WARM_UP_TEXT, patterns_dir=patterns_dir)
    list(rules_for(load_patterns(patterns_dir)).lex.tokenizer.cut("森林覆盖率"))
    pq.write_table(rows_to_table([{"doc_id": "warm-up", "issuers": []}], DOCUMENTS), pa.BufferOutputStream())
