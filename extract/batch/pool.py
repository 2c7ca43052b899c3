"""A supervised pool of worker processes: no document can cost the batch.

Each document runs in a worker process (also with ``jobs=1``), one document at a time per
worker.  The supervisor, a single loop in the calling thread, hands out tasks and watches:

- a worker that dies (the kernel's OOM killer, a crash in a C library) becomes an error row
  for its document ("worker killed (signal 9): out of memory?") and is replaced;
- a document that runs past the time limit has its worker killed ("time limit 300 s exceeded");
- a worker whose memory (resident set) passes the memory limit is killed ("memory limit
  2048 MB exceeded"); its address space is also capped (``RLIMIT_AS``: the limit plus what the
  warmed-up worker already maps), so a fast allocation fails inside the worker instead.

A worker that cannot be started (the fork server killed under it) is started again, up to
:data:`_START_ATTEMPTS` times, then the run stops with one line
(:class:`~extract.batch.faults.RunFault`); a document whose worker was lost with the fork server
(its status unknown: exit 255) is not blamed but handed out again (at most
:data:`_LOST_RETRIES` times).  An exception of a ``fatal`` type raised in a worker (writing
the shard failed: the output folder, not the document) stops the run the same way.

Workers die with the supervisor: on Linux through ``prctl(PR_SET_PDEATHSIG, SIGKILL)``, with a
thread watching the parent process as a fallback elsewhere.  A worker's log records (the
package's loggers) are sent to the supervisor and logged there, where the caller set up logging.  Workers start from a fork server
(Linux) or by spawning, never by forking the (possibly threaded) caller.
"""

from __future__ import annotations

import collections
import logging
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from multiprocessing.connection import wait
from typing import Callable, Iterator

from ..outputs.console import printable
from .faults import RunFault
from .limits import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT, MAX_JOBS, Limits, cap_jobs  # noqa: F401 - re-exported

log = logging.getLogger(__name__)

_POLL = 0.1  # seconds between checks of time and memory
_START_TIMEOUT = 120.0  # a new worker must load its dictionaries within this
_START_ATTEMPTS = 4  # tries to start a worker (a fork server killed is started again)
_LOST_RETRIES = 2  # times a document is handed out again after its worker was lost
LOST = 255  # multiprocessing's exit code for a worker whose status the dead fork server took


# --- inside a worker ---------------------------------------------------------------------------

WORKER_NAME = b"pe-worker"  # the process name workers show in ps/top (/proc/PID/comm)


def _die_with_parent() -> None:
    """Make this process die when its parent does (Linux: PR_SET_PDEATHSIG; else a watcher thread)."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG, PR_SET_NAME = 1, 15
            libc.prctl(PR_SET_NAME, ctypes.c_char_p(WORKER_NAME), 0, 0, 0)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before the call
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _cap_address_space(memory_mb: int) -> None:
    """Cap the address space at what is mapped now plus the memory limit (a backstop)."""
    if not memory_mb:
        return
    try:
        import resource

        mapped = _vm_bytes()
        if mapped:
            soft = mapped + memory_mb * 2**20
            _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            resource.setrlimit(resource.RLIMIT_AS, (soft if hard < 0 else min(soft, hard), hard))
    except (ImportError, ValueError, OSError):
        pass


class _ForwardHandler(logging.Handler):
    """Sends a worker's log records to the supervisor, which logs them where the caller set up logging."""

    def __init__(self, conn):
        super().__init__()
        self.conn = conn

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.conn.send(("log", record.name, record.levelno, record.getMessage()))
        except Exception:  # noqa: BLE001 - logging must never break the work
            self.handleError(record)


def _forward_logging(conn, level: int) -> None:
    """The package's records in this worker go to the supervisor (no output set up here)."""
    logger = logging.getLogger("extract")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.addHandler(_ForwardHandler(conn))
    logger.setLevel(level)
    logger.propagate = False


def _worker_main(
    conn,
    fn: Callable,
    warm: Callable | None,
    warm_arg,
    memory_mb: int,
    umask: int,
    log_level: int = logging.WARNING,
    fatal: tuple = (),
) -> None:
    _die_with_parent()
    os.umask(umask)  # the caller's, not the fork server's: files get the permissions the run would
    _forward_logging(conn, log_level)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C and SIGTERM are the supervisor's to handle
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if warm is not None:
        try:
            warm(warm_arg)
        except Exception:  # noqa: BLE001 - a failing warm-up shows again, per document
            log.debug("warm-up failed", exc_info=True)
    _cap_address_space(memory_mb)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        index, task = msg
        try:
            conn.send(("start", index))  # the document's time starts now, not at the warm-up
        except OSError:  # the supervisor gave this worker up (its fork server died): end quietly
            return
        result: tuple[object, bool | None, object]  # ok None: a fatal exception, raised again by the supervisor
        try:
            result = (index, True, fn(task))
        except MemoryError:
            result = (index, False, f"memory limit {memory_mb} MB exceeded")
        except fatal as exc:  # not the document's fault: raised again in the supervisor
            result = (index, None, exc)
        except BaseException as exc:  # noqa: BLE001 - reported as the document's error
            result = (index, False, f"{type(exc).__name__}: {exc}".splitlines()[0][:300])
        try:
            conn.send(result + (_usage(),))
        except OSError:
            return


