"""Ids a comparison table can rely on: one document per doc_id, one commitment per commitment_id."""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq
import pytest

from extract.cli import main

from .conftest import CORPUS

JILIN = CORPUS / "002_c17eb5853f4ec420.txt"  # 美丽吉林建设规划纲要
HEILONGJIANG = CORPUS / "000_dd9daf9e41b0847f.txt"  # 美丽黑龙江建设规划纲要


def _run(corpus, out, *extra) -> int:
    return main(["run", str(corpus), "-o", str(out), "-q", "--jobs", "1", *extra])


def test_same_file_name_in_two_folders_gives_two_documents(tmp_path):
    corpus = tmp_path / "corpus"
    for region, src in (("jilin", JILIN), ("heilongjiang", HEILONGJIANG)):
        (corpus / region).mkdir(parents=True)
        shutil.copy(src, corpus / region / "plan.txt")
    assert _run(corpus, tmp_path / "out") == 0
    docs = pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()
    assert sorted(d["doc_id"] for d in docs) == ["heilongjiang/plan", "jilin/plan"]
    assert {d["doc_id"]: d["source_path"] for d in docs} == {
        "heilongjiang/plan": "heilongjiang/plan.txt",
        "jilin/plan": "jilin/plan.txt",
    }
    assert {d["doc_id"]: d["region"] for d in docs} == {"heilongjiang/plan": "黑龙江省", "jilin/plan": "吉林省"}
    rows = pq.read_table(tmp_path / "out" / "commitments.parquet").to_pylist()
    # each province's 2035 PM2.5 target stays under its own document
    pm = {
        (r["doc_id"], r["value"]) for r in rows if r["indicator_id"] == "air.pm25_concentration" and r["year"] == 2035
    }
    assert ("jilin/plan", 25.0) in pm and ("heilongjiang/plan", 23.0) in pm
    assert all(r["region"] == ("吉林省" if r["doc_id"] == "jilin/plan" else "黑龙江省") for r in rows)
    long = tmp_path / "long.parquet"
    assert (
        main(
            [
                "compare",
                "-o",
                str(tmp_path / "out"),
                "--save",
                str(long),
                "--indicators",
                "air.pm25_concentration",
                "--year",
                "2035",
            ]
        )
        == 0
    )
    got = {r["doc_id"]: r["value"] for r in pq.read_table(long).to_pylist()}
    assert got == {"heilongjiang/plan": 23.0, "jilin/plan": 25.0}


def test_a_plain_file_at_the_root_keeps_its_stem(demo_output, corpus_files):
    docs = pq.read_table(demo_output / "documents.parquet", columns=["doc_id"]).column(0).to_pylist()
    assert docs == [p.stem for p in corpus_files]  # the gold folders are keyed by file stem


def test_two_files_giving_one_id_are_refused_before_any_work(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(JILIN, corpus / "plan.txt")
    shutil.copy(JILIN, corpus / "plan.md")
    out = tmp_path / "out"
    assert _run(corpus, out) == 2
    err = capsys.readouterr().err
    assert "plan.md" in err and "plan.txt" in err and "plan" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def test_one_plan_in_two_encodings_gives_distinct_stable_ids(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = JILIN.read_text(encoding="utf-8")
    (corpus / "jilin_utf8.txt").write_text(text, encoding="utf-8")
    (corpus / "jilin_gbk.txt").write_bytes(text.encode("gb18030"))
    assert _run(corpus, tmp_path / "a") == 0
    rows = pq.read_table(tmp_path / "a" / "commitments.parquet", columns=["doc_id", "commitment_id"]).to_pylist()
    per_doc = {d: [r["commitment_id"] for r in rows if r["doc_id"] == d] for d in ("jilin_utf8", "jilin_gbk")}
    assert len(per_doc["jilin_utf8"]) == len(per_doc["jilin_gbk"]) > 10
    ids = [r["commitment_id"] for r in rows]
    assert len(ids) == len(set(ids))
    # the same ids on another run, from another folder on another machine
    moved = tmp_path / "elsewhere" / "corpus"
    shutil.copytree(corpus, moved)
    assert _run(moved, tmp_path / "b") == 0
    again = pq.read_table(tmp_path / "b" / "commitments.parquet", columns=["commitment_id"]).column(0).to_pylist()
    assert again == ids


def test_show_finds_each_copy(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = JILIN.read_text(encoding="utf-8")
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    (corpus / "b.txt").write_bytes(text.encode("gb18030"))
    assert _run(corpus, tmp_path / "out") == 0
    rows = pq.read_table(tmp_path / "out" / "commitments.parquet", columns=["doc_id", "commitment_id"]).to_pylist()
    for doc in ("a", "b"):
        cid = next(r["commitment_id"] for r in rows if r["doc_id"] == doc)
        capsys.readouterr()
        assert main(["show", cid, "-o", str(tmp_path / "out")]) == 0
        assert f"{cid}  {doc}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "rel,expected", [("plan.txt", "plan"), ("jilin/plan.txt", "jilin/plan"), ("a/b/规划.v2.pdf", "a/b/规划.v2")]
)
def test_doc_id_from_relative_path(rel, expected):
    from extract.readers import doc_id_from_path

    assert doc_id_from_path(rel) == expected
