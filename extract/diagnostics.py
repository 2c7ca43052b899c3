"""Diagnostics found while a document is extracted: what looks like a target but gave no row.

``likely_misses`` lists, for the audit page and ``likely_misses.parquet``:

- every quantity a decision step turned down (the rejections ``plan-extract explain`` reports,
  in prose, 专栏 boxes and table cells alike) when that step is often wrong: the share of its
  rejections that were targets on the gold folders (``patterns/rejection_shares.yaml``) is at
  least ``min_share``; each carries the step and the share, by which the page ranks them;
- tables and 专栏 boxes holding numbers that gave no row and no rejection at all (a table the
  readers could not follow), and sentences with a year and a quantity that no rule looked at.

Reviews of the past (十三五 results, 截至2020年底 …) are not targets and are left out, by the one
answer to "is this the past?" (``extract.context.years``: the past markers of
``patterns/years.yaml``, and years and periods before the plan period).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from itertools import accumulate

import regex

from .context.sections import is_heading_line
from .context.years import DocContext, Years
from .patterns import alternation
from .text.segment import sentences

_QUANTITY = regex.compile(
    r"\d+(?:\.\d+)?\s*(?:%|[\p{Han}]{0,4}(?:米|亩|公顷|吨|个|座|处|条|台|天|倍|瓦|千克|立方米|公里))"
)
_NUMBER = regex.compile(r"\d+(?:\.\d+)?")
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


def _numbers(text: str | None) -> set[str]:
    return {m.group(0) for m in _NUMBER.finditer((text or "").replace(",", ""))}


def likely_misses(
    doc,
    commitments: list[dict],
    *,
    years: Years | None = None,
    ctx: DocContext | None = None,
    rejections: list | None = None,
    shares: Mapping[str, float] | None = None,
    min_share: float = 0.0,
) -> list[dict]:
    """Quantities turned down by often-wrong steps, silent tables and boxes, unread target sentences.

    Args:
        doc: the read document.
        commitments: its commitment rows.
        years, ctx: the year rules and the document's context; with them, reviews of the past
            are left out.
        rejections: what the rules turned down (``prose.extract.Rejection``).
        shares: decision step -> share of its rejections that were targets on the gold folders
            (a step not in it counts as ``min_share``).
        min_share: a rejection is listed when its step's share is at least this.

    Returns:
        Rows of ``likely_misses.parquet``: ``kind`` is "sentence", "table" or "box" (where the
        quantity or text is); a rejected quantity has ``quantity``, ``rejected_by`` and
        ``share``, a silent block or sentence has them null; ``sentence`` is the sentence (a
        table's caption and first cells).
    """
    covered = sorted((c["char_start"], c["char_end"]) for c in commitments)
    starts = [cs for cs, _ce in covered]
    reach = list(accumulate((ce for _cs, ce in covered), max))  # furthest end among the first k spans

    def uncovered(start: int, end: int) -> bool:
        k = bisect_left(starts, end)  # spans starting before ``end`` …
        return not (k and reach[k - 1] > start)  # … none of which ends after ``start``

    # where a quantity that did give a row stands (another reading of a rejected quantity)
    row_numbers = [(c["char_start"], c["char_end"], _numbers(c.get("value_text"))) for c in commitments]

    def became_a_row(start: int, end: int, quantity: str) -> bool:
        numbers = _numbers(quantity)
        return any(cs <= start < ce and numbers & ns for cs, ce, ns in row_numbers)

    rejections = sorted(rejections or [], key=lambda r: (r.char_start, r.char_end, r.rule_id))
    shares = shares or {}
    rejected_at = [r.char_start for r in rejections]

    def rejections_in(start: int, end: int) -> bool:
        k = bisect_left(rejected_at, start)
        return k < len(rejected_at) and rejected_at[k] < end

    blocks = list(doc.blocks)
    block_starts = [b.char_start for b in blocks]

    def kind_at(pos: int) -> str:
        k = bisect_left(block_starts, pos + 1) - 1
        b = blocks[k] if k >= 0 and blocks[k].char_start <= pos < blocks[k].char_end else None
        return b.kind if b is not None and b.kind in ("table", "box") else "sentence"

    out = []
    seen: set[tuple[int, int]] = set()
    for r in rejections:
        share = shares.get(r.rule_id, min_share)
        if share < min_share or (r.char_start, r.char_end) in seen:
            continue
        seen.add((r.char_start, r.char_end))
        quantity = doc.text[r.char_start : r.char_end]
        if became_a_row(r.char_start, r.char_end, quantity):
            continue
        sentence = doc.text[r.sentence_start : r.sentence_end].strip()
        if reports_past(sentence, years, ctx):
            continue
        if len(sentence) > _EXCERPT_CHARS * 2:
            sentence = sentence[: _EXCERPT_CHARS * 2] + "…"
        out.append(
            {
                "doc_id": doc.doc_id,
                "kind": kind_at(r.char_start),
                "sentence": sentence,
                "char_start": r.char_start,
                "char_end": r.char_end,
                "page": doc.page_of(r.char_start),
                "line": doc.line_of(r.char_start),
                "rejected_by": r.rule_id,
                "quantity": quantity,
                "share": round(share, 4),
            }
        )
    # a year or a named plan period (periods.yaml)
    periods = alternation(years.p.periods) if years is not None else "(?!)"
    yearish = regex.compile(rf"(?:19|20)\d{{2}}\s*年|{periods}")
    for block in doc.blocks:
        if block.kind in ("table", "box"):
            # numbers no rule looked at and no row came from: a table or box the readers could not follow
            if (
                uncovered(block.char_start, block.char_end)
                and not rejections_in(block.char_start, block.char_end)
                and _QUANTITY.search(doc.text[block.char_start : block.char_end])
            ):
                miss = _table_miss(doc, block, years, ctx)
                if miss:
                    out.append(miss)
            continue
        if block.kind != "paragraph" or not yearish.search(block.text):
            continue  # no year in the paragraph: none of its sentences can qualify
        for a, b in sentences(block.text):
            s = block.text[a:b]
            if not (yearish.search(s) and _QUANTITY.search(yearish.sub("", s))):
                continue
            start, end = block.char_start + a, block.char_start + b
            if rejections_in(start, end) or not uncovered(start, end) or reports_past(s, years, ctx):
                continue  # the rules looked at its quantities (listed above when often wrong), or a row
            out.append(
                {
                    "doc_id": doc.doc_id,
                    "kind": "sentence",
                    "sentence": s,
                    "char_start": start,
                    "char_end": end,
                    "page": doc.page_of(start),
                    "line": doc.line_of(start),
                    "rejected_by": None,
                    "quantity": None,
                    "share": None,
                }
            )
    out.sort(key=lambda m: m["char_start"])
    return out


def _table_miss(doc, block, years: Years | None, ctx: DocContext | None) -> dict | None:
    """A table or 专栏 box holding numbers, as a likely-miss row (None for a review table)."""
    before = doc.text[max(0, block.char_start - 120) : block.char_start].rstrip().rsplit("\n", 1)[-1].strip()
    # the line above is the table's caption when it is one (表1 …, 专栏3 …), not running text
    caption = block.title or (before if len(before) <= _CAPTION_CHARS and is_heading_line(before) else "")
    cells = [" | ".join(c.text for c in row if c.text) for row in (block.rows or [])]
    body = " / ".join(c for c in cells if c)
    if not regex.search(r"\d", body):
        return None
    header = cells[0] if cells else ""
    # a caption citing the last plan (《…“十三五”…规划》目标完成情况) reviews it: titles count here
    if reports_past(regex.sub(r"[《》]", "", f"{caption} {header}"), years, ctx):
        return None  # a table reviewing the last plan period (“十三五”指标 | 2020年值 | 达标情况)
    kind = "box" if block.kind == "box" or _BOX.match(caption) or _BOX.match(body) else "table"
    excerpt = f"{caption}：{body}" if caption and not _BOX.match(body) else body
    if len(excerpt) > _EXCERPT_CHARS:
        excerpt = excerpt[:_EXCERPT_CHARS] + "…"
    return {
        "doc_id": doc.doc_id,
        "kind": kind,
        "sentence": excerpt,
        "char_start": block.char_start,
        "char_end": block.char_end,
        "page": block.page,
        "line": block.line,
        "rejected_by": None,
        "quantity": None,
        "share": None,
    }
