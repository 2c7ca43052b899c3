"""Command line: ``plan-extract run | eval``."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import __version__


def _has_output(out: Path) -> bool:
    """Whether ``out`` holds a run's tables; says what to do when not."""
    if (out / "commitments.parquet").is_file():
        return True
    print(f"plan-extract: no output in {out} (run 'plan-extract run' first)", file=sys.stderr)
    return False


def _cmd_run(a) -> int:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from .outputs.writer import COMMITMENTS, DOCUMENTS, MISSES, SECTIONS, write_table
    from .pipeline import default_jobs, find_documents, run_batch

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
    docs, commitments, sections, misses = [], [], [], []
    jobs = a.jobs or default_jobs()
    with Progress(TextColumn("[bold]extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[name]}"), console=err, transient=True,
                  disable=a.quiet or not err.is_terminal) as progress:
        task = progress.add_task("run", total=len(paths), name="")
        for res in run_batch(corpus, jobs=jobs, patterns_dir=a.patterns):
            docs.append(res.document)
            commitments.extend(res.commitments)
            sections.extend(res.sections)
            misses.extend(res.misses)
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
    misses.sort(key=lambda r: (order[r["doc_id"]], r["char_start"]))
    write_table(misses, MISSES, out / "likely_misses.parquet")
    write_table(docs, DOCUMENTS, out / "documents.parquet")
    n_err = sum(1 for d in docs if d["status"] != "ok")
    secs = time.perf_counter() - t0
    print(f"documents {len(docs)}  commitments {len(commitments)}  errors {n_err}  seconds {secs:.1f}  -> {out}/")
    return 1 if n_err else 0


def _cmd_eval(a) -> int:
    from .outputs.evaluate import evaluate, format_report

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


def _cmd_audit(a) -> int:
    from .outputs.audit import render_audit

    out = Path(a.output)
    if not _has_output(out):
        return 2
    dest = Path(a.html) if a.html else out / "audit.html"
    render_audit(out, dest)
    print(f"audit page: {dest}")
    return 0


def _cmd_show(a) -> int:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    out = Path(a.output)
    if not _has_output(out):
        return 2
    path = out / "commitments.parquet"
    table = pq.read_table(path)
    hits = table.filter(pc.starts_with(table["commitment_id"], a.id)).to_pylist()
    if len(hits) != 1:
        print(f"plan-extract: {len(hits)} commitments match id {a.id!r}", file=sys.stderr)
        return 1
    r = hits[0]
    console = Console()
    sentence = Text(r["sentence"])
    for key, style in (("indicator_span", "bold blue"), ("value_span", "bold black on yellow"),
                       ("year_span", "bold green")):
        if r.get(key):
            sentence.stylize(style, r[key]["start"], r[key]["end"])
    where = f"page {r['page']}" if r.get("page") else f"line {r['line']}"
    console.print(f"[bold]{r['commitment_id']}[/]  {r['doc_id']}  {where}  ({r['rule_id']}, {r['confidence']:.2f})")
    console.print(" > ".join(r.get("section_path") or []) or "(no heading)", style="dim")
    console.print(sentence)
    grid = Table(show_header=False, box=None)
    for key in ("indicator", "indicator_id", "year", "year_source", "value", "value_min", "value_max", "value_text",
                "unit", "comparator", "change", "cumulative", "strive", "binding", "baseline_year",
                "baseline_value", "source", "table_id", "table_row", "class", "title", "issuer", "region"):
        if r.get(key) not in (None, ""):
            grid.add_row(key, str(r[key]))
    console.print(grid)
    return 0


def _cmd_compare(a) -> int:
    from .outputs.compare import comparison, wide, write_comparison

    out = Path(a.output_dir)
    if not _has_output(out):
        return 2
    long = comparison(out, a.indicators, a.year)
    if a.out:
        write_comparison(long, Path(a.out))
        print(f"comparison: {len(long)} targets, {long['indicator_id'].nunique() if len(long) else 0} indicators -> {a.out}")
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
            print(wide(long, "target").fillna(""))
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
    au = sub.add_parser("audit", help="write the audit page (one offline HTML file)")
    au.add_argument("output", nargs="?", default="output", help="output folder (default: output/)")
    au.add_argument("-o", "--html", default=None, help="page to write (default: OUT/audit.html)")
    au.set_defaults(fn=_cmd_audit)
    cp = sub.add_parser("compare", help="comparison table: canonical indicator x document")
    cp.add_argument("output_dir", nargs="?", default="output", help="output folder (default: output/)")
    cp.add_argument("--indicators", nargs="*", help="indicator ids or categories (air, water.surface_good_share …)")
    cp.add_argument("--year", type=int, help="only targets for this year")
    cp.add_argument("-o", "--out", help="write table.xlsx | table.csv | table.parquet (default: print)")
    cp.set_defaults(fn=_cmd_compare)
    sh = sub.add_parser("show", help="print one commitment with its sentence")
    sh.add_argument("id", help="commitment_id (or a unique prefix)")
    sh.add_argument("-o", "--output", default="output", help="output folder (default: output/)")
    sh.set_defaults(fn=_cmd_show)
    return ap


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    return a.fn(a)
