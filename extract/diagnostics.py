"""Diagnostics found while a document is extracted: text that looks like targets but gave no row.

``likely_misses`` lists the sentences with a year and a quantity that no commitment came from,
and the tables and 专栏 boxes holding numbers that gave no row at all; the audit page shows
them first, since a target silently lost is the costliest error.  Reviews of the past
(十三五 results, 截至2020年底 …) are not targets and are left out, by the one answer to "is this
the past?" (``extract.context.years``: the past markers of ``patterns/years.yaml``, and years
and periods before the plan period).
"""
from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate

import regex

from .context.sections import is_heading_line
from .context.years import DocContext, Years
from .text.segment import sentences

_YEARISH = regex.compile(r"(?:19|20)\d{2}\s*年|十[三四五六]五")
_QUANTITY = regex.compile(r"\d+(?:\.\d+)?\s*(?:%|[\p{Han}]{0,4}(?:米|亩|公顷|吨|个|座|处|条|台|天|倍|瓦|千克|立方米|公里))")
_BOX = regex.compile(r"^\s*专栏")
_EXCERPT_CHARS = 240
_CAPTION_CHARS = 60


def reports_past(text: str, years: Years | None, ctx: DocContext | None) -> bool:
    """Whether ``text`` reports the past: a past marker, or years none of which is a target."""
    if years is None or ctx is None:
        return False
    if years.past_marker(text):
        return True
    mentions = years.mentions(text, ctx)
    return bool(mentions) and not any(m.kind == "target" for m in mentions)


# rejections that say a number is not a target at all (a code, a scope, a past result …); a box or
# table whose numbers were all turned down for such reasons is not a likely miss
_SETTLED = ("excluded.", "needs_unit.", "scope.", "past.", "year.past", "year.background", "baseline.")


def _reasons(rejections, start: int, end: int) -> list[str]:
    return sorted({r.rule_id for r in rejections if start <= r.char_start < end})


def likely_misses(doc, commitments: list[dict], *, years: Years | None = None,
                  ctx: DocContext | None = None, rejections: list | None = None) -> list[dict]:
    """Sentences, tables and boxes that look like targets and gave no commitment.

    Args:
        doc: the read document.
        commitments: its commitment rows.
        years, ctx: the year rules and the document's context; with them, reviews of the past
            are left out.
        rejections: what the prose rules turned down (``prose.extract.Rejection``); each miss
            says which rules rejected its quantities (``rejected_by``), and a box whose numbers
            were all settled as non-targets (codes, scopes, past results) is not a miss.

    Returns:
        Rows of ``likely_misses.parquet``: ``kind`` is "sentence", "table" or "box"; a table's
        ``sentence`` is its caption and first cells.
    """
    covered = sorted((c["char_start"], c["char_end"]) for c in commitments)
    starts = [cs for cs, _ce in covered]
    reach = list(accumulate((ce for _cs, ce in covered), max))   # furthest end among the first k spans

    def uncovered(start: int, end: int) -> bool:
        k = bisect_left(starts, end)             # spans starting before ``end`` …
        return not (k and reach[k - 1] > start)  # … none of which ends after ``start``

    rejections = rejections or []
    out = []
    for block in doc.blocks:
        if block.kind in ("table", "box"):
            miss = _table_miss(doc, block, years, ctx)
            reasons = _reasons(rejections, block.char_start, block.char_end)
            # numbers the rules examined and all settled as non-targets (codes, scopes, past
            # results), or no quantity at all (only a caption's or a list's numbering): not a miss
            open_reasons = [r for r in reasons if not r.startswith(_SETTLED)]
            quantities = _QUANTITY.search(doc.text[block.char_start:block.char_end])
            if miss and uncovered(block.char_start, block.char_end) and (open_reasons or (quantities and not reasons)):
                miss["rejected_by"] = "; ".join(reasons) or None
                out.append(miss)
            continue
        if block.kind != "paragraph" or not _YEARISH.search(block.text):
            continue            # no year in the paragraph: none of its sentences can qualify
        for a, b in sentences(block.text):
            s = block.text[a:b]
            if not (_YEARISH.search(s) and _QUANTITY.search(_YEARISH.sub("", s))):
                continue
            if reports_past(s, years, ctx):
                continue
            start, end = block.char_start + a, block.char_start + b
            if uncovered(start, end):
                out.append({"doc_id": doc.doc_id, "kind": "sentence", "sentence": s, "char_start": start,
                            "char_end": end, "page": doc.page_of(start), "line": doc.line_of(start),
                            "rejected_by": "; ".join(_reasons(rejections, start, end)) or None})
    return out


def _table_miss(doc, block, years: Years | None, ctx: DocContext | None) -> dict | None:
    """A table or 专栏 box holding numbers, as a likely-miss row (None for a review table)."""
    before = doc.text[max(0, block.char_start - 120):block.char_start].rstrip().rsplit("\n", 1)[-1].strip()
    # the line above is the table's caption when it is one (表1 …, 专栏3 …), not running text
    caption = block.title or (before if len(before) <= _CAPTION_CHARS and is_heading_line(before) else "")
    cells = [" | ".join(c.text for c in row if c.text) for row in (block.rows or [])]
    body = " / ".join(c for c in cells if c)
    if not regex.search(r"\d", body):
        return None
    header = cells[0] if cells else ""
    # a caption citing the last plan (《…“十三五”…规划》目标完成情况) reviews it: titles count here
    if reports_past(regex.sub(r"[《》]", "", f"{caption} {header}"), years, ctx):
        return None      # a table reviewing the last plan period (“十三五”指标 | 2020年值 | 达标情况)
    kind = "box" if block.kind == "box" or _BOX.match(caption) or _BOX.match(body) else "table"
    excerpt = f"{caption}：{body}" if caption and not _BOX.match(body) else body
    if len(excerpt) > _EXCERPT_CHARS:
        excerpt = excerpt[:_EXCERPT_CHARS] + "…"
    return {"doc_id": doc.doc_id, "kind": kind, "sentence": excerpt, "char_start": block.char_start,
            "char_end": block.char_end, "page": block.page, "line": block.line}
