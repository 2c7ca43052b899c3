"""Batch runs: shards reused and re-read, one published set, limits, killed workers and runs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from extract.batch import publish
from extract.batch.pool import Limits, cap_jobs
from extract.batch.runner import OutputError, RunSettings, check_output, run_corpus
from extract.batch.shards import read_ref
from extract.cli import main

from .conftest import CORPUS

pytestmark = pytest.mark.slow  # worker processes: `make test-fast` leaves these out

SEEDS = sorted(CORPUS.glob("*.txt"))
TABLES = ("commitments", "documents", "sections", "likely_misses")


def _corpus(tmp_path: Path, n: int = 3) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in SEEDS[:n]:
        shutil.copy(p, corpus / p.name)
    return corpus


def _tables(out: Path) -> dict:
    return {t: pq.read_table(out / f"{t}.parquet") for t in TABLES}


def _same(a: Path, b: Path) -> None:
    for t in TABLES:
        assert (a / f"{t}.parquet").read_bytes() == (b / f"{t}.parquet").read_bytes(), t


def test_unchanged_documents_are_reused_and_a_changed_one_is_read_again(tmp_path):
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    first = run_corpus(RunSettings(corpus, out, jobs=2))
    assert (first.documents, first.extracted, first.reused, first.errors) == (3, 3, 0, 0)
    before = (out / "commitments.parquet").stat().st_mtime_ns
    again = run_corpus(RunSettings(corpus, out, jobs=2))
    assert (again.extracted, again.reused, again.merged) == (0, 3, False)
    assert (out / "commitments.parquet").stat().st_mtime_ns == before  # nothing rewritten
    changed = corpus / SEEDS[1].name
    changed.write_text(changed.read_text(encoding="utf-8").replace("2025年", "2026年", 1), encoding="utf-8")
    third = run_corpus(RunSettings(corpus, out, jobs=2))
    assert (third.extracted, third.reused, third.merged) == (1, 2, True)
    fresh = tmp_path / "fresh"
    run_corpus(RunSettings(corpus, fresh, jobs=1, redo=True))
    _same(out, fresh)  # incremental == from scratch, byte for byte
    redo = run_corpus(RunSettings(corpus, out, jobs=1, redo=True))
    assert redo.extracted == 3 and redo.reused == 0


def test_a_removed_document_leaves_the_tables_and_its_shard_goes(tmp_path):
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    run_corpus(RunSettings(corpus, out))
    gone = SEEDS[0].stem
    (corpus / SEEDS[0].name).unlink()
    summary = run_corpus(RunSettings(corpus, out))
    assert summary.documents == 2 and summary.reused == 2
    for t in TABLES:
        assert gone not in set(pq.read_table(out / f"{t}.parquet").column("doc_id").to_pylist())
    assert len(list((out / ".plan-extract" / "shards").iterdir())) == 2


def test_patterns_or_manifest_change_means_the_documents_are_read_again(tmp_path):
    corpus, out = _corpus(tmp_path, 2), tmp_path / "out"
    run_corpus(RunSettings(corpus, out))
    (corpus / "manifest.csv").write_text(f"doc_id,base_year\n{SEEDS[0].stem},2020\n", encoding="utf-8")
    summary = run_corpus(RunSettings(corpus, out))
    assert (summary.extracted, summary.reused) == (1, 1)
    patterns = tmp_path / "patterns"
    shutil.copytree(Path(__file__).resolve().parents[1] / "patterns", patterns)
    with (patterns / "lexicon.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n# a comment changes the folder's hash\n")
    summary = run_corpus(RunSettings(corpus, out, patterns_dir=str(patterns)))
    assert summary.extracted == 2


def test_merged_tables_are_sorted_like_one_whole_batch(tmp_path):
    corpus, out = _corpus(tmp_path, 5), tmp_path / "out"
    run_corpus(RunSettings(corpus, out, jobs=2))
    t = _tables(out)
    docs = t["documents"].column("doc_id").to_pylist()
    assert docs == sorted(docs)
    order = {d: i for i, d in enumerate(docs)}
    rows = t["commitments"].select(["doc_id", "char_start", "commitment_id"]).to_pylist()
    keys = [(order[r["doc_id"]], r["char_start"], r["commitment_id"]) for r in rows]
    assert keys == sorted(keys)
    assert sum(d["n_commitments"] for d in t["documents"].to_pylist()) == len(rows)


def test_streamed_row_groups_keep_every_row(tmp_path, monkeypatch):
    corpus, out = _corpus(tmp_path, 3), tmp_path / "out"
    run_corpus(RunSettings(corpus, out))
    whole = _tables(out)
    monkeypatch.setattr(publish, "ROW_GROUP_ROWS", 7)  # many row groups, several per document
    run_corpus(RunSettings(corpus, out, redo=True))
    for t in TABLES:
        assert pq.read_table(out / f"{t}.parquet").equals(whole[t]), t
    assert pq.ParquetFile(out / "commitments.parquet").num_row_groups > 10


def test_the_merge_streamed_during_extraction_writes_the_tables_of_the_plain_merge(tmp_path):
    """Documents finish in any order; the streamed merge appends each once those before it are in."""
    from extract.batch.shards import shards_dir

    corpus, out = _corpus(tmp_path, 5), tmp_path / "out"
    run_corpus(RunSettings(corpus, out, jobs=2))
    store = shards_dir(out)
    refs = sorted(
        (r for p in store.iterdir() if (r := read_ref(p)) is not None), key=lambda r: (r.doc_id, r.source_path, r.name)
    )
    plain, streamed = tmp_path / "plain", tmp_path / "streamed"
    publish.merge_and_publish(plain, store, refs)
    merger = publish.StreamedMerge(streamed, store, [(r.doc_id, r.source_path, r.name) for r in refs], None)
    for k in (3, 0, 4, 2, 1):  # the order workers finish in
        merger.add(refs[k])
        assert len(merger.done) == {3: 0, 0: 1, 4: 1, 2: 1, 1: 5}[k]
    assert merger.publish() is not None
    _same(plain, streamed)
    lost = publish.StreamedMerge(tmp_path / "lost", store, [(r.doc_id, r.source_path, r.name) for r in refs], None)
    lost.add(refs[0])
    assert lost.publish() is None and not (tmp_path / "lost" / "commitments.parquet").exists()  # one missing: no set


def test_a_run_killed_while_publishing_is_finished_by_the_next_one(tmp_path, monkeypatch):
    corpus, out = _corpus(tmp_path, 2), tmp_path / "out"
    run_corpus(RunSettings(corpus, out))
    (corpus / SEEDS[2].name).write_bytes(SEEDS[2].read_bytes())
    real_replace, calls = os.replace, []

    def dies_after_one(src, dst):
        if str(dst).endswith(".parquet") and Path(dst).parent == out:
            calls.append(dst)
            if len(calls) == 2:
                raise KeyboardInterrupt("killed between two renames")
        return real_replace(src, dst)

    monkeypatch.setattr(publish.os, "replace", dies_after_one)
    with pytest.raises(KeyboardInterrupt):
        run_corpus(RunSettings(corpus, out))
    monkeypatch.setattr(publish.os, "replace", real_replace)
    assert (out / ".plan-extract" / publish.JOURNAL).is_file()  # half published, journal kept
    summary = run_corpus(RunSettings(corpus, out))
    assert summary.reused == 3  # every finished document kept
    assert not (out / ".plan-extract" / publish.JOURNAL).exists()
    fresh = tmp_path / "fresh"
    run_corpus(RunSettings(corpus, fresh, redo=True))
    _same(out, fresh)
    assert not list(out.glob("*.tmp")) and not list((out / ".plan-extract").glob("staging-*"))


def test_the_output_folder_is_checked_before_any_work(tmp_path, capsys):
    corpus = _corpus(tmp_path, 1)
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError):
        check_output(blocker / "out")
    assert main(["run", str(corpus), "-o", str(blocker), "-q"]) == 2
    assert main(["run", str(corpus), "-o", str(blocker / "out"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "output" in err and "Traceback" not in err and len(err.strip().splitlines()) == 2


def test_jobs_are_capped_at_the_cores():
    assert 1 <= cap_jobs(64) <= (os.cpu_count() or 1)
    assert cap_jobs(0) == 1


def _big_plan(path: Path, megabytes: float) -> Path:
    text = SEEDS[2].read_text(encoding="utf-8")
    path.write_text(text * max(1, int(megabytes * 2**20 / len(text.encode("utf-8")))), encoding="utf-8")
    return path


def test_a_document_past_the_time_limit_is_an_error_row_and_the_batch_goes_on(tmp_path):
    corpus, out = _corpus(tmp_path, 2), tmp_path / "out"
    _big_plan(corpus / "zz_big.txt", 12)  # far more than 2 s of work
    summary = run_corpus(RunSettings(corpus, out, jobs=1, limits=Limits(time_s=2)))
    docs = {d["doc_id"]: d for d in pq.read_table(out / "documents.parquet").to_pylist()}
    assert docs["zz_big"]["status"] == "error" and docs["zz_big"]["error"] == "time limit 2 s exceeded"
    assert all(docs[p.stem]["status"] == "ok" for p in SEEDS[:2])
    assert summary.errors == 1 and summary.commitments > 10
    # a supervisor's error is not cached: the next run tries the document again
    again = run_corpus(RunSettings(corpus, out, jobs=1, limits=Limits(time_s=2)))
    assert (again.reused, again.extracted) == (2, 1)


psutil = pytest.importorskip("psutil")


def _workers_of(pid: int) -> list:
    try:
        kids = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [k for k in kids if _name(k) == "pe-worker"]


def _name(p) -> str:
    try:
        return p.name()
    except psutil.Error:
        return ""


def _start_run(corpus: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "extract", "run", str(corpus), "-o", str(out), "-q", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(cond, timeout: float = 30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = cond()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process names and PDEATHSIG are Linux")
def test_a_killed_worker_is_an_error_row_and_the_batch_goes_on(tmp_path):
    corpus, out = _corpus(tmp_path, 2), tmp_path / "out"
    _big_plan(corpus / "000_big.txt", 6)  # first in order: the worker's first document
    proc = _start_run(corpus, out, "--jobs", "1")
    worker = _wait_for(lambda: _workers_of(proc.pid))[0]
    os.kill(worker.pid, signal.SIGKILL)
    _stdout, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    docs = {d["doc_id"]: d for d in pq.read_table(out / "documents.parquet").to_pylist()}
    assert docs["000_big"]["error"] == "worker killed (signal 9): out of memory?"
    assert all(docs[p.stem]["status"] == "ok" for p in SEEDS[:2])
    assert "000_big.txt: worker killed (signal 9)" in err and "Traceback" not in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process names and PDEATHSIG are Linux")
@pytest.mark.skipif(cap_jobs(2) < 2, reason="needs two cores: one busy with the large plan")
def test_killing_the_run_leaves_no_worker_and_keeps_finished_documents(tmp_path):
    corpus, out = _corpus(tmp_path, 2), tmp_path / "out"
    _big_plan(corpus / "zz_big.txt", 12)  # one worker reads it while the other does the rest
    proc = _start_run(corpus, out, "--jobs", "2", "--time-limit", "0")
    shards = out / ".plan-extract" / "shards"
    small = {p.stem for p in SEEDS[:2]}

    def finished() -> set:
        refs = [read_ref(p) for p in shards.iterdir() if not p.name.startswith(".")] if shards.is_dir() else []
        return {r.doc_id for r in refs if r is not None}

    _wait_for(lambda: small <= finished())
    assert "zz_big" not in finished()  # still being read when the run is killed
    workers = _wait_for(lambda: _workers_of(proc.pid))
    everyone = psutil.Process(proc.pid).children(recursive=True)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    gone, alive = psutil.wait_procs(everyone, timeout=10)
    assert not alive, [(p.pid, _name(p)) for p in alive]
    assert workers and all(w in gone for w in workers)
    assert not (out / "commitments.parquet").exists()  # nothing half-published
    # the next run keeps the two finished documents and reads only the big one
    (corpus / "zz_big.txt").unlink()
    summary = run_corpus(RunSettings(corpus, out))
    assert (summary.reused, summary.extracted, summary.errors) == (2, 0, 0)
    meta = json.loads((out / "published.json").read_text())
    assert meta["documents"] == 2


def test_a_document_past_the_memory_limit_is_an_error_row_and_the_batch_goes_on(tmp_path):
    corpus, out = _corpus(tmp_path, 2), tmp_path / "out"
    probe = run_corpus(RunSettings(corpus, tmp_path / "probe", jobs=1))
    limit = int(probe.peak_worker_rss_mb) + 100  # a warm worker and two plans fit; 24 MB more do not
    _big_plan(corpus / "zz_big.txt", 24)
    summary = run_corpus(RunSettings(corpus, out, jobs=1, limits=Limits(memory_mb=limit)))
    docs = {d["doc_id"]: d for d in pq.read_table(out / "documents.parquet").to_pylist()}
    assert docs["zz_big"]["error"] == f"memory limit {limit} MB exceeded"
    assert all(docs[p.stem]["status"] == "ok" for p in SEEDS[:2]) and summary.errors == 1


def test_folders_that_cannot_be_listed_are_warnings_and_odd_files_are_rows(tmp_path, monkeypatch):
    from extract.batch import discover

    corpus = _corpus(tmp_path, 1)
    (corpus / "locked").mkdir()
    (corpus / "locked" / "plan.txt").write_text("到2025年，森林覆盖率达到46%。", encoding="utf-8")
    real = os.scandir

    def scandir(path="."):
        if isinstance(path, (str, os.PathLike)) and Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(discover.os, "scandir", scandir)
    docs, problems = discover.find_documents(corpus)
    assert [p.name for p in docs] == [SEEDS[0].name]
    assert [(p.path.name, p.reason, p.is_document) for p in problems] == [
        ("locked", "cannot list folder: Permission denied", False)
    ]
    summary = run_corpus(RunSettings(corpus, tmp_path / "out"))
    assert summary.warnings == [f"{corpus / 'locked'}: cannot list folder: Permission denied"]


def test_an_empty_corpus_leaves_the_published_tables_alone(tmp_path, capsys):
    corpus, out = _corpus(tmp_path, 1), tmp_path / "out"
    run_corpus(RunSettings(corpus, out))
    before = (out / "commitments.parquet").read_bytes()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["run", str(empty), "-o", str(out), "-q"]) == 2
    assert "no readable documents" in capsys.readouterr().err
    assert (out / "commitments.parquet").read_bytes() == before
