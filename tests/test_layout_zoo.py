"""The layout zoo: every drawn layout of indicator tables and 专栏 boxes gives exactly its rows.

Each layout variant of ``tests/zoo/layouts.yaml`` is drawn as a PDF (reportlab, into a temporary
folder), read by the pipeline with the plan period 2021–2025 and compared with its expected rows
by the scorer's rule (``tests/zoo/catalog.py``): every expected row matched one-to-one with the
fields it lists, and no other numeric row.  Variants the extractor gets wrong today are listed under
``known_fail`` in the yaml and are strict xfails, so a fix shows up as XPASS (then delete the line).
``python -m tests.zoo.show LAYOUT/VARIANT`` prints one variant's rows beside the expected ones.

The other tests check the generator itself: the fonts hold every character drawn, the PDFs carry
the fonts, outlines and rotation they claim, and the text layer says what the yaml says.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.zoo import catalog, draw

IDS = catalog.variant_ids()


def _param(variant_id: str):
    reason = catalog.known_fail(variant_id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(variant_id, marks=marks, id=variant_id)


@pytest.fixture(scope="module")
def zoo_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("zoo")


_BUILT: dict[tuple[Path, str], Path] = {}


def _pdf(folder: Path, variant_id: str) -> Path:
    """The variant's PDF, drawn once per test session folder."""
    key = (folder, variant_id)
    if key not in _BUILT:
        _BUILT[key] = catalog.build(variant_id, folder)
    return _BUILT[key]


@pytest.mark.parametrize("variant_id", [_param(v) for v in IDS])
def test_layout_gives_exactly_its_rows(variant_id, zoo_dir):
    rows = catalog.extract(_pdf(zoo_dir, variant_id), variant_id)
    outcome = catalog.compare(catalog.expected(variant_id), rows)
    assert outcome.exact, outcome.summary()


# --- the zoo itself ---------------------------------------------------------------------------


def test_zoo_covers_the_issue_layouts():
    layouts = catalog.layouts()
    assert len(layouts) >= 20
    for case in (
        "s2-outline-header",
        "s5-nonembedded-ruled",
        "s7a-page-break-continuation",
        "s7b-task-table",
        "s8-review-table",
        "s11-wrapped-box",
        "box-page-break",
        "project-capacities",
    ):
        assert case in layouts
    assert sum(1 for layout in layouts.values() if len(layout.get("variants") or {}) >= 2) >= 0.8 * len(layouts)
    for name, layout in layouts.items():
        assert layout.get("description"), name
    for vid in IDS:
        catalog.expected(vid)  # every expected row parses
    # a known failure names a layout or variant that exists (a stale entry would hide nothing)
    for key in catalog.load().get("known_fail") or {}:
        assert key in IDS or key in layouts, key


def test_expected_rows_parse_as_written():
    row = catalog.parse_row(
        "细颗粒物（PM2.5）浓度 | 2025 | 30 | μg/m³ | <= | baseline_value=33 binding=约束性 cumulative=true"
    )
    assert row == {
        "indicator": "细颗粒物（PM2.5）浓度",
        "year": 2025,
        "value": 30.0,
        "unit": "μg/m³",
        "comparator": "<=",
        "source": "table",
        "baseline_value": 33.0,
        "binding": "约束性",
        "cumulative": True,
    }
    assert catalog.parse_row("降尘量 | 2025 | 4..5 | 吨 | =")["value_min"] == 4.0
    with pytest.raises(ValueError):
        catalog.parse_row("森林覆盖率 | 2025 | 24 | % | = | colour=green")


def test_compare_finds_missing_extra_and_wrong_fields():
    want = [catalog.parse_row("森林覆盖率 | 2025 | 24 | % | = | baseline_value=22.4")]
    got = [
        {
            "indicator": "森林覆盖率",
            "year": 2025,
            "value": 24.0,
            "unit": "%",
            "comparator": ">=",
            "source": "table",
            "baseline_value": 22.4,
        },
        {"indicator": "共设置指标", "year": 2025, "value": 4.0, "unit": "项", "comparator": "=", "source": "text"},
    ]
    outcome = catalog.compare(want, got)
    assert not outcome.missing
    assert [k for _, _, k in outcome.wrong] == ["comparator"]
    assert [g["indicator"] for g in outcome.extra] == ["共设置指标"]
    assert not catalog.compare(want, got[1:]).pairs


