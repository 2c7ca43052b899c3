"""Reading PDFs faithfully: text that does not depend on the machine's fonts, garbled text layers
measured and flagged, no private-use glyph or replacement character left in real plans."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import regex

from extract.cli import main
from extract.patterns import load_patterns
from extract.pipeline import process_file
from extract.readers import read_document

from .conftest import ROOT, SHARED
from .pdf_build import cjk_pdf, turned_copy

LINES = [
    "第一章 总体要求",
    "到2025年，全市森林覆盖率达到46%，",
    "地表水国考断面优良水体比例达到85%以上。",
    "和谐、公正，到2030年，空气质量持续改善。",
]

# a process where pdfium knows no font at all (the reader's own provider, installed before any
# page is drawn): the machine without a CJK (or any) system font; the page is rendered there (its
# ink shows the provider took effect), then read as usual, and what was read is printed
_WITHOUT_SYSTEM_FONTS = textwrap.dedent("""
    import json, sys
    from pathlib import Path

    from extract.readers.pdf_fonts import no_machine_fonts

    no_machine_fonts()

    import pypdfium2 as pdfium
    from extract.patterns import load_patterns
    from extract.readers import read_document

    path = Path(sys.argv[1])
    page = pdfium.PdfDocument(str(path))[0]
    rendered = page.render(scale=1).to_pil().tobytes()
    doc = read_document(path, path.parent, load_patterns())
    print(json.dumps({"text": doc.text, "reading": doc.reading, "ink": sum(b < 128 for b in rendered)}))
""")


_INK = (
    "import sys, pypdfium2 as pdfium; "
    "print(sum(b < 128 for b in pdfium.PdfDocument(sys.argv[1])[0].render(scale=1).to_pil().tobytes()))"
)


def _read_without_system_fonts(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_SYSTEM_FONTS, str(path)], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return json.loads(done.stdout)


def test_a_non_embedded_cjk_font_reads_the_same_without_system_fonts(tmp_path):
    pdf = cjk_pdf(tmp_path / "plan.pdf", LINES)
    here = read_document(pdf, tmp_path, load_patterns())
    bare = _read_without_system_fonts(pdf)
    # the provider took effect: with no font to draw the CJK glyphs, the page renders (almost)
    # blank, where pdfium left to itself (in a fresh process: the reader tells pdfium the same)
    # draws them from the machine's fonts
    ink_with_machine_fonts = subprocess.run(
        [sys.executable, "-c", _INK, str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert bare["ink"] < int(ink_with_machine_fonts)
    assert bare["text"] == here.text
    assert bare["reading"] == here.reading
    assert here.reading["extractor"] == "pdfminer"  # a font pdfium can only approximate: pdfminer
    for line in (
        "到2025年，全市森林覆盖率达到46%，地表水国考断面优良水体比例达到85%以上。",
        "和谐、公正，到2030年，空气质量持续改善。",
    ):
        assert line in here.text
    rows = process_file(pdf, tmp_path).commitments
    assert {(r["indicator"], r["value"]) for r in rows} >= {("森林覆盖率", 46.0), ("地表水国考断面优良水体比例", 85.0)}


def _standard_digits_pdf(path: Path, lines: list[str]) -> Path:
    """One page: Chinese in the zoo's embedded CJK font, digits and signs in Times-Roman, which
    reportlab does not embed (as Word exports set digits in Times New Roman without embedding it)."""
    from reportlab.pdfgen import canvas

    from tests.zoo import draw

    draw._registered()
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    y = 780.0
    for line in lines:
        x = 72.0
        for run in regex.findall(r"[0-9%.]+|[^0-9%.]+", line):
            if regex.match(r"[0-9%.]", run):
                c.setFont("Times-Roman", 14)
                c.drawString(x, y, run)
                x += c.stringWidth(run, "Times-Roman", 14)
            else:
                draw.draw_text(c, x, y, run, 14, "embedded")
                x += draw.text_width(run, 14, "embedded")
        y -= 24
    c.save()
    return path


def test_digits_in_a_standard_font_not_embedded_are_read_by_pdfium_the_same_everywhere(tmp_path):
    """pdfium draws Times, Helvetica and Courier (and Times New Roman, Arial …) from its own fonts
    and never from the machine's: such a page needs no second reading, and reads the same on a
    machine without any font."""
    pdf = _standard_digits_pdf(tmp_path / "plan.pdf", LINES[:3])
    here = read_document(pdf, tmp_path, load_patterns())
    assert here.reading["extractor"] == "pdfium"
    assert "到2025年，全市森林覆盖率达到46%，地表水国考断面优良水体比例达到85%以上。" in here.text
    bare = _read_without_system_fonts(pdf)
    assert (bare["text"], bare["reading"]) == (here.text, here.reading)


def test_a_garbled_text_layer_is_measured_and_flagged(tmp_path, capsys):
    # the font's ToUnicode map sends common characters to Cyrillic: the page reads as mojibake
    garble = {c: chr(0x0410 + i) for i, c in enumerate("森林覆盖率达到全市水体比例总")}
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    cjk_pdf(corpus / "garbled.pdf", LINES, garble=garble)
    cjk_pdf(corpus / "clean.pdf", LINES)
    out = tmp_path / "out"
    assert main(["run", str(corpus), "-o", str(out), "-q", "--jobs", "1"]) == 0
    docs = {d["doc_id"]: d for d in pq.read_table(out / "documents.parquet").to_pylist()}
    clean, garbled = docs["clean"], docs["garbled"]
    assert clean["text_quality"] == 1.0 and clean["reading_warnings"] == []
    assert garbled["status"] == "ok" and garbled["text_quality"] < 0.8
    [warning] = garbled["reading_warnings"]
    assert regex.fullmatch(r"page 1: up to [2-3]\d% unusual characters", warning)
    assert f"garbled: {warning}" in capsys.readouterr().err
    assert main(["audit", "-o", str(out)]) == 0
    page = (out / "audit.html").read_text(encoding="utf-8")
    assert "Text that could not be read well" in page and warning in page


_REAL_PDFS = sorted((SHARED / "corpus-pdf").glob("*.pdf"))


@pytest.mark.slow
@pytest.mark.skipif(not _REAL_PDFS, reason="../shared/corpus-pdf not present")
@pytest.mark.parametrize("pdf", _REAL_PDFS, ids=lambda p: p.stem)
def test_no_private_use_glyph_or_replacement_character_is_left(pdf):
    doc = read_document(pdf, pdf.parent, load_patterns())
    left = regex.findall(r"[\p{Co}\ufffd]", doc.text)
    assert left == [], f"{len(left)} left, e.g. {sorted(set(left))[:5]}"
    assert doc.reading["text_quality"] >= 0.99 and doc.reading["extractor"]
    assert doc.reading["pages_without_text"] == 0


FIXTURES = Path(__file__).parent / "fixtures" / "pdf"


def _rows(path: Path) -> list[tuple]:
    rows = process_file(path, path.parent).commitments
    return sorted(
        (r["indicator"], r["year"], r["value"], r["unit"], r["page"], r["source"], r["sentence"]) for r in rows
    )


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
@pytest.mark.parametrize("fixture", ["tianjin_p10-11", "neijiang_p13-14"])
def test_turned_pages_read_as_printed(tmp_path, fixture, turn):
    """Content drawn turned with /Rotate to show it upright (turn 90/180/270), or /Rotate alone
    (turn 0): the same rows, sentences and pages as the page printed upright."""
    original = FIXTURES / f"{fixture}.pdf"
    turned = turned_copy(original, tmp_path / original.name, turn)
    expected = _rows(original)
    assert len(expected) >= 20
    assert _rows(turned) == expected


# --- layout kept on re-read pages, frames and boxes over a page break (unseen-layouts S5, S12, S13) ---


def _zoo_pdf(tmp_path, variant_id: str) -> Path:
    from tests.zoo import catalog

    return catalog.build(variant_id, tmp_path)


def test_a_page_read_again_keeps_its_grid_and_takes_pdfminer_characters_cell_by_cell(tmp_path):
    """S5/S12: non-embedded fonts send the page to pdfminer; the table stays a table, each cell
    filled from pdfminer's characters inside it (no 78.585 glued from two cells)."""
    pdf = _zoo_pdf(tmp_path, "s5-nonembedded-ruled/exact")
    doc = read_document(pdf, tmp_path, load_patterns())
    assert doc.reading["extractor"] == "pdfminer" and doc.reading["warnings"] == []
    [table] = [b for b in doc.blocks if b.kind == "table"]
    assert [c.text for c in table.rows[1]] == ["地表水达到或好于Ⅲ类水体比例（%）", "78.5", "85", "约束性"]
    assert "78.585" not in doc.text


