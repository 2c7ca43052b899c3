"""Layout report: the tables and 专栏 boxes the reader finds in each plan, and what each gave.

Usage: python benchmarks/layout_report.py [FOLDER ...] [--period 2021-2025] [--all]

For every PDF (or other plan file) under the folders (default ``../shared/corpus-pdf-unlabelled``)
prints one line per document: pages, pages read again with the second reader, tables, boxes and
the rows each kind gave; then one line per table or box: its id, page, size, caption, rows, and
for one that gave none the rule ids that turned its numbers down (``tables.decide`` and the prose
steps), or "no quantity" (no number in its cells or items but years, CO2, PM2.5).  A table is an *indicator table* (marked ``*``) when its header or
caption names a year from 2025 on or a target (目标); the closing line counts the indicator
tables with rows and those with a named reason, the issue's check that none is lost in silence.
``--all`` lists boxes too (by default only tables, and boxes that gave nothing while holding
numbers).  Nothing is written; the figures are for reading, not a test.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import regex

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from extract.batch.discover import find_documents  # noqa: E402
from extract.patterns import load_patterns  # noqa: E402
from extract.pipeline import extract_document  # noqa: E402
from extract.readers import read_document  # noqa: E402

_TARGET_HEADER = regex.compile(r"20[2-9]\d|目标|规划值|期末")
# a number that is not a year ("2025年", "2030 年前")
_QUANTITY = regex.compile(r"(?<![\d.A-Za-z])(?!(?:19|20)\d{2}\s*年)\d+(?:\.\d+)?")


def _caption(doc, block) -> str:
    if block.title:
        return block.title
    before = doc.text[max(0, block.char_start - 120) : block.char_start].rstrip().rsplit("\n", 1)[-1].strip()
    return before if regex.match(r"\s*(?:附?表\s*[\d一二三四五六七八九十]|专栏)", before) else ""


def _header(block) -> str:
    rows = block.rows or []
    return " | ".join(c.text for row in rows[:3] for c in row if c.text and c.covered_by is None)


def report(path: Path, patterns, manifest: dict | None, show_all: bool) -> dict:
    doc = read_document(path, path.parent, patterns)
    result = extract_document(doc, patterns, manifest)
    rows_by_table = Counter(r["table_id"] for r in result.commitments if r["source"] == "table")
    reasons: dict[str, Counter] = {}
    blocks = [b for b in doc.blocks if b.kind in ("table", "box")]
    for rej in result.rejections:
        for b in blocks:
            if b.char_start <= rej["char_start"] < b.char_end:
                reasons.setdefault(b.table_id, Counter())[rej["rejected_by"]] += 1
                break
    reread = [w for w in doc.reading.get("warnings", []) if "read again" in w]
    summary = {
        "doc": doc.doc_id,
        "pages": doc.n_pages,
        "extractor": doc.reading.get("extractor", doc.format),
        "tables": 0,
        "boxes": 0,
        "table_rows": 0,
        "box_rows": 0,
        "indicator_tables": 0,
        "indicator_with_rows": 0,
        "indicator_with_reason": 0,
        "indicator_silent": 0,
        "lines": [],
    }
    for b in blocks:
        n = rows_by_table.get(b.table_id, 0)
        size = (
            f"{len(b.rows or [])}x{max((len(r) for r in b.rows or []), default=0)}"
            if b.kind == "table"
            else f"{len(b.rows or [])} items"
        )
        caption = _caption(doc, b)
        indicator = b.kind == "table" and bool(_TARGET_HEADER.search(_header(b) + " " + caption))
        summary["tables" if b.kind == "table" else "boxes"] += 1
        summary["table_rows" if b.kind == "table" else "box_rows"] += n
        why = ""
        if n == 0:
            got = reasons.get(b.table_id)
            table_rules = sorted(k for k in (got or {}) if k.startswith("table."))
            why = (
                ", ".join(table_rules or sorted(got or {}))
                if got
                else (
                    "no quantity"
                    if not _QUANTITY.search(" ".join(c.text for row in b.rows or [] for c in row))
                    else "NO REASON"
                )
            )
        if indicator:
            summary["indicator_tables"] += 1
            key = (
                "indicator_with_rows" if n else ("indicator_with_reason" if why != "NO REASON" else "indicator_silent")
            )
            summary[key] += 1
        if b.kind == "table" or show_all or (n == 0 and why not in ("no quantity", "")):
            mark = "*" if indicator else " "
            summary["lines"].append(
                f"   {mark} {b.table_id.split(':')[-1]:4s} p{b.page or '?':<3} {b.kind:5s} "
                f"{size:9s} rows {n:3d}  {caption[:34]:34s} {why}"
            )
    summary["warnings"] = reread
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="*", default=[str(ROOT.parent / "shared" / "corpus-pdf-unlabelled")])
    ap.add_argument("--period", help="plan period START-END for every document (default: inferred)")
    ap.add_argument("--all", action="store_true", help="list every box too")
    a = ap.parse_args(argv)
    manifest = None
    if a.period:
        start, end = a.period.split("-")
        manifest = {"plan_start_year": start, "plan_end_year": end}
    patterns = load_patterns()
    totals: Counter = Counter()
    for folder in a.folders:
        for path in find_documents(Path(folder))[0]:
            s = report(path, patterns, manifest, a.all)
            print(
                f"{s['doc']:32s} pages {s['pages'] or '-':>3}  {s['extractor']:15s} tables {s['tables']:2d} "
                f"(rows {s['table_rows']:3d})  boxes {s['boxes']:2d} (rows {s['box_rows']:3d})  "
                f"indicator tables {s['indicator_tables']}: {s['indicator_with_rows']} with rows, "
                f"{s['indicator_with_reason']} with a reason, {s['indicator_silent']} silent"
            )
            for line in s["lines"]:
                print(line)
            for w in s["warnings"]:
                print(f"     warning: {w}")
            totals.update({k: v for k, v in s.items() if isinstance(v, int)})
    print(
        f"TOTAL tables {totals['tables']} (rows {totals['table_rows']}), boxes {totals['boxes']} "
        f"(rows {totals['box_rows']}); indicator tables {totals['indicator_tables']}: "
        f"{totals['indicator_with_rows']} with rows, {totals['indicator_with_reason']} with a named reason, "
        f"{totals['indicator_silent']} silent"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
