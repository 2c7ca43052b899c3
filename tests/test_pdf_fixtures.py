"""Page fixtures cut from the published PDFs give the table and box rows the annotation expects.

Each fixture (tests/fixtures/pdf/expected.yaml) is one layout the PDF reader and the table reader
must get right: tables over two pages, split name cells, framed 专栏 boxes, review tables, private-
use glyphs.  Every expected row must come out (matched like the scorer matches) with its fields,
and no other table or box row may (known misses and extras are listed and must stay so).
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
import yaml

from extract.pipeline import process_file

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))
_UNITS = {"吨/月·平方公里": "吨/(月·km²)", "ug/m3": "μg/m³", "平方公里": "km²"}


def _unit(u) -> str:
    return _UNITS.get(u or "", u or "")


def _matches(exp: dict, row: dict) -> bool:
    g, p = Counter(exp["indicator"]), Counter(row["indicator"] or "")
    if sum(min(n, p[ch]) for ch, n in g.items()) < 0.5 * sum(g.values()):
        return False
    if row["year"] != exp["year"] or _unit(row["unit"]) != _unit(exp.get("unit")):
        return False
    for key in ("value", "value_min", "value_max"):
        if key in exp and (row[key] is None or not math.isclose(row[key], exp[key], abs_tol=1e-6)):
            return False
    return True


@pytest.fixture(scope="module")
def fixture_rows(tmp_path_factory):
    out = {}
    for name, spec in EXPECTED.items():
        start, end = spec["period"]
        res = process_file(
            FIXTURES / f"{name}.pdf", FIXTURES, None, {"plan_start_year": str(start), "plan_end_year": str(end)}
        )
        assert res.ok, res.document.get("error")
        out[name] = [r for r in res.commitments if r["source"] == "table" and r["class"] != "qualitative"]
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pdf_page_fixture(name, fixture_rows):
    spec = EXPECTED[name]
    rows = list(fixture_rows[name])
    missing = []
    for exp in spec["rows"]:
        hit = next((r for r in rows if _matches(exp, r)), None)
        if hit is None:
            missing.append(exp["indicator"] + f" {exp.get('value')}")
            continue
        rows.remove(hit)
        for key in ("comparator", "binding", "baseline_value", "cumulative", "change"):
            if key in exp:
                assert hit[key] == exp[key], (key, exp, hit["indicator"], hit[key])
        assert hit["page"] == exp["page"]
    rows = [r for r in rows if not any(_matches(m, r) for m in spec.get("maybe", []))]
    extra = [f"{r['indicator']} {r['value']}" for r in rows]
    assert sorted(missing) == sorted(spec.get("known_misses", [])), missing
    assert sorted(extra) == sorted(spec.get("known_extra", [])), extra
