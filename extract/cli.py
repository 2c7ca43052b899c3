"""Command line: ``plan-extract run | eval | compare | export | audit | show | explain``.

Every setting is checked (``extract.settings``) before any output is touched; a setting that
cannot be used prints one line on stderr and exits 2, leaving earlier output as it was.
``-o/--output`` is the output folder in every command.  Logging is configured here and only
here (``-v``, ``-vv``, ``--log-level``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from . import __version__
from .batch.limits import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT
from .outputs.console import printable
from .settings import (
    SettingsError,
    check_corpus,
    check_export_path,
    check_file,
    check_gold_folder,
    check_indicators,
    check_output_folder,
    check_page_path,
    check_patterns,
    check_patterns_for_run,
    check_run_output,
    check_year,
)

log = logging.getLogger(__name__)

EXIT_OK, EXIT_INCOMPLETE, EXIT_USAGE = 0, 1, 2

EXIT_CODES = """\
exit status:
  0  done
  1  done, but not everything worked: a document could not be read (run),
     nothing matched (compare, show); or the run stopped by a fault of the
     machine (disk full, output unwritable: nothing published, one line)
  2  nothing done: an option, folder or file cannot be used (one line on stderr;
     earlier output is left as it was)
"""

EXAMPLES = """\
examples:
  plan-extract run corpus -o output                  extract every plan under corpus/ into output/
  plan-extract run plans/ -o out --patterns mine/    use another rules folder
  plan-extract compare -o output --indicators air eco.forest_coverage --year 2025
  plan-extract compare -o output --save comparison.xlsx
  plan-extract compare -o output --ladder            province > city > county targets, stricter or laxer
  plan-extract export -o output --save all.xlsx       every commitment with its evidence
  plan-extract audit -o output                       write output/audit.html
  plan-extract show 0b8778f0 -o output               one commitment with its sentence
  plan-extract explain "到2025年，森林覆盖率达到46%。"   what the rules make of a text, and why not
  plan-extract eval -o output --gold ../shared/gold --extra-gold verdicts.csv

