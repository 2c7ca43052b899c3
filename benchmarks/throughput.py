"""Benchmark: the speed and memory figures of issue 24, whole process tree, beside a baseline.

Usage: python benchmarks/throughput.py [--baseline REF|none] [--text-mb 50] [--big-text-mb 200]
                                       [--skip-big] [--pdf-dir DIR] [--unlabelled-dir DIR]

Every figure comes from ``plan-extract run`` processes measured over their whole process tree
(supervisor, fork server, workers: ``benchmarks/process_tree.py``), for this checkout and, in
the same run, for the code of git ``REF`` (default ``main``: ``git archive`` into a temporary
folder, run with the same interpreter and packages).  Printed:

- text: MB per CPU-second on a ``--text-mb`` MB corpus (the demo plans repeated, 20 files),
  ``--jobs 1``, and its ratio to jieba's ``cut_all`` over the same bytes in this process;
- PDF: pages per CPU-second on ``--pdf-dir`` and ``--unlabelled-dir`` (``--jobs 1``), beside
  pypdfium2's bare text; ``--jobs 2`` against ``--jobs 1`` (wall) on ``--pdf-dir``;
- a one-file run (one demo plan): CPU seconds of the whole tree;
- the supervisor's peak memory on ``--big-text-mb`` MB of text (``--jobs 2``), the workers' peaks;
- how the tree shares the CPU (supervisor, fork server, workers) and, for this checkout, how a
  worker's CPU splits by stage (read, normalise, rules, tables … measured in this process on a
  sample of each corpus);
- re-runs: an unchanged corpus, and one changed file.

CPU seconds are the stable figure on a shared machine; wall seconds vary with the load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from process_tree import TreeUsage, describe, measure  # noqa: E402

TARGETS = {
    "text": 5.0,
    "text_vs_cut_all": 3.0,
    "pdf": 200.0,
    "unlabelled": 100.0,
    "jobs2": 1.8,
    "one_file": 0.7,
    "supervisor_mb": 350.0,
}


def text_corpus(folder: Path, megabytes: float) -> int:
    """``megabytes`` MB of plan text in 20 files (the demo plans repeated, each file different)."""
    seeds = sorted((ROOT / "corpus").glob("*.txt"))
    folder.mkdir(parents=True)
    per_file = megabytes * 2**20 / 20
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
    t0 = time.process_time()
    result = fn()
    return time.process_time() - t0, result


def cut_all_mb_per_s(folder: Path) -> float:
    """jieba's ``cut_all`` over the corpus's bytes (its default tokenizer, dictionary loaded first)."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    size = sum(len(t.encode("utf-8")) for t in texts) / 2**20
    cpu, _ = _timed(lambda: sum(1 for t in texts for _w in jieba.cut(t, cut_all=True)))
    return size / cpu


def pdf_pages(folder: Path) -> int:
    import pypdfium2 as pdfium

    n = 0
    for f in sorted(folder.glob("*.pdf")):
        pdf = pdfium.PdfDocument(str(f))
        n += len(pdf)
        pdf.close()
    return n


def pdfium_pages_per_s(folder: Path, pages: int) -> float:
    import pypdfium2 as pdfium

    def bare():
        for f in sorted(folder.glob("*.pdf")):
            pdf = pdfium.PdfDocument(str(f))
            for page in pdf:
                page.get_textpage().get_text_range()
            pdf.close()

    cpu, _ = _timed(bare)
    return pages / cpu


class Code:
    """A version of the code to run: this checkout, or a git ref exported to a temporary folder."""

    def __init__(self, label: str, src: Path | None):
        self.label, self.src = label, src

    @classmethod
    def from_ref(cls, ref: str, into: Path) -> Code:
        into.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
        return cls(ref, into)

    def run(self, *args: str) -> TreeUsage:
        env = dict(os.environ)
        if self.src is not None:  # the exported tree's package first on the path, in every process
            env["PYTHONPATH"] = str(self.src) + os.pathsep + env.get("PYTHONPATH", "")
        u = measure(["run", *args, "-q"], cwd=self.src or ROOT, env=env)
        if u.returncode not in (0, 1):
            raise SystemExit(f"{self.label}: plan-extract run {' '.join(args)} failed:\n{u.stderr}")
        return u


