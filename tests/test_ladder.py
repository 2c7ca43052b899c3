"""The target ladder: nation > province > prefecture > county, by GB/T 2260 region code.

The demo corpus holds 黑龙江省 (230000), 齐齐哈尔市 (230200), 牡丹江市 (231000) and 五常市
(230184, a county-level city under 哈尔滨市, whose plan is not in the corpus, so its step goes to
the province).  The values below were read by hand from the plans.
"""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

import extract
from extract.cli import main
from extract.outputs.ladder import ancestors, ladder_chains

HLJ, QQHR, MDJ, WC = "000_dd9daf9e41b0847f", "001_6d0bac9ba866fd51", "003_dfa5be97218d6ef9", "004_ea1ad09170896d70"


@pytest.fixture(scope="module")
def demo_ladder(demo_output):
    documents, commitments = extract.read_output(demo_output)
    return extract.ladder(commitments, documents)


def _step(steps, indicator_id, doc_id, year):
    hit = steps[(steps.indicator_id == indicator_id) & (steps.doc_id == doc_id) & (steps.year == year)]
    assert len(hit) == 1, (indicator_id, doc_id, year)
    return {k: (None if pd.isna(v) else v) for k, v in hit.iloc[0].to_dict().items()}  # NA -> None


@pytest.mark.parametrize(
    "indicator_id,doc,year,value,parent_value,parent_year,verdict",
    [
        # 黑龙江省 line 140: 到2027年，全省细颗粒物平均浓度达到26微克/立方米以下
        ("air.pm25_concentration", QQHR, 2025, 28, 26, 2027, "laxer"),  # 齐齐哈尔市 table 1: 31 -> 28
        ("air.pm25_concentration", MDJ, 2025, 30, 26, 2027, "laxer"),  # 牡丹江市 table 2: 31 -> 30
        # 黑龙江省 line 228: 到2035年，全省森林覆盖率达到46.04%
        ("eco.forest_coverage", QQHR, 2025, 11, 46.04, 2035, "laxer"),  # table 1: 10.58 -> 11
        ("eco.forest_coverage", MDJ, 2025, 66, 46.04, 2035, "stricter"),  # table 2: 65 -> 66
        ("eco.forest_coverage", WC, 2025, 46.43, 46.04, 2035, "stricter"),  # 五常市: ≥46.43
        # 黑龙江省 line 160: 到2027年，全省地表水水质优良比例达到83%左右
        ("water.surface_good_share", QQHR, 2025, 78.6, 83, 2027, "laxer"),  # table 1: 71.4 -> 78.6
        ("water.surface_good_share", MDJ, 2025, 83.3, 83, 2027, "stricter"),  # table 2: 75 -> 83.3
        # 黑龙江省 line 176: 到2027年，受污染耕地安全利用率达到94%以上
        ("soil.contaminated_farmland_safe_use", MDJ, 2025, 93, 94, 2027, "laxer"),  # table 2: 93
        # 黑龙江省: 到2035年，农村生活污水管控率达到85%以上; 五常市 2030: 45
        ("water.rural_sewage_treatment", WC, 2030, 45, 85, 2035, "laxer"),
    ],
)
def test_demo_steps_read_by_hand(demo_ladder, indicator_id, doc, year, value, parent_value, parent_year, verdict):
    s = _step(demo_ladder, indicator_id, doc, year)
    assert s["value"] == pytest.approx(value) and s["parent_value"] == pytest.approx(parent_value)
    assert s["parent_doc_id"] == HLJ and s["parent_level"] == "province" and s["parent_year"] == parent_year
    assert s["verdict"] == verdict and s["ratio"] == pytest.approx(value / parent_value, abs=1e-4)
    assert s["line"] and s["parent_line"] and s["sentence"] and s["parent_commitment_id"]


def test_every_shared_indicator_has_its_steps(demo_ladder, demo_output):
    documents, commitments = extract.read_output(demo_output)
    long = extract.comparison_table(commitments, documents)
    province = set(long[long.doc_id == HLJ].indicator_id)
    for doc, level in ((QQHR, "prefecture"), (MDJ, "prefecture"), (WC, "county")):
        shared = province & set(long[long.doc_id == doc].indicator_id)
        steps = demo_ladder[(demo_ladder.doc_id == doc) & demo_ladder.parent_doc_id.notna()]
        assert shared and shared == set(steps.indicator_id), (doc, shared ^ set(steps.indicator_id))
        assert set(steps.level) == {level} and set(steps.parent_region) == {"黑龙江省"}
        # a verdict, or a note saying why there is none (a total, two units)
        assert all(pd.notna(v) or pd.notna(n) for v, n in zip(steps.verdict, steps.note))
    cultivated = _step(demo_ladder, "land.cultivated_land", WC, 2025)
    assert cultivated["verdict"] is None and "total" in cultivated["note"]  # 万亩 over a province and a county


def test_ancestors_follow_region_code_prefixes():
    assert ancestors("county", "231083") == [("prefecture", "231000"), ("province", "230000"), ("national", None)]
    assert ancestors("prefecture", "230200") == [("province", "230000"), ("national", None)]
    assert ancestors("national", None) == [] and ancestors(None, "230000") == []


