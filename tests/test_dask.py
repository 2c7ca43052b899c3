"""The Dask engine gives the local engine's output, byte for byte (two-worker clusters, localhost)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from .conftest import CORPUS

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow  # Dask clusters: `make test-fast` leaves these out
TABLES = ("commitments", "documents", "sections", "likely_misses")


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[:3]:
        shutil.copy(p, corpus / p.name)
    (corpus / "empty.txt").write_bytes(b"")  # an error row goes the same way
    return corpus


def _run(corpus: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "extract", "run", str(corpus), "-o", str(out), "-q", *extra],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _same(a: Path, b: Path) -> None:
    for t in TABLES:
        assert (a / f"{t}.parquet").read_bytes() == (b / f"{t}.parquet").read_bytes(), t


def test_dask_local_cluster_output_is_identical_to_the_local_engine(tmp_path):
    corpus = _corpus(tmp_path)
    local = _run(corpus, tmp_path / "local", "--jobs", "2")
    dask = _run(corpus, tmp_path / "dask", "--engine", "dask", "--jobs", "2")
    assert local.returncode == dask.returncode == 1, dask.stderr[-2000:]
    _same(tmp_path / "local", tmp_path / "dask")
    rows = pq.read_table(tmp_path / "dask" / "documents.parquet").to_pylist()
    assert [r["status"] for r in rows].count("ok") == 3
    # the shards are the same too: a local run after a dask run reuses every document
    before = (tmp_path / "dask" / "commitments.parquet").stat().st_mtime_ns
    again = subprocess.run(
        [sys.executable, "-m", "extract", "run", str(corpus), "-o", str(tmp_path / "dask")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "4 unchanged documents reused, 0 extracted" in again.stderr
    assert (tmp_path / "dask" / "commitments.parquet").stat().st_mtime_ns == before


def test_dask_with_a_scheduler_address(tmp_path):
    corpus = _corpus(tmp_path)
    local = _run(corpus, tmp_path / "local", "--jobs", "1")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cluster:
        dask = _run(corpus, tmp_path / "dask", "--engine", "dask", "--scheduler", cluster.scheduler_address)
    assert local.returncode == dask.returncode == 1, dask.stderr[-2000:]
    _same(tmp_path / "local", tmp_path / "dask")
