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
    rows = [
        r
        for r in extract_text(text, doc_id=name, manifest={"plan_start_year": start, "plan_end_year": end})
        if r["source"] == "table" and r["class"] != "qualitative"
    ]  # numbers only
    summary = [(r["indicator"], r["year"], r["value"], r["unit"]) for r in rows]
    assert len(rows) == len(spec["rows"]), summary
    left = list(rows)
    for exp in spec["rows"]:
        hit = next((r for r in left if all(_same(v, r.get(k)) for k, v in exp.items())), None)
        assert hit is not None, (exp, summary)
        left.remove(hit)
    for r in rows:
        assert r["table_id"] and r["table_row"] is not None and r["value_text"] in r["sentence"]


@pytest.mark.parametrize(
    "cell,value,comparator,cumulative",
    [
        ("≥46.43，保持稳定或持续改善".replace("≥", ">="), 46.43, ">=", False),
        ("93左右", 93, "~", False),
        ("<1.3", 1.3, "<", False),
        ("[1.21]", 1.21, "=", True),
        ("△EQI>1.97；生态质量轻微变好", 1.97, ">", False),
        ("2022年：△EQI=1.97；2023年数据暂时未出", 1.97, "=", False),
        ("2075", 2075, "=", False),  # a cell of one year-shaped number: its unit is in the header
        ("≥2000", 2000, ">=", False),
    ],
)
def test_mixed_value_cells(cell, value, comparator, cumulative):
    q = QuantityGrammar(load_patterns()).cell(cell)
    assert q.value == value and q.comparator == comparator and q.bracketed == cumulative


@pytest.mark.parametrize(
    "cell", ["基本消除", "有效保障", "完成省下达目标", "稳中向好", "-", "—", "2025年", "2021—2025", "2025年底前"]
)
def test_non_numeric_cells_give_no_value(cell):
    assert QuantityGrammar(load_patterns()).cell(cell) is None


def test_a_year_shaped_value_in_a_table_is_a_value():
    table = "表1 主要指标\n\n指标\t2020年\t2025年\t属性\n湿地生态系统服务价值（亿元）\t1966.03\t2075\t预期性\n\n"
    rows = [
        r
        for r in extract_text(table, manifest={"plan_start_year": 2021, "plan_end_year": 2025})
        if r["source"] == "table"
    ]
    assert [(r["year"], r["value"], r["unit"]) for r in rows if r["year"] == 2025] == [(2025, 2075, "亿元")]


def test_a_project_table_reads_its_content_and_target_cells_as_items_but_not_its_problems():
    """实施内容 marks a project table: each measure of a cell is a row named after itself, and the
    column of problems a project answers (拟解决的突出问题) gives none."""
    table = (
        "附表3 重点工程项目\n\n类别\t名称\t实施内容\t拟解决的突出问题\t目标指标\t责任单位\n"
        "生态修复\t九龙江口红树林湿地保护修复工程\t种植红树林50公顷，修复河口湿地。\t红树林面积比2015年减少30%。"
        "\t清理互花米草150公顷；修复河口湿地面积200公顷。\t龙海区人民政府\n\n"
    )
    rows = extract_text(table, manifest={"plan_start_year": 2021, "plan_end_year": 2025})
    got = {(r["indicator"], r["value"]) for r in rows if r["value"] in (150, 200)}
    assert got == {("清理互花米草", 150), ("修复河口湿地面积", 200)}
    assert all(r["class"] == "project" and r["source"] == "table" for r in rows)
    assert 30 not in {r["value"] for r in rows}


def test_a_header_row_without_text_is_skipped_and_the_columns_read_from_the_data():
    """A PDF header drawn as outlines gives a row of empty cells: the data still names the columns."""
    from extract.context.years import DocContext
    from extract.model import Cell
    from extract.pipeline import tables_for

    schemas = tables_for(load_patterns()).schemas
    texts = [
        ["", "", "", "", "", ""],
        ["1", "单位GDP二氧化碳排放降低", "%", "—", "18", "约束性"],
        ["2", "空气质量优良天数比例", "%", "88.2", "90", "约束性"],
        ["3", "城市生活污水集中收集率", "%", "62", "70", "预期性"],
    ]
    rows = [[Cell(t, 0, len(t)) for t in row] for row in texts]
    ctx = DocContext(2021, 2025, None, None)
    schema = schemas.from_data(rows, True, ctx)
    assert schema is not None and schema.header_rows == 1 and schema.from_data
    assert [c.role for c in schema.columns] == ["serial", "indicator", "unit", "baseline", "target", "binding"]
    assert schema.columns[4].year == 2025 and schema.columns[4].implied
    # without the unit and binding columns nothing says these numbers are targets
    bare = [[row[j] for j in (0, 1, 3, 4)] for row in rows]
    assert schemas.from_data(bare, True, ctx) is None


# --- named table decisions (tables/decide.py) and header vs data ---------------------------------


def _explain(text: str):
    from extract.api import explain_text

    return explain_text(text, manifest={"plan_start_year": 2021, "plan_end_year": 2025})


