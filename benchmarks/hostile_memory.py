"""Benchmark: peak worker memory on the hostile corpus (target: under 2 GB per worker).

Usage: python benchmarks/hostile_memory.py [--big-mb 50] [--jobs 2]

Writes the hostile corpus of ``tests/badinputs`` (zip bombs, billion laughs, 2,000 blank PDF
pages, a ``--big-mb`` MB plain-text plan …) into a temporary folder, runs the batch on it with
the default limits and prints the outcome per file, the largest resident set any worker
reached (sampled by the supervisor and reported by the workers themselves) and the run's time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MB = 2048


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big-mb", type=float, default=50, help="size of the large text plan (MB)")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()

    import pyarrow.parquet as pq

    from extract.batch.runner import RunSettings, run_corpus
    from tests.badinputs.generate import make_corpus, remove_corpus

    work = Path(tempfile.mkdtemp(prefix="plan-extract-hostile-"))
    try:
        cases = make_corpus(work / "corpus", big_text_mb=a.big_mb)
        t0 = time.perf_counter()
        summary = run_corpus(RunSettings(work / "corpus", work / "out", jobs=a.jobs))
        wall = time.perf_counter() - t0
        docs = {d["source_path"]: d for d in pq.read_table(work / "out" / "documents.parquet").to_pylist()}
        for case in cases:
            row = docs.get(case.rel)
            got = f"{row['status']:5s} {row['error'] or ''}" if row else "(warning only)"
            print(f"  {case.rel!r:42.42s} {got}")
        for w in summary.warnings:
            print(f"  warning: {w}")
        print(
            f"hostile corpus: {summary.documents} documents, {summary.errors} errors, "
            f"{summary.commitments} commitments, {wall:.1f} s wall, {summary.cpu_seconds:.1f} CPU-s "
            f"(--jobs {a.jobs}, large text {a.big_mb:g} MB)"
        )
        verdict = "under" if summary.peak_worker_rss_mb < TARGET_MB else "OVER"
        print(f"peak worker memory: {summary.peak_worker_rss_mb:.0f} MB ({verdict} the {TARGET_MB} MB target)")
    finally:
        remove_corpus(work / "corpus")  # (1,200 folders deep: rmtree needs a higher recursion limit)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