def _usage() -> tuple[float, float]:
    """CPU seconds and peak resident MB of this process so far."""
    try:
        import resource

        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024  # ru_maxrss: kB on Linux
    except ImportError:
        return time.process_time(), 0.0


# --- the supervisor ---------------------------------------------------------------------------


# loaded by the fork server only: the shipped rules (preload), a quick exit (server_exit)
_SERVER_MODULES = ("extract.batch.preload", "extract.batch.server_exit")


def _context():
    if sys.platform.startswith("linux"):
        ctx = mp.get_context("forkserver")
        try:
            # "__main__": the caller's main script (plan-extract's) is imported once, in the server,
            # instead of again in every worker
            ctx.set_forkserver_preload(["__main__", "extract.pipeline", "extract.batch.tasks", *_SERVER_MODULES])
        except Exception:  # noqa: BLE001 - preloading is only a speed-up
            pass
        return ctx
    return mp.get_context("spawn")


def start_early() -> None:
    """Start the fork server now: it loads the rules in the background while the caller plans the run."""
    ctx = _context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        try:
            forkserver.ensure_running()
        except Exception:  # noqa: BLE001 - the pool starts it (or reports why not) when it needs it
            pass


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def death_reason(exitcode: int | None) -> str:
    """One line for a worker that died under a document.

    >>> death_reason(-9)
    'worker killed (signal 9): out of memory?'
    """
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        if sig == signal.SIGKILL:
            return f"worker killed (signal {sig}): out of memory?"
        if sig == signal.SIGABRT:  # a C++ library's bad_alloc at the address-space cap
            return f"worker killed (signal {sig}, {name}): out of memory in a library?"
        return f"worker killed (signal {sig}, {name})"
    if exitcode == LOST:
        return "worker lost with the fork server (killed from outside?)"
    return f"worker exited with status {exitcode} while reading the document"


class _Worker:
    def __init__(self, ctx, fn, warm, warm_arg, memory_mb, fatal=()):
        self.conn, child = ctx.Pipe()
        umask = os.umask(0)
        os.umask(umask)
        level = logging.getLogger("extract").getEffectiveLevel()
        self.proc = ctx.Process(
            target=_worker_main,
            args=(child, fn, warm, warm_arg, memory_mb, umask, level, fatal),
            daemon=True,
            name="plan-extract-worker",
        )
        try:
            self.proc.start()
        except BaseException:
            self.conn.close()
            raise
        finally:
            child.close()
        self.server_pid = _fork_server_pid()  # the process that forked it (None without a fork server)
        self.job = None  # (index, task, started: None until the worker says so)
        self.cpu_s, self.peak_mb = 0.0, 0.0  # as the worker last reported them
        self.sent = time.monotonic()  # when the current task was handed over
        self.peak_rss = 0

    def lost(self) -> bool:
        """Whether the worker died with its fork server (its exit status lost or its death the server's)."""
        if self.proc.exitcode == LOST:
            return True
        return self.proc.exitcode == -signal.SIGKILL and self.server_pid is not None and not _alive(self.server_pid)

    def kill(self) -> None:
        try:
            self.proc.kill()
        except (OSError, AttributeError, ValueError):
            pass
        self.proc.join(5)
        self.conn.close()


