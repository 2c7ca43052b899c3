"""Benchmark: PDF ingestion speed (pages/second) on a folder of real plans.

Usage: python benchmarks/pdf_ingest.py [FOLDER]   (default ../shared/corpus-pdf)

Prints, per file and in total, the pages read per second by the PDF reader (text, tables,
normalisation, blocks) and by the whole extraction (reader + sections + rules), best of 3.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from extract.patterns import load_patterns
from extract.pipeline import extract_document
from extract.readers import read_document


def best_of(fn, n=3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(n):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(folder: Path) -> int:
    files = sorted(folder.glob("*.pdf"))
    if not files:
        print(f"no PDF files in {folder}", file=sys.stderr)
        return 2
    patterns = load_patterns()
    total_pages = total_read = total_all = 0.0
    print(f"{'file':28s} {'pages':>5s} {'read p/s':>9s} {'extract p/s':>12s} {'rows':>5s}")
    for f in files:
        t_read, doc = best_of(lambda f=f: read_document(f, folder, patterns))
        t_all, res = best_of(lambda f=f: extract_document(read_document(f, folder, patterns), patterns))
        pages = doc.n_pages or 0
        total_pages += pages
        total_read += t_read
        total_all += t_all
        print(f"{f.name:28s} {pages:5d} {pages / t_read:9.1f} {pages / t_all:12.1f} {len(res.commitments):5d}")
    print(f"{'total':28s} {int(total_pages):5d} {total_pages / total_read:9.1f} {total_pages / total_all:12.1f}")
    return 0


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else here.parent.parent / "shared" / "corpus-pdf"))
