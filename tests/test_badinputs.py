"""The hostile corpus (made at test time): every file ends as an ok row or a specific one-line error."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from extract.cli import main
from extract.readers import read_document

from .badinputs.generate import MANY_TABLES, make_corpus, remove_corpus


pytestmark = pytest.mark.slow  # the hostile corpus: `make test-fast` leaves these out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Generate the corpus, run the CLI on it once (two workers); returns (cases, out, process)."""
    corpus = tmp_path_factory.mktemp("hostile") / "corpus"
    cases = make_corpus(corpus)
    out = corpus.parent / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "extract", "run", str(corpus), "-o", str(out), "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    yield cases, corpus, out, proc
    remove_corpus(corpus)


def _documents(out: Path) -> dict[str, dict]:
    return {d["source_path"]: d for d in pq.read_table(out / "documents.parquet").to_pylist()}


def _case_params():
    """The cases, for parametrising (a throwaway corpus without the large file: ~2 s)."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        cases = make_corpus(Path(d) / "c", big_text_mb=0)
        remove_corpus(Path(d) / "c")
    params = []
    for c in cases:
        marks = [pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else []
        name = repr(c.rel)[1:-1]
        if len(name) > 60:  # the deep and the too-long paths
            name = f"{name[:20]}…{name[-10:]} ({len(c.rel)} chars)"
        params.append(pytest.param(c.rel, c.status, c.phrase, marks=marks, id=name))
    return params


@pytest.mark.parametrize("rel,status,phrase", _case_params())
def test_every_hostile_file_gets_its_outcome(hostile, rel, status, phrase):
    _cases, corpus, out, proc = hostile
    if status is None:  # not a document: a warning on stderr
        assert f"{corpus / rel}: {phrase}" in proc.stderr
        return
    row = _documents(out)[rel]
    assert row["status"] == status, row["error"]
    if status == "error":
        assert phrase in row["error"], row["error"]
    elif phrase == "pages_without_text":
        assert (row.get("pages_without_text") or 0) > 0
    elif phrase:
        said = list(row["warnings"]) + list(row["reading_warnings"] or [])
        assert any(phrase in w for w in said), said
    if status == "ok":
        assert row["n_commitments"] > 0


def test_the_batch_finishes_keeps_every_good_document_and_says_so(hostile):
    cases, _corpus, out, proc = hostile
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert re.search(r"^documents \d+  commitments \d+  errors \d+  seconds", proc.stdout, re.M)
    docs = _documents(out)
    assert len(docs) == len({c.rel for c in cases if c.status})
    ok = [r for r in docs.values() if r["status"] == "ok"]
    commitments = pq.read_table(out / "commitments.parquet", columns=["source_path"]).column(0).to_pylist()
    assert {r["source_path"] for r in ok} <= set(commitments)
    assert "Traceback" not in proc.stderr


_VAGUE = re.compile(r"PDFium: Success|^\w+Error:?\s*$|^KeyError|MemoryError: $|Traceback")


def test_error_reasons_are_specific_and_one_line(hostile):
    _cases, _corpus, out, _proc = hostile
    for row in _documents(out).values():
        if row["status"] == "error":
            assert row["error"] and "\n" not in row["error"] and not _VAGUE.search(row["error"]), row


def test_nothing_from_a_document_or_path_reaches_the_terminal_raw(hostile):
    _cases, _corpus, _out, proc = hostile
    assert "\x1b" not in proc.stderr + proc.stdout and "\x07" not in proc.stderr + proc.stdout
    assert "bad\\x1b[2Jname\\x07.txt: empty file" in proc.stderr  # named, escaped


def test_show_prints_a_commitment_whose_sentence_and_path_hold_markup(hostile, capsys):
    _cases, _corpus, out, _proc = hostile
    rows = pq.read_table(out / "commitments.parquet").to_pylist()
    row = next(r for r in rows if r["source_path"] == "markup [b]x[/y] name.txt" and "[/y]" in r["sentence"])
    assert "第九章 保障措施[/b]" in row["section_path"]
    assert main(["show", row["commitment_id"], "-o", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "55%[/y]。" in shown and "保障措施[/b]" in shown and "y] name" in shown and "\x1b" not in shown


def test_docx_text_after_an_entity_reference_is_kept(hostile):
    _cases, _corpus, out, _proc = hostile
    rows = pq.read_table(out / "commitments.parquet").to_pylist()
    assert any(
        r["source_path"] == "docx_entity.docx" and r["value"] == 46.5 and "森林覆盖率" in r["indicator"] for r in rows
    )


def test_text_between_two_dollar_signs_is_not_latex(hostile):
    _cases, corpus, _out, _proc = hostile
    doc = read_document(corpus / "text_dollars.txt", corpus)
    assert "项目费用$5万元和$8万元分别到位。" in doc.text


def test_manifest_in_gbk_is_read_and_a_bad_value_only_warns(hostile):
    _cases, _corpus, out, _proc = hostile
    row = _documents(out)["text_utf8.txt"]
    assert row["status"] == "ok" and row["title"] == "某市生态环境保护规划" and row["title_evidence"] == "manifest"
    assert row["publish_date"] is None and row["plan_start_year"] == 2021


def test_no_stored_text_holds_a_control_character_or_a_bidi_mark(hostile):
    _cases, _corpus, out, _proc = hostile
    unsafe = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
    for table in ("documents", "commitments", "sections", "likely_misses"):
        for row in pq.read_table(out / f"{table}.parquet").to_pylist():
            for key, value in row.items():
                for text in value if isinstance(value, list) else [value]:
                    if isinstance(text, str):
                        assert not unsafe.search(text), (table, key, text)
    rows = pq.read_table(out / "commitments.parquet").to_pylist()
    assert sum(1 for r in rows if r["source_path"] == "text_c1_bidi.txt") > 10  # the text itself is read


def test_a_name_that_is_not_utf8_is_a_document_with_a_stable_escaped_id(hostile, tmp_path):
    _cases, corpus, out, _proc = hostile
    docs = _documents(out)
    row = docs["\\xb9滮\\xb7\\xbd\\xb0\\xb8.txt"]
    assert row["doc_id"] == "\\xb9滮\\xb7\\xbd\\xb0\\xb8" and row["n_commitments"] > 0
    again = tmp_path / "again"  # the same id on another run into another folder
    from extract.batch.runner import RunSettings, run_corpus

    single = tmp_path / "one"
    single.mkdir()
    name = os.fsdecode(b"\xb9\xe6\xbb\xae\xb7\xbd\xb0\xb8.txt")
    (single / name).write_bytes((corpus / name).read_bytes())
    run_corpus(RunSettings(single, again))
    assert _documents(again)["\\xb9滮\\xb7\\xbd\\xb0\\xb8.txt"]["doc_id"] == row["doc_id"]


def test_thousands_of_small_tables_are_read_whole(hostile):
    _cases, _corpus, out, _proc = hostile
    row = _documents(out)["docx_many_tables.docx"]
    assert row["status"] == "ok" and row["n_commitments"] >= MANY_TABLES


def test_a_link_outside_the_corpus_is_read_only_when_asked(hostile, tmp_path):
    _cases, corpus, _out, _proc = hostile
    out = tmp_path / "out"
    assert main(["run", str(corpus / "link_outside_folder"), "-o", str(tmp_path / "direct"), "-q"]) == 0
    small = tmp_path / "small"
    small.mkdir()
    os.symlink(corpus / "link_outside.txt", small / "elsewhere.txt")
    os.symlink(corpus.parent / "outside", small / "elsewhere")
    assert main(["run", str(small), "-o", str(out), "-q"]) == 1
    docs = _documents(out)
    assert docs["elsewhere.txt"]["error"] == "link points outside the corpus: not read" and len(docs) == 1
    assert main(["run", str(small), "-o", str(out), "-q", "--follow-links-outside"]) == 0
    docs = _documents(out)
    assert {d["status"] for d in docs.values()} == {"ok"} and set(docs) == {
        "elsewhere.txt",
        "elsewhere/private_plan.txt",
    }


def test_the_audit_page_data_block_survives_a_name_that_opens_a_comment_and_a_script(hostile, tmp_path):
    import json

    _cases, _corpus, out, _proc = hostile
    page = tmp_path / "audit.html"
    assert main(["audit", "-o", str(out), "--html", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    block = html.split('<script type="application/json" id="verdict-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    assert any(v.get("doc_id") == "<!--<script>" for v in data.values())


def test_compare_and_explain_print_nothing_raw_from_a_document(hostile, capsys):
    _cases, corpus, out, _proc = hostile
    capsys.readouterr()
    assert main(["compare", "-o", str(out)]) == 0
    assert main(["explain", "--file", str(corpus / "text_c1_bidi.txt")]) == 0
    printed = capsys.readouterr()
    unsafe = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
    assert not unsafe.search(printed.out + printed.err)
    assert "markup [b]x[/y]" in printed.out and "rejected" in printed.out  # documents shown, as text
