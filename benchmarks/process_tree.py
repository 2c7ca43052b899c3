"""Measure a ``plan-extract`` command over its whole process tree (supervisor, fork server, workers).

The fork server and its workers outlive the main process, so the main process's own
``cpu_seconds`` and ``time -v`` miss part of the CPU.  :func:`measure` runs the command as a
child of this process marked as a *child subreaper* (Linux ``PR_SET_CHILD_SUBREAPER``): every
descendant orphaned on the way (the fork server when the supervisor exits, a worker whose server
died) is re-parented here, and reaping all of them makes ``RUSAGE_CHILDREN`` the exact sum over
the tree.  Beside the total it reports, from ``/proc`` (sampled every 20 ms):

- the supervisor's own CPU and peak resident set (exact: the child reports its ``RUSAGE_SELF``
  CPU and its ``VmHWM`` when the command returns);
- the workers' CPU (the last value sampled per worker; the worker's final instants are missed,
  so the fork server's share, the rest, is an upper bound) and their peak resident set.

Usage as a script: ``python benchmarks/process_tree.py plan-extract run CORPUS -o OUT`` prints
the figures of one run.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

_SAMPLE_S = 0.02
_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")

# run the ``plan-extract`` console script in the child as a user does (its workers see it as
# their main module), then write the child's own usage to a file
_CHILD = """\
import json, resource, runpy, sys, time
t0 = time.perf_counter()
report, script = sys.argv[1], sys.argv[2]
sys.argv = [script] + sys.argv[3:]
try:
    runpy.run_path(script, run_name="__main__")
    rc = 0
except SystemExit as exc:
    rc = exc.code if isinstance(exc.code, int) else 1
ru = resource.getrusage(resource.RUSAGE_SELF)
# the peak of this process's own memory (VmHWM: ru_maxrss would keep the parent's from before exec)
with open("/proc/self/status") as fh:
    hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
with open(report, "w") as fh:
    json.dump({"cpu": ru.ru_utime + ru.ru_stime, "maxrss_mb": hwm / 1024, "rc": rc,
               "wall": time.perf_counter() - t0}, fh)
sys.exit(rc)
"""


@dataclass
class TreeUsage:
    """CPU seconds and peak memory of one command's whole process tree."""

    wall: float = 0.0
    cpu: float = 0.0  # every process of the tree (exact)
    supervisor_cpu: float = 0.0  # the main process (exact)
    workers_cpu: float = 0.0  # the worker processes (sampled: a lower bound)
    supervisor_peak_mb: float = 0.0
    worker_peak_mb: float = 0.0
    workers: int = 0
    returncode: int = 0
    stderr: str = ""
    processes: dict[int, dict] = field(default_factory=dict)

    @property
    def fork_server_cpu(self) -> float:
        """The rest of the tree: the fork server (and anything else it started)."""
        return max(0.0, self.cpu - self.supervisor_cpu - self.workers_cpu)


def _set_subreaper() -> None:
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _children_of(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return out


def _sample(pid: int) -> dict | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
        with open(f"/proc/{pid}/status") as fh:
            status = fh.read()
    except OSError:
        return None
    comm = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    cpu = (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime of the process itself
    hwm = next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0.0)
    return {"comm": comm, "cpu": cpu, "hwm_mb": hwm}


def _walk(root: int) -> list[int]:
    seen, todo = [], [root]
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo += _children_of(pid)
    return seen


def measure(argv: list[str], cwd: str | Path | None = None, env: dict | None = None) -> TreeUsage:
    """Run ``plan-extract ARGV`` (``argv`` without the program name) and measure its whole tree."""
    _set_subreaper()
    while True:  # earlier orphans must not count in this run
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                break
        except ChildProcessError:
            break
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as fh:
        report = fh.name
    usage = TreeUsage()
    t0 = time.perf_counter()
    script = str(Path(sys.executable).with_name("plan-extract"))
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, report, script, *argv],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: dict[int, dict] = {}
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for pid in _walk(proc.pid):
                s = _sample(pid)
                if s is not None:
                    if pid in seen and seen[pid]["comm"] != s["comm"]:
                        s["first_comm"] = seen[pid].get("first_comm", seen[pid]["comm"])
                    old = seen.get(pid, {})
                    s["cpu"] = max(s["cpu"], old.get("cpu", 0.0))  # a zombie keeps its times
                    s["hwm_mb"] = max(s["hwm_mb"], old.get("hwm_mb", 0.0))  # ... but not its memory
                    seen[pid] = {**old, **s}
            time.sleep(_SAMPLE_S)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    usage.stderr = proc.communicate()[1]
    usage.returncode = proc.returncode
    # the fork server and any worker left: orphans re-parented here; wait for every one
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
    done.set()
    watcher.join()
    usage.wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    usage.cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    try:
        mine = json.loads(Path(report).read_text())
        usage.supervisor_cpu, usage.supervisor_peak_mb = mine["cpu"], mine["maxrss_mb"]
    except (OSError, ValueError, KeyError):
        pass
    finally:
        Path(report).unlink(missing_ok=True)
    workers = {pid: s for pid, s in seen.items() if s["comm"] == "pe-worker"}
    usage.workers = len(workers)
    usage.workers_cpu = sum(s["cpu"] for s in workers.values())
    usage.worker_peak_mb = max([s["hwm_mb"] for s in workers.values()] + [0.0])
    usage.processes = seen
    return usage


def describe(u: TreeUsage) -> str:
    """One line: total CPU and how the tree shares it, peak memory."""
    return (
        f"CPU {u.cpu:6.2f} s (supervisor {u.supervisor_cpu:.2f}, fork server {u.fork_server_cpu:.2f}, "
        f"{u.workers} workers {u.workers_cpu:.2f}), wall {u.wall:.2f} s, peak: supervisor "
        f"{u.supervisor_peak_mb:.0f} MB, worker {u.worker_peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and Path(args[0]).name == "plan-extract":
        args = args[1:]
    if not args:
        print(__doc__)
        sys.exit(2)
    u = measure(args)
    sys.stderr.write(u.stderr)
    print(describe(u))
    sys.exit(u.returncode)
