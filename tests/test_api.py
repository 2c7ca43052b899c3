"""The Python API: DataFrames with the Parquet contract's columns and types."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

import extract
from extract.outputs.writer import COMMITMENTS, DOCUMENTS

from .conftest import CORPUS


def test_extract_folder_gives_what_a_run_writes(demo_output):
    documents, commitments = extract.extract_folder(CORPUS, jobs=2)
    d_out, c_out = extract.read_output(demo_output)
    assert list(commitments.columns) == [f.name for f in COMMITMENTS]
    assert list(documents.columns) == [f.name for f in DOCUMENTS]
    pd.testing.assert_frame_equal(commitments, c_out)
    pd.testing.assert_frame_equal(documents, d_out)
    types = commitments.dtypes.astype(str).to_dict()
    assert (types["year"], types["value"], types["page"], types["strive"], types["is_primary"]) == (
        "Int32",
        "Float64",
        "Int32",
        "bool",
        "bool",
    )
    assert types["indicator"] == types["commitment_id"] == str(extract.api.TEXT_DTYPE)
    assert commitments["page"].isna().all() and commitments["year"].notna().all()


def test_the_readmes_filter_works_on_the_tables_read_output_returns(demo_output):
    """``c[c.is_primary & (c.indicator_id == …)]`` gives rows, as on pd.read_parquet, not an NA error."""
    _d, c = extract.read_output(demo_output)
    forest = c[c.is_primary & (c.indicator_id == "eco.forest_coverage")]
    plain = pd.read_parquet(demo_output / "commitments.parquet")
    assert len(forest) == len(plain[plain.is_primary & (plain.indicator_id == "eco.forest_coverage")]) > 3
    assert c["is_primary"].dtype == bool and c["indicator_id"].isna().any()
    assert len(c[(c.year == 2025) & c.strive & (c.unit == "%")]) > 0
    table = forest.pivot_table(index="doc_id", columns="year", values="value")
    assert table.loc["004_ea1ad09170896d70", 2025] == 46.43


def test_extract_file_and_extract_text_share_the_types(tmp_path):
    documents, commitments = extract.extract_file(CORPUS / "004_ea1ad09170896d70.txt")
    assert documents.loc[0, "doc_id"] == "004_ea1ad09170896d70" and len(commitments) > 100
    text = extract.extract_text(
        "到2025年，森林覆盖率达到46%，湿地保护率稳定在50%。", manifest={"plan_start_year": 2021, "plan_end_year": 2025}
    )
    assert list(text.columns) == list(commitments.columns)
    assert text.dtypes.equals(commitments.dtypes)
    assert text["value"].tolist() == [46.0, 50.0]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    documents, commitments = extract.extract_file(bad)
    assert documents.loc[0, "status"] == "error" and commitments.empty
    assert list(commitments.columns) == [f.name for f in COMMITMENTS]


def test_bad_settings_raise_before_any_work(tmp_path):
    with pytest.raises(extract.SettingsError, match="corpus not found"):
        extract.extract_folder(tmp_path / "nowhere")
    with pytest.raises(extract.SettingsError, match="--patterns"):
        extract.extract_folder(CORPUS, patterns=tmp_path)
    corpus = tmp_path / "c"
    corpus.mkdir()
    shutil.copy(CORPUS / "004_ea1ad09170896d70.txt", corpus / "plan.txt")
    shutil.copy(CORPUS / "004_ea1ad09170896d70.txt", corpus / "plan.md")
    with pytest.raises(extract.SettingsError, match="two files give document id 'plan'"):
        extract.extract_folder(corpus)
    with pytest.raises(extract.SettingsError, match="no output"):
        extract.read_output(tmp_path)


def _awkward_corpus(tmp_path):
    """Two plans, a dangling link, a manifest without doc_id, a damaged DOCX and a .doc file."""
    corpus = tmp_path / "awkward"
    corpus.mkdir()
    for name in ("000_dd9daf9e41b0847f.txt", "002_c17eb5853f4ec420.txt"):
        shutil.copy(CORPUS / name, corpus / name)
    (corpus / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (corpus / "manifest.csv").write_text("title,region\n某规划,某市\n", encoding="utf-8")
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (corpus / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    return corpus


@pytest.mark.slow
def test_the_api_takes_the_command_lines_batch_path(tmp_path, caplog):
    from extract.cli import main

    corpus = _awkward_corpus(tmp_path)
    out = tmp_path / "out"
    assert main(["run", str(corpus), "-o", str(out), "-q", "--jobs", "1"]) == 1
    with caplog.at_level("WARNING", logger="extract"):
        documents, commitments = extract.extract_folder(corpus, jobs=1)
    d_out, c_out = extract.read_output(out)
    pd.testing.assert_frame_equal(documents, d_out)
    pd.testing.assert_frame_equal(commitments, c_out)
    errors = dict(zip(documents["doc_id"], documents["error"].fillna("")))
    assert errors["gone"] == "broken link: its target does not exist"  # not left out
    assert errors["old"] == ".doc: convert to .docx or PDF"
    assert errors["broken"].startswith("not a readable DOCX")
    assert "manifest.csv ignored" in caplog.text  # a warning, not a ValueError


@pytest.mark.slow
def test_the_api_has_the_runs_time_limit_also_with_one_job(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    shutil.copy(CORPUS / "004_ea1ad09170896d70.txt", corpus / "large.txt")
    documents, commitments = extract.extract_folder(corpus, jobs=1, time_limit=0.01)
    assert documents.loc[0, "error"] == "time limit 0.01 s exceeded" and commitments.empty
    documents, _ = extract.extract_file(corpus / "large.txt", time_limit=0.01)
    assert documents.loc[0, "error"] == "time limit 0.01 s exceeded"


def test_explain_file_is_part_of_the_public_api():
    assert "explain_file" in extract.__all__
    rows, rejected = extract.explain_file(CORPUS / "003_dfa5be97218d6ef9.txt")
    assert len(rows) > 20 and "rejected_by" in rejected.columns


@pytest.mark.parametrize(
    "name,reason",
    [
        ("plan.doc", ".doc: convert to .docx or PDF"),
        ("plan.wps", ".wps: a WPS document: save it as .docx or PDF"),
        ("plan.rtf", ".rtf: convert to .docx or PDF"),
        ("plan.ofd", ".ofd: an OFD document: convert it to PDF"),
        ("scan.JPG", ".jpg: an image: OCR it into a PDF with a text layer"),
        ("scan.png", ".png: an image: OCR it into a PDF with a text layer"),
    ],
)
def test_a_file_no_reader_takes_is_accounted_for(tmp_path, name, reason):
    from extract.batch.discover import find_documents

    (tmp_path / name).write_bytes(b"\x00\x01")
    (tmp_path / "notes.xyz").write_bytes(b"not a plan format")
    docs, problems = find_documents(tmp_path)
    assert docs == [] and [(p.path.name, p.reason, p.is_document) for p in problems] == [(name, reason, True)]
    documents, commitments = extract.extract_file(tmp_path / name)
    assert (documents.loc[0, "status"], documents.loc[0, "error"]) == ("error", reason) and commitments.empty


def test_an_unsupported_copy_beside_its_conversion_is_a_warning_not_a_second_row(tmp_path):
    from extract.batch.discover import find_documents

    shutil.copy(CORPUS / "000_dd9daf9e41b0847f.txt", tmp_path / "plan.txt")
    (tmp_path / "plan.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    docs, problems = find_documents(tmp_path)
    assert [d.name for d in docs] == ["plan.txt"]
    assert [(p.path.name, p.is_document) for p in problems] == [("plan.doc", False)]
    assert "another file gives its id 'plan'" in problems[0].reason
