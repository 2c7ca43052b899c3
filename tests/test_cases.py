"""Prose rules on sentences written from the linguistic patterns (tests/cases/*.yaml).

Each case gives a text, optionally the plan period, and the rows expected; a case with
``expect: []`` is a negative (no row may come out).  Only the fields listed are compared, but
the number of rows must match exactly (``match: contains``: the expected rows are among them).
``mode: project`` reads the text as a 专栏 box item; an expected value written as a list
accepts any of its items (an indicator with two acceptable spellings).
Known failures are marked ``xfail: reason`` and run with strict xfail, so a fix shows up;
rule errors propagate (strict mode, set in conftest).
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
import yaml

from extract.pipeline import rows_from_text as extract_text

from .project_mode import project_rows

CASES_DIR = Path(__file__).parent / "cases"


def _load():
    out = []
    for f in sorted(CASES_DIR.glob("*.yaml")):
        for i, case in enumerate(yaml.safe_load(f.read_text(encoding="utf-8"))):
            marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
            out.append(pytest.param(case, id=f"{f.stem}-{i:02d}", marks=marks))
    return out


CASES = _load()


def test_case_counts():
    invented = [c for c in CASES if not c.values[0].get("source")]
    pos = [c for c in invented if c.values[0]["expect"]]
    neg = [c for c in invented if not c.values[0]["expect"]]
    assert len(pos) >= 80 and len(neg) >= 40, (len(pos), len(neg))


def _overlap(gold: str, got) -> bool:
    """The scorer's indicator match: the row shares at least half of the annotated characters."""
    g, p = Counter(gold), Counter(got or "")
    return sum(min(n, p[ch]) for ch, n in g.items()) >= 0.5 * sum(g.values())


def _same(expected, got) -> bool:
    if isinstance(expected, list):  # any of these spellings
        return any(_same(e, got) for e in expected)
    if isinstance(expected, float) or isinstance(expected, int) and not isinstance(expected, bool):
        return got is not None and math.isclose(float(got), float(expected), abs_tol=1e-9)
    return expected == got


@pytest.mark.parametrize("case", CASES)
def test_case(case):
    manifest = {}
    if case.get("period"):
        manifest = {"plan_start_year": case["period"][0], "plan_end_year": case["period"][1]}
    if case.get("mode") == "project":  # a 专栏 box item: every quantity is a thing to build
        rows = project_rows(case["text"], manifest)
    else:
        rows = extract_text(case["text"], manifest=manifest)
    rows = [r for r in rows if r["class"] != "qualitative"]  # targets without a number: test_qualitative.py
    expected = case["expect"]
    summary = [
        (r["indicator"], r["year"], r["value"], r["value_min"], r["unit"], r["comparator"], r["change"]) for r in rows
    ]
    if case.get("match") != "contains":
        assert len(rows) == len(expected), summary
    unmatched = list(rows)
    loose = case.get("match") == "contains"
    for exp in expected:
        hit = next(
            (
                r
                for r in unmatched
                if all(
                    _overlap(v, r.get(k)) if loose and k == "indicator" else _same(v, r.get(k)) for k, v in exp.items()
                )
            ),
            None,
        )
        assert hit is not None, (exp, summary)
        unmatched.remove(hit)
    for r in rows:
        assert r["value_text"] in r["sentence"]
