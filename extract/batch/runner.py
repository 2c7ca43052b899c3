"""One batch run: check the output folder, plan, extract what changed, publish the merged set.

:func:`run_corpus` is what ``plan-extract run`` calls.  Steps, in order:

1. the output folder is created and proven writable, and locked against a second run
   (before any document is read);
2. a publication a killed run left half done is finished (:func:`.publish.recover`);
3. documents are found (:mod:`.discover`) and ``manifest.csv`` read and checked;
4. each document's shard key is computed; a current shard is reused (unless ``redo``);
5. the rest is extracted by the chosen engine, each worker writing its shard;
6. the merged tables are rebuilt from the shards (documents removed from the corpus drop out)
   and published as one set, unless they already are exactly these shards and verify; a shard
   found missing or damaged on the way has its document read again (a warning), then the
   merge is done once more; stale shards go.

A fault of the machine rather than of a document (the output folder failing mid-run: disk
full, permission lost; workers that cannot be started) stops the run with
:class:`~extract.batch.faults.RunFault`: nothing is published, the previous set and every
finished shard stay.
"""

from __future__ import annotations

import errno
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .discover import corpus_root, document_ids, find_documents
from .faults import RunFault, ShardDamaged
from .limits import Limits
from .shards import (
    STATE_DIR,
    ShardRef,
    code_fingerprint,
    file_sha256,
    patterns_fingerprint,
    prune,
    read_ref,
    shard_key,
    shard_name,
    shards_dir,
)
from .tasks import Task, error_shard

log = logging.getLogger(__name__)


class OutputError(Exception):
    """The output folder cannot be used (one-line reason)."""


@dataclass
class RunSettings:
    """Everything a batch run needs to know."""

    corpus: Path
    out: Path
    jobs: int = 1
    engine: str = "local"  # "local" | "dask"
    scheduler: str | None = None  # dask scheduler address (None: a LocalCluster)
    limits: Limits = field(default_factory=Limits)
    redo: bool = False
    follow_links_outside: bool = False  # read files that links lead to outside the corpus
    patterns_dir: str | None = None
    metadata: dict[str, dict[str, str]] = field(default_factory=dict)  # file metadata per table name
    # the caller's process ends with the run (the command line): its supervisor imports pyarrow
    # without numpy (:func:`pyarrow_without_numpy`)
    process_ends_with_run: bool = False


@dataclass
class RunSummary:
    """Figures of a finished run."""

    documents: int = 0
    commitments: int = 0
    errors: int = 0
    extracted: int = 0  # documents read in this run
    reused: int = 0  # documents whose shard was current
    merged: bool = False  # whether the tables were rebuilt
    seconds: float = 0.0
    peak_worker_rss_mb: float = 0.0
    cpu_seconds: float = 0.0  # this process plus the workers (local engine)
    warnings: list[str] = field(default_factory=list)


