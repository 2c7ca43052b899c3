"""Benchmark: restatement linking time for a document of many small tables.

Usage: python benchmarks/restatement_linking.py [TABLES ...]   (default 2000 10000)

A plan is written with TABLES small indicator tables (a header and one 森林覆盖率 row each, as a
DOCX of thousands of tables gives them), extracted once, and its rows linked again with
``extract.restatements.link_restatements``.  Two layouts: tables under short captions, which
the reader joins into one long table (its rows are never restatements of each other), and
tables parted by paragraphs (separate tables); three shapes of values: every table a different
value (no two rows state one target: the case a pairwise comparison made quadratic), every
table the same value (each row restates the first), values written with 0 to 3 decimals.  Prints the
CPU seconds of the linking, best of 3, and of the whole extraction for scale.  The target:
under 5 s for 10,000 tables (linking is linear: hashed by indicator x year x document x value).
"""

from __future__ import annotations

import sys
import time

from extract.pipeline import result_from_text
from extract.restatements import link_restatements

SHAPES = {
    "all different": lambda i: f"{41 + i * 0.01:.2f}",
    "all the same": lambda i: "46.43",
    "mixed decimals": lambda i: ("46", "46.4", "46.43", "46.431")[i % 4],
}


LAYOUTS = {
    "one block": "表{n} 主要指标",
    "separate": "表{n} 主要指标：本表列出规划期末的生态保护目标，数据来自统计年鉴与部门报告，逐年核算。",
}


def plan_text(tables: int, value, caption: str) -> str:
    """A plan of ``tables`` two-row tables (tab-separated: the text reader's tables)."""
    lines = ["某市生态环境保护规划", "第一章 主要目标"]
    for i in range(tables):
        lines += [caption.format(n=i + 1), "指标\t2020年\t2025年", f"森林覆盖率（%）\t40\t{value(i)}", ""]
    return "\n".join(lines)


def cpu_best_of(fn, n: int = 3) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def main(sizes: list[int]) -> int:
    print(
        f"{'tables':>7s}  {'layout':10s} {'values':15s} {'rows':>6s} {'primary':>7s} {'link s':>7s} {'extract s':>9s}"
    )
    worst = 0.0
    for n in sizes:
        for layout, caption in LAYOUTS.items():
            for shape, value in SHAPES.items():
                t0 = time.process_time()
                rows = result_from_text(plan_text(n, value, caption), doc_id="many_tables").commitments
                extract_s = time.process_time() - t0
                link_s = cpu_best_of(lambda rows=rows: link_restatements(rows))
                primary = sum(1 for r in rows if r["is_primary"])
                print(f"{n:7d}  {layout:10s} {shape:15s} {len(rows):6d} {primary:7d} {link_s:7.3f} {extract_s:9.2f}")
                if n == 10_000:
                    worst = max(worst, link_s)
    if worst:
        print(f"restatement linking, 10,000 tables: {worst:.3f} s (target < 5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [2000, 10_000]))
