"""Faults of the machine, injected at each step of a run: the next run's tables equal a clean run's.

Each test stops or damages a run the way a real machine does (a run killed between two renames,
its journal or state folder deleted, a shard truncated, a file changing under the run, the
disk filling up, the output folder made unwritable, the fork server or the run itself killed)
and checks three things: nothing is lost or mixed silently (readers say so in one line), the
fault is one line on stderr with exit 1 (never a traceback), and the next run ends with the
same tables, byte for byte, as a clean run of the same corpus.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import extract
from extract.batch import publish, runner
from extract.batch.publish import JOURNAL, MANIFEST, PublishedSetError
from extract.batch.runner import RunSettings, run_corpus
from extract.batch.shards import read_ref
from extract.batch.tasks import CHANGED_WHILE_READ
from extract.cli import main

from .conftest import CORPUS

pytestmark = pytest.mark.slow  # worker processes and killed runs: `make test-fast` leaves these out

SEEDS = sorted(CORPUS.glob("*.txt"))
TABLES = ("commitments", "documents", "sections", "likely_misses")


def _corpus(tmp_path: Path, n: int = 2) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in SEEDS[:n]:
        shutil.copy(p, corpus / p.name)
    return corpus


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> tuple[Path, Path]:
    """A corpus of two plans and the output of one clean run of it (copied by each test)."""
    base = tmp_path_factory.mktemp("first_run")
    corpus = _corpus(base)
    run_corpus(RunSettings(corpus, base / "out"))
    return corpus, base / "out"


def _after_a_run(tmp_path: Path, first_run: tuple[Path, Path]) -> tuple[Path, Path]:
    """This test's own copy of the corpus and of its published output."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(first_run[0], corpus)
    shutil.copytree(first_run[1], out)
    return corpus, out


def _tables(out: Path) -> dict[str, bytes]:
    return {t: (out / f"{t}.parquet").read_bytes() for t in TABLES}


_CLEAN: dict[tuple, dict[str, bytes]] = {}


def _clean(tmp_path: Path, corpus: Path, cli: bool = False) -> dict[str, bytes]:
    """The tables a clean run of ``corpus`` writes (``cli``: through the command line, which adds
    the corpus folder to documents.parquet's metadata, like the runs it is compared with); one
    run per corpus content, shared by the tests."""
    key = (cli, tuple(sorted((p.name, p.read_bytes()) for p in corpus.iterdir())))
    if key not in _CLEAN:
        fresh = tmp_path / "clean"
        shutil.rmtree(fresh, ignore_errors=True)
        if cli:
            assert main(["run", str(corpus), "-o", str(fresh), "-q"]) in (0, 1)
        else:
            run_corpus(RunSettings(corpus, fresh))
        _CLEAN[key] = _tables(fresh)
    return _CLEAN[key]


def _one_line(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _readers_refuse(out: Path, capsys, fragment: str) -> None:
    """``read_output``, ``compare``, ``show`` and ``audit`` each say in one line that the set is not whole."""
    with pytest.raises(PublishedSetError, match=fragment):
        extract.read_output(out)
    for argv in (["compare", "-o", str(out)], ["show", "0", "-o", str(out)], ["audit", "-o", str(out)]):
        capsys.readouterr()
        assert main(argv) == 2
        assert fragment in _one_line(capsys.readouterr().err)


# --- publication ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stop_after,journal_deleted", [(1, False), (2, False), (3, False), (4, False), (5, False), (2, True), (5, True)]
)
def test_a_run_stopped_after_any_rename_is_reported_by_readers_and_repaired(
    tmp_path, first_run, monkeypatch, capsys, stop_after, journal_deleted
):
    corpus, out = _after_a_run(tmp_path, first_run)
    shutil.copy(SEEDS[2], corpus / SEEDS[2].name)
    real_replace, renamed = os.replace, []

    def stops(src, dst):
        real_replace(src, dst)
        if Path(dst).parent == out:
            renamed.append(Path(dst).name)
            if len(renamed) == stop_after:
                raise KeyboardInterrupt("killed between two renames")

    monkeypatch.setattr(publish.os, "replace", stops)
    with pytest.raises(KeyboardInterrupt):
        run_corpus(RunSettings(corpus, out))
    monkeypatch.setattr(publish.os, "replace", real_replace)
    assert (renamed[-1] == MANIFEST) == (stop_after == 5)  # the manifest is renamed last
    if journal_deleted:
        (out / ".plan-extract" / JOURNAL).unlink()
    if stop_after < 5 or not journal_deleted:  # the last rename leaves a whole set: nothing to say
        _readers_refuse(out, capsys, "not one complete set")
    summary = run_corpus(RunSettings(corpus, out))
    assert summary.reused == 3 and summary.extracted == 0  # every finished document kept
    assert _tables(out) == _clean(tmp_path, corpus)
    extract.read_output(out)
    assert not (out / ".plan-extract" / JOURNAL).exists() and not list((out / ".plan-extract").glob("staging-*"))