def stage_shares(text_sample: list[Path], pdf_sample: list[Path]) -> dict[str, dict[str, float]]:
    """How a worker's CPU splits by stage, for this checkout, measured in this process.

    The stages are the pipeline's own functions, timed by wrapping them (a stage missing in a
    later version of the code is left out).
    """
    from collections import defaultdict

    from extract import pipeline
    from extract.batch import preload  # noqa: F401 - what a worker starts with
    from extract.batch.shards import write_shard
    from extract.batch.tasks import _sorted_rows
    from extract.readers import pdf as pdf_reader
    from extract.readers import text as text_reader

    spent: dict[str, float] = defaultdict(float)

    def timed(module, name: str, stage: str) -> None:
        fn = getattr(module, name, None)
        if fn is None:
            return

        def wrapper(*a, **k):
            t0 = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[stage] += time.process_time() - t0

        setattr(module, name, wrapper)

    for module, name, stage in [
        (text_reader, "normalize", "normalise"),
        (text_reader, "blocks_from_text", "blocks"),
        (pdf_reader, "normalize", "normalise"),
        (pdf_reader, "blocks_from_text", "blocks"),
        (pipeline, "read_document", "read"),
        (pipeline, "build_sections", "sections"),
        (pipeline, "infer_metadata", "metadata"),
        (pipeline, "_table_commitments", "tables"),
        (pipeline, "likely_misses", "likely misses"),
        (pipeline, "reading_report", "text quality"),
        (pipeline, "link_restatements", "restatements"),
    ]:
        timed(module, name, stage)
    prose_cls = pipeline.ProseRules
    prose_extract = prose_cls.extract

    def prose(self, *a, **k):
        t0 = time.process_time()
        try:
            return prose_extract(self, *a, **k)
        finally:
            spent["prose rules"] += time.process_time() - t0

    prose_cls.extract = prose  # type: ignore[method-assign]
    shards = Path(tempfile.mkdtemp(prefix="plan-extract-stages-"))
    out: dict[str, dict[str, float]] = {}
    try:
        for label, files in (("text", text_sample), ("PDF", pdf_sample)):
            spent.clear()
            t0 = time.process_time()
            for f in files:
                rows = _sorted_rows(pipeline.process_file(f, f.parent))
                t1 = time.process_time()
                write_shard(shards, f.stem, rows)
                spent["shard writing"] += time.process_time() - t1
            total = time.process_time() - t0
            shares = dict(spent)
            if "read" in shares:  # the reader's own work, its normalising and blocks apart
                shares["read"] -= shares.get("normalise", 0.0) + shares.get("blocks", 0.0)
            shares["other"] = total - sum(shares.values())
            out[label] = {k: v / total for k, v in shares.items()}
    finally:
        prose_cls.extract = prose_extract  # type: ignore[method-assign]
        shutil.rmtree(shards, ignore_errors=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="main", help="git ref to measure beside this checkout ('none': skip)")
    ap.add_argument("--text-mb", type=float, default=50)
    ap.add_argument("--big-text-mb", type=float, default=200)
    ap.add_argument("--skip-big", action="store_true", help="leave out the supervisor-memory run")
    ap.add_argument("--pdf-dir", default=str(ROOT.parent / "shared" / "corpus-pdf"))
    ap.add_argument("--unlabelled-dir", default=str(ROOT.parent / "shared" / "corpus-pdf-unlabelled"))
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plan-extract-bench-"))
    try:
        codes = [Code("now", None)]
        if a.baseline != "none":
            codes.insert(0, Code.from_ref(a.baseline, work / "baseline"))
        text = work / "text"
        size = text_corpus(text, a.text_mb) / 2**20
        one = work / "one"
        one.mkdir()
        shutil.copy(sorted((ROOT / "corpus").glob("*.txt"))[0], one)
        pdf_dir, unl_dir = Path(a.pdf_dir), Path(a.unlabelled_dir)
        pages = pdf_pages(pdf_dir)
        unl_pages = pdf_pages(unl_dir) if unl_dir.is_dir() else 0
        floors = {"cut_all": cut_all_mb_per_s(text), "pdfium": pdfium_pages_per_s(pdf_dir, pages)}
        print(
            f"corpora: text {size:.1f} MB in 20 files; {pdf_dir.name} {pages} pages; {unl_dir.name} {unl_pages} pages"
        )
        print(
            f"floors (this process, one core): jieba cut_all {floors['cut_all']:.2f} MB/s, "
            f"pypdfium2 bare text {floors['pdfium']:.0f} pages/s"
        )
        figures: dict[str, dict[str, float]] = {}
        for code in codes:
            f = figures[code.label] = {}
            print(f"\n== {code.label}")
            u = code.run(str(text), "-o", str(work / f"out-text-{code.label}"), "--redo", "--jobs", "1")
            f["text"] = size / u.cpu
            f["text_vs_cut_all"] = f["text"] / floors["cut_all"]
            print(f"  text {a.text_mb:g} MB --jobs 1: {describe(u)}")
            walls = {}
            for jobs in (1, 2):
                u = code.run(str(pdf_dir), "-o", str(work / f"out-pdf-{code.label}"), "--redo", "--jobs", str(jobs))
                walls[jobs] = u.wall
                if jobs == 1:
                    f["pdf"] = pages / u.cpu
                print(f"  {pdf_dir.name} --jobs {jobs}: {describe(u)}")
            f["jobs2"] = walls[1] / walls[2]
            if unl_pages:
                u = code.run(str(unl_dir), "-o", str(work / f"out-unl-{code.label}"), "--redo", "--jobs", "1")
                f["unlabelled"] = unl_pages / u.cpu
                f["worker_mb_unlabelled"] = u.worker_peak_mb
                print(f"  {unl_dir.name} --jobs 1: {describe(u)}")
            u = code.run(str(one), "-o", str(work / f"out-one-{code.label}"), "--redo")
            f["one_file"] = u.cpu
            print(f"  one file: {describe(u)}")
            if not a.skip_big:
                big = work / "big"
                if not big.is_dir():
                    text_corpus(big, a.big_text_mb)
                u = code.run(str(big), "-o", str(work / f"out-big-{code.label}"), "--redo", "--jobs", "2")
                f["supervisor_mb"] = u.supervisor_peak_mb
                f["worker_mb_text"] = u.worker_peak_mb
                f["big_text"] = a.big_text_mb / u.cpu
                print(f"  text {a.big_text_mb:g} MB --jobs 2: {describe(u)}")
                shutil.rmtree(work / f"out-big-{code.label}", ignore_errors=True)
        _table(figures, a)
        _reruns(codes[-1], pdf_dir, work)
        shares = stage_shares(sorted(text.glob("*.txt"))[:4], sorted(pdf_dir.glob("*.pdf")))
        print("\nworker CPU by stage (this checkout, in-process):")
        for label, by_stage in shares.items():
            print(
                f"  {label:5s} "
                + ", ".join(
                    f"{k} {100 * v:.0f}%" for k, v in sorted(by_stage.items(), key=lambda kv: -kv[1]) if v >= 0.005
                )
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _table(figures: dict[str, dict[str, float]], a) -> None:
    rows = [
        ("text", f"text MB per CPU-s ({a.text_mb:g} MB, --jobs 1)", ">= {:g}", "{:.2f}"),
        ("text_vs_cut_all", "  x jieba cut_all, same bytes", ">= {:g}x", "{:.2f}x"),
        ("pdf", "PDF pages per CPU-s, corpus-pdf (--jobs 1)", ">= {:g}", "{:.0f}"),
        ("unlabelled", "PDF pages per CPU-s, corpus-pdf-unlabelled", ">= {:g}", "{:.0f}"),
        ("jobs2", "--jobs 2 vs --jobs 1, corpus-pdf (wall)", ">= {:g}x", "{:.2f}x"),
        ("one_file", "one-file run, CPU-s", "<= {:g}", "{:.2f}"),
        ("supervisor_mb", f"supervisor peak MB, {a.big_text_mb:g} MB of text", "< {:g}", "{:.0f}"),
        ("worker_mb_text", f"worker peak MB, {a.big_text_mb:g} MB of text (10 MB plans)", "", "{:.0f}"),
        ("worker_mb_unlabelled", "worker peak MB, corpus-pdf-unlabelled", "< 400", "{:.0f}"),
        ("big_text", f"text MB per CPU-s ({a.big_text_mb:g} MB, --jobs 2)", "", "{:.2f}"),
    ]
    labels = list(figures)
    print("\n" + f"{'figure':52s}" + "".join(f"{lab:>12s}" for lab in labels) + f"{'target':>10s}")
    for key, name, target, fmt in rows:
        if not any(key in f for f in figures.values()):
            continue
        cells = "".join(f"{fmt.format(figures[lab][key]) if key in figures[lab] else '-':>12s}" for lab in labels)
        goal = target.format(TARGETS[key]) if "{" in target else target
        print(f"{name:52s}{cells}{goal:>10s}")


def _reruns(code: Code, pdf_dir: Path, work: Path) -> None:
    """Re-runs of this checkout on a private copy of the PDFs: unchanged, then one file changed."""
    copy = work / "pdf-copy"
    shutil.copytree(pdf_dir, copy)
    out = str(work / "out-rerun")
    first = code.run(str(copy), "-o", out)
    again = code.run(str(copy), "-o", out)
    changed = sorted(copy.glob("*.pdf"))[0]
    changed.chmod(0o644)
    with changed.open("ab") as fh:
        fh.write(b"\n% changed\n")
    third = code.run(str(copy), "-o", out)
    print(
        f"\nre-runs ({code.label}, whole tree): first {first.cpu:.2f} CPU-s; unchanged {again.cpu:.2f} CPU-s "
        f"({100 * again.cpu / first.cpu:.0f}% of the first); one file changed {third.cpu:.2f} CPU-s"
    )


if __name__ == "__main__":
    sys.exit(main())
