"""Command line: ``plan-extract run | eval``."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import __version__


def _cmd_run(a) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .pipeline import default_jobs, find_documents, run_batch
    from .writer import COMMITMENTS, DOCUMENTS, SECTIONS, write_table

    corpus, out = Path(a.corpus), Path(a.output)
    err = Console(stderr=True)
    if not corpus.exists():
        err.print(f"plan-extract: corpus not found: {corpus}")
        return 2
    paths = find_documents(corpus)
    if not paths:
        err.print(f"plan-extract: no readable documents in {corpus}")
        return 2
    t0 = time.perf_counter()
    docs, commitments, sections = [], [], []
    jobs = a.jobs or default_jobs()
    with Progress(TextColumn("[bold]extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[name]}"), console=err, transient=True,
                  disable=a.quiet or not err.is_terminal) as progress:
        task = progress.add_task("run", total=len(paths), name="")
        for res in run_batch(corpus, jobs=jobs, patterns_dir=a.patterns):
            docs.append(res.document)
            commitments.extend(res.commitments)
            sections.extend(res.sections)
            if not res.ok:
                err.print(f"error: {res.document['source_path']}: {res.document['error']}", markup=False,
                          highlight=False)
            progress.update(task, advance=1, name=res.document["doc_id"])
    docs.sort(key=lambda r: r["doc_id"])
    order = {d["doc_id"]: i for i, d in enumerate(docs)}
    commitments.sort(key=lambda r: (order[r["doc_id"]], r["char_start"], r["commitment_id"]))
    sections.sort(key=lambda r: (order[r["doc_id"]], r["char_start"], r["section_id"]))
    write_table(commitments, COMMITMENTS, out / "commitments.parquet")
    write_table(sections, SECTIONS, out / "sections.parquet")
    write_table(docs, DOCUMENTS, out / "documents.parquet")
    n_err = sum(1 for d in docs if d["status"] != "ok")
    secs = time.perf_counter() - t0
    print(f"documents {len(docs)}  commitments {len(commitments)}  errors {n_err}  seconds {secs:.1f}  -> {out}/")
    return 1 if n_err else 0


def _cmd_eval(a) -> int:
    from .evaluate import evaluate, format_report

    pred = Path(a.pred) if a.pred else Path(a.output) / "commitments.parquet"
    if not pred.is_file():
        print(f"plan-extract: no predictions at {pred} (run 'plan-extract run' first)", file=sys.stderr)
        return 2
    res = evaluate(pred, Path(a.gold), a.source, a.docs)
    if a.json:
        print(json.dumps({k: v for k, v in res.items() if not k.startswith("_")}, ensure_ascii=False, indent=1))
    else:
        print(format_report(res, a.show))
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="plan-extract",
                                 description="Extract quantified commitments from Chinese plan documents.")
    ap.add_argument("--version", action="version", version=f"plan-extract {__version__}")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="extract a corpus folder into Parquet tables")
    r.add_argument("corpus", nargs="?", default="corpus", help="folder of plans (default: corpus/)")
    r.add_argument("-o", "--output", default="output", help="output folder (default: output/)")
    r.add_argument("--jobs", type=int, default=0, help="worker processes (default: cores, max 4)")
    r.add_argument("--patterns", default=None, help="a patterns/ folder to use instead of the shipped one")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    r.set_defaults(fn=_cmd_run)
    e = sub.add_parser("eval", help="score output against gold annotations")
    e.add_argument("--gold", required=True, help="folder of gold *.jsonl")
    e.add_argument("--pred", default=None, help="commitments.parquet (default: OUT/commitments.parquet)")
    e.add_argument("-o", "--output", default="output", help="output folder holding commitments.parquet")
    e.add_argument("--source", choices=("text", "table"), help="only records with this source")
    e.add_argument("--docs", nargs="*", help="only these document ids")
    e.add_argument("--show", type=int, default=0, help="print the first N misses and false positives")
    e.add_argument("--json", action="store_true", help="print the figures as JSON")
    e.set_defaults(fn=_cmd_eval)
    return ap


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    return a.fn(a)