def test_a_journal_deleted_while_publishing_does_not_lose_the_set(tmp_path, first_run, monkeypatch):
    corpus, out = _after_a_run(tmp_path, first_run)
    shutil.copy(SEEDS[2], corpus / SEEDS[2].name)
    real = publish._write_json

    def write_then_lose(path, data):
        real(path, data)
        if path.name == JOURNAL:
            path.unlink()

    monkeypatch.setattr(publish, "_write_json", write_then_lose)
    summary = run_corpus(RunSettings(corpus, out))
    assert summary.documents == 3 and summary.merged
    assert len(pq.read_table(out / "documents.parquet")) == 3
    assert _tables(out) == _clean(tmp_path, corpus)


def test_a_corrupted_published_table_is_reported_and_repaired(tmp_path, first_run, capsys):
    corpus, out = _after_a_run(tmp_path, first_run)
    good = _tables(out)
    damaged = bytearray(good["commitments"])
    damaged[len(damaged) // 2] ^= 0xFF
    (out / "commitments.parquet").write_bytes(bytes(damaged))
    _readers_refuse(out, capsys, "commitments.parquet does not match published.json")
    summary = run_corpus(RunSettings(corpus, out))
    assert summary.merged and summary.reused == 2 and _tables(out) == good
    (out / "sections.parquet").unlink()
    _readers_refuse(out, capsys, "sections.parquet is missing")
    run_corpus(RunSettings(corpus, out))
    assert _tables(out) == good


# --- shards and state ----------------------------------------------------------------------------


def _shard_of(out: Path, doc_id: str) -> Path:
    shards = out / ".plan-extract" / "shards"
    return next(p for p in shards.iterdir() if (r := read_ref(p)) is not None and r.doc_id == doc_id)


def _truncate(shard: Path) -> None:
    f = shard / "commitments.parquet"
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])


def _flip(shard: Path) -> None:
    f = shard / "commitments.parquet"
    data = bytearray(f.read_bytes())
    data[100] ^= 0x01
    f.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [_truncate, _flip, lambda s: (s / "sections.parquet").unlink()],
    ids=["truncated", "one bit flipped", "a file deleted"],
)
def test_a_damaged_shard_is_read_again_and_the_run_ends_complete(tmp_path, first_run, damage):
    corpus, out = _after_a_run(tmp_path, first_run)
    damage(_shard_of(out, SEEDS[0].stem))
    shutil.copy(SEEDS[2], corpus / SEEDS[2].name)  # a merge is needed
    summary = run_corpus(RunSettings(corpus, out))
    assert summary.extracted == 2 and summary.errors == 0
    assert any("read again" in w and SEEDS[0].stem in w for w in summary.warnings), summary.warnings
    assert _tables(out) == _clean(tmp_path, corpus)
    again = run_corpus(RunSettings(corpus, out))  # and the run after that is a plain re-run
    assert (again.reused, again.extracted, again.warnings) == (3, 0, [])


