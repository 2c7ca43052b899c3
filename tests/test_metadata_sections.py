"""Documents know who issued them and where; commitments know their chapter."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest

from extract.cli import main
from extract.readers import document_from_text, read_document
from extract.context.sections import build_sections, match_heading

from .conftest import CORPUS, SHARED


@pytest.fixture(scope="module")
def expected_docs():
    path = SHARED / "gold" / "documents.json"
    if not path.is_file():
        pytest.skip("../shared/gold/documents.json not present")
    return json.loads(path.read_text(encoding="utf-8"))


def test_documents_match_the_expected_metadata(demo_output, expected_docs):
    docs = {d["doc_id"]: d for d in pq.read_table(demo_output / "documents.parquet").to_pylist()}
    for doc_id, exp in expected_docs.items():
        got = docs[doc_id]
        assert got["region"] == exp["region"], doc_id
        assert got["region_code"] == exp["region_code"], doc_id
        assert got["admin_level"] == exp["admin_level"], doc_id
        assert set(got["issuers"]) & set(exp["issuers_any"]), (doc_id, got["issuers"])
        assert got["issuer"] == "；".join(got["issuers"])
        assert got["plan_end_year"] in exp["plan_end_year_any"], doc_id
        for key in ("plan_start_year", "base_year", "doc_number"):
            if key in exp:
                assert got[key] == exp[key], (doc_id, key)
        if "publish_date" in exp:
            assert str(got["publish_date"]) == exp["publish_date"], doc_id
        if got["title_evidence"] != "file name":
            assert exp["title_contains"] in got["title"], (doc_id, got["title"])
        assert got["region_evidence"] and got["issuer_evidence"]


def test_almost_every_commitment_has_a_chapter(demo_output):
    rows = pq.read_table(demo_output / "commitments.parquet", columns=["chapter", "section_path"]).to_pylist()
    with_chapter = sum(1 for r in rows if r["chapter"])
    assert with_chapter / len(rows) >= 0.98
    assert all(r["section_path"][0] == r["chapter"] for r in rows if r["chapter"])


@pytest.mark.parametrize(
    "doc_id,style,count,first,last",
    [
        ("001_6d0bac9ba866fd51", "第", 13, "第一章", "第十三章"),
        ("003_dfa5be97218d6ef9", "第", 4, "第一章", "第四章"),
        ("000_dd9daf9e41b0847f", "、", 9, "一、", "九、"),
        ("002_c17eb5853f4ec420", "、", 8, "一、", "八、"),
        ("004_ea1ad09170896d70", "、", 5, "一、", "五、"),
    ],
)
def test_chapters_in_order(doc_id, style, count, first, last):
    doc = read_document(CORPUS / f"{doc_id}.txt", CORPUS)
    tree = build_sections(doc)
    top = [s for s in tree.sections if s.level == 1 and s.style not in ("box", "table_caption")]
    assert len(top) == count
    assert top[0].number == first and top[-1].number == last
    starts = [s.char_start for s in top]
    assert starts == sorted(starts)


def test_levels_follow_the_order_styles_appear_in():
    text = "第一章 总则\n\n一、指导思想\n\n（一）基本原则\n\n坚持生态优先。\n\n第二章 任务\n\n一、大气\n\n（一）控煤\n\n1.淘汰锅炉\n\n内容。"
    tree = build_sections(document_from_text(text, "t"))
    levels = {s.number + s.title: s.level for s in tree.sections}
    assert levels["第一章总则"] == 1 and levels["一、指导思想"] == 2 and levels["（一）基本原则"] == 3
    assert levels["1.淘汰锅炉"] == 4
    other = build_sections(document_from_text("一、总体要求\n\n（一）目标\n\n内容。", "u"))
    assert [s.level for s in other.sections] == [1, 2]


@pytest.mark.parametrize(
    "line",
    [
        "一是加强组织领导，压实各级责任，确保各项任务落实到位。",
        "（一）实施主体功能区战略，优化国土空间开发保护格局。落实主体功能区制度，完善国土空间规划体系。",
        "1. 加强空间布局管控。将土壤环境要求纳入国土空间用途管制，禁止规划建设可能造成污染的项目。",
    ],
)
def test_sentences_that_start_with_a_number_are_not_headings(line):
    assert match_heading(line) is None


@pytest.mark.parametrize(
    "line,number",
    [
        ("第三章 深入打好污染防治攻坚战", "第三章"),
        ("（二）生态安全体系建设", "（二）"),
        ("专栏3 重点工程", "专栏3"),
        ("表1  主要指标", "表1"),
        ("① 大气环境", "①"),
    ],
)
def test_heading_styles(line, number):
    assert match_heading(line)[1] == number


def test_manifest_values_win_and_say_so(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    shutil.copy(CORPUS / "004_ea1ad09170896d70.txt", corpus)
    (corpus / "manifest.csv").write_text(
        "doc_id,title,issuer,publish_date\n004_ea1ad09170896d70,五常市规划（审定稿）,五常市人民政府；中共五常市委,2024-06-01\n",
        encoding="utf-8",
    )
    assert main(["run", str(corpus), "-o", str(tmp_path / "o"), "-q", "--jobs", "1"]) == 0
    doc = pq.read_table(tmp_path / "o" / "documents.parquet").to_pylist()[0]
    assert doc["title"] == "五常市规划（审定稿）" and doc["title_evidence"] == "manifest"
    assert doc["issuers"] == ["五常市人民政府", "中共五常市委"] and doc["issuer_evidence"] == "manifest"
    assert str(doc["publish_date"]) == "2024-06-01" and doc["date_evidence"] == "manifest"
    rows = pq.read_table(tmp_path / "o" / "commitments.parquet", columns=["title", "issuer"]).to_pylist()
    assert rows and all(r["title"] == "五常市规划（审定稿）" for r in rows)


_STATE_COUNCIL = """国务院关于印发2030年前碳达峰行动方案的通知
国发〔2021〕23号
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
现将《2030年前碳达峰行动方案》印发给你们，请认真贯彻执行。
国务院
2021年10月24日
2030年前碳达峰行动方案
为深入贯彻落实党中央、国务院关于碳达峰、碳中和的重大战略决策，制定本方案。
到2025年，非化石能源消费比重达到20%左右，单位国内生产总值能源消耗比2020年下降13.5%。
加强自然资源保护和利用，提升生态系统碳汇能力，推动资源节约集约利用。各省、自治区、直辖市人民政府要落实责任。
"""

_PARTY_AND_STATE = """中共中央 国务院关于全面推进美丽中国建设的意见
（2023年12月27日）
建设美丽中国是全面建设社会主义现代化国家的重要目标。各省、自治区、直辖市党委和政府要结合实际抓好落实。
到2027年，全国细颗粒物平均浓度下降到28微克/立方米以下，地表水水质优良比例达到90%左右。
提升自然资源利用效率，资源县域经济绿色发展。
"""

_MINISTRIES = """生态环境部 国家发展和改革委员会 工业和信息化部
关于印发《减污降碳协同增效实施方案》的通知
环综合〔2022〕42号
各省、自治区、直辖市和新疆生产建设兵团生态环境厅（局）、发展改革委、工业和信息化主管部门：
到2025年，减污降碳协同推进的工作格局基本形成。到2030年，单位国内生产总值二氧化碳排放比2005年下降65%以上。
"""

_STATE_COUNCIL_OFFICE = """国务院办公厅关于印发新污染物治理行动方案的通知
国办发〔2022〕15号
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
到2025年，完成高关注、高产量的化学物质环境风险筛查。
"""


@pytest.mark.parametrize(
    "text,issuers",
    [
        (_STATE_COUNCIL, ["国务院"]),
        (_PARTY_AND_STATE, ["中共中央", "国务院"]),
        (_MINISTRIES, ["生态环境部", "国家发展和改革委员会", "工业和信息化部"]),
        (_STATE_COUNCIL_OFFICE, ["国务院办公厅"]),
    ],
    ids=["state_council", "party_and_state", "ministries", "state_council_office"],
)
def test_national_documents_are_national(text, issuers):
    from extract.context.metadata import NATIONAL_REGION, infer_metadata
    from extract.patterns import load_patterns

    meta = infer_metadata(document_from_text(text, "national"), load_patterns())
    assert meta.admin_level == "national"
    assert meta.region == NATIONAL_REGION == "全国" and meta.region_code is None
    assert meta.issuers == issuers
    assert meta.evidence["region"] and meta.evidence["issuer"]


def test_addressees_are_not_issuers():
    """ "各省、自治区、直辖市人民政府" names who receives the document, not who issued it."""
    from extract.context.metadata import infer_metadata
    from extract.patterns import load_patterns

    text = _STATE_COUNCIL_OFFICE.replace("国务院办公厅关于印发", "关于印发")
    meta = infer_metadata(document_from_text(text, "unsigned"), load_patterns())
    assert "直辖市人民政府" not in meta.issuers and meta.region != "资源县"


def test_a_provincial_plan_citing_the_state_council_stays_provincial(tmp_path):
    from extract.context.metadata import infer_metadata
    from extract.patterns import load_patterns

    text = (
        "吉林省人民政府关于印发吉林省生态环境保护规划的通知\n根据《国务院关于印发2030年前碳达峰行动方案的通知》，"
        "结合我省实际，制定本规划。\n国务院有关部门支持下，到2025年，全省森林覆盖率达到45.8%。\n"
    )
    meta = infer_metadata(document_from_text(text, "jl"), load_patterns())
    assert meta.admin_level == "province" and meta.region == "吉林省" and meta.issuers == ["吉林省人民政府"]