PLANS = {
    "nation": (
        "国务院关于深入打好污染防治攻坚战的意见",
        "到2025年，全国细颗粒物浓度下降到32微克/立方米，"
        "单位国内生产总值二氧化碳排放比2020年下降18%，耕地保有量不低于186500万亩。",
    ),
    "province": (
        "黑龙江省生态环境保护规划",
        "到2025年，全省细颗粒物浓度控制在30微克/立方米，"
        "单位地区生产总值二氧化碳排放比2020年下降18%，耕地保有量不低于25000万亩。",
    ),
    "city": (
        "牡丹江市生态环境保护规划",
        "到2025年，全市细颗粒物浓度控制在28微克/立方米，单位地区生产总值二氧化碳排放比2020年下降19.5%。",
    ),
    "county": (
        "海林市生态环境保护规划",
        "到2025年，全市细颗粒物浓度控制在29微克/立方米，单位地区生产总值二氧化碳排放比2020年下降17%。",
    ),
}
MANIFEST = (
    "doc_id,title,region,region_code,admin_level,plan_start_year,plan_end_year\n"
    "nation,国务院关于深入打好污染防治攻坚战的意见,全国,,national,2021,2025\n"
    "province,黑龙江省生态环境保护规划,黑龙江省,230000,province,2021,2025\n"
    "city,牡丹江市生态环境保护规划,牡丹江市,231000,prefecture,2021,2025\n"
    "county,海林市生态环境保护规划,海林市,231083,county,2021,2025\n"
)


@pytest.fixture(scope="module")
def four_levels(tmp_path_factory):
    """An invented corpus of four levels (nation, 黑龙江省, 牡丹江市, 海林市 231083)."""
    corpus = tmp_path_factory.mktemp("ladder_corpus")
    for doc, (title, text) in PLANS.items():
        (corpus / f"{doc}.txt").write_text(f"{title}\n\n一、主要目标\n\n{text}\n", encoding="utf-8")
    (corpus / "manifest.csv").write_text(MANIFEST, encoding="utf-8")
    documents, commitments = extract.extract_folder(corpus)
    return corpus, extract.ladder(commitments, documents)


def test_a_chain_from_the_nation_down_to_a_county(four_levels):
    _corpus, steps = four_levels
    pm = steps[steps.indicator_id == "air.pm25_concentration"].set_index("doc_id")
    assert list(pm.index) == ["nation", "province", "city", "county"]
    assert pm.loc["province", "parent_doc_id"] == "nation" and pm.loc["province", "verdict"] == "stricter"
    assert pm.loc["city", "parent_doc_id"] == "province" and pm.loc["city", "verdict"] == "stricter"
    assert pm.loc["county", "parent_doc_id"] == "city" and pm.loc["county", "verdict"] == "laxer"
    assert pm.loc["county", "ratio"] == pytest.approx(29 / 28, abs=1e-4)
    co2 = steps[steps.indicator_id == "climate.co2_intensity"].set_index("doc_id")
    assert co2.loc["province", "verdict"] == "same"  # a cut of 18% under the nation's 18%
    assert co2.loc["city", "verdict"] == "stricter"  # a larger cut is stricter
    assert co2.loc["county", "verdict"] == "laxer"
    land = steps[steps.indicator_id == "land.cultivated_land"].set_index("doc_id")
    assert pd.isna(land.loc["province", "verdict"]) and "total" in land.loc["province", "note"]
    chains = ladder_chains(steps)
    pm_chain = chains[chains.indicator_id == "air.pm25_concentration"].iloc[0]
    assert pm_chain["national"] == "全国" and pm_chain["county"] == "海林市"
    assert pm_chain["steps"] == (
        "全国 → 黑龙江省: stricter (0.9375); 黑龙江省 → 牡丹江市: stricter (0.9333); 牡丹江市 → 海林市: laxer (1.0357)"
    )


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".parquet"])
def test_compare_ladder_saves_like_compare(four_levels, tmp_path, suffix):
    corpus, _steps = four_levels
    out = tmp_path / "out"
    assert main(["run", str(corpus), "-o", str(out), "-q"]) == 0
    dest = tmp_path / f"ladder{suffix}"
    assert main(["compare", "-o", str(out), "--ladder", "--save", str(dest)]) == 0
    if suffix == ".xlsx":
        import openpyxl

        assert openpyxl.load_workbook(dest).sheetnames == ["chains", "steps"]
    elif suffix == ".csv":
        text = dest.read_text(encoding="utf-8-sig")
        assert "parent_region" in text and "stricter" in text and "nan" not in text
    else:
        assert {"verdict", "ratio", "parent_commitment_id"} <= set(pq.read_table(dest).column_names)


def test_compare_ladder_prints_and_says_when_there_is_nothing(demo_output, tmp_path, capsys):
    assert main(["compare", "-o", str(demo_output), "--ladder", "--indicators", "air"]) == 0
    printed = capsys.readouterr().out
    assert "齐齐哈尔市" in printed and "laxer" in printed
    assert main(["compare", "-o", str(demo_output), "--ladder", "--indicators", "nuclear"]) == 1
