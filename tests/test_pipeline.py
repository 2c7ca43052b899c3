"""End to end on the real corpus: tables, types, provenance, encodings, bad input."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from extract.cli import main
from extract.readers import read_document
from extract.outputs.writer import COMMITMENTS, DOCUMENTS, SCHEMA_VERSION, SECTIONS

from .conftest import CORPUS

_FULLWIDTH = {0xFF10 + i: str(i) for i in range(10)} | {ord("．"): "."}


@pytest.mark.parametrize(
    "name,schema", [("commitments", COMMITMENTS), ("documents", DOCUMENTS), ("sections", SECTIONS)]
)
def test_tables_round_trip_with_contract_types(demo_output, name, schema):
    table = pq.read_table(demo_output / f"{name}.parquet")
    assert table.schema.remove_metadata() == schema
    assert table.schema.metadata[b"schema_version"] == SCHEMA_VERSION.encode()
    assert table.num_rows > 0
    # pandas round trip keeps the rows
    assert len(table.to_pandas()) == table.num_rows


def test_every_document_has_rows_with_evidence(demo_output, corpus_files):
    docs = pq.read_table(demo_output / "documents.parquet").to_pylist()
    assert [d["doc_id"] for d in docs] == [p.stem for p in corpus_files]
    assert all(d["status"] == "ok" and d["error"] is None for d in docs)
    rows = pq.read_table(demo_output / "commitments.parquet").to_pylist()
    by_doc = {d["doc_id"]: 0 for d in docs}
    for r in rows:
        by_doc[r["doc_id"]] += 1
        assert r["sentence"] and r["line"] is not None and r["line"] >= 1
        assert r["value_text"] in r["sentence"], r
    assert all(n > 0 for n in by_doc.values()), by_doc
    assert {d["doc_id"]: d["n_commitments"] for d in docs} == by_doc


def test_sentence_is_the_document_text_at_its_span(demo_output, corpus_files):
    rows = pq.read_table(demo_output / "commitments.parquet").to_pylist()
    docs = {p.stem: read_document(p, CORPUS) for p in corpus_files}
    n_rows = 0
    for r in rows:
        doc = docs[r["doc_id"]]
        if r["rule_id"] == "table.indicator_cell":
            # a table row is rendered as text; its span covers the row in the document
            n_rows += 1
            span = doc.text[r["char_start"] : r["char_end"]]
            flat = span.replace("\n", "").replace(" ", "")  # "单位 GDP" in the table, "单位GDP" the indicator
            assert r["value_text"] in span.replace("\n", "") and r["indicator"][:4] in flat
        else:
            assert doc.text[r["char_start"] : r["char_end"]] == r["sentence"]
    assert n_rows > 20


def test_value_line_points_at_the_source_line_holding_the_value(demo_output, corpus_files):
    rows = pq.read_table(demo_output / "commitments.parquet").to_pylist()
    lines = {p.stem: p.read_text(encoding="utf-8").split("\n") for p in corpus_files}
    for r in rows:
        src_line = lines[r["doc_id"]][r["line"] - 1]
        number = re.search(r"\d+(?:\.\d+)?", r["value_text"])
        if number:  # full-width digits and spaces are normalised away in value_text
            flat = src_line.translate(_FULLWIDTH).replace(" ", "")
            assert number.group(0) in flat, (r["line"], r["value_text"])


def test_same_input_same_output_and_ids(demo_output, tmp_path):
    assert main(["run", str(CORPUS), "-o", str(tmp_path), "--jobs", "1", "-q"]) == 0
    for name in ("commitments", "documents", "sections"):
        a = pq.read_table(demo_output / f"{name}.parquet")
        b = pq.read_table(tmp_path / f"{name}.parquet")
        assert a.equals(b), name
    ids = pq.read_table(tmp_path / "commitments.parquet").column("commitment_id").to_pylist()
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("encoding,bom", [("gb18030", b""), ("utf-16", b""), ("utf-8", b"\xef\xbb\xbf")])
def test_encodings_give_identical_output(tmp_path, encoding, bom):
    seed = CORPUS / "002_c17eb5853f4ec420.txt"
    text = seed.read_text(encoding="utf-8")
    ref_dir, enc_dir = tmp_path / "ref", tmp_path / "enc"
    ref_dir.mkdir()
    enc_dir.mkdir()
    shutil.copy(seed, ref_dir / seed.name)
    (enc_dir / seed.name).write_bytes(bom + text.encode(encoding))
    assert main(["run", str(ref_dir), "-o", str(tmp_path / "o1"), "-q", "--jobs", "1"]) == 0
    assert main(["run", str(enc_dir), "-o", str(tmp_path / "o2"), "-q", "--jobs", "1"]) == 0
    cols = ["indicator", "year", "value", "unit", "sentence", "char_start", "line", "commitment_id"]
    a = pq.read_table(tmp_path / "o1" / "commitments.parquet", columns=cols)
    b = pq.read_table(tmp_path / "o2" / "commitments.parquet", columns=cols)
    assert a.num_rows > 10 and a.equals(b)


def test_bad_files_become_error_rows_and_the_batch_goes_on(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "002_c17eb5853f4ec420.txt", corpus)
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (corpus / "empty.md").write_bytes(b"")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier work")
    status = main(["run", str(corpus), "-o", str(out), "-q", "--jobs", "2"])
    assert status == 1
    docs = {d["doc_id"]: d for d in pq.read_table(out / "documents.parquet").to_pylist()}
    assert docs["002_c17eb5853f4ec420"]["status"] == "ok"
    for bad in ("binary", "empty"):
        assert docs[bad]["status"] == "error"
        assert docs[bad]["error"] and "\n" not in docs[bad]["error"]
    err = capsys.readouterr().err
    assert "binary.txt" in err and "empty.md" in err
    assert pq.read_table(out / "commitments.parquet").num_rows > 10
    assert (out / "keep.txt").read_text() == "earlier work"
    assert not list(out.glob("*.tmp"))


def test_python_dash_m_runs(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "extract", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and "plan-extract" in proc.stdout