def check_output(out: Path) -> None:
    """Create ``out`` (and its state folder) and prove it writable, before any work.

    Raises:
        OutputError: a file is in the way, or the folder cannot be created or written.
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"output path is not a folder: {out}")
    probe = out / STATE_DIR / f".probe-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    try:
        (out / STATE_DIR).mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"cannot write to output folder {out}: {exc.strerror or exc}") from None


class _Lock:
    """An exclusive lock on the output folder (POSIX ``flock``; no-op elsewhere)."""

    def __init__(self, out: Path):
        self.path = out / STATE_DIR / "lock"
        self.fh = None

    def __enter__(self):
        self.fh = open(self.path, "a+")
        try:
            import fcntl

            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:
            pass
        except OSError as exc:
            self.fh.close()
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise OutputError(f"another run is writing to {self.path.parent.parent}") from None
            raise
        return self

    def __exit__(self, *exc):
        self.fh.close()


def _manifest(root: Path, docs: list[Path], summary: RunSummary) -> dict[str, dict]:
    """The manifest rows by doc_id; an unreadable manifest is a warning, never a lost run."""
    from ..context.manifest import MANIFEST_FIELDS, read_manifest

    try:
        entries = read_manifest(root)
    except Exception as exc:  # noqa: BLE001 - a bad manifest must not cost the batch
        from ..readers import reason_for

        summary.warnings.append(f"manifest.csv ignored: {reason_for(exc)}")
        return {}
    columns = sorted({k for e in entries.values() for k in e} - set(MANIFEST_FIELDS))
    if columns:
        summary.warnings.append(f"manifest.csv: unknown columns ignored: {', '.join(columns)}")
    from ..readers import doc_id_from_path, relative_path

    ids = {doc_id_from_path(relative_path(p, root)) for p in docs}
    orphans = sorted(set(entries) - ids)
    if orphans:
        summary.warnings.append(f"manifest.csv: {len(orphans)} rows match no document (first: {orphans[0]})")
    return entries


def discover(settings: RunSettings) -> tuple[list[Path], list]:
    """The corpus's documents and problems; refuses two files with one document id.

    Raises:
        SettingsError: two files give one document id (nothing has been read or written).
    """
    docs, problems = find_documents(settings.corpus, settings.follow_links_outside)
    document_ids(docs, corpus_root(settings.corpus))
    return docs, problems


def plan(
    settings: RunSettings,
    summary: RunSummary,
    found: tuple[list[Path], list] | None = None,
    tasks_by_name: dict[str, Task] | None = None,
) -> tuple[list[Task], list[ShardRef], list[tuple[Task, str]]]:
    """Tasks to run, shards to reuse, and problem documents (task, reason) to record as errors.

    ``tasks_by_name``, if given, receives the task of every document by its shard name (a
    reused shard found damaged later is read again from it).
    """
    from ..context.manifest import check_manifest_entry
    from ..readers import doc_id_from_path, relative_path

    root = corpus_root(settings.corpus)
    docs, problems = found or discover(settings)
    for p in problems:
        if not p.is_document:
            summary.warnings.append(f"{p.path}: {p.reason}")
    manifest = _manifest(root, docs, summary)
    fingerprint = f"{code_fingerprint()}|{patterns_fingerprint(settings.patterns_dir)}"
    store = shards_dir(settings.out)
    tasks: list[Task] = []
    reused: list[ShardRef] = []
    failed: list[tuple[Task, str]] = []
    patterns_dir = str(Path(settings.patterns_dir).resolve()) if settings.patterns_dir else None
    for path in docs:
        rel = relative_path(path, root)
        entry, warnings = check_manifest_entry(manifest.get(doc_id_from_path(rel), {}))
        try:
            sha = file_sha256(path)
        except OSError as exc:
            reason = f"cannot read file: {exc.strerror or exc}"
            name = shard_name(rel, shard_key("-", rel, fingerprint, {"problem": reason}))
            failed.append((_task(path, root, rel, name, store, patterns_dir, entry, warnings), reason))
            continue
        name = shard_name(rel, shard_key(sha, rel, fingerprint, entry or None))
        task = _task(path, root, rel, name, store, patterns_dir, entry or None, warnings, sha, fingerprint)
        if tasks_by_name is not None:
            tasks_by_name[name] = task
        ref = None if settings.redo else read_ref(store / name)
        if ref is not None and ref.cache:
            reused.append(ref)
        else:
            tasks.append(task)
    for p in problems:
        if p.is_document:
            rel = relative_path(p.path, root)
            name = shard_name(rel, shard_key("-", rel, fingerprint, {"problem": p.reason}))
            failed.append((_task(p.path, root, rel, name, store, patterns_dir, None, []), p.reason))
    return tasks, reused, failed


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _task(path, root, rel, name, store, patterns_dir, entry, warnings, sha="", fingerprint="") -> Task:
    return Task(str(path), str(root), rel, name, str(store), patterns_dir, entry, tuple(warnings), sha, fingerprint)


def _engine(settings: RunSettings, tasks: list[Task], stats: dict):
    """Results of ``tasks`` from the chosen engine, in completion order."""
    if not tasks:
        return iter(())
    if settings.engine == "dask":
        from .dask_engine import run_dask

        return run_dask(tasks, settings.scheduler, settings.jobs, settings.limits, stats=stats)
    from .pool import run_supervised
    from .tasks import run_task, warm_up

    return run_supervised(
        tasks,
        run_task,
        lambda t, reason: error_shard(t, reason),
        settings.jobs,
        settings.limits,
        warm=warm_up,
        warm_arg=settings.patterns_dir,
        stats=stats,
        fatal=(OSError,),
    )


def run_in_memory(settings: RunSettings) -> tuple[list[dict[str, list[dict]]], RunSummary]:
    """Extract a corpus as :func:`run_corpus` does, keeping the rows in memory (the Python API).

    The same discovery (problem files become error rows), manifest check, supervised local
    workers with their limits and error rows; nothing is written (``settings.out``,
    ``engine`` and ``redo`` are not used).  Returns each document's rows per table, in the
    order of the merged tables, and the run's figures and warnings.

    Raises:
        SettingsError: two files give one document id (nothing was read then).
    """
    from dataclasses import replace

    from .pool import run_supervised
    from .tasks import document_rows, error_rows, warm_up

    t0 = time.perf_counter()
    summary = RunSummary()
    found = discover(settings)
    tasks, _reused, failed = plan(replace(settings, redo=True), summary, found)
    results = [error_rows(task, reason) for task, reason in failed]
    tasks.sort(key=lambda t: (-_size(t.path), t.rel))
    stats: dict = {}
    results += run_supervised(
        tasks,
        document_rows,
        error_rows,
        settings.jobs,
        settings.limits,
        warm=warm_up,
        warm_arg=settings.patterns_dir,
        stats=stats,
    )
    results.sort(key=lambda r: (r["documents"][0]["doc_id"], r["documents"][0]["source_path"]))
    summary.documents = summary.extracted = len(results)
    summary.commitments = sum(len(r.get("commitments") or []) for r in results)
    summary.errors = sum(1 for r in results if r["documents"][0]["status"] != "ok")
    summary.peak_worker_rss_mb = stats.get("peak_rss_mb", 0.0)
    summary.seconds = time.perf_counter() - t0
    return results, summary


def run_corpus(
    settings: RunSettings,
    on_start: Callable[[int], None] | None = None,
    on_document: Callable[[ShardRef], None] | None = None,
) -> RunSummary:
    """Run a batch; see the module docstring for the steps.

    Args:
        settings: corpus, output folder, engine and limits.
        on_start: called with the number of documents to extract, before the first.
        on_document: called with each document's reference as it finishes (also for errors).

    Raises:
        OutputError: the output folder cannot be used (nothing was read or written then).
        SettingsError: two files give one document id (nothing was read or written then).
        RunFault: the output folder failed mid-run, or workers could not be started (nothing
            was published; finished documents are kept).
    """
    from .publish import is_current, recover

    t0, cpu0 = time.perf_counter(), time.process_time()
    summary = RunSummary()
    found = discover(settings)  # before the output folder is touched
    if not (found[0] or any(p.is_document for p in found[1])):
        summary.warnings += [f"{p.path}: {p.reason}" for p in found[1]]
        return summary  # nothing to read: the published tables stay as they are
    check_output(settings.out)
    if settings.engine == "local" and (settings.redo or not (settings.out / "published.json").is_file()):
        _start_workers_early()  # documents will be read: the workers' server loads meanwhile
    stats: dict = {}
    with _Lock(settings.out):
        try:
            recover(settings.out)
            by_name: dict[str, Task] = {}
            tasks, reused, failed = plan(settings, summary, found, by_name)
            if not (tasks or reused or failed):
                return summary  # nothing to read: the published tables stay as they are
            summary.reused = len(reused)
            log.debug(
                "%d documents: %d to extract, %d unchanged (shards reused), %d not readable as files",
                len(tasks) + len(reused) + len(failed),
                len(tasks),
                len(reused),
                len(failed),
            )
            refs = list(reused)
            for task, reason in failed:
                by_name[task.name] = task
                ref = error_shard(task, reason, cache=False)
                refs.append(ref)
                if on_document:
                    on_document(ref)
            if tasks and settings.engine == "local":
                _start_workers_early()
            problems = {task.rel: reason for task, reason in failed}
            # the tables are merged while the documents are read (a run that reads none checks first
            # whether the published set is already this one)
            merger = _streamed_merge(settings, tasks, refs) if tasks or failed else None
            try:
                if on_start:
                    on_start(len(tasks))
                refs += _extract(settings, tasks, stats, summary, on_document, merger.add if merger else None)
                refs.sort(key=lambda r: (r.doc_id, r.source_path, r.name))
                names = [r.name for r in refs]
                if summary.extracted or failed or not is_current(settings.out, names, settings.metadata):
                    if merger is not None and merger.publish() is not None:
                        _check_published(settings.out)
                    else:
                        refs = _publish(settings, refs, by_name, problems, stats, summary, on_document)
                    summary.merged = True
            finally:
                if merger is not None:
                    merger.stop()
            prune(shards_dir(settings.out), {r.name for r in refs})
        except OSError as exc:
            raise RunFault(_output_failed(settings.out, exc)) from None
    summary.peak_worker_rss_mb = stats.get("peak_rss_mb", 0.0)
    summary.documents = len(refs)
    summary.commitments = sum(r.n_commitments for r in refs)
    summary.errors = sum(1 for r in refs if r.status != "ok")
    summary.seconds = time.perf_counter() - t0
    summary.cpu_seconds = time.process_time() - cpu0 + stats.get("worker_cpu_s", 0.0)
    return summary


def pyarrow_without_numpy() -> None:
    """Import pyarrow in this process without numpy (~0.09 s of a run's start), when neither is loaded.

    For a process that ends with the run (``plan-extract run``) with local workers: its
    supervisor only moves Arrow tables between Parquet files and writes error rows of plain
    Python values, and pyarrow imports numpy only to convert numpy values.  pyarrow then works
    without numpy for the rest of the process (numpy itself can still be imported).
    """
    import sys

    if "pyarrow" in sys.modules or "numpy" in sys.modules:
        return
    from ..unimportable import unimportable

    try:
        with unimportable("numpy", "numpy is not needed by the supervisor"):
            import pyarrow  # noqa: F401
    except ImportError:  # a pyarrow that needs numpy: it is imported with it when first used
        pass


def _start_workers_early() -> None:
    from .pool import start_early

    start_early()


def _streamed_merge(settings: RunSettings, tasks: list[Task], refs: list[ShardRef]):
    """A :class:`~.publish.StreamedMerge` of every document of the run, fed the shards already there."""
    from ..readers import doc_id_from_path
    from .publish import StreamedMerge

    if settings.process_ends_with_run and settings.engine == "local":
        pyarrow_without_numpy()  # the workers' server is loading meanwhile

    order = [(r.doc_id, r.source_path, r.name) for r in refs] + [
        (doc_id_from_path(t.rel), t.rel, t.name) for t in tasks
    ]
    merger = StreamedMerge(settings.out, shards_dir(settings.out), order, settings.metadata)
    for ref in refs:
        merger.add(ref)
    return merger


def _check_published(out: Path) -> None:
    from .publish import set_problem

    problem = set_problem(out)
    if problem:  # changed under the run while it published
        raise RunFault(f"the tables just published in {out} do not verify: {problem}; run again")


def _extract(
    settings: RunSettings,
    tasks: list[Task],
    stats: dict,
    summary: RunSummary,
    on_document: Callable[[ShardRef], None] | None,
    on_ref: Callable[[ShardRef], None] | None = None,
) -> list[ShardRef]:
    """Extract ``tasks`` with the chosen engine; the references of their shards (each also given
    to ``on_ref`` as it comes: the streamed merge)."""
    # largest first: the long documents start early and the pool's tail is short (the merged
    # tables do not depend on the order documents finish in)
    tasks = sorted(tasks, key=lambda t: (-_size(t.path), t.rel))
    refs = []
    for ref in _engine(settings, tasks, stats):
        refs.append(ref)
        if on_ref is not None:
            on_ref(ref)
        summary.extracted += 1
        if on_document:
            on_document(ref)
    return refs


def _publish(
    settings: RunSettings,
    refs: list[ShardRef],
    by_name: dict[str, Task],
    problems: dict[str, str],
    stats: dict,
    summary: RunSummary,
    on_document,
) -> list[ShardRef]:
    """Merge and publish; a document whose shard is missing or damaged is read again first.

    Returns:
        the references the published set was merged from.
    """
    from .publish import merge_and_publish

    store = shards_dir(settings.out)
    by_rel = {t.rel: t for t in by_name.values()}
    for attempt in range(3):
        try:
            merge_and_publish(settings.out, store, refs, settings.metadata)
            break
        except ShardDamaged as exc:
            if attempt == 2:
                raise RunFault(
                    f"stored results in {store} are damaged again as soon as they are written "
                    f"(first: {exc.names[0]}): check the disk"
                ) from None
            damaged = [r for r in refs if r.name in set(exc.names)]
            kept = [r for r in refs if r.name not in set(exc.names)]
            redone = [
                error_shard(by_rel[r.source_path], problems[r.source_path], cache=False)
                for r in damaged
                if r.source_path in problems
            ]
            again = [by_rel[r.source_path] for r in damaged if r.source_path not in problems]
            redone += _extract(settings, again, stats, summary, on_document)
            docs = sorted({r.doc_id for r in damaged})
            summary.warnings.append(
                f"{len(docs)} document(s) read again: their stored results were missing or "
                f"damaged ({docs[0]}{', …' if len(docs) > 1 else ''})"
            )
            refs = sorted(kept + redone, key=lambda r: (r.doc_id, r.source_path, r.name))
    _check_published(settings.out)
    return refs


def _output_failed(out: Path, exc: OSError) -> str:
    """The one line for an output folder that failed mid-run."""
    from ..outputs.console import printable

    where = f" ({printable(exc.filename)})" if exc.filename else ""
    return (
        f"the output folder {printable(out)} failed mid-run: {exc.strerror or exc}{where}; the previous "
        "tables and every finished document are kept: free space or fix permissions and run again"
    )
