"""Benchmark: the project's throughput beside its floors, --jobs 1 and 2, re-runs and memory.

Usage: python benchmarks/throughput.py [--text-mb 10] [--pdf-dir ../shared/corpus-pdf] [--skip-pdf]

Prints, in one run:

- text: a corpus of ``--text-mb`` MB made by repeating the demo plans (20 files), extracted with
  ``--jobs 1`` and ``--jobs 2``; floors measured on the same bytes in this process: decoding,
  one regex pass, jieba (the project's tokenizer) over all of it.  ``MB/CPU-s`` divides the
  bytes by the CPU seconds of the run (main process and workers, warm-up included);
  ``ratio`` is the project's MB/CPU-s over the floor's MB/s;
- PDF: the eight plans, ``--jobs 1`` and ``2``, beside pypdfium2's text alone and pdfplumber's
  ``extract_text`` alone (pages per second, one core);
- re-runs on the PDFs: the unchanged corpus
  against the first run, and one changed file (how many documents were read again), each a new
  ``plan-extract`` process; and the unchanged re-run's own work measured in-process;
- peak memory: the largest worker resident set and the main process's.

CPU seconds are the stable figure on a shared machine; wall seconds are shown beside them.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _text_corpus(folder: Path, megabytes: float) -> int:
    seeds = sorted((ROOT / "corpus").glob("*.txt"))
    folder.mkdir(parents=True)
    per_file = megabytes * 2 ** 20 / 20
    total = 0
    for i in range(20):
        seed = seeds[i % len(seeds)].read_text(encoding="utf-8")
        # every file different (a header line), so no two share a content hash
        text = (f"第{i + 1}号规划\n" + seed) * max(1, round(per_file / len(seed.encode("utf-8"))))
        data = text.encode("utf-8")
        (folder / f"plan_{i:02d}.txt").write_bytes(data)
        total += len(data)
    return total


def _timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - t0, time.process_time() - c0, result


def _text_floors(folder: Path) -> dict[str, float]:
    import regex

    from extract.patterns import load_patterns
    from extract.pipeline import rules_for

    files = sorted(folder.glob("*.txt"))
    raw = [p.read_bytes() for p in files]
    size = sum(map(len, raw)) / 2 ** 20
    _w, cpu, texts = _timed(lambda: [b.decode("utf-8") for b in raw])
    floors = {"decode": size / cpu}
    pattern = regex.compile(r"\d+(?:\.\d+)?\s*(?:%|万|亿|吨|公顷)")
    _w, cpu, _n = _timed(lambda: sum(1 for t in texts for _m in pattern.finditer(t)))
    floors["one regex pass"] = size / cpu
    tok = rules_for(load_patterns()).lex.tokenizer
    sample = texts[0][: 2 ** 20]                       # 1 M characters of jieba is enough to time it
    _w, cpu, _n = _timed(lambda: sum(1 for _t in tok.cut(sample, HMM=True)))
    floors["jieba"] = len(sample.encode("utf-8")) / 2 ** 20 / cpu
    return floors


def _run(corpus: Path, out: Path, jobs: int, redo: bool = True):
    from extract.batch.runner import RunSettings, run_corpus

    t0 = time.perf_counter()
    summary = run_corpus(RunSettings(corpus, out, jobs=jobs, redo=redo))
    return time.perf_counter() - t0, summary


def _cli(corpus: Path, out: Path) -> tuple[float, str]:
    """Wall seconds of one ``plan-extract run`` process and what it said about reused documents."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "extract", "run", str(corpus), "-o", str(out)],
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    note = next((ln.strip("()") for ln in proc.stderr.splitlines() if "unchanged documents reused" in ln),
                "all documents read")
    return wall, note.split(";")[0]


def _pdf_pages(folder: Path) -> int:
    import pypdfium2 as pdfium

    n = 0
    for f in sorted(folder.glob("*.pdf")):
        pdf = pdfium.PdfDocument(str(f))
        n += len(pdf)
        pdf.close()
    return n


