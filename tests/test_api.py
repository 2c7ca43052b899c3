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
        "Int32", "Float64", "Int32", "boolean", "boolean")
    assert types["indicator"] == types["commitment_id"] == "string"
    assert commitments["page"].isna().all() and commitments["year"].notna().all()


def test_extract_file_and_extract_text_share_the_types(tmp_path):
    documents, commitments = extract.extract_file(CORPUS / "004_ea1ad09170896d70.txt")
    assert documents.loc[0, "doc_id"] == "004_ea1ad09170896d70" and len(commitments) > 100
    text = extract.extract_text("到2025年，森林覆盖率达到46%，湿地保护率稳定在50%。",
                                manifest={"plan_start_year": 2021, "plan_end_year": 2025})
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
