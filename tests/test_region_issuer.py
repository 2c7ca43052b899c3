"""Region, issuer and level right on every document we have, and no county from a common word.

The expected values are data: ``tests/metadata/documents.yaml`` (the demo plans and the PDFs of
``../shared``, written by hand from their first and last pages) and ``tests/metadata/cases.yaml``
(invented traps and national documents of each kind of issuer).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from extract.context.metadata import DocMeta, apply_manifest, infer_metadata, region_rules
from extract.patterns import PatternError, default_patterns_dir, load_patterns
from extract.readers import document_from_text, read_document

from .conftest import CORPUS, ROOT, SHARED

HERE = Path(__file__).parent / "metadata"
DOCUMENTS = yaml.safe_load((HERE / "documents.yaml").read_text(encoding="utf-8"))["documents"]
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))["cases"]
FOLDERS = {"demo": CORPUS, "pdf": SHARED / "corpus-pdf", "unlabelled": SHARED / "corpus-pdf-unlabelled"}
# the rules a county may come from: printed by the document itself, or given by the user
COUNTY_RULES = {"manifest", "header", "signature", "title"}


@pytest.fixture(scope="module")
def infer():
    """infer_metadata as the pipeline calls it (with the prose rules' word segmenter)."""
    from extract.pipeline import rules_for

    patterns = load_patterns()
    tokenizer = rules_for(patterns).lex.tokenizer
    return lambda doc: infer_metadata(doc, patterns, cut=lambda s: tokenizer.cut(s, HMM=False))


def _got(meta: DocMeta) -> dict:
    return {
        "region": meta.region,
        "region_code": meta.region_code,
        "admin_level": meta.admin_level,
        "issuers": meta.issuers,
        "subject_region": meta.subject_region,
        "subject_region_code": meta.subject_region_code,
        "issuer_rule": meta.rules.get("issuer"),
        "region_rule": meta.rules.get("region"),
        "doc_number": meta.doc_number,
        "warning": bool(meta.warnings),
    }


def test_the_test_set_covers_every_document_we_have():
    listed = {(d["corpus"], d["file"]) for d in DOCUMENTS}
    assert len(listed) == len(DOCUMENTS) == 27
    for corpus, folder in FOLDERS.items():
        if folder.is_dir():
            files = {p.name for p in folder.iterdir() if p.suffix in (".txt", ".pdf")}
            assert files == {f for c, f in listed if c == corpus}, corpus


@pytest.mark.parametrize("entry", DOCUMENTS, ids=[d["file"].rsplit(".", 1)[0] for d in DOCUMENTS])
def test_every_real_document_has_the_right_region_level_and_issuer(entry, infer):
    folder = FOLDERS[entry["corpus"]]
    if not (folder / entry["file"]).is_file():
        pytest.skip(f"{folder} not present")
    meta = infer(read_document(folder / entry["file"], folder))
    got = _got(meta)
    for key in ("region", "region_code", "admin_level", "issuers", "issuer_rule", "region_rule", "doc_number"):
        if key in entry:
            assert got[key] == entry[key], (key, got[key], entry[key])
    assert meta.subject_region == meta.region and meta.subject_region_code == meta.region_code
    assert meta.evidence["region"] and meta.evidence["issuer"]
    assert got["warning"] == (meta.rules["region"] == "body")
    if meta.admin_level == "county":
        assert meta.rules["region"] in COUNTY_RULES


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_invented_documents(case, infer):
    meta = infer(document_from_text(case["text"], case["id"]))
    got = _got(meta)
    for key, want in case["expect"].items():
        assert got[key] == want, (key, got[key], want, meta.evidence)
    assert meta.region not in (case.get("not_region") or [])
    if meta.admin_level == "county":
        assert meta.rules["region"] in COUNTY_RULES
    if meta.region is not None:
        assert meta.evidence["region"] and meta.rules["region"]


def test_the_traps_cover_every_word_the_issue_names():
    traps = {r for c in CASES for r in c.get("not_region") or []}
    assert {"中和区", "资源县", "会同县", "共和县", "合作市", "新建区", "双城区", "上城区", "城关区"} <= traps
    ambiguous = region_rules(load_patterns()).ambiguous
    assert {"中和", "资源", "会同", "共和", "合作", "新建", "双城", "上城", "城关"} <= ambiguous
    assert not {"吉林", "黑龙江", "福州", "天津", "宁夏", "山东", "齐齐哈尔", "鹤城"} & ambiguous


def test_the_ambiguous_names_match_their_generator():
    """patterns/ambiguous_places.yaml is what tools/ambiguous_places.py writes today."""
    spec = importlib.util.spec_from_file_location("ambiguous_places", ROOT / "tools" / "ambiguous_places.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert (ROOT / "patterns" / "ambiguous_places.yaml").read_text(encoding="utf-8") == tool.generate()


def test_documents_table_says_which_rule_decided(demo_output):
    table = pq.read_table(demo_output / "documents.parquet")
    assert table.schema.metadata[b"schema_version"] >= b"1.3"
    docs = {d["doc_id"]: d for d in table.to_pylist()}
    heilongjiang = docs["000_dd9daf9e41b0847f"]
    assert heilongjiang["region_rule"] == "body" and heilongjiang["issuer_rule"] == "inferred"
    assert any("inferred from the body only" in w for w in heilongjiang["warnings"])
    qiqihar = docs["001_6d0bac9ba866fd51"]
    assert (qiqihar["region_rule"], qiqihar["issuer_rule"]) == ("header", "header")
    assert not any("body only" in w for w in qiqihar["warnings"])
    assert all(
        d["subject_region"] == d["region"] and d["subject_region_code"] == d["region_code"] for d in docs.values()
    )


def test_a_manifest_region_brings_its_code_and_level():
    meta = infer_metadata(
        document_from_text("关于加强生态环境保护的意见\n到2025年，森林覆盖率达到46%。\n", "m"), load_patterns()
    )
    gaz = region_rules(load_patterns()).gaz
    apply_manifest(meta, {"doc_id": "m", "region": "五常市"}, gaz)
    assert (meta.region, meta.region_code, meta.admin_level) == ("五常市", "230184", "county")
    assert meta.rules["region"] == meta.evidence["region"] == "manifest" and meta.subject_region == "五常市"
    apply_manifest(meta, {"doc_id": "m", "region": "全国", "subject_region": "包头市"}, gaz)
    assert (meta.region, meta.region_code, meta.admin_level) == ("全国", None, "national")
    assert (meta.subject_region, meta.subject_region_code) == ("包头市", "150200")


@pytest.mark.parametrize(
    "name,text,key",
    [
        ("ambiguous_places.yaml", "names: [资源, 中和]\n", "names"),
        ("doc_number_prefixes.yaml", "national: {国发: 国务院}\nprovinces: {甘肃: [甘肃省]}\n", "provinces"),
        ("doc_number_prefixes.yaml", "national: {}\nprovinces: {甘: [甘肃省]}\n", "national"),
    ],
)
def test_bad_region_rule_files_fail_naming_file_and_key(tmp_path, name, text, key):
    folder = tmp_path / "patterns"
    shutil.copytree(default_patterns_dir(), folder)
    (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(PatternError, match=f"{name}.*{key}"):
        load_patterns(folder)
