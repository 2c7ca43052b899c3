"""Canonical indicators, the comparison table, and the notebooks researchers start from."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from extract.cli import main
from extract.patterns import PatternError, load_patterns

ROOT = Path(__file__).resolve().parents[1]


def _ids(demo_output):
    rows = pq.read_table(
        demo_output / "commitments.parquet", columns=["doc_id", "indicator", "indicator_id"]
    ).to_pylist()
    out: dict[str, set[str]] = {}
    for r in rows:
        if r["indicator_id"]:
            out.setdefault(r["indicator_id"], set()).add(r["doc_id"][:3])
    return out


@pytest.mark.parametrize(
    "indicator_id,docs",
    [
        ("air.pm25_concentration", {"000", "002", "003"}),
        ("eco.forest_coverage", {"001", "002", "003", "004"}),
        ("water.surface_good_share", {"001", "002", "003"}),
    ],
)
def test_same_concept_in_different_plans_shares_an_id(demo_output, indicator_id, docs):
    assert docs <= _ids(demo_output)[indicator_id]


def test_catalogue_has_70_plus_valid_entries():
    cat = load_patterns().catalogue
    assert len(cat.entries) >= 70
    assert cat.match("细颗粒物（PM2.5）浓度").id == "air.pm25_concentration"
    assert cat.match("PM2.5浓度").id == "air.pm25_concentration"
    assert cat.match("地表水国控考核断面达到或优于Ⅲ类比例").id == "water.surface_good_share"
    assert cat.match("地表水劣V类水体比例").id == "water.surface_worse_than_v_share"
    assert cat.match("建成区绿化覆盖率").id != cat.match("建成区绿地率").id
    assert cat.match("生态文明建设示范区数量") is None  # nothing rather than a wrong id


def test_most_matched_indicator_records_get_an_id(demo_output, gold_dir):
    from extract.outputs.evaluate import load_gold, load_pred, match

    gold, pred = load_gold(gold_dir), load_pred(demo_output / "commitments.parquet")
    pairs = [(gold[i], pred[j]) for i, j in match(gold, pred) if gold[i].get("class", "indicator") == "indicator"]
    with_id = sum(1 for _g, p in pairs if p["indicator_id"])
    assert with_id / len(pairs) >= 0.85


def test_bad_catalogue_entry_fails_loading(tmp_path):
    import shutil

    folder = tmp_path / "patterns"
    shutil.copytree(ROOT / "patterns", folder)
    text = (folder / "indicators.yaml").read_text(encoding="utf-8")
    (folder / "indicators.yaml").write_text(
        text.replace("id: air.pm10_concentration", "id: air.pm25_concentration"), encoding="utf-8"
    )
    with pytest.raises(PatternError, match="duplicate id"):
        load_patterns(folder)


def test_unit_mismatch_lowers_confidence():
    from extract import extract_text

    ok = extract_text("到2025年，森林覆盖率达到46%。", manifest={"plan_start_year": 2021, "plan_end_year": 2025}).iloc[
        0
    ]
    odd = extract_text(
        "到2025年，森林覆盖率达到46万亩。", manifest={"plan_start_year": 2021, "plan_end_year": 2025}
    ).iloc[0]
    assert ok["indicator_id"] == odd["indicator_id"] == "eco.forest_coverage"
    assert odd["confidence"] < ok["confidence"]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".parquet"])
def test_compare_writes_tables(demo_output, tmp_path, suffix):
    dest = tmp_path / f"table{suffix}"
    assert main(["compare", "-o", str(demo_output), "--save", str(dest)]) == 0
    if suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(dest)
        assert wb.sheetnames == ["targets", "baselines", "long"]
        ws = wb["targets"]
        header = [c.value for c in ws[1]]
        assert header[:4] == ["indicator_id", "name", "year", "unit"]
        assert {"黑龙江省", "吉林省", "齐齐哈尔市", "牡丹江市", "五常市"} <= set(header)
        assert ws.freeze_panes == "E2"
        pm = [[c.value for c in row] for row in ws.iter_rows(min_row=2) if row[0].value == "air.pm25_concentration"]
        assert pm and all(row[3] == "μg/m³" and isinstance(row[2], int) for row in pm)
        cells = [v for row in pm for v in row[4:] if v is not None]
        assert cells and all(isinstance(v, (int, float)) for v in cells)  # numbers, not "≤27μg/m³ (2027)"
    else:
        long = pd.read_csv(dest, encoding="utf-8-sig") if suffix == ".csv" else pq.read_table(dest).to_pandas()
        assert {"indicator_id", "doc_id", "year", "value", "unit", "comparator", "target", "baseline"} <= set(
            long.columns
        )
        assert long["value"].dtype.kind == "f" and long["year"].dtype.kind == "i"


def test_compare_xlsx_long_and_baseline_sheets_are_typed(demo_output, tmp_path):
    import openpyxl

    dest = tmp_path / "table.xlsx"
    assert main(["compare", "-o", str(demo_output), "--save", str(dest)]) == 0
    wb = openpyxl.load_workbook(dest)
    rows = list(wb["long"].iter_rows(values_only=True))
    head = list(rows[0])
    col = {
        name: head.index(name) for name in ("value", "unit", "year", "comparator", "baseline_value", "baseline_year")
    }
    body = rows[1:]
    assert all(isinstance(r[col["year"]], int) for r in body)
    assert all(r[col["value"]] is None or isinstance(r[col["value"]], (int, float)) for r in body)
    assert {r[col["comparator"]] for r in body} <= {"=", ">=", "<=", ">", "<", "~"}
    # a baseline is labelled with its own year: 齐齐哈尔's 2025 PM2.5 target has its 2020 baseline (31)
    base = [r for r in wb["baselines"].iter_rows(min_row=2, values_only=True) if r[0] == "air.pm25_concentration"]
    header = [c.value for c in wb["baselines"][1]]
    assert header[2] == "baseline_year"
    qiqihar = header.index("齐齐哈尔市")
    assert [(r[2], r[qiqihar]) for r in base if r[qiqihar] is not None] == [(2020, 31)]


def test_compare_leaves_out_a_unit_that_does_not_fit_the_indicator():
    """A count of villages (45个) is not a value of 农村生活污水治理率 (%); a value without a unit stays."""
    from extract import comparison_table, extract_text

    rows = extract_text(
        "到2025年，农村生活污水治理率达到40%。", doc_id="a", manifest={"plan_start_year": 2021, "plan_end_year": 2025}
    )
    assert rows["indicator_id"].tolist() == ["water.rural_sewage_treatment"]
    count = rows.assign(doc_id="b", commitment_id="b1", unit="个", value=45.0, value_text="45个")
    bare = rows.assign(doc_id="c", commitment_id="c1", unit="", value=38.0, value_text="38")
    documents = pd.DataFrame({"doc_id": ["a", "b", "c"], "region": ["甲市", "乙市", "丙市"]})
    long = comparison_table(pd.concat([rows, count, bare]), documents)
    assert sorted(zip(long["doc_id"], long["value"])) == [("a", 40.0), ("c", 38.0)]


def test_export_writes_every_commitment_with_its_evidence(demo_output, tmp_path):
    import openpyxl

    import extract

    documents, commitments = extract.read_output(demo_output)
    dest = tmp_path / "all.xlsx"
    assert main(["export", "-o", str(demo_output), "--save", str(dest)]) == 0
    wb = openpyxl.load_workbook(dest)
    assert wb.sheetnames == ["commitments", "documents", "sections", "likely_misses"]
    ws = wb["commitments"]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    assert len(rows) - 1 == len(commitments) and commitments["indicator_id"].isna().any()  # not only canonical ones
    assert {"sentence", "page", "line", "unit", "value_span_start", "value_span_end", "section_path"} <= set(head)
    assert ws.freeze_panes == "B2" and ws.column_dimensions["K"].width > 20
    value, unit, sentence = head.index("value"), head.index("unit"), head.index("sentence")
    s, e = head.index("value_span_start"), head.index("value_span_end")
    vt = head.index("value_text")
    assert {r[unit] for r in rows[1:]} >= {"%", "μg/m³", "万亩"}
    for r in rows[1:]:
        assert r[value] is None or isinstance(r[value], (int, float))
        assert r[sentence][r[s] : r[e]] == r[vt]  # the evidence, cell for cell
    assert len(list(wb["documents"].iter_rows())) - 1 == len(documents)
    csv = tmp_path / "all.csv"
    assert main(["export", "-o", str(demo_output), "--save", str(csv)]) == 0
    flat = pd.read_csv(csv, encoding="utf-8-sig")
    assert len(flat) == len(commitments) and flat["value"].dtype.kind == "f"
    assert main(["export", "-o", str(demo_output), "--save", str(tmp_path / "all.parquet")]) == 2


def _cells(dest):
    """Every cell of an export as text."""
    if dest.suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(dest)
        return [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    if dest.suffix == ".csv":
        import csv

        with dest.open(encoding="utf-8-sig", newline="") as fh:
            return [cell for row in csv.reader(fh) for cell in row]
    table = pq.read_table(dest)
    import pyarrow as pa

    return [
        str(v)
        for col in table.columns
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type)
        for v in col.to_pylist()
        if v is not None
    ]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".parquet"])
def test_compare_exports_hold_no_nan_or_none_text(demo_output, tmp_path, suffix):
    dest = tmp_path / f"table{suffix}"
    assert main(["compare", "-o", str(demo_output), "--save", str(dest)]) == 0
    cells = _cells(dest)
    assert len(cells) > 100
    bad = [c for c in cells if re.search(r"\b(?:nan|NaN|None|<NA>|NaT)\b", c)]
    assert not bad, bad[:5]


def test_compare_prints_no_nan_or_none(demo_output, capsys):
    assert main(["compare", "-o", str(demo_output)]) == 0
    printed = capsys.readouterr().out
    assert "μg/m³" in printed and not re.search(r"\b(?:nan|NaN|None|<NA>|NaT)\b", printed)
    # a document with a target but no baseline for an indicator shows an empty cell, not "nan (2027)"
    assert re.search(r"\S+ \(20\d\d\)", printed)


@pytest.mark.parametrize("name", ["01_compare_targets.ipynb", "02_audit_sample.ipynb"])
def test_notebooks_use_only_the_public_api(name):
    import nbformat

    import extract

    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "import extract" in code
    assert not re.search(r"from extract\.|import extract\.|extract\._", code), "a private module or name"
    used = set(re.findall(r"\bextract\.(\w+)", code))
    assert used and used <= set(extract.__all__), used - set(extract.__all__)
    assert "matplotlib.use(" not in code  # the kernel's inline backend draws the plot


@pytest.mark.slow
@pytest.mark.parametrize("name", ["01_compare_targets.ipynb", "02_audit_sample.ipynb"])
def test_notebooks_run_top_to_bottom(demo_output, monkeypatch, name):
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "stored with outputs"
    monkeypatch.setenv("PLAN_EXTRACT_OUTPUT", str(demo_output))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # as in Jupyter: the kernel picks the inline backend
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    if name.startswith("01"):
        assert (demo_output / "targets_vs_baselines.png").stat().st_size > 5000
        images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
        assert len(images) == 1, "the plot is shown inline"
    else:
        assert (demo_output / "audit_checklist.csv").is_file()


def test_jupyter_comes_with_the_notebooks_extra():
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = " ".join(meta["optional-dependencies"]["notebooks"])
    assert "jupyterlab" in extra and "ipykernel" in extra and "matplotlib" in extra
    assert re.search(r"^notebooks:", (ROOT / "Makefile").read_text(), re.M)


LOCK_ADVICE = "make sync"  # what the lock test tells a user to run


def _lock_pins() -> dict[str, str]:
    lock = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    return {_normal(k): v for k, v in re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)$", lock, re.M)}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_environment_has_the_locked_versions():
    """``make setup`` installs from constraints.txt (pip -c): what runs is what was tested."""
    from importlib.metadata import PackageNotFoundError, version

    if os.environ.get("PLAN_EXTRACT_UNLOCKED"):
        pytest.skip("checking the newest versions (make constraints)")
    pins = _lock_pins()
    assert {"pandas", "pyarrow", "numpy", "pdfplumber", "openpyxl"} <= set(pins)
    wrong = {}
    for name, pinned in pins.items():
        try:
            got = version(name)
        except PackageNotFoundError:
            continue  # an extra this environment did not install
        if got != pinned:
            wrong[name] = (got, pinned)
    assert not wrong, f"installed != constraints.txt: {wrong} (run '{LOCK_ADVICE}': it reinstalls the locked versions)"
    assert "-c $(LOCK)" in (ROOT / "Makefile").read_text()


def test_every_extra_is_locked_and_the_lock_advice_is_a_command_that_works():
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = _lock_pins()
    for extra, requirements in meta["optional-dependencies"].items():
        for req in requirements:
            name = _normal(re.match(r"[A-Za-z0-9_.\-]+", req).group(0))
            assert name in pins, f"[{extra}] {name} is not in constraints.txt"
    # `make setup` does nothing once .venv is installed; the advice must reinstall from the lock
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = LOCK_ADVICE.split()[1]
    recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", make, re.M)
    assert recipe, f"no '{target}' target in the Makefile"
    assert "pip install" in recipe.group(1) and "-c $(LOCK)" in recipe.group(1)
    assert re.search(r"notebooks.*dask|dask.*notebooks", recipe.group(1))
    notebooks = re.search(r"^notebooks:.*\n((?:\t.*\n)+)", make, re.M).group(1)
    assert "-c $(LOCK)" in notebooks


@pytest.mark.slow
def test_installing_the_extras_under_the_lock_moves_no_locked_package(tmp_path):
    """What `make notebooks` / `make sync` would install changes no version of the lock (pip's dry run)."""
    import json
    import subprocess
    import sys

    report = tmp_path / "report.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--quiet",
            "--no-input",
            "-c",
            str(ROOT / "constraints.txt"),
            "--report",
            str(report),
            "-e",
            f"{ROOT}[test,notebooks,dask]",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.skip(f"pip could not resolve here (offline?): {done.stderr.strip().splitlines()[-1:]}")
    pins = _lock_pins()
    moved = {
        _normal(i["metadata"]["name"]): i["metadata"]["version"]
        for i in json.loads(report.read_text())["install"]
        if _normal(i["metadata"]["name"]) != "plan-extract"
        and pins.get(_normal(i["metadata"]["name"])) != i["metadata"]["version"]
    }
    assert not moved, f"not at the locked version: {moved}"