-o/--output is the output folder (the run's tables) in every command; default output/.
"""

_OUTPUT_HELP = "output folder holding the run's tables (default: output/)"


class _NoProgress:
    """Stands in for rich's progress bar when there is none to show (``-q``, stderr not a terminal)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def add_task(self, *args, **kwargs) -> int:
        return 0

    def update(self, *args, **kwargs) -> None:
        return None


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is so that it ends like Ctrl-C: workers stopped, finished kept."""


def _terminate(signum, frame) -> None:
    raise Terminated()


def _cmd_run(a) -> int:
    import signal

    from .batch.faults import RunFault
    from .batch.limits import Limits, cap_jobs
    from .batch.runner import OutputError, RunSettings, run_corpus

    corpus = check_corpus(a.corpus)
    out = check_output_folder(a.output)
    check_patterns_for_run(a.patterns)
    if a.scheduler and a.engine != "dask":
        raise SettingsError("--scheduler is the address of a dask scheduler: add --engine dask")
    if a.engine == "dask":
        import importlib.util

        if importlib.util.find_spec("distributed") is None:
            raise SettingsError("--engine dask needs dask.distributed: pip install 'plan-extract[dask]'")
    bar_shown = not a.quiet and sys.stderr.isatty()
    if bar_shown:  # rich only when there is a bar to draw (a re-run starts faster)
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        err = Console(stderr=True, highlight=False)

    def say(line: str) -> None:
        if bar_shown:
            err.print(printable(line), markup=False, highlight=False, soft_wrap=True)
        else:
            print(printable(line), file=sys.stderr, flush=True)

    jobs = cap_jobs(a.jobs or 4)  # default: the cores, at most 4
    settings = RunSettings(
        corpus,
        out,
        jobs=jobs,
        engine=a.engine,
        scheduler=a.scheduler,
        limits=Limits(a.time_limit, a.memory_limit),
        redo=a.redo,
        patterns_dir=a.patterns,
        follow_links_outside=a.follow_links_outside,
        metadata={"documents": {"corpus_root": _relative_root(corpus, out)}},
        process_ends_with_run=a.process_ends,
    )
    log.info("extracting %s with %d worker(s) (%s engine) into %s", corpus, jobs, a.engine, out)
    shown = (
        Progress(
            TextColumn("[bold]extracting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[name]}", markup=False),
            console=err,
            transient=True,
        )
        if bar_shown
        else _NoProgress()
    )
    with shown as progress:
        bar = progress.add_task("run", total=0, name="")

        def started(n: int) -> None:
            progress.update(bar, total=n)

        def finished(ref) -> None:
            log.debug("%s: %s, %d commitments", printable(ref.doc_id), ref.status, ref.n_commitments)
            if ref.status != "ok":
                say(f"error: {ref.source_path}: {ref.error}")
            progress.update(bar, advance=1, name=printable(ref.doc_id))

        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            summary = run_corpus(settings, on_start=started, on_document=finished)
        except OutputError as exc:
            raise SettingsError(str(exc)) from None
        except RunFault as exc:  # the machine, not a document: nothing published
            say(f"plan-extract: {exc}")
            return EXIT_INCOMPLETE
        except KeyboardInterrupt as exc:
            say("plan-extract: interrupted; finished documents are kept, run again to go on")
            return 143 if isinstance(exc, Terminated) else 130
        except RuntimeError as exc:  # e.g. the dask engine without dask installed
            raise SettingsError(str(exc)) from None
        finally:
            signal.signal(signal.SIGTERM, previous)
    for w in summary.warnings:
        say(f"warning: {w}")
    if summary.documents == 0:
        raise SettingsError(f"no readable documents (.txt .md .pdf .docx) in {corpus}")
    _refresh_audit_page(out, summary.merged, say)
    print(
        printable(
            f"documents {summary.documents}  commitments {summary.commitments}  errors {summary.errors}  "
            f"seconds {summary.seconds:.1f}  -> {out}/"
        )
    )
    if not a.quiet and summary.reused:
        say(f"({summary.reused} unchanged documents reused, {summary.extracted} extracted; --redo reads all)")
    return EXIT_INCOMPLETE if summary.errors else EXIT_OK


def _refresh_audit_page(out: Path, tables_changed: bool, say) -> None:
    """Rebuild ``OUT/audit.html`` when the tables under it changed (removed when it cannot be)."""
    page, tables = out / "audit.html", out / "commitments.parquet"
    if not page.is_file() or not tables.is_file():
        return
    if not tables_changed and page.stat().st_mtime >= tables.stat().st_mtime:
        return
    from .outputs.audit import render_audit

    try:
        render_audit(out, page)
    except Exception as exc:  # noqa: BLE001 - a stale page must not survive, whatever failed
        page.unlink(missing_ok=True)
        say(f"warning: {page} removed (the tables changed; rebuilding it failed: {exc}); run plan-extract audit")


def _relative_root(corpus: Path, out: Path) -> str:
    """The corpus root as seen from the output folder ("../corpus"): the same on every machine."""
    from .batch.discover import corpus_root

    root, out = corpus_root(corpus).resolve(), out.resolve()
    try:
        return Path(os.path.relpath(root, out)).as_posix()
    except ValueError:  # another drive (Windows)
        return root.as_posix()


def _cmd_eval(a) -> int:
    from .outputs.evaluate import VerdictError, evaluate, format_report, load_verdicts

    if not a.gold and not a.extra_gold:
        raise SettingsError("eval needs --gold DIR (gold *.jsonl) and/or --extra-gold FILE (audit verdicts)")
    pred = check_file(a.pred, "--pred") if a.pred else check_run_output(a.output) / "commitments.parquet"
    gold = check_gold_folder(a.gold) if a.gold else None
    extra = []
    for f in a.extra_gold or []:
        try:
            extra.extend(load_verdicts(check_file(f, "--extra-gold")))
        except VerdictError as exc:
            raise SettingsError(f"--extra-gold: {exc}") from None
    res = evaluate(pred, gold, a.source, a.docs, extra_gold=extra)
    if a.json:
        print(json.dumps({k: v for k, v in res.items() if not k.startswith("_")}, ensure_ascii=False, indent=1))
    else:
        _print_lines(format_report(res, a.show))
    return EXIT_OK


def _cmd_audit(a) -> int:
    from .outputs.audit import render_audit

    out = check_run_output(a.output)
    dest = check_page_path(a.html or out / "audit.html")
    render_audit(out, dest)
    print(printable(f"audit page: {dest}"))
    return EXIT_OK


def _cmd_show(a) -> int:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    out = check_run_output(a.output)
    table = pq.read_table(out / "commitments.parquet")
    hits = table.filter(pc.starts_with(table["commitment_id"], a.id)).to_pylist()
    if len(hits) != 1:
        print(printable(f"plan-extract: {len(hits)} commitments match id {a.id!r}"), file=sys.stderr)
        return EXIT_INCOMPLETE
    r = hits[0]
    console = Console(highlight=False)
    # nothing from a document is read as markup or printed raw: Text objects and printable()
    sentence = Text(printable(r["sentence"]))
    if sentence.plain == r["sentence"]:  # spans index the sentence as stored (no escapes added)
        for key, style in (
            ("indicator_span", "bold blue"),
            ("value_span", "bold black on yellow"),
            ("year_span", "bold green"),
        ):
            if r.get(key):
                sentence.stylize(style, r[key]["start"], r[key]["end"])
    where = f"page {r['page']}" if r.get("page") else f"line {r['line']}"
    head = Text()
    head.append(r["commitment_id"], style="bold")
    head.append(printable(f"  {r['doc_id']}  {where}  ({r['rule_id']}, {r['confidence']:.2f})"))
    console.print(head)
    console.print(Text(printable(" > ".join(r.get("section_path") or []) or "(no heading)"), style="dim"))
    console.print(sentence)
    grid = Table(show_header=False, box=None)
    for key in (
        "indicator",
        "indicator_id",
        "year",
        "year_source",
        "value",
        "value_min",
        "value_max",
        "value_text",
        "unit",
        "comparator",
        "change",
        "cumulative",
        "strive",
        "binding",
        "baseline_year",
        "baseline_value",
        "source",
        "table_id",
        "table_row",
        "class",
        "target_text",
        "is_primary",
        "restates",
        "flags",
        "flag_detail",
        "title",
        "issuer",
        "region",
    ):
        value = ", ".join(r[key]) if isinstance(r.get(key), list) else r.get(key)  # flags: a list
        if value not in (None, ""):
            grid.add_row(Text(key), Text(printable(value)))
    console.print(grid)
    return EXIT_OK


def _cmd_compare(a) -> int:
    import pandas as pd

    from .api import read_output
    from .outputs.compare import comparison_table, wide_table, write_comparison

    out = check_run_output(a.output)
    dest = check_export_path(a.save) if a.save else None
    check_year(a.year)
    documents, commitments = read_output(out)
    catalogue = check_patterns(None).catalogue
    known = {e.id for e in catalogue.entries} | set(commitments["indicator_id"].dropna())
    check_indicators(a.indicators, known)
    if a.ladder:
        return _print_ladder(a, commitments, documents, dest)
    long = comparison_table(commitments, documents, a.indicators, a.year, catalogue, qualitative=a.qualitative)
    if long.empty:
        print("plan-extract: no targets match these filters", file=sys.stderr)
        return EXIT_INCOMPLETE
    if dest:
        write_comparison(long, dest)
        print(printable(f"comparison: {len(long)} targets, {long['indicator_id'].nunique()} indicators -> {dest}"))
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
            print(_printable_frame(wide_table(long, "target").fillna("")))
    return EXIT_OK


def _print_ladder(a, commitments, documents, dest) -> int:
    """``compare --ladder``: each target beside the target of the level above it."""
    import pandas as pd

    from .outputs.ladder import ladder, write_ladder

    steps = ladder(commitments, documents, a.indicators, a.year)
    if steps.empty:
        print(
            "plan-extract: no two levels (national, province, prefecture, county) share a target here", file=sys.stderr
        )
        return EXIT_INCOMPLETE
    if dest:
        write_ladder(steps, dest)
        n = int(steps["parent_commitment_id"].notna().sum())
        print(printable(f"ladder: {n} steps, {steps['indicator_id'].nunique()} indicators -> {dest}"))
        return EXIT_OK
    shown = steps[
        [
            "indicator_id",
            "year",
            "level",
            "region",
            "target",
            "parent_region",
            "parent_year",
            "parent_target",
            "ratio",
            "verdict",
            "note",
        ]
    ].astype(object)
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250):
        print(_printable_frame(shown.where(shown.notna(), "")).to_string(index=False))
    return EXIT_OK


def _printable_frame(frame):
    """``frame`` with every label and text cell passed through printable() (names come from documents)."""
    frame = frame.copy()
    frame.columns = [printable(c) for c in frame.columns]
    frame.index = [printable(i) for i in frame.index]
    return frame.apply(lambda col: col.map(lambda v: printable(v) if isinstance(v, str) else v))


def _print_lines(text: str) -> None:
    """Print a report line by line, each through printable()."""
    for line in str(text).split("\n"):
        print(printable(line))


def _cmd_export(a) -> int:
    from .outputs.export import EXPORT_SUFFIXES, export_run

    out = check_run_output(a.output)
    dest = check_export_path(a.save, EXPORT_SUFFIXES)
    try:
        counts = export_run(out, dest)
    except ValueError as exc:  # more rows than an Excel sheet holds
        raise SettingsError(f"--save: {exc}") from None
    print(printable(f"{', '.join(f'{n} {name}' for name, n in counts.items())} -> {dest}"))
    return EXIT_OK


def _cmd_explain(a) -> int:
    import pandas as pd

    from .api import explain_file, explain_text
    from .readers import ReadError

    check_patterns(a.patterns)
    dest = check_export_path(a.save) if a.save else None
    manifest = {"plan_start_year": a.period[0], "plan_end_year": a.period[1]} if a.period else None
    try:
        if a.file:
            rows, rejected = explain_file(check_file(a.file, "--file"), manifest=manifest, patterns=a.patterns)
        else:
            if a.text == "-" or (a.text is None and not sys.stdin.isatty()):
                text = sys.stdin.read()
            elif a.text:
                text = a.text
            else:
                raise SettingsError("explain: give a text, '-' for stdin, or --file")
            rows, rejected = explain_text(text, manifest=manifest, patterns=a.patterns)
    except ReadError as exc:
        raise SettingsError(f"explain: {exc}") from None
    if dest:
        from .outputs.compare import write_frame

        write_frame(rejected, dest)
        print(printable(f"{len(rejected)} rejections -> {dest}"), file=sys.stderr)
    if a.summary:
        print(f"{len(rows)} rows; {len(rejected)} quantities turned down:")
        for step, n in rejected["rejected_by"].value_counts().sort_index().items():
            print(printable(f"  {step:32s} {n}"))
        return EXIT_OK
    for r in rows.to_dict("records"):
        year = "" if pd.isna(r["year"]) else int(r["year"])
        unit = "" if pd.isna(r["unit"]) else r["unit"]
        where = f"page {r['page']}" if not pd.isna(r["page"]) else f"line {r['line']}"
        print(
            printable(
                f"row       {r['indicator']} | {year} | {r['value_text']} | {unit} | {r['class']}"
                f" ({r['rule_id']}, {where})"
            )
        )
    for r in rejected.to_dict("records"):
        where = f"page {r['page']}" if not pd.isna(r["page"]) else f"line {r['line']}"
        print(printable(f"rejected  {r['quantity']} | {r['rejected_by']} | {r['detail']} ({where})"))
    if rows.empty and rejected.empty:
        print("no quantity in this text")
    return EXIT_OK


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {n}")
    return n


def _period(text: str) -> tuple[int, int]:
    parts = text.replace("–", "-").split("-")
    try:
        start, end = (int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected START-END years like 2021-2025, got {text!r}") from None
    if not 1949 <= start <= end <= 2100:
        raise argparse.ArgumentTypeError(f"not a plan period: {text!r}")
    return start, end


_LEVELS = ("debug", "info", "warning", "error")


def _logging_options(parser: argparse.ArgumentParser, top: bool) -> None:
    """``-v`` and ``--log-level``: on the main parser, and on each command so they may follow it."""
    # a command's copy must not reset what was given before the command name
    verbose_default, level_default = (0, None) if top else (argparse.SUPPRESS, argparse.SUPPRESS)
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=verbose_default,
        help="more log output on stderr (-v info, -vv debug)",
    )
    parser.add_argument(
        "--log-level", choices=_LEVELS, type=str.lower, default=level_default, help="log level (default: warning)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``plan-extract`` argument parser."""
    ap = argparse.ArgumentParser(
        prog="plan-extract",
        description="Extract quantified commitments from Chinese plan documents.",
        epilog=EXAMPLES + "\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--version", action="version", version=f"plan-extract {__version__}")
    _logging_options(ap, top=True)
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    def command(name, help, epilog):
        p = sub.add_parser(
            name,
            help=help,
            description=help,
            epilog=epilog + "\n" + EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.add_argument("-o", "--output", default="output", help=_OUTPUT_HELP)
        _logging_options(p, top=False)
        return p

    r = command(
        "run",
        "extract a corpus folder into Parquet tables",
        "examples:\n  plan-extract run corpus -o output\n  plan-extract run plans/ -o out --jobs 2 -q\n"
        "  plan-extract run plans/ -o out --redo             read every document again\n"
        "  plan-extract run plans/ -o out --engine dask --scheduler tcp://HOST:8786\n",
    )
    r.add_argument("corpus", nargs="?", default="corpus", help="folder of plans (default: corpus/)")
    r.add_argument(
        "--jobs",
        type=_positive_int,
        default=0,
        help="worker processes (default: cores, max 4; never more than the cores)",
    )
    r.add_argument("--patterns", default=None, help="a patterns/ folder to use instead of the shipped one")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    r.add_argument("--redo", action="store_true", help="extract every document again (default: reuse unchanged ones)")
    r.add_argument(
        "--follow-links-outside",
        action="store_true",
        help="read files that links lead to outside the corpus folder (default: a row saying "
        "'link points outside the corpus: not read')",
    )
    r.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT,
        metavar="S",
        help=f"seconds per document before its worker is stopped (default {DEFAULT_TIME_LIMIT:g}; 0 = none)",
    )
    r.add_argument(
        "--memory-limit",
        type=int,
        default=DEFAULT_MEMORY_LIMIT,
        metavar="MB",
        help=f"memory per worker in MB (default {DEFAULT_MEMORY_LIMIT}; 0 = none)",
    )
    r.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local worker processes, or dask.distributed (pip install 'plan-extract[dask]')",
    )
    r.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster)",
    )
    r.set_defaults(fn=_cmd_run)

    e = command(
        "eval",
        "score output against gold annotations",
        "examples:\n  plan-extract eval -o output --gold ../shared/gold --show 10\n"
        "  plan-extract eval -o output --extra-gold verdicts.csv    (verdicts exported from the audit page)\n",
    )
    e.add_argument("--gold", default=None, help="folder of gold *.jsonl")
    e.add_argument(
        "--extra-gold",
        action="append",
        metavar="FILE",
        help="reviewer verdicts (CSV exported from the audit page) read as more gold; repeatable",
    )
    e.add_argument("--pred", default=None, help="commitments.parquet to score (default: OUT/commitments.parquet)")
    e.add_argument("--source", choices=("text", "table"), help="only records with this source")
    e.add_argument("--docs", nargs="*", help="only these document ids")
    e.add_argument("--show", type=_positive_int, default=0, help="print the first N misses and false positives")
    e.add_argument("--json", action="store_true", help="print the figures as JSON")
    e.set_defaults(fn=_cmd_eval)

    au = command(
        "audit",
        "write the audit page (one offline HTML file)",
        "examples:\n  plan-extract audit -o output\n  plan-extract audit -o output --html review.html\n",
    )
    au.add_argument("--html", default=None, metavar="PAGE", help="page to write (default: OUT/audit.html)")
    au.set_defaults(fn=_cmd_audit)

    cp = command(
        "compare",
        "comparison table: canonical indicator x document",
        "examples:\n  plan-extract compare -o output --indicators air --year 2025\n"
        "  plan-extract compare -o output --save comparison.xlsx   (sheets targets, baselines, long)\n"
        "  plan-extract compare -o output --ladder --indicators air --save ladder.xlsx   (sheets chains, steps)\n"
        "rows whose unit does not fit the indicator (a count under a rate) are left out\n",
    )
    cp.add_argument("--indicators", nargs="*", help="indicator ids or categories (air, water.surface_good_share …)")
    cp.add_argument("--year", type=int, help="only targets for this year")
    cp.add_argument("--save", metavar="FILE", help="write table.xlsx | table.csv | table.parquet (default: print)")
    cp.add_argument(
        "--ladder",
        action="store_true",
        help="the target ladder: each target beside the level above it (nation > province > "
        "prefecture > county, by region code), with ratio and verdict",
    )
    cp.add_argument(
        "--qualitative",
        action="store_true",
        help="also targets without a number (基本消除, 完成省下达目标) where no number is given",
    )
    cp.set_defaults(fn=_cmd_compare)

    xp = command(
        "export",
        "every commitment with its evidence as a spreadsheet (.xlsx: one sheet per table)",
        "examples:\n  plan-extract export -o output --save all.xlsx   (commitments, documents, sections,"
        " likely_misses)\n  plan-extract export -o output --save all.csv    (the commitments)\n",
    )
    xp.add_argument("--save", metavar="FILE", required=True, help="all.xlsx (one sheet per table) or all.csv")
    xp.set_defaults(fn=_cmd_export)

    sh = command(
        "show", "print one commitment with its sentence", "examples:\n  plan-extract show 0b8778f0 -o output\n"
    )
    sh.add_argument("id", help="commitment_id (or a unique prefix)")
    sh.set_defaults(fn=_cmd_show)

    ex = sub.add_parser(
        "explain",
        help="what the rules make of a text, and which step turned each other number down",
        description="Run the rules on a text (an argument, a file, or stdin with '-') and print "
        "the rows found and every quantity turned down with the decision step that "
        "turned it down.",
        epilog='examples:\n  plan-extract explain "“十三五”期间森林覆盖率达到43%。到2025年达到46%。" '
        "--period 2021-2025\n  plan-extract explain --file plans/jilin.pdf --summary --save rejections.csv\n"
        + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ex.add_argument("text", nargs="?", help="plan text; '-' reads stdin")
    ex.add_argument("--file", help="a plan file (.txt/.md/.pdf/.docx) read with its reader")
    ex.add_argument("--summary", action="store_true", help="only count the quantities turned down, by step")
    ex.add_argument("--save", metavar="FILE", help="write every rejection to FILE.csv | .parquet | .xlsx")
    ex.add_argument("--period", type=_period, help="plan period START-END (default: read from the text)")
    ex.add_argument("--patterns", default=None, help="a patterns/ folder to use instead of the shipped one")
    _logging_options(ex, top=False)
    ex.set_defaults(fn=_cmd_explain)
    return ap


_HANDLER = "plan-extract-cli"


def _configure_logging(a) -> None:
    """Send the package's log records to stderr at the level asked for (the only logging set-up)."""
    if a.log_level:
        level = a.log_level.upper()
    else:
        level = "DEBUG" if a.verbose >= 2 else "INFO" if a.verbose else "WARNING"
    logger = logging.getLogger("extract")
    for h in [h for h in logger.handlers if h.get_name() == _HANDLER]:
        logger.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status (0 done, 1 incomplete, 2 nothing done)."""
    a = build_parser().parse_args(argv)
    # the command line's own process (the console script passes no arguments) ends with the
    # command; a Python caller (a notebook, a test) goes on, maybe to pandas with numpy
    a.process_ends = argv is None
    _configure_logging(a)
    try:
        status = a.fn(a)
        sys.stdout.flush()
        return status
    except SettingsError as exc:
        print(printable(f"plan-extract: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # the reader went away (`plan-extract compare | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("plan-extract: interrupted", file=sys.stderr)
        return 130
