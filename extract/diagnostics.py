"""Diagnostics found while a document is extracted: text that looks like targets but gave no row.

``likely_misses`` lists the sentences with a year and a quantity that no commitment came from,
and the tables and 专栏 boxes holding numbers that gave no row at all; the audit page shows
them first, since a target silently lost is the costliest error.  Reviews of the past
(十三五 results, 截至2020年底 …: the patterns' past markers, or only years before the plan
period) are not targets and are left out.
"""
from __future__ import annotations

from typing import Sequence

import regex

from .context.sections import is_heading_line
from .text.segment import sentences

_YEARISH = regex.compile(r"(?:19|20)\d{2}\s*年|十[三四五六]五")
_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_QUANTITY = regex.compile(r"\d+(?:\.\d+)?\s*(?:%|[\p{Han}]{0,4}(?:米|亩|公顷|吨|个|座|处|条|台|天|倍|瓦|千克|立方米|公里))")
_BOX = regex.compile(r"^\s*专栏")
_EXCERPT_CHARS = 240
_CAPTION_CHARS = 60


def is_review(text: str, past_markers: Sequence[str] = (), past_until: int | None = None) -> bool:
    """Whether ``text`` reports the past: a past marker, or only years up to ``past_until``.

    >>> is_review("截至2020年底，削减率为7.72%", ["截至"]), is_review("2023年优良天数比例98.8%", [], 2023)
    (True, True)
    >>> is_review("到2025年，森林覆盖率达到46%", ["截至"], 2023)
    False
    """
    if any(m in text for m in past_markers):
        return True
    years = [int(y) for y in _YEAR.findall(text)]
    return past_until is not None and bool(years) and max(years) <= past_until


def likely_misses(doc, commitments: list[dict], *, past_markers: Sequence[str] = (),
                  past_until: int | None = None) -> list[dict]:
    """Sentences, tables and boxes that look like targets and gave no commitment.

    Args:
        doc: the read document.
        commitments: its commitment rows.
        past_markers: words that mark a review of the past (``lexicon.yaml`` past_markers).
        past_until: the last year before the plan period (sentences with no later year are reviews).

    Returns:
        Rows of ``likely_misses.parquet``: ``kind`` is "sentence", "table" or "box"; a table's
        ``sentence`` is its caption and first cells.
    """
    covered = [(c["char_start"], c["char_end"]) for c in commitments]

    def uncovered(start: int, end: int) -> bool:
        return not any(cs < end and start < ce for cs, ce in covered)

    out = []
    for block in doc.blocks:
        if block.kind == "table":
            miss = _table_miss(doc, block, past_markers, past_until)
            if miss and uncovered(block.char_start, block.char_end):
                out.append(miss)
            continue
        if block.kind != "paragraph":
            continue
        for a, b in sentences(block.text):
            s = block.text[a:b]
            if not (_YEARISH.search(s) and _QUANTITY.search(_YEARISH.sub("", s))):
                continue
            if is_review(s, past_markers, past_until):
                continue
            start, end = block.char_start + a, block.char_start + b
            if uncovered(start, end):
                out.append({"doc_id": doc.doc_id, "kind": "sentence", "sentence": s, "char_start": start,
                            "char_end": end, "page": doc.page_of(start), "line": doc.line_of(start)})
    return out


def _table_miss(doc, block, past_markers: Sequence[str], past_until: int | None) -> dict | None:
    """A table or 专栏 box holding numbers, as a likely-miss row (None for a review table)."""
    before = doc.text[max(0, block.char_start - 120):block.char_start].rstrip().rsplit("\n", 1)[-1].strip()
    # the line above is the table's caption when it is one (表1 …, 专栏3 …), not running text
    caption = before if len(before) <= _CAPTION_CHARS and is_heading_line(before) else ""
    cells = [" | ".join(c.text for c in row if c.text) for row in (block.rows or [])]
    body = " / ".join(c for c in cells if c)
    if not regex.search(r"\d", body):
        return None
    header = cells[0] if cells else ""
    if is_review(f"{caption} {header}", past_markers, past_until):
        return None      # a table reviewing the last plan period (“十三五”指标 | 2020年值 | 达标情况)
    kind = "box" if _BOX.match(caption) or _BOX.match(body) else "table"
    excerpt = f"{caption}：{body}" if caption and not _BOX.match(body) else body
    if len(excerpt) > _EXCERPT_CHARS:
        excerpt = excerpt[:_EXCERPT_CHARS] + "…"
    return {"doc_id": doc.doc_id, "kind": kind, "sentence": excerpt, "char_start": block.char_start,
            "char_end": block.char_end, "page": block.page, "line": block.line}
