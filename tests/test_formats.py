"""PDF and DOCX in: real plans as published, the same document model as text input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from extract.pipeline import process_file
from extract.readers import read_document

from .conftest import CORPUS, SHARED
from .docx_build import docx_from_text, docx_with_styles

FIXTURES = Path(__file__).parent / "fixtures"


def _key(r):
    return (r["indicator"], r["year"], r["value"], r["value_min"], r["unit"])


@pytest.mark.parametrize("seed", ["003_dfa5be97218d6ef9", "001_6d0bac9ba866fd51"])
def test_docx_of_a_seed_plan_gives_the_same_commitments(tmp_path, seed):
    src = CORPUS / f"{seed}.txt"
    out = docx_from_text(src.read_text(encoding="utf-8"), tmp_path / f"{seed}.docx")
    text_rows = process_file(src, src.parent).commitments
    docx_rows = process_file(out, out.parent).commitments
    assert text_rows and docx_rows
    a, b = Counter(map(_key, text_rows)), Counter(map(_key, docx_rows))
    same = sum((a & b).values())
    assert same / max(sum(a.values()), sum(b.values())) >= 0.95, (a - b, b - a)
    assert any(r["source"] == "table" for r in docx_rows)


def test_docx_styles_merged_cells_and_tracked_changes(tmp_path):
    path = docx_with_styles(tmp_path / "styles.docx")
    doc = read_document(path, tmp_path)
    assert doc.format == "docx"
    assert "65%" in doc.text and "60%" not in doc.text  # insertion kept, deletion dropped
    headings = [(b.text, b.level) for b in doc.blocks if b.kind == "heading"]
    assert ("总体要求", 1) in headings and ("主要目标", 2) in headings and ("第二章 主要指标", 1) in headings
    table = next(b for b in doc.blocks if b.kind == "table")
    cells = [[c.text for c in row] for row in table.rows]
    assert cells[2][0] == ""  # vertical merge written once
    assert cells[3][3:] == ["52.3", ""]  # horizontal merge written once
    res = process_file(path, tmp_path)
    rows = res.commitments
    got = {(r["indicator"], r["year"], r["value"], r["source"]) for r in rows}
    assert ("城市生活污水集中收集率", 2027, 65.0, "text") in got
    assert ("空气质量优良天数比例", 2027, 92.0, "table") in got
    assert ("细颗粒物浓度", 2027, 28.0, "table") in got
    pm = next(r for r in rows if r["indicator"] == "细颗粒物浓度")
    assert pm["unit"] == "μg/m³" and pm["baseline_value"] == 31 and pm["binding"] == "约束性"
    assert all(r["chapter"] for r in rows)


def test_a_damaged_docx_is_an_error_row(tmp_path):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    res = process_file(bad, tmp_path)
    assert res.document["status"] == "error" and "DOCX" in res.document["error"]


def _pdf_fixture():
    path = FIXTURES / "pdf" / "neijiang_targets_p20-23.pdf"
    if not path.is_file():
        pytest.skip("PDF fixture missing")
    return path


def test_pdf_excerpt_pages_tables_and_targets(tmp_path):
    res = process_file(_pdf_fixture(), tmp_path)
    assert res.document["status"] == "ok" and res.document["n_pages"] == 4
    rows = res.commitments
    assert rows and all(r["page"] in (1, 2, 3, 4) and r["line"] is None for r in rows)
    got = {(r["indicator"], r["value"], r["source"]) for r in rows}
    assert ("空气质量优良天数比率", 91.1, "text") in got
    assert ("细颗粒物年平均浓度", 30.7, "text") in got
    assert ("细颗粒物（PM2.5）浓度", 30.7, "table") in got  # subscript kept in its cell
    assert ("氮氧化物重点工程减排量", 4000.0, "table") in got
    table_pm = next(r for r in rows if r["indicator"] == "细颗粒物（PM2.5）浓度")
    assert table_pm["baseline_value"] == 34.3 and table_pm["comparator"] == "<=" and table_pm["page"] == 3
    doc = read_document(_pdf_fixture(), tmp_path)
    assert "－21－" not in doc.text and "－22－" not in doc.text  # page numbers removed
    assert doc.text.count("空气质量优良天数比率（%）") == 1  # table text not read twice


def test_scanned_and_encrypted_pdfs_are_error_rows(tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    blank = pdfium.PdfDocument.new()
    blank.new_page(595, 842)
    blank.new_page(595, 842)
    scan = tmp_path / "scan.pdf"
    blank.save(scan)
    res = process_file(scan, tmp_path)
    assert res.document["status"] == "error" and "OCR" in res.document["error"]
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=str(_pdf_fixture()))
    writer.encrypt(user_password="secret", owner_password="owner")
    enc = tmp_path / "encrypted.pdf"
    with enc.open("wb") as fh:
        writer.write(fh)
    res = process_file(enc, tmp_path)
    assert res.document["status"] == "error" and "encrypted" in res.document["error"]


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "corpus-pdf").is_dir(), reason="../shared/corpus-pdf not present")
def test_all_real_pdfs_read_with_pages(tmp_path):
    from extract.cli import main

    out = tmp_path / "pdfout"
    assert main(["run", str(SHARED / "corpus-pdf"), "-o", str(out), "-q", "--jobs", "2"]) == 0
    import pyarrow.parquet as pq

    docs = pq.read_table(out / "documents.parquet").to_pylist()
    pdfs = sorted(p.stem for p in (SHARED / "corpus-pdf").glob("*.pdf"))
    assert sorted(d["doc_id"] for d in docs) == pdfs and all(d["status"] == "ok" and d["n_pages"] > 10 for d in docs)
    rows = pq.read_table(out / "commitments.parquet", columns=["doc_id", "page"]).to_pylist()
    assert all(r["page"] is not None for r in rows)
    assert all(d["n_commitments"] > 5 for d in docs)
