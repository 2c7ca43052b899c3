"""Audit view: exact spans on every row, the offline page, and a real-browser check."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from extract.outputs.audit import highlight, render_audit
from extract.cli import main

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def test_spans_are_exact_on_every_row_of_the_demo_output(demo_output):
    rows = pq.read_table(demo_output / "commitments.parquet").to_pylist()
    with_year = 0
    for r in rows:
        s = r["sentence"]
        vs = r["value_span"]
        assert vs is not None and s[vs["start"]:vs["end"]] == r["value_text"], r["commitment_id"]
        if r["indicator_span"] is not None:
            assert s[r["indicator_span"]["start"]:r["indicator_span"]["end"]] == r["indicator"]
        ys = r["year_span"]
        if ys is not None:
            with_year += 1
            assert str(r["year"]) in s[ys["start"]:ys["end"]] or "十" in s[ys["start"]:ys["end"]]
        if r["year_source"] == "implied" and r["source"] == "text":
            assert ys is None
    assert sum(1 for r in rows if r["indicator_span"] is not None) / len(rows) > 0.9
    assert with_year / len(rows) > 0.5


def test_highlight_escapes_and_marks():
    assert highlight("<b>A</b>达到5%", {"val": {"start": 10, "end": 12}}) == "&lt;b&gt;A&lt;/b&gt;达到<mark class=\"val\">5%</mark>"


def test_likely_misses_are_sentences_with_a_year_and_a_number(demo_output):
    misses = pq.read_table(demo_output / "likely_misses.parquet").to_pylist()
    rows = pq.read_table(demo_output / "commitments.parquet", columns=["doc_id", "char_start", "char_end"]).to_pylist()
    assert misses
    for m in misses:
        assert any(ch.isdigit() for ch in m["sentence"])
        assert not any(r["doc_id"] == m["doc_id"] and r["char_start"] < m["char_end"] and m["char_start"] < r["char_end"]
                       for r in rows)


def test_audit_page_is_self_contained(demo_output, tmp_path):
    page = render_audit(demo_output, tmp_path / "audit.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page and "<script src" not in page
    n = pq.read_table(demo_output / "commitments.parquet").num_rows
    assert page.count('class="row') == n
    assert page.count('<mark class="val">') == n


def test_show_prints_one_commitment(demo_output, capsys):
    cid = pq.read_table(demo_output / "commitments.parquet", columns=["commitment_id"]).column(0)[0].as_py()
    assert main(["show", cid[:10], "-o", str(demo_output)]) == 0
    out = capsys.readouterr().out
    assert cid in out and "value_text" in out


def test_audit_page_in_a_real_browser(demo_output, tmp_path):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    page_path = render_audit(demo_output, tmp_path / "audit.html")
    rows = pq.read_table(demo_output / "commitments.parquet").to_pylist()
    doc = "002_c17eb5853f4ec420"
    expected_doc = sum(1 for r in rows if r["doc_id"] == doc)
    expected_doc_2027 = sum(1 for r in rows if r["doc_id"] == doc and r["year"] == 2027)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(page_path.as_uri())
        assert page.locator("#count").inner_text() == str(len(rows))
        # every row shows its value highlight, rendered (a visible box with a background)
        assert page.locator("tr.row mark.val").count() == len(rows)
        bg = page.locator("mark.val").first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert bg not in ("", "rgba(0, 0, 0, 0)", "transparent")
        assert page.locator("tr.row mark.ind").count() == sum(1 for r in rows if r["indicator_span"])
        page.select_option("#f-doc", doc)
        assert page.locator("#count").inner_text() == str(expected_doc)
        assert page.locator("tr.row:visible").count() == expected_doc
        page.select_option("#f-year", "2027")
        assert page.locator("#count").inner_text() == str(expected_doc_2027)
        shot = ROOT / "output" / "audit_screenshot.png"
        shot.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(shot))
        page.click("#tab-misses")
        assert page.locator("#misses").is_visible()
        browser.close()
    assert shot.stat().st_size > 10_000