def _during_the_run(monkeypatch, action) -> None:
    """Run ``action`` right after the run has planned (which shards to reuse is decided)."""
    real_plan = runner.plan

    def plan_then(*args, **kwargs):
        got = real_plan(*args, **kwargs)
        action()
        return got

    monkeypatch.setattr(runner, "plan", plan_then)


@pytest.mark.parametrize("what", ["a shard and its index", "the state folder"])
def test_state_deleted_during_a_run_is_rebuilt_never_rows_missing(tmp_path, monkeypatch, capsys, what):
    corpus, out = _corpus(tmp_path, 3), tmp_path / "out"
    run_corpus(RunSettings(corpus, out))
    (corpus / SEEDS[2].name).write_text(
        SEEDS[2].read_text(encoding="utf-8").replace("2025年", "2026年", 1), encoding="utf-8"
    )
    if what == "the state folder":
        _during_the_run(monkeypatch, lambda: shutil.rmtree(out / ".plan-extract"))
    else:
        _during_the_run(monkeypatch, lambda: shutil.rmtree(_shard_of(out, SEEDS[0].stem)))
    capsys.readouterr()
    assert main(["run", str(corpus), "-o", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    assert "read again" in err and "Traceback" not in err
    assert len(pq.read_table(out / "documents.parquet")) == 3
    monkeypatch.undo()
    assert _tables(out) == _clean(tmp_path, corpus, cli=True)


def test_a_file_that_changes_after_it_is_hashed_and_back_is_read_again(tmp_path, monkeypatch):
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    plan = corpus / SEEDS[1].name
    first = plan.read_bytes()
    changed = first.decode("utf-8").replace("2025年", "2026年").encode("utf-8")
    real_hash = runner.file_sha256

    def hash_then_change(path):
        sha = real_hash(path)
        if path == plan:
            plan.write_bytes(changed)  # the file changes after the run hashed it
        return sha

    monkeypatch.setattr(runner, "file_sha256", hash_then_change)
    run_corpus(RunSettings(corpus, out))
    monkeypatch.undo()
    row = next(d for d in pq.read_table(out / "documents.parquet").to_pylist() if d["doc_id"] == SEEDS[1].stem)
    plan.write_bytes(first)  # and back
    summary = run_corpus(RunSettings(corpus, out))
    assert _tables(out) == _clean(tmp_path, corpus)  # not the changed version's rows
    assert summary.extracted == 1 and summary.reused == 1
    assert CHANGED_WHILE_READ in row["warnings"]  # those were from the version read, and said so


# --- faults of the machine: one line, exit 1, the previous set kept ------------------------------


def test_the_disk_filling_up_while_merging_is_one_line_and_keeps_the_old_set(tmp_path, first_run, monkeypatch, capsys):
    corpus, out = _after_a_run(tmp_path, first_run)
    before = _tables(out)
    shutil.copy(SEEDS[2], corpus / SEEDS[2].name)

    def full(self, table):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish._StreamWriter, "add", full)
    capsys.readouterr()
    assert main(["run", str(corpus), "-o", str(out), "-q"]) == 1
    assert "No space left on device" in _one_line(capsys.readouterr().err)
    assert _tables(out) == before
    extract.read_output(out)  # the old set is whole
    assert read_ref(_shard_of(out, SEEDS[2].stem)) is not None  # the finished document is kept
    monkeypatch.undo()
    summary = run_corpus(RunSettings(corpus, out))
    assert summary.extracted == 0 and summary.reused == 3
    assert _tables(out) == _clean(tmp_path, corpus)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE as on Linux")
def test_writes_failing_in_the_workers_stop_the_run_in_one_line(tmp_path, first_run):
    import resource

    corpus, out = _after_a_run(tmp_path, first_run)
    before = _tables(out)
    shutil.copy(SEEDS[4], corpus / SEEDS[4].name)

    def small_files():  # no file may grow past 12 kB: a shard cannot be written
        resource.setrlimit(resource.RLIMIT_FSIZE, (12_000, 12_000))

    proc = subprocess.run(
        [sys.executable, "-m", "extract", "run", str(corpus), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=small_files,
    )
    assert proc.returncode == 1
    assert "the output folder" in _one_line(proc.stderr) and "File too large" in proc.stderr
    assert _tables(out) == before
    run_corpus(RunSettings(corpus, out))
    assert _tables(out) == _clean(tmp_path, corpus)


def test_an_output_folder_made_unwritable_after_the_lock_is_one_line(tmp_path, first_run, monkeypatch, capsys):
    corpus, out = _after_a_run(tmp_path, first_run)
    before = _tables(out)
    shutil.copy(SEEDS[2], corpus / SEEDS[2].name)
    shards = out / ".plan-extract" / "shards"

    def block():  # (chmod does not stop root: a file where the folder was)
        shutil.rmtree(shards)
        shards.write_text("in the way")

    _during_the_run(monkeypatch, block)
    capsys.readouterr()
    assert main(["run", str(corpus), "-o", str(out), "-q"]) == 1
    assert "the output folder" in _one_line(capsys.readouterr().err)
    assert _tables(out) == before
    monkeypatch.undo()
    shards.unlink()
    run_corpus(RunSettings(corpus, out))
    assert _tables(out) == _clean(tmp_path, corpus)


psutil = pytest.importorskip("psutil")
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork server and PDEATHSIG are Linux")


def _children(pid: int, cond) -> list:
    try:
        kids = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for k in kids:
        try:
            if cond(k):
                found.append(k)
        except psutil.Error:
            pass
    return found


def _wait_for(cond, timeout: float = 60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = cond()
        if got:
            return got
        time.sleep(0.02)
    raise AssertionError("timed out")


def _start(corpus: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "extract", "run", str(corpus), "-o", str(out), "-q", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _is_fork_server(p) -> bool:
    # the workers are forked from it and share its command line: the server is the one whose parent
    # is not a fork server itself (the run, or the process the run started it from)
    if "forkserver" not in " ".join(p.cmdline()):
        return False
    parent = p.parent()
    return parent is None or "forkserver" not in " ".join(parent.cmdline())


def _is_worker(p) -> bool:
    return p.name() == "pe-worker"


@linux
@pytest.mark.parametrize("when", ["while it starts", "under a running worker"])
def test_a_killed_fork_server_costs_no_document(tmp_path, when):
    corpus, out = _corpus(tmp_path, 4), tmp_path / "out"
    proc = _start(corpus, out, "--jobs", "2")
    server = _wait_for(lambda: _children(proc.pid, _is_fork_server))[0]
    if when == "under a running worker":
        _wait_for(lambda: _children(proc.pid, _is_worker))
    server.kill()
    _stdout, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert _tables(out) == _clean(tmp_path, corpus, cli=True)


@linux
def test_sigterm_ends_the_run_quietly_and_keeps_the_published_set(tmp_path, first_run):
    corpus, out = _after_a_run(tmp_path, first_run)
    before = _tables(out)
    text = SEEDS[2].read_text(encoding="utf-8")
    (corpus / "zz_big.txt").write_text(text * 400, encoding="utf-8")  # seconds of work
    proc = _start(corpus, out, "--jobs", "1")
    workers = _wait_for(lambda: _children(proc.pid, _is_worker))
    everyone = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGTERM)
    _stdout, err = proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert "interrupted" in _one_line(err)
    _gone, alive = psutil.wait_procs(everyone, timeout=10)
    assert not alive and workers
    assert _tables(out) == before
    extract.read_output(out)
    assert not list((out / ".plan-extract").glob("staging-*"))
    (corpus / "zz_big.txt").unlink()
    summary = run_corpus(RunSettings(corpus, out))  # finished documents are kept
    assert (summary.reused, summary.extracted) == (2, 0)