def test_fonts_hold_every_character_the_zoo_draws():
    for vid in IDS:
        for text in catalog.drawn_strings(vid):
            for ch in text:
                if not ch.isspace():
                    draw.font_path_for(ch)  # KeyError: run tests/zoo/make_font.py
    fonts = list((Path(draw.__file__).parent / "fonts").glob("*.ttf"))
    assert len(fonts) == 3 and sum(f.stat().st_size for f in fonts) < 300_000


def _fonts(pdf: Path) -> list[dict]:
    from pypdf import PdfReader

    out = []
    for page in PdfReader(str(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            if "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            out.append(
                {
                    "name": str(font.get("/BaseFont")),
                    "encoding": str(font.get("/Encoding")),
                    "embedded": any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")),
                }
            )
    return out


def test_inks_are_what_they_claim(zoo_dir):
    plain = _fonts(_pdf(zoo_dir, "s5-nonembedded-ruled/embedded"))
    assert plain and all(f["embedded"] for f in plain)
    cid = _fonts(_pdf(zoo_dir, "s5-nonembedded-ruled/exact"))
    assert cid == [{"name": "/STSong-Light", "encoding": "/UniGB-UCS2-H", "embedded": False}]


def _page_texts(pdf: Path) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def test_outline_text_is_paths_not_text(zoo_dir):
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = _pdf(zoo_dir, "s2-outline-header/exact")
    text = _page_texts(pdf)[0]
    assert "城镇污水处理率" in text and "650" in text
    for word in ("专栏4", "主要生态环境指标", "现状值", "目标值", "水环境"):
        assert word not in text
    page = pdfium.PdfDocument(str(pdf))[0]
    paths = [o for o in page.get_objects() if o.type == pdfium_c.FPDF_PAGEOBJ_PATH]
    assert len(paths) > 40  # one filled path per outlined glyph, besides the rules


def test_turned_pages_carry_the_turn(zoo_dir):
    import pypdfium2 as pdfium

    assert pdfium.PdfDocument(str(_pdf(zoo_dir, "rotated/turn90")))[0].get_rotation() == 90
    assert pdfium.PdfDocument(str(_pdf(zoo_dir, "rotated/turn270")))[0].get_rotation() == 270
    flat = pdfium.PdfDocument(str(_pdf(zoo_dir, "rotated/turn90-no-flag")))[0]
    assert flat.get_rotation() == 0 and flat.get_size()[0] < flat.get_size()[1]  # portrait, content turned


def test_page_breaks_put_rows_on_the_next_page(zoo_dir):
    first, second = _page_texts(_pdf(zoo_dir, "page-break/repeated"))
    assert "森林覆盖率" in second and "森林覆盖率" not in first and "序号" in second
    assert "序号" not in _page_texts(_pdf(zoo_dir, "page-break/not-repeated"))[1]
    first, second = _page_texts(_pdf(zoo_dir, "box-page-break/no-frame"))
    assert "专栏6" in first and "危险废物处置" in second and "专栏6" not in second


_SPACE = re.compile(r"\s+")


@pytest.mark.parametrize("variant_id", [v for v in IDS if "nonembedded" not in v and "turn" not in v])
def test_text_layer_holds_what_the_yaml_draws(variant_id, zoo_dir):
    """Every drawn string (but outlines) is in the page text, so the expected rows rest on it."""
    layout, variant = catalog.split_id(variant_id)
    params = draw.parameters(layout, variant)
    if params["font"] != "embedded":
        pytest.skip("text drawn in a non-embedded font depends on the machine's fonts")
    text = _SPACE.sub("", "".join(_page_texts(_pdf(zoo_dir, variant_id))))
    pages = draw.substitute(layout["pages"], params)
    for page in pages:
        for block in page:
            for kind in ("title", "heading", "para", "caption", "note"):
                if kind in block:
                    assert _SPACE.sub("", block[kind]) in text, block[kind]
            if "box" in block:
                for item in block["box"]["items"]:
                    assert _SPACE.sub("", str(item)) in text, item
            if "table" in block and not block["table"].get("header_font"):
                for row in block["table"]["rows"]:
                    cells = row["cells"] if isinstance(row, dict) else row
                    cells = "".join(cells) if isinstance(cells, list) else cells
                    for cell in draw.split_row(cells):
                        if cell not in ("<", "^"):
                            assert _SPACE.sub("", cell) in text, cell
