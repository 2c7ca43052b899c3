"""Plausibility flags: each fires on an invented case and stays quiet on its correct twin.

Also: one primary row per document x indicator x year (a sub-area's target is not the
plan-wide one), and the README explains every flag in one line.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from extract.flags import FLAG_IDS, Plausibility
from extract.patterns import load_patterns
from extract.pipeline import rows_from_text

ROOT = Path(__file__).resolve().parents[1]
PERIOD = {"plan_start_year": 2021, "plan_end_year": 2025}
TABLE = "表1 主要指标\n\n指标\t2020年\t2025年\t属性\n{rows}\n\n"


def _rows(text: str, manifest: dict | None = None) -> dict[str, dict]:
    """Numeric rows by indicator as written (one each in these cases)."""
    rows = [r for r in rows_from_text(text, manifest=manifest or PERIOD) if r["class"] != "qualitative"]
    by = {r["indicator"]: r for r in rows}
    assert len(by) == len(rows), [r["indicator"] for r in rows]
    return by


def test_direction_fires_on_a_target_the_wrong_side_of_its_baseline():
    rows = _rows(
        TABLE.format(
            rows="细颗粒物（PM2.5）浓度（微克/立方米）\t31\t33\t约束性\n"
            "可吸入颗粒物（PM10）浓度（微克/立方米）\t55\t50\t约束性\n"
            "森林覆盖率（%）\t65\t60\t约束性\n"
            "湿地保护率（%）\t50\t≥48\t预期性\n"
            "草原综合植被盖度（%）\t72.3\t72左右\t预期性"
        )
    )
    assert rows["细颗粒物（PM2.5）浓度"]["flags"] == ["direction"]  # lower is better, yet 31 -> 33
    assert "above its baseline 31" in rows["细颗粒物（PM2.5）浓度"]["flag_detail"]
    assert rows["可吸入颗粒物（PM10）浓度"]["flags"] == []  # the twin: 55 -> 50
    assert rows["森林覆盖率"]["flags"] == ["direction"]  # higher is better, 65 -> 60
    assert rows["湿地保护率"]["flags"] == []  # a floor under the baseline holds a line
    assert rows["草原综合植被盖度"]["flags"] == []  # 72左右 is 72.3 as precisely as it is written


def test_direction_from_the_words_when_the_catalogue_has_no_direction():
    rule = Plausibility(load_patterns())
    row = {
        "commitment_id": "a",
        "indicator": "某某排放量",
        "indicator_id": None,
        "value": 12.0,
        "baseline_value": 10.0,
        "change": "level",
        "comparator": "=",
        "unit": "万吨",
        "source": "text",
        "sentence": "某某排放量下降到12万吨",
        "indicator_span": {"start": 0, "end": 5},
        "value_span": {"start": 8, "end": 13},
    }
    assert rule._direction(row) and "above its baseline" in rule._direction(row)
    assert rule._direction({**row, "value": 8.0}) is None


def test_range_fires_on_a_share_over_100_a_negative_value_and_a_year_outside_the_plan():
    rows = _rows(
        "到2025年，森林覆盖率达到120%。到2025年，湿地保护率达到46%。"
        "到2028年，草原综合植被盖度达到75%。到2035年，水土保持率达到80%。"
    )
    assert rows["森林覆盖率"]["flags"] == ["range"] and "120" in rows["森林覆盖率"]["flag_detail"]
    assert rows["湿地保护率"]["flags"] == []
    assert rows["草原综合植被盖度"]["flags"] == ["range"]  # 2028: after 2025, no horizon year
    assert rows["水土保持率"]["flags"] == []  # 2035: a horizon plans look to
    published = _rows(
        "到2021年，森林覆盖率达到46%。到2022年，湿地保护率达到46%。", {**PERIOD, "publish_date": "2022-03-01"}
    )
    assert published["森林覆盖率"]["flags"] == ["range"] and "publication" in published["森林覆盖率"]["flag_detail"]
    assert published["湿地保护率"]["flags"] == []
    rule = Plausibility(load_patterns())
    row = {"value": -3.0, "unit": "%", "change": "level", "year": 2025}
    assert rule._range(row, 2021, 2025, None) == ["a negative value -3"]
    assert rule._range({**row, "value": 3.0}, 2021, 2025, None) == []


def test_unit_fires_on_a_unit_of_another_kind_and_a_count_under_a_rate_gets_no_id():
    rows = _rows(
        "到2025年，完成农村生活污水治理工程45个，森林蓄积量达到46%。到2025年，农村生活污水治理率达到45%。"
        "到2025年，细颗粒物浓度下降10%。"
    )
    stock = rows["森林蓄积量"]
    assert stock["indicator_id"] == "eco.forest_stock" and stock["flags"] == ["unit"]
    assert "% for eco.forest_stock" in stock["flag_detail"]
    # facilities counted for a treatment rate are another indicator: no id rather than a wrong one
    count = rows["农村生活污水治理工程"]
    assert count["indicator_id"] is None and count["flags"] == []
    assert rows["农村生活污水治理率"]["indicator_id"] == "water.rural_sewage_treatment"
    assert rows["农村生活污水治理率"]["flags"] == []
    assert rows["细颗粒物浓度"]["flags"] == []  # a change in % fits a concentration


def test_conflict_names_the_other_row_and_a_restatement_is_no_conflict():
    table = TABLE.format(rows="森林覆盖率（%）\t65\t66\t约束性") + "第三章 生态保护\n\n"
    rows = [r for r in rows_from_text(table + "到2025年，全市森林覆盖率达到65%。", manifest=PERIOD)]
    t, p = sorted(rows, key=lambda r: r["source"] != "table")
    assert "conflict" in t["flags"] and "conflict" in p["flags"]
    assert p["commitment_id"] in t["flag_detail"] and t["commitment_id"] in p["flag_detail"]
    assert t["value"] == 66 and p["value"] == 65  # both keep their values
    twin = rows_from_text(table + "到2025年，全市森林覆盖率达到66%。", manifest=PERIOD)
    assert all(r["flags"] == [] for r in twin)
    assert sorted(r["is_primary"] for r in twin) == [False, True]


def test_restated_primary_keeps_the_plan_wide_target_primary():
    text = TABLE.format(
        rows="乡镇集中式饮用水水源水质达标率（%）\t95\t98\t约束性\n"
        "城市集中式饮用水水源水质达标率（%）\t100\t100\t约束性"
    )
    rows = _rows(text)
    town, city = rows["乡镇集中式饮用水水源水质达标率"], rows["城市集中式饮用水水源水质达标率"]
    assert city["is_primary"] and city["flags"] == []
    assert not town["is_primary"] and town["restates"] is None and town["flags"] == ["restated_primary"]
    assert city["commitment_id"] in town["flag_detail"]
    alone = _rows(TABLE.format(rows="乡镇集中式饮用水水源水质达标率（%）\t95\t98\t约束性"))
    assert (
        alone["乡镇集中式饮用水水源水质达标率"]["is_primary"] and alone["乡镇集中式饮用水水源水质达标率"]["flags"] == []
    )


def test_one_primary_per_document_indicator_and_year_on_the_demo(demo_output):
    c = pd.read_parquet(demo_output / "commitments.parquet")
    primary = c[c.is_primary & c.indicator_id.notna()]
    assert primary.groupby(["doc_id", "indicator_id", "year"]).size().max() == 1
    # the README's pivot: Qiqihar's table target, not the mean of 93.8 and the chapter's 87.7
    pivot = c[c.is_primary & (c.indicator_id == "air.good_days_ratio")].pivot_table(
        index="doc_id", columns="year", values="value"
    )
    assert pivot.loc["001_6d0bac9ba866fd51", 2025] == 93.8
    demoted = c[~c.is_primary & c.restates.isna() & (c["class"] != "qualitative")]
    # c["flags"], not c.flags (a pandas DataFrame attribute)
    assert len(demoted) >= 10 and all("restated_primary" in list(f) for f in demoted["flags"])


def test_flags_on_the_demo_output_name_real_rows(demo_output):
    rows = pq.read_table(demo_output / "commitments.parquet").to_pylist()
    ids = {r["commitment_id"] for r in rows}
    for r in rows:
        assert list(r["flags"]) == [f for f in FLAG_IDS if f in r["flags"]]
        assert (r["flag_detail"] is None) == (not r["flags"])
        for f in r["flags"]:
            assert f"{f}:" in r["flag_detail"]
        if "conflict" in r["flags"] or "restated_primary" in r["flags"]:
            assert any(i in r["flag_detail"] for i in ids - {r["commitment_id"]})
        if r["class"] == "qualitative":
            assert r["flags"] == []


def test_every_flag_is_explained_in_one_readme_line():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for f in FLAG_IDS:
        assert sum(1 for line in readme.splitlines() if line.startswith(f"| `{f}` |")) == 1, f


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("flags: {direction: x}\nsub_scope_words: [乡镇]\nhorizon_years: [2035]\n", "flags"),
        (
            "flags: {direction: a, range: b, unit: c, conflict: d, restated_primary: e}\nsub_scope_words: []\n"
            "horizon_years: [2035]\n",
            "sub_scope_words",
        ),
    ],
)
def test_a_bad_flags_file_fails_naming_the_key(tmp_path, text, fragment):
    import shutil

    from extract.patterns import PatternError, default_patterns_dir

    folder = tmp_path / "patterns"
    shutil.copytree(default_patterns_dir(), folder)
    (folder / "flags.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PatternError, match=f"flags.yaml: {fragment}"):
        load_patterns(folder)


def test_the_audit_page_filters_by_flag(demo_output, tmp_path):
    from extract.outputs.audit import render_audit

    from .test_audit import _launch, _needs_chromium, _no_empty_headings

    sync_api = _needs_chromium()
    page_path = render_audit(demo_output, tmp_path / "audit.html")
    rows = pq.read_table(demo_output / "commitments.parquet").to_pylist()
    n_any = sum(1 for r in rows if r["flags"])
    n_conflict = sum(1 for r in rows if "conflict" in r["flags"])
    n_qualitative = sum(1 for r in rows if r["class"] == "qualitative")
    with sync_api.sync_playwright() as p:
        browser = _launch(sync_api, p)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(page_path.as_uri())
        page.select_option("#f-flag", "*")
        assert page.locator("#count").inner_text() == str(n_any) and n_any >= 10
        page.select_option("#f-flag", "conflict")
        assert page.locator("#count").inner_text() == str(n_conflict) and n_conflict >= 2
        assert page.locator("tr.row:visible .tag.flag").filter(has_text="conflict").count() == n_conflict
        assert _no_empty_headings(page) == []
        page.select_option("#f-flag", "")
        page.select_option("#f-class", "qualitative")
        assert page.locator("#count").inner_text() == str(n_qualitative) and n_qualitative >= 20
        browser.close()