def test_a_review_table_gives_no_row_and_says_why():
    """S8: a caption of review and a “十三五” target column: the table reviews the past plan."""
    text = (
        "第一章 规划基础\n“十三五”期间，规划确定的主要指标完成情况见表1。\n"
        "表1 “十三五”生态环境保护规划指标完成情况\n"
        "序号\t指标名称\t单位\t“十三五”目标值\t2020年现状值\t达标情况\n"
        "1\t城市空气质量优良天数比率\t%\t≥78\t83.1\t达标\n"
        "2\t细颗粒物（PM2.5）浓度\tμg/m3\t≤42\t36.5\t达标\n"
        "3\t森林覆盖率\t%\t≥30\t31.4\t达标\n"
        "第二章 总体要求\n到2025年，城市空气质量优良天数比率达到86%。\n"
    )
    rows, rejected = _explain(text)
    assert [(r["indicator"], r["value"], r["source"]) for r in rows.to_dict("records")] == [
        ("城市空气质量优良天数比率", 86.0, "text")
    ]
    assert "table.review" in set(rejected["rejected_by"])


def test_a_review_caption_does_not_hide_a_column_for_a_year_to_come():
    text = (
        "表1 “十三五”目标完成情况及“十四五”主要指标\n"
        "序号\t指标\t单位\t“十三五”目标\t2020年现状\t2025年目标\t属性\n"
        "1\t森林覆盖率\t%\t35\t35.8\t36.5\t约束性\n"
        "2\t空气质量优良天数比率\t%\t75.4\t89.6\t90\t约束性\n"
    )
    rows, _ = _explain(text)
    got = {(r["indicator"], r["year"], r["value"], r["baseline_value"]) for r in rows.to_dict("records")}
    assert got == {("森林覆盖率", 2025, 36.5, 35.8), ("空气质量优良天数比率", 2025, 90.0, 89.6)}


def test_rows_that_give_nothing_carry_the_rule_that_dropped_them():
    text = (
        "表2 主要指标\n"
        "序号\t指标\t单位\t2020年\t2025年\t属性\n"
        "（一）生态环境质量\t\t\t\t\t\n"
        "1\t地表水达到或好于Ⅲ类水体比例\t%\t80\t85.7\t约束性\n"
        "2\t单位地区生产总值二氧化碳排放降低\t%\t—\t完成省下达目标\t约束性\n"
        "3\t受污染耕地安全利用率\t%\t90\t待定\t约束性\n"
    )
    rows, rejected = _explain(text)
    numeric = [(r["indicator"], r["value"]) for r in rows.to_dict("records") if r["class"] != "qualitative"]
    assert numeric == [("地表水达到或好于Ⅲ类水体比例", 85.7)]
    # a target cell without a number that promises something is a qualitative row (issue 21) …
    assert [r["target_text"] for r in rows.to_dict("records") if r["class"] == "qualitative"] == ["完成省下达目标"]
    # … one that promises nothing is turned down, and says so
    why = dict(zip(rejected["quantity"], rejected["rejected_by"]))
    assert why["待定"] == "table.cell.no_value" and "完成省下达目标" not in why
    assert set(rejected["rejected_by"]) >= {"table.cell.no_value", "table.row.group"}


def test_a_data_row_or_a_group_row_is_no_header_row():
    """S7: 完成省定目标 over a unit and placeholders is data; 一、主要目标 across the table is a group."""
    from extract.context.years import DocContext
    from extract.model import Cell
    from extract.pipeline import tables_for

    schemas = tables_for(load_patterns()).schemas
    ctx = DocContext(2021, 2025, None, None)

    def cells(texts, spans=None):
        return [Cell(t, 0, len(t), 1, (spans or {}).get(k, 1)) for k, t in enumerate(texts)]

    header = cells(["序号", "指标名称", "单位", "2020年现状值", "2025年目标", "五年累计", "属性"])
    continued = cells(["", "总氮减排量", "万吨", "-", "/", "完成省定目标", ""])
    data = cells(["4", "城市污水集中收集率", "%", "-", "75", "/", "预期性"])
    schema = schemas.detect([header, continued, data], True, ctx)
    assert schema.header_rows == 1 and schema.columns[2].role == "unit"
    task_header = cells(["序号", "重点任务", "工作措施", "完成时限", "牵头部门"])
    group = [Cell("一、主要目标", 0, 6, 1, 5)] + [Cell("一、主要目标", 0, 6, 1, 1, (0, 0)) for _ in range(4)]
    task = cells(["1", "新能源车推广", "力争2025年注册登记汽车中新能源车比例达到45%。", "年底前", "市发展改革委"])
    schema = schemas.detect([task_header, group, task], True, ctx)
    assert schema.header_rows == 1 and "target" not in schema.roles


def test_unframed_boxes_take_up_the_outline_where_the_last_box_left_it(monkeypatch):
    """The outline numbering a 专栏 box ends at is read once along the document, not again from
    the start for every box (that made a plan with many boxes quadratic in its length)."""
    from extract.readers import base
    from extract.readers.text import document_from_text

    section = "（{n}）推进工业节能。\n专栏{n} 工业节能减排行动\n组织开展能效提升专项行动，建设节能改造项目10个。\n"
    calls = []
    heading = base.match_heading
    monkeypatch.setattr(base, "match_heading", lambda text: calls.append(text) or heading(text))

    def headings_read(boxes: int) -> int:
        calls.clear()
        doc = document_from_text("".join(section.format(n=n) for n in range(1, boxes + 1)), "boxes")
        assert sum(b.kind == "box" for b in doc.blocks) == boxes  # every box found, each ending at its （n+1）
        return len(calls)

    assert headings_read(200) < 2.2 * headings_read(100)