def test_a_lone_frame_is_a_box_and_its_caption_above_is_the_title(tmp_path):
    """A 专栏 drawn as one rectangle (pdfplumber drops one-cell tables) with its caption printed
    above the frame; its items are box items, source "table"."""
    pdf = _zoo_pdf(tmp_path, "box-page-break/frame")
    doc = read_document(pdf, tmp_path, load_patterns())
    boxes = [b for b in doc.blocks if b.kind == "box"]
    assert [b.page for b in boxes] == [1, 2]
    assert all(b.title.startswith("专栏6") for b in boxes)  # page 2 carries page 1's box on
    assert boxes[1].rows[0][0].text.startswith("3. 农村黑臭水体整治")


def test_items_carried_over_a_page_break_without_a_frame_stay_box_items(tmp_path):
    """S13: the box ends at the foot of page 1; page 2 goes on with items 3–5 and no frame."""
    pdf = _zoo_pdf(tmp_path, "box-page-break/no-frame")
    rows = process_file(pdf, tmp_path, None, {"plan_start_year": "2021", "plan_end_year": "2025"}).commitments
    page2 = [(r["value"], r["source"], r["class"]) for r in rows if r["page"] == 2]
    assert sorted(page2) == [
        (1.0, "table", "project"),
        (3.0, "table", "project"),
        (18.0, "table", "project"),
        (40.0, "table", "project"),
    ]


def test_glyph_outlines_are_not_rulings(tmp_path):
    """S2: a header drawn as filled glyph outlines adds no column to the grid."""
    import pypdfium2 as pdfium

    from extract.readers.pdf_layout import find_grids, rulings

    pdf = _zoo_pdf(tmp_path, "s2-outline-header/exact")
    [grid] = find_grids(rulings(pdfium.PdfDocument(str(pdf))[0]))
    assert [round(x) for x in grid.xs] == [40, 260, 320, 410, 500, 555]
