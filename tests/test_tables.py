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
            if r["source"] == "table" and r["class"] != "qualitative"]     # numbers only
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


def test_a_header_row_without_text_is_skipped_and_the_columns_read_from_the_data():
    """A PDF header drawn as outlines gives a row of empty cells: the data still names the columns."""
    from extract.context.years import DocContext
    from extract.model import Cell
    from extract.pipeline import tables_for

    schemas = tables_for(load_patterns()).schemas
    texts = [["", "", "", "", "", ""],
             ["1", "单位GDP二氧化碳排放降低", "%", "—", "18", "约束性"],
             ["2", "空气质量优良天数比例", "%", "88.2", "90", "约束性"],
             ["3", "城市生活污水集中收集率", "%", "62", "70", "预期性"]]
    rows = [[Cell(t, 0, len(t)) for t in row] for row in texts]
    ctx = DocContext(2021, 2025, None, None)
    schema = schemas.from_data(rows, True, ctx)
    assert schema is not None and schema.header_rows == 1 and schema.from_data
    assert [c.role for c in schema.columns] == ["serial", "indicator", "unit", "baseline", "target", "binding"]
    assert schema.columns[4].year == 2025 and schema.columns[4].implied
    # without the unit and binding columns nothing says these numbers are targets
    bare = [[row[j] for j in (0, 1, 3, 4)] for row in rows]
    assert schemas.from_data(bare, True, ctx) is None
