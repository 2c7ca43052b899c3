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


@pytest.mark.parametrize("doc_id,style,count,first,last", [
    ("001_6d0bac9ba866fd51", "第", 13, "第一章", "第十三章"),
    ("003_dfa5be97218d6ef9", "第", 4, "第一章", "第四章"),
    ("000_dd9daf9e41b0847f", "、", 9, "一、", "九、"),
    ("002_c17eb5853f4ec420", "、", 8, "一、", "八、"),
    ("004_ea1ad09170896d70", "、", 5, "一、", "五、"),
])
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


@pytest.mark.parametrize("line", [
    "一是加强组织领导，压实各级责任，确保各项任务落实到位。",
    "（一）实施主体功能区战略，优化国土空间开发保护格局。落实主体功能区制度，完善国土空间规划体系。",
    "1. 加强空间布局管控。将土壤环境要求纳入国土空间用途管制，禁止规划建设可能造成污染的项目。",
])
def test_sentences_that_start_with_a_number_are_not_headings(line):
    assert match_heading(line) is None


@pytest.mark.parametrize("line,number", [("第三章 深入打好污染防治攻坚战", "第三章"), ("（二）生态安全体系建设", "（二）"),
                                         ("专栏3 重点工程", "专栏3"), ("表1  主要指标", "表1"), ("① 大气环境", "①")])
def test_heading_styles(line, number):
    assert match_heading(line)[1] == number


def test_manifest_values_win_and_say_so(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    shutil.copy(CORPUS / "004_ea1ad09170896d70.txt", corpus)
    (corpus / "manifest.csv").write_text(
        "doc_id,title,issuer,publish_date\n004_ea1ad09170896d70,五常市规划（审定稿）,五常市人民政府；中共五常市委,2024-06-01\n",
        encoding="utf-8")
    assert main(["run", str(corpus), "-o", str(tmp_path / "o"), "-q", "--jobs", "1"]) == 0
    doc = pq.read_table(tmp_path / "o" / "documents.parquet").to_pylist()[0]
    assert doc["title"] == "五常市规划（审定稿）" and doc["title_evidence"] == "manifest"
    assert doc["issuers"] == ["五常市人民政府", "中共五常市委"] and doc["issuer_evidence"] == "manifest"
    assert str(doc["publish_date"]) == "2024-06-01" and doc["date_evidence"] == "manifest"
    rows = pq.read_table(tmp_path / "o" / "commitments.parquet", columns=["title", "issuer"]).to_pylist()
    assert rows and all(r["title"] == "五常市规划（审定稿）" for r in rows)
