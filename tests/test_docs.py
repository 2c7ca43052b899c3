"""README.md as a user reads it (every Python snippet runs, the accuracy it states), and the checks CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import CORPUS, ROOT

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_the_readme_has_python_snippets():
    assert len(BLOCKS) >= 2 and any("read_parquet" in b for b in BLOCKS) and any("extract_folder" in b for b in BLOCKS)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(b, marks=[pytest.mark.slow] if "extract_folder" in b else [], id=f"block{i}")
        for i, b in enumerate(BLOCKS)
    ],
)
def test_a_readme_snippet_runs(code, demo_output, tmp_path, monkeypatch):
    (tmp_path / "output").symlink_to(demo_output)
    (tmp_path / "corpus").symlink_to(CORPUS)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # the README's own code
    for name in ("c", "commitments", "primary", "table"):
        if name in namespace:
            assert len(namespace[name]) > 0, name


def _readme_accuracy() -> dict[str, tuple[float, float, float]]:
    """precision, recall, F1 per gold folder, as the README's accuracy table states them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| `(\.\./shared/gold[^`]*)`[^|]*\|[^|]*\|[^|]*\| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", text, re.M
    )
    return {folder: (float(p), float(r), float(f)) for folder, p, r, f in rows}


def test_the_readme_states_the_accuracy_of_each_gold_folder(demo_output, gold_dir):
    from extract.outputs.evaluate import evaluate

    stated = _readme_accuracy()
    assert set(stated) == {"../shared/gold", "../shared/gold-pdf"}
    res = evaluate(demo_output / "commitments.parquet", gold_dir)
    assert stated["../shared/gold"] == tuple(round(res[k], 3) for k in ("precision", "recall", "f1"))
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    eval_recipe = re.search(r"^eval:.*\n((?:\t.*\n)+)", make, re.M).group(1)
    assert "$(GOLD)" in eval_recipe and "gold-pdf" in eval_recipe


@pytest.mark.slow
def test_the_readmes_pdf_accuracy_is_what_a_run_gives(tmp_path):
    from extract.cli import main
    from extract.outputs.evaluate import evaluate

    corpus, gold = ROOT.parent / "shared" / "corpus-pdf", ROOT.parent / "shared" / "gold-pdf"
    if not gold.is_dir():
        pytest.skip("../shared/gold-pdf is not beside this checkout")
    assert main(["run", str(corpus), "-o", str(tmp_path / "out"), "-q"]) == 0
    res = evaluate(tmp_path / "out" / "commitments.parquet", gold)
    assert _readme_accuracy()["../shared/gold-pdf"] == tuple(round(res[k], 3) for k in ("precision", "recall", "f1"))


def test_ci_checks_lint_and_types_before_the_tests():
    import subprocess
    import sys

    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.index("make check") < ci.index("make test")
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    check = re.search(r"^check:.*\n((?:\t.*\n)+)", make, re.M).group(1)
    assert "ruff check" in check and "ruff format --check" in check and "mypy" in check
    fast = re.search(r"^test-fast:.*\n((?:\t.*\n)+)", make, re.M).group(1)
    assert '-m "not slow"' in fast
    assert re.search(r"^test:.*\n\t.*pytest -n ", make, re.M)  # the full run in parallel (xdist)
    # the code's lint holds (its noqa marks mean something: ruff reports stale ones, RUF100)
    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [str(ruff), "check", "extract", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-2000:]
    formatted = subprocess.run(
        [str(ruff), "format", "--check", "extract", "tests", "benchmarks", "tools"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout[-2000:]


def test_the_slow_tests_are_marked():
    for name in ("test_batch.py", "test_dask.py", "test_badinputs.py", "test_faults.py"):
        assert re.search(r"^pytestmark = pytest\.mark\.slow", (ROOT / "tests" / name).read_text(encoding="utf-8"), re.M)
    marked = {
        name: (ROOT / "tests" / name).read_text(encoding="utf-8")
        for name in ("test_audit.py", "test_compare_notebooks.py", "test_formats.py", "test_pdf_reading.py")
    }
    assert re.search(r"@pytest\.mark\.slow\ndef test_audit_page_in_a_real_browser", marked["test_audit.py"])
    assert re.search(
        r"@pytest\.mark\.slow\n@pytest\.mark\.parametrize.*\ndef test_notebooks_run_top_to_bottom",
        marked["test_compare_notebooks.py"],
    )
    assert "@pytest.mark.slow" in marked["test_formats.py"] and "@pytest.mark.slow" in marked["test_pdf_reading.py"]
