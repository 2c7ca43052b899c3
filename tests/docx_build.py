"""Build DOCX test documents with python-docx from real plan text (no binary fixtures needed)."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from extract.context.sections import match_heading

_LEVEL_OF_STYLE = {"part": 1, "chapter": 1, "section": 2, "cn_dun": 2, "cn_paren": 3, "arabic_dot": 4}


def docx_from_text(text: str, out: Path) -> Path:
    """A DOCX with one paragraph per line, heading styles on heading lines, tab lines as tables."""
    d = docx.Document()
    rows: list[list[str]] = []

    def flush():
        if not rows:
            return
        ncols = max(len(r) for r in rows)
        table = d.add_table(rows=len(rows), cols=ncols)
        for i, r in enumerate(rows):
            for j, val in enumerate(r):
                table.cell(i, j).text = val
        rows.clear()

    for line in text.split("\n"):
        if "\t" in line.strip() or line.startswith("\t"):
            rows.append(line.split("\t"))
            continue
        flush()
        s = line.strip()
        if not s:
            continue
        m = match_heading(s)
        if m and m[0] in _LEVEL_OF_STYLE:
            d.add_paragraph(s, style=f"Heading {_LEVEL_OF_STYLE[m[0]]}")
        else:
            d.add_paragraph(s)
    flush()
    d.save(out)
    return out


def _tracked(change_tag: str, text_tag: str, text: str):
    """A tracked change (w:ins / w:del) holding one run of text."""
    change, run, t = OxmlElement(change_tag), OxmlElement("w:r"), OxmlElement(text_tag)
    t.text = text
    run.append(t)
    change.append(run)
    return change


def docx_with_styles(out: Path) -> Path:
    """Headings of several kinds, a table with merged cells, a tracked change, a footnote-free body."""
    d = docx.Document()
    d.add_paragraph("美丽示范县建设规划", style="Title")
    d.add_paragraph("总体要求", style="Heading 1")  # heading style, no numbering
    custom = d.styles.add_style("规划二级标题", WD_STYLE_TYPE.PARAGRAPH)  # custom style with outline level
    custom.base_style = d.styles["Normal"]
    ppr = custom.element.get_or_add_pPr()
    lvl = OxmlElement("w:outlineLvl")
    lvl.set(qn("w:val"), "1")
    ppr.append(lvl)
    d.add_paragraph("主要目标", style="规划二级标题")
    d.add_paragraph("到2027年，全县森林覆盖率达到52.3%，湿地保护率稳定在48%。")
    # a tracked change: "60%" deleted, "65%" inserted
    p2 = d.add_paragraph("到2027年，城市生活污水集中收集率达到")
    p2._p.append(_tracked("w:del", "w:delText", "60%"))
    p2._p.append(_tracked("w:ins", "w:t", "65%"))
    p2.add_run("。")
    d.add_paragraph("")  # empty paragraphs are skipped
    d.add_paragraph("第二章 主要指标", style="Heading 1")
    table = d.add_table(rows=4, cols=5)
    header = ["类别", "指标", "2023年", "2027年", "属性"]
    for j, h in enumerate(header):
        table.cell(0, j).text = h
    data = [
        ["环境质量", "空气质量优良天数比例（%）", "90.1", "92", "约束性"],
        ["", "细颗粒物浓度（微克/立方米）", "31", "28", "约束性"],
        ["生态", "森林覆盖率（%）", "50", "52.3", "约束性"],
    ]
    for i, row in enumerate(data, start=1):
        for j, val in enumerate(row):
            if val:
                table.cell(i, j).text = val
    table.cell(1, 0).merge(table.cell(2, 0))  # vertical merge (环境质量)
    table.cell(3, 3).merge(table.cell(3, 4))  # horizontal merge
    table.cell(3, 3).text = "52.3"
    d.save(out)
    return out
