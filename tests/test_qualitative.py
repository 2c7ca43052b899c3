"""Targets without a number become rows of class "qualitative" and change no figure of the scorer."""

from __future__ import annotations

import subprocess
import sys

import pyarrow.parquet as pq
import pytest

import extract
from extract.cli import main
from extract.pipeline import rows_from_text

from .conftest import SHARED

PERIOD = {"plan_start_year": 2021, "plan_end_year": 2025}


def _qualitative(text: str, manifest: dict | None = None) -> list[tuple]:
    rows = rows_from_text(text, manifest=manifest or PERIOD)
    return [(r["indicator"], r["year"], r["target_text"]) for r in rows if r["class"] == "qualitative"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("到2025年，县级城市建成区基本消除黑臭水体。", [("县级城市建成区黑臭水体", 2025, "基本消除")]),
        ("到2035年，核与辐射突发事件保持零增长。", [("核与辐射突发事件", 2035, "零增长")]),
        ("到2025年，主要农作物测土配方施肥技术实现全覆盖。", [("主要农作物测土配方施肥技术", 2025, "全覆盖")]),
        ("到2025年，生态质量指数稳中向好。", [("生态质量指数", 2025, "稳中向好")]),
        ("单位地区生产总值能耗完成省下达目标。", [("单位地区生产总值能耗", 2025, "完成省下达目标")]),
        # each item of a list names its own subject; a bare 功能 says nothing on its own
        ("确保生态保护红线面积不减少、功能不降低。", [("生态保护红线面积", 2025, "不减少")]),
        ("规划永久基本农田保护数量不减少、质量不降低。", [("规划永久基本农田保护数量", 2025, "不减少")]),
        ("一是全面消除劣Ⅴ类水体，巩固小流域综合治理成效。", [("劣Ⅴ类水体", 2025, "全面消除")]),
        ("化肥、农药使用量实现“零增长”。", [("化肥、农药使用量", 2025, "零增长")]),
        ("到2027年，基本消除农村黑臭水体。", [("农村黑臭水体", 2027, "基本消除")]),
    ],
)
def test_a_target_without_a_number_is_a_row(text, expected):
    assert _qualitative(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "“十三五”期间，全市已基本消除城市黑臭水体。",  # the past
        "构建县域全覆盖的秸秆收储和供应网络。",  # the words qualify a noun
        "按照“摸清底数—试点示范—全面完成”三个阶段推进农村黑臭水体治理。",  # a quoted programme
        "到2025年，县级城市建成区黑臭水体基本消除率达到90%。",  # the number is the target
    ],
)
def test_no_row_where_nothing_is_promised_without_a_number(text):
    assert _qualitative(text) == []


def test_indicator_table_cells_without_a_number():
    text = (
        "表1 主要指标\n\n指标\t2020年\t2025年\t属性\n森林覆盖率（%）\t65\t66\t约束性\n"
        "地下水国控点位V类水比例（%）\t-\t完成省下达目标\t预期性\n"
        "单位GDP能源消耗降低（%）\t-\t按国家核定目标执行\t约束性\n湿地保护率（%）\t50\t-\t预期性\n\n"
    )
    rows = rows_from_text(text, manifest=PERIOD)
    got = sorted(
        (r["indicator"], r["year"], r["target_text"], r["source"], r["binding"])
        for r in rows
        if r["class"] == "qualitative"
    )
    assert got == [
        ("单位GDP能源消耗", 2025, "按国家核定目标执行", "table", "约束性"),
        ("地下水国控点位V类水比例", 2025, "完成省下达目标", "table", "预期性"),
    ]
    q = next(r for r in rows if r["target_text"] == "完成省下达目标")
    assert q["value"] is None and q["sentence"][q["value_span"]["start"] : q["value_span"]["end"]] == "完成省下达目标"
    assert [r["value"] for r in rows if r["class"] != "qualitative"] == [66.0]


def test_demo_table_cells_and_sentences(demo_output):
    rows = [r for r in pq.read_table(demo_output / "commitments.parquet").to_pylist() if r["class"] == "qualitative"]
    got = {(r["doc_id"][:3], r["indicator"], r["year"], r["target_text"]) for r in rows}
    assert ("001", "生态保护红线面积", 2025, "完成省下达目标") in got  # 齐齐哈尔市, table 1 row 18
    assert ("003", "生态保护红线面积", 2025, "不降低") in got  # 牡丹江市, table 2 row 18
    assert ("003", "县级城市建成区黑臭水体", 2025, "基本消除") in got  # 到2025年，全市基本消除…
    assert ("004", "核与辐射突发事件", 2035, "零增长") in got
    for r in rows:
        assert r["value"] is None and r["value_min"] is None and r["target_text"] == r["value_text"]
        assert r["sentence"][r["value_span"]["start"] : r["value_span"]["end"]] == r["target_text"]


def test_qualitative_rows_change_no_figure_of_the_scorer(demo_output, gold_dir, tmp_path, capsys):
    """The scorer (and ``eval``) give the same figures with and without the qualitative rows."""
    table = pq.read_table(demo_output / "commitments.parquet")
    assert "qualitative" in table.column("class").to_pylist()
    numeric = tmp_path / "numeric.parquet"
    pq.write_table(table.filter([c != "qualitative" for c in table.column("class").to_pylist()]), numeric)
    scorer = SHARED / "tools" / "score.py"
    if scorer.is_file():
        runs = [
            subprocess.run(
                [sys.executable, str(scorer), "--pred", str(p), "--gold", str(gold_dir)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            for p in (demo_output / "commitments.parquet", numeric)
        ]
        assert runs[0] == runs[1]
    outs = []
    for p in (demo_output / "commitments.parquet", numeric):
        assert main(["eval", "--gold", str(gold_dir), "--pred", str(p)]) == 0
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1]


def test_compare_shows_qualitative_targets_only_when_asked(demo_output):
    documents, commitments = extract.read_output(demo_output)
    plain = extract.comparison_table(commitments, documents, ["eco.eco_quality_index"])
    both = extract.comparison_table(commitments, documents, ["eco.eco_quality_index"], qualitative=True)
    assert "稳中向好" not in set(plain["target"].dropna())
    assert {"001_6d0bac9ba866fd51", "003_dfa5be97218d6ef9"} <= set(both[both["target"] == "稳中向好"]["doc_id"])
