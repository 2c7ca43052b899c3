"""The command line by convention: settings checked before any output is touched, one meaning
for ``-o``, one line and exit 2 for user errors, exit codes and examples in ``--help``."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from extract.cli import build_parser, main

from .conftest import CORPUS, ROOT

PLAN = CORPUS / "002_c17eb5853f4ec420.txt"


@pytest.fixture
def good_output(tmp_path):
    """A small corpus and a good run of it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PLAN, corpus)
    out = tmp_path / "out"
    assert main(["run", str(corpus), "-o", str(out), "-q", "--jobs", "1"]) == 0
    return corpus, out


def _snapshot(folder):
    """Every file under ``folder`` (the tables and the run's shards) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize(
    "option,value,fragment",
    [
        ("--patterns", "no/such/patterns", "no such folder"),
        ("--patterns", "EMPTY_DIR", "units.yaml"),
    ],
)
def test_a_bad_patterns_folder_is_refused_and_the_output_kept(good_output, tmp_path, capsys, option, value, fragment):
    corpus, out = good_output
    before = _snapshot(out)
    if value == "EMPTY_DIR":
        value = str(tmp_path / "empty")
        os.mkdir(value)
    capsys.readouterr()
    assert main(["run", str(corpus), "-o", str(out), "-q", option, value]) == 2
    assert fragment in _one_line_error(capsys)
    assert _snapshot(out) == before


def test_an_output_path_that_is_a_file_is_refused(good_output, tmp_path, capsys):
    corpus, _out = good_output
    target = tmp_path / "a_file"
    target.write_text("keep me")
    capsys.readouterr()
    assert main(["run", str(corpus), "-o", str(target), "-q"]) == 2
    assert "not a folder" in _one_line_error(capsys)
    assert target.read_text() == "keep me"


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["compare", "--indicators", "air.pm25"], "unknown indicator"),
        (["compare", "--indicators", "nosuchcategory"], "unknown indicator"),
        (["compare", "--year", "225"], "--year"),
        (["compare", "--save", "table.txt"], ".xlsx, .csv or .parquet"),
        (["eval", "--gold", "no/such/gold"], "--gold"),
        (["eval", "--gold", "EMPTY_DIR"], "no *.jsonl"),
        (["eval"], "--gold"),
        (["audit", "--html", "OUT"], "folder"),
        (["show", "0000"], None),
    ],
)
def test_user_errors_give_one_line_and_exit_2(good_output, tmp_path, capsys, monkeypatch, args, fragment):
    _corpus, out = good_output
    monkeypatch.chdir(tmp_path)
    (tmp_path / "EMPTY_DIR").mkdir(exist_ok=True)
    args = [str(out) if a == "OUT" else a for a in args]
    before = _snapshot(out)
    capsys.readouterr()
    status = main([*args, "-o", str(out)])
    if fragment is None:  # a valid id that matches nothing: done, nothing found
        assert status == 1
        _one_line_error(capsys)
    else:
        assert status == 2
        assert fragment in _one_line_error(capsys)
    assert _snapshot(out) == before


@pytest.mark.parametrize("command", ["compare", "audit", "show 0", "eval --gold GOLD"])
def test_minus_o_is_the_output_folder_in_every_command(tmp_path, capsys, command):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "x.jsonl").write_text("")
    args = [str(gold) if a == "GOLD" else a for a in command.split()]
    assert main([*args, "-o", str(tmp_path / "nothing_here")]) == 2
    assert "no output in" in _one_line_error(capsys)
    for sub in ("run", "eval", "compare", "audit", "show"):
        action = next(a for a in _subparser(sub)._actions if "-o" in a.option_strings)
        assert action.dest == "output" and "output folder" in action.help


def _subparser(name):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "cmd")
    return sub.choices[name]


def test_help_shows_examples_and_exit_codes():
    text = build_parser().format_help()
    assert "examples:" in text and "plan-extract run corpus -o output" in text
    assert "exit status" in text and "0 " in text and "1 " in text and "2 " in text
    assert "--log-level" in text and "-v" in text


def test_log_level_and_verbose(good_output, capsys):
    corpus, out = good_output
    assert main(["--log-level", "debug", "run", str(corpus), "-o", str(out), "-q", "--jobs", "1"]) == 0
    assert "DEBUG" in capsys.readouterr().err
    assert main(["run", str(corpus), "-o", str(out), "-q", "--jobs", "1", "-v"]) == 0
    assert "INFO" in capsys.readouterr().err
    assert main(["run", str(corpus), "-o", str(out), "-q", "--jobs", "1"]) == 0
    assert "INFO" not in capsys.readouterr().err


def test_compare_into_a_closed_pipe_ends_quietly(good_output):
    _corpus, out = good_output
    cmd = f"{sys.executable} -m extract compare -o {out} | head -n 1"
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.strip() and "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
    assert proc.returncode == 0


def test_output_files_follow_the_umask(good_output, tmp_path):
    corpus, _out = good_output
    old = os.umask(0o022)
    try:
        out = tmp_path / "shared_out"
        assert main(["run", str(corpus), "-o", str(out), "-q", "--jobs", "1"]) == 0
        assert main(["audit", "-o", str(out)]) == 0
        for suffix in (".xlsx", ".csv", ".parquet"):
            assert main(["compare", "-o", str(out), "--save", str(out / f"table{suffix}")]) == 0
        os.umask(0o027)
        out2 = tmp_path / "group_out"
        assert main(["run", str(corpus), "-o", str(out2), "-q", "--jobs", "1"]) == 0
    finally:
        os.umask(old)
    assert len([f for f in out.iterdir() if f.is_file()]) == 9  # 4 tables, published.json, audit, 3 exports
    files = sorted(f for f in out.rglob("*") if f.is_file())  # the tables and the run's shards
    assert {str(f): oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {str(f): "0o644" for f in files}
    assert {oct(stat.S_IMODE(f.stat().st_mode)) for f in out2.rglob("*") if f.is_file()} == {"0o640"}
    assert pq.read_table(out / "commitments.parquet").num_rows > 10


def test_explain_prints_rows_and_the_step_that_turned_each_other_number_down(tmp_path, capsys):
    text = "“十三五”期间，全省森林覆盖率达到43%。到2025年，森林覆盖率达到46%。"
    assert main(["explain", text, "--period", "2021-2025"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "row       森林覆盖率 | 2025 | 46% | % | indicator (prose.target, line 1)",
        "rejected  43% | year.past | “十三五”期间 (line 1)",
    ]
    paragraph = tmp_path / "p.txt"
    paragraph.write_text(text, encoding="utf-8")
    assert main(["explain", "--file", str(paragraph), "--period", "2021-2025"]) == 0
    assert capsys.readouterr().out.splitlines() == out


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["explain", "no Chinese here"], "no Chinese text"),
        (["explain", "--file", "no/such/file.txt"], "no such file"),
    ],
)
def test_explain_refuses_unusable_input_in_one_line(capsys, args, fragment):
    assert main(args) == 2
    assert fragment in _one_line_error(capsys)


def test_explain_a_pdf_counts_rejections_by_step_and_saves_them(tmp_path, capsys):
    pdf = ROOT / "tests" / "fixtures" / "pdf" / "tianjin_p10-11.pdf"
    saved = tmp_path / "rejections.csv"
    assert main(["explain", "--file", str(pdf), "--period", "2021-2025", "--summary", "--save", str(saved)]) == 0
    out = capsys.readouterr().out.splitlines()
    n_rows, n_rejected = (int(w) for w in re.findall(r"\d+", out[0]))
    counts = {line.split()[0]: int(line.split()[1]) for line in out[1:]}
    assert n_rows >= 20 and n_rejected == sum(counts.values()) > 0
    import pandas as pd

    table = pd.read_csv(saved)
    assert len(table) == n_rejected and table["page"].notna().all()
    assert counts == table["rejected_by"].value_counts().to_dict()


def test_a_run_called_from_python_leaves_pandas_working(tmp_path):
    """``main(["run", …])`` from a notebook: the process goes on after the run, so its pyarrow is
    loaded as usual (the command line's own process loads it without numpy), and pandas reads the
    output afterwards.  A fresh interpreter: in the test process numpy is loaded already."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plan.txt").write_text("到2025年，全市森林覆盖率达到46%。\n", encoding="utf-8")
    code = (
        "import sys; from extract.cli import main; "
        f"assert main(['run', {str(corpus)!r}, '-o', {str(tmp_path / 'out')!r}, '-q', '--jobs', '1']) == 0; "
        "import pandas as pd; "
        f"print(len(pd.read_parquet({str(tmp_path / 'out' / 'commitments.parquet')!r})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == "1"