def _pdf_floors(folder: Path, pages: int) -> dict[str, float]:
    import pdfplumber
    import pypdfium2 as pdfium

    def pdfium_text():
        for f in sorted(folder.glob("*.pdf")):
            pdf = pdfium.PdfDocument(str(f))
            for page in pdf:
                page.get_textpage().get_text_range()
            pdf.close()

    def plumber_text():
        for f in sorted(folder.glob("*.pdf")):
            with pdfplumber.open(f) as pdf:
                for page in pdf.pages:
                    page.extract_text()
                    page.flush_cache()

    _w, cpu1, _ = _timed(pdfium_text)
    _w, cpu2, _ = _timed(plumber_text)
    return {"pypdfium2 text alone": pages / cpu1, "pdfplumber extract_text alone": pages / cpu2}


def _line(label: str, wall: float, cpu: float, amount: float, unit: str, floors: dict[str, float]) -> str:
    per_cpu = amount / cpu if cpu else float("nan")
    ratios = "  ".join(f"{per_cpu / v:5.2f}x {k}" for k, v in floors.items())
    return (f"  {label:10s} wall {wall:6.1f} s  {amount / wall:7.1f} {unit}/s   CPU {cpu:6.1f} s  "
            f"{per_cpu:7.2f} {unit}/CPU-s   ratio to floors: {ratios}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--text-mb", type=float, default=10)
    ap.add_argument("--pdf-dir", default=str(ROOT.parent / "shared" / "corpus-pdf"))
    ap.add_argument("--skip-pdf", action="store_true")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plan-extract-bench-"))
    peaks = []
    try:
        corpus = work / "text"
        size = _text_corpus(corpus, a.text_mb) / 2 ** 20
        print(f"text: {size:.1f} MB in 20 files")
        floors = _text_floors(corpus)
        print("  floors (one core): " + "  ".join(f"{k} {v:.1f} MB/s" for k, v in floors.items()))
        for jobs in (1, 2):
            wall, s = _run(corpus, work / f"out-text-{jobs}", jobs)
            peaks.append(s.peak_worker_rss_mb)
            print(_line(f"--jobs {jobs}", wall, s.cpu_seconds, size, "MB", floors))
        pdf_dir = Path(a.pdf_dir)
        if not a.skip_pdf and sorted(pdf_dir.glob("*.pdf")):
            pages = _pdf_pages(pdf_dir)
            print(f"PDF: {len(list(pdf_dir.glob('*.pdf')))} files, {pages} pages")
            floors = _pdf_floors(pdf_dir, pages)
            print("  floors (one core): " + "  ".join(f"{k} {v:.1f} pages/s" for k, v in floors.items()))
            walls = {}
            for jobs in (1, 2):
                wall, s = _run(pdf_dir, work / f"out-pdf-{jobs}", jobs)
                walls[jobs] = wall
                peaks.append(s.peak_worker_rss_mb)
                print(_line(f"--jobs {jobs}", wall, s.cpu_seconds, pages, "pages", floors))
            print(f"  --jobs 2 vs --jobs 1: {walls[1] / walls[2]:.2f}x faster (wall)")
            # re-runs, each a fresh plan-extract process as a user runs it, on a private copy (one file changes)
            copy = work / "pdf"
            shutil.copytree(pdf_dir, copy)
            out = work / "out-rerun"
            first, _ = _cli(copy, out)
            again, note = _cli(copy, out)
            changed = sorted(copy.glob("*.pdf"))[0]
            changed.chmod(0o644)
            with changed.open("ab") as fh:
                fh.write(b"\n% changed\n")
            third, note3 = _cli(copy, out)
            _run(copy, work / "out-inproc", 2, redo=False)     # the same run in-process, then again
            t0 = time.perf_counter()
            _run(copy, work / "out-inproc", 2, redo=False)
            inproc = time.perf_counter() - t0
            print(f"re-run (new plan-extract process each): first {first:.2f} s; unchanged {again:.2f} s "
                  f"({100 * again / first:.1f}% of the first; {note}); one changed file {third:.2f} s ({note3}); "
                  f"the unchanged re-run's own work in-process: {inproc:.3f} s ({100 * inproc / first:.1f}%)")
        main_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory: worker {max(peaks):.0f} MB, main process {main_mb:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
