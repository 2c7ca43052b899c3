"""Canonical indicators, the comparison table, and the notebooks researchers start from."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from extract.cli import main
from extract.patterns import PatternError, load_patterns

ROOT = Path(__file__).resolve().parents[1]


def _ids(demo_output):
    rows = pq.read_table(demo_output / "commitments.parquet", columns=["doc_id", "indicator", "indicator_id"]).to_pylist()
    out: dict[str, set[str]] = {}
    for r in rows:
        if r["indicator_id"]:
            out.setdefault(r["indicator_id"], set()).add(r["doc_id"][:3])
    return out


@pytest.mark.parametrize("indicator_id,docs", [
    ("air.pm25_concentration", {"000", "002", "003"}),
    ("eco.forest_coverage", {"001", "002", "003", "004"}),
    ("water.surface_good_share", {"001", "002", "003"}),
])
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
    assert cat.match("生态文明建设示范区数量") is None       # nothing rather than a wrong id


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
    (folder / "indicators.yaml").write_text(text.replace("id: air.pm10_concentration", "id: air.pm25_concentration"),
                                            encoding="utf-8")
    with pytest.raises(PatternError, match="duplicate id"):
        load_patterns(folder)


def test_unit_mismatch_lowers_confidence():
    from extract import extract_text

    ok = extract_text("到2025年，森林覆盖率达到46%。", manifest={"plan_start_year": 2021, "plan_end_year": 2025}).iloc[0]
    odd = extract_text("到2025年，森林覆盖率达到46万亩。", manifest={"plan_start_year": 2021, "plan_end_year": 2025}).iloc[0]
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
        assert {"黑龙江省", "吉林省", "齐齐哈尔市", "牡丹江市", "五常市"} <= set(header)
        ids = [row[0].value for row in ws.iter_rows(min_row=2)]
        assert "air.pm25_concentration" in ids
        pm = next(row for row in ws.iter_rows(min_row=2) if row[0].value == "air.pm25_concentration")
        assert any(c.value and "μg/m³" in str(c.value) for c in pm[1:])
    elif suffix == ".csv":
        text = dest.read_text(encoding="utf-8-sig")
        assert "五常市 target" in text and "五常市 baseline" in text
    else:
        long = pq.read_table(dest).to_pandas()
        assert {"indicator_id", "doc_id", "year", "target", "baseline"} <= set(long.columns)


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

    return [str(v) for col in table.columns if pa.types.is_string(col.type) or pa.types.is_large_string(col.type)
            for v in col.to_pylist() if v is not None]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".parquet"])
def test_compare_exports_hold_no_nan_or_none_text(demo_output, tmp_path, suffix):
    dest = tmp_path / f"table{suffix}"
    assert main(["compare", "-o", str(demo_output), "--save", str(dest)]) == 0
    cells = _cells(dest)
    assert len(cells) > 100
    bad = [c for c in cells if re.search(r"\b(?:nan|NaN|None|<NA>|NaT)\b", c)]
    assert not bad, bad[:5]
    # a document with a target but no baseline for an indicator shows an empty cell, not "nan (2027)"
    assert any(re.fullmatch(r"\S+ \(20\d\d\)(; \S+ \(20\d\d\))*", c) for c in cells) or suffix == ".parquet"


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
    assert "matplotlib.use(" not in code            # the kernel's inline backend draws the plot


@pytest.mark.parametrize("name", ["01_compare_targets.ipynb", "02_audit_sample.ipynb"])
def test_notebooks_run_top_to_bottom(demo_output, monkeypatch, name):
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "stored with outputs"
    monkeypatch.setenv("PLAN_EXTRACT_OUTPUT", str(demo_output))
    monkeypatch.delenv("MPLBACKEND", raising=False)   # as in Jupyter: the kernel picks the inline backend
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
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


def test_the_environment_has_the_locked_versions():
    """``make setup`` installs from constraints.txt (pip -c): what runs is what was tested."""
    from importlib.metadata import PackageNotFoundError, version

    if os.environ.get("PLAN_EXTRACT_UNLOCKED"):
        pytest.skip("checking the newest versions (make constraints)")
    lock = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)$", lock, re.M))
    assert {"pandas", "pyarrow", "numpy", "pdfplumber", "openpyxl"} <= set(pins)
    assert "jupyterlab" in pins                         # the [notebooks] extra is locked too
    wrong = {}
    for name, pinned in pins.items():
        try:
            got = version(name)
        except PackageNotFoundError:
            continue                                    # an extra this environment did not install
        if got != pinned:
            wrong[name] = (got, pinned)
    assert not wrong, f"installed != constraints.txt: {wrong} (run 'make setup' again)"
    assert "-c $(LOCK)" in (ROOT / "Makefile").read_text()
