"""The Dask engine: the same per-document task mapped over the files with ``dask.distributed``.

``plan-extract run --engine dask`` starts a :class:`distributed.LocalCluster` (one single-threaded
worker process per job, localhost only); ``--scheduler ADDRESS`` uses a running cluster
instead.  Workers write each document's shard to the output folder themselves, so that folder
must be one every worker sees at the same path (a shared file system); the client only
collects the small shard references and merges the tables exactly as the local engine does,
so the output is identical.

Limits: the memory limit is the workers' (``memory_limit`` of the LocalCluster; a remote
cluster keeps its own), and a worker that dies under a document makes that document an error
row (``KilledWorker``).  The time limit is enforced inside the task: a document past it becomes
an error row and the batch goes on, but Dask cannot stop a running thread, so the abandoned
extraction keeps its worker busy until it ends (the local engine kills the process instead).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Iterator

from ..outputs.console import printable
from .limits import Limits, cap_jobs
from .shards import ShardRef, write_shard
from .tasks import Task, error_shard, extract_rows

log = logging.getLogger(__name__)


def run_task_with_time_limit(task: Task, time_limit: float) -> ShardRef:
    """:func:`~extract.batch.tasks.run_task` with a time limit, for a Dask worker thread."""
    box: dict = {}

    def work() -> None:
        try:
            box["rows"] = extract_rows(task)
        except BaseException as exc:  # noqa: BLE001 - becomes the document's error row
            box["error"] = exc

    thread = threading.Thread(target=work, name=f"plan-extract {task.rel}", daemon=True)
    thread.start()
    thread.join(time_limit or None)
    if thread.is_alive():
        return error_shard(task, f"time limit {time_limit:g} s exceeded")
    if "error" in box:
        from ..readers import reason_for

        return error_shard(task, reason_for(box["error"]))
    name, rows, cache = box["rows"]
    return write_shard(Path(task.shards_root), name, rows, cache=cache)


def _reason(exc: BaseException) -> str:
    name = type(exc).__name__
    if name == "KilledWorker":
        return "worker killed (dask KilledWorker): out of memory?"
    if name == "CancelledError":
        return "task cancelled by the dask scheduler"
    from ..readers import reason_for

    return reason_for(exc)


def run_dask(
    tasks: list[Task], scheduler: str | None = None, jobs: int = 1, limits: Limits = Limits(), stats: dict | None = None
) -> Iterator[ShardRef]:
    """Extract ``tasks`` on a Dask cluster; yield shard references as documents finish.

    Args:
        tasks: the documents to extract.
        scheduler: address of a running scheduler; None starts a LocalCluster with ``jobs`` workers.
        jobs: LocalCluster workers (capped at the cores).
        limits: per-document time limit; memory limit per LocalCluster worker.

    Raises:
        RuntimeError: ``dask.distributed`` is not installed.
    """
    try:
        import dask
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise RuntimeError("the dask engine needs dask.distributed: pip install 'plan-extract[dask]'") from exc
    cluster = None
    with dask.config.set(
        {
            "distributed.scheduler.allowed-failures": 1,
            "distributed.worker.daemon": False,
            "distributed.admin.tick.limit": "1h",
        }
    ):
        if scheduler:
            client = Client(scheduler, timeout="30s")
        else:
            cluster = LocalCluster(
                n_workers=cap_jobs(jobs),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
                memory_limit=f"{limits.memory_mb}MiB" if limits.memory_mb else 0,
            )
            client = Client(cluster)
        try:
            keys = [f"plan-extract-{t.name}" for t in tasks]
            futures = client.map(run_task_with_time_limit, tasks, time_limit=limits.time_s, key=keys, pure=False)
            by_key = {f.key: t for f, t in zip(futures, tasks)}
            for fut in as_completed(futures):
                task = by_key[fut.key]
                try:
                    ref = fut.result()
                except OSError:  # writing its shard failed: the output folder, not the document
                    raise
                except Exception as exc:  # noqa: BLE001 - a lost task is that document's error row
                    reason = _reason(exc)
                    log.info("%s: %s", printable(task.rel), reason)
                    ref = error_shard(task, reason)
                fut.release()
                yield ref
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    if stats is not None:
        stats.setdefault("peak_rss_mb", 0.0)