def _fork_server_pid() -> int | None:
    try:
        from multiprocessing import forkserver

        return forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    except (ImportError, AttributeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    try:  # a zombie (dead, not yet reaped) is not alive
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def _start_worker(ctx, fn, warm, warm_arg, memory_mb, fatal) -> _Worker:
    """A new worker; a fork server that died is started again.

    Raises:
        RunFault: no worker could be started.
    """
    for attempt in range(_START_ATTEMPTS):
        try:
            return _Worker(ctx, fn, warm, warm_arg, memory_mb, fatal)
        except (OSError, EOFError, ConnectionError) as exc:
            log.info("starting a worker failed (%s): trying again", exc)
            reason = exc
            time.sleep(0.2 * (attempt + 1))
    raise RunFault(f"cannot start worker processes: {type(reason).__name__}: {reason}")


def run_supervised(
    tasks: list,
    fn: Callable,
    on_failure: Callable[[object, str], object],
    jobs: int = 1,
    limits: Limits = Limits(),
    warm: Callable | None = None,
    warm_arg=None,
    stats: dict | None = None,
    fatal: tuple = (),
) -> Iterator[object]:
    """Run ``fn(task)`` for every task in worker processes; yield results as they finish.

    Args:
        tasks: picklable tasks.
        fn: a module-level function (picklable by name) run in a worker.
        on_failure: ``on_failure(task, reason)`` gives the result for a task whose worker died,
            ran out of time or memory, or raised; it runs in the supervisor.
        jobs: worker processes (capped by :func:`cap_jobs`).
        limits: per-document time and memory limits.
        warm: called once in each new worker with ``warm_arg`` (loading dictionaries).
        stats: if given, receives ``peak_rss_mb`` (largest worker resident set: sampled, and as
            the workers report it), ``worker_cpu_s`` (CPU seconds the workers reported, warm-up
            included) and ``workers_started``.
        fatal: exception types that, raised by ``fn``, stop the run instead of failing the task:
            the exception is raised again here.

    Raises:
        RunFault: workers could not be started.
    """
    ctx = _context()
    jobs = min(cap_jobs(jobs), max(1, len(tasks)))
    pending = collections.deque(enumerate(tasks))
    workers: list[_Worker] = []
    retired: list[_Worker] = []
    lost: collections.Counter = collections.Counter()  # task index -> workers lost under it
    stillborn = 0  # workers in a row that died as they started
    peak = 0
    try:
        while pending or any(w.job for w in workers):
            for w in list(workers):
                if w.job is None and not w.proc.is_alive():  # died while idle: blame no document
                    w.kill()
                    workers.remove(w)
                    retired.append(w)
            for w in workers:
                if w.job is None and pending:
                    index, task = pending.popleft()
                    try:
                        w.conn.send((index, task))
                        w.job, w.sent = (index, task, None), time.monotonic()
                    except (OSError, ValueError):
                        pending.appendleft((index, task))
                        w.job = ("dead", None, 0.0)
            while len(workers) < jobs and pending:
                workers.append(_start_worker(ctx, fn, warm, warm_arg, limits.memory_mb, fatal))
                w = workers[-1]
                index, task = pending.popleft()
                try:
                    w.conn.send((index, task))
                    w.job, w.sent = (index, task, None), time.monotonic()
                except (OSError, ValueError):  # died as it started (its fork server killed)
                    pending.appendleft((index, task))
                    w.job = ("dead", None, 0.0)
            busy = [w for w in workers if w.job]
            wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=_POLL)
            now = time.monotonic()
            for w in busy:
                index, task, started = w.job
                if index == "dead":  # died before it could take its task (requeued)
                    w.kill()
                    workers.remove(w)
                    retired.append(w)
                    stillborn += 1
                    if stillborn > 2 * _START_ATTEMPTS:
                        raise RunFault("cannot start worker processes: each one dies as it starts")
                    continue
                message = None
                try:
                    while w.conn.poll():
                        message = w.conn.recv()
                        if message[0] == "log":  # a worker's record, logged here
                            _name, level, text = message[1:]
                            logging.getLogger(_name).log(level, "%s", printable(text))
                            message = None
                            continue
                        if message[0] == "start":
                            stillborn = 0
                            w.job = (index, task, time.monotonic())
                            started, message = w.job[2], None
                            continue
                        break
                except (EOFError, OSError):
                    w.proc.join(1)
                    message = (index, False, death_reason(w.proc.exitcode))
                if message is not None:
                    _i, ok, value = message[:3]
                    if len(message) > 3:
                        w.cpu_s, w.peak_mb = message[3]
                    if ok is None:
                        raise value
                    if ok:
                        w.job = None
                        yield value
                        continue
                    reason = value
                    if w.proc.is_alive() and not value.startswith(("worker ", "memory limit")):
                        w.job = None  # the task raised; the worker is fine
                        yield on_failure(task, reason)
                        continue
                elif not w.proc.is_alive():
                    w.proc.join()
                    reason = death_reason(w.proc.exitcode)
                elif limits.time_s and started is not None and now - started > limits.time_s:
                    reason = f"time limit {limits.time_s:g} s exceeded"
                elif started is None and now - w.sent > _START_TIMEOUT:
                    reason = f"worker did not start within {_START_TIMEOUT:g} s"
                else:
                    rss = _rss_bytes(w.proc.pid)
                    w.peak_rss = max(w.peak_rss, rss)
                    peak = max(peak, rss)
                    if not (limits.memory_mb and rss > limits.memory_mb * 2**20):
                        continue
                    reason = f"memory limit {limits.memory_mb} MB exceeded"
                died_with_server = not w.proc.is_alive() and w.lost()  # (not a worker we stop ourselves)
                w.kill()
                workers.remove(w)
                retired.append(w)
                if died_with_server and lost[index] < _LOST_RETRIES:
                    lost[index] += 1  # the fork server died under it: not the document's fault
                    log.info("%s: %s; handed out again", printable(getattr(task, "rel", task)), reason)
                    pending.appendleft((index, task))
                    continue
                log.info("%s: %s", printable(getattr(task, "rel", task)), reason)
                yield on_failure(task, reason)
    finally:
        for w in workers:
            if w.job is None:
                try:
                    w.conn.send(None)
                except (OSError, ValueError):
                    pass
        for w in workers:
            w.proc.join(2 if w.job is None else 0)
            if w.proc.is_alive():
                w.kill()
        if stats is not None:
            everyone = workers + retired
            stats["peak_rss_mb"] = round(max([peak / 2**20] + [w.peak_mb for w in everyone]), 1)
            stats["worker_cpu_s"] = round(sum(w.cpu_s for w in everyone), 2)
            stats["workers_started"] = len(everyone)
