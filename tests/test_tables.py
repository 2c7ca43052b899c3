"""Table fixtures cut from the seed plans (tests/fixtures/tables/*.txt) give the expected rows;
table cells are read with the one quantity grammar prose uses."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from extract.pipeline import rows_from_text as extract_text
from extract.patterns import load_patterns
from extract.quantity import QuantityGrammar

FIXTURES = Path(__file__).parent / "fixtures" / "tables"
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))


def _same(exp, got):
    if exp is None:
        return got is None
    if isinstance(exp, (int, float)) and not isinstance(exp, bool):
        return got is not None and math.isclose(float(got), float(exp), abs_tol=1e-9)
    return exp == got


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_table_fixture(name):
    spec = EXPECTED[name]
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    start, end = spec["period"]
    rows = [r for r in extract_text(text, doc_id=name, manifest={"plan_start_year": start, "plan_end_year": end})
            if r["source"] == "table"]
    summary = [(r["indicator"], r["year"], r["value"], r["unit"]) for r in rows]
    assert len(rows) == len(spec["rows"]), summary
    left = list(rows)
    for exp in spec["rows"]:
        hit = next((r for r in left if all(_same(v, r.get(k)) for k, v in exp.items())), None)
        assert hit is not None, (exp, summary)
        left.remove(hit)
    for r in rows:
        assert r["table_id"] and r["table_row"] is not None and r["value_text"] in r["sentence"]


@pytest.mark.parametrize("cell,value,comparator,cumulative", [
    ("≥46.43，保持稳定或持续改善".replace("≥", ">="), 46.43, ">=", False),
    ("93左右", 93, "~", False),
    ("<1.3", 1.3, "<", False),
    ("[1.21]", 1.21, "=", True),
    ("△EQI>1.97；生态质量轻微变好", 1.97, ">", False),
    ("2022年：△EQI=1.97；2023年数据暂时未出", 1.97, "=", False),
])
def test_mixed_value_cells(cell, value, comparator, cumulative):
    q = QuantityGrammar(load_patterns()).cell(cell)
    assert q.value == value and q.comparator == comparator and q.bracketed == cumulative


@pytest.mark.parametrize("cell", ["基本消除", "有效保障", "完成省下达目标", "稳中向好", "-", "—"])
def test_non_numeric_cells_give_no_value(cell):
    assert QuantityGrammar(load_patterns()).cell(cell) is None
