"""Diagnostics found while a document is extracted: sentences that look like targets but gave no row.

``likely_misses`` lists the sentences with a year and a quantity that no commitment came from;
the audit page shows them first, since a target silently lost is the costliest error.
"""
from __future__ import annotations

import regex

from .text.segment import sentences

_YEARISH = regex.compile(r"(?:19|20)\d{2}\s*年|十[三四五六]五")
_QUANTITY = regex.compile(r"\d+(?:\.\d+)?\s*(?:%|[\p{Han}]{0,4}(?:米|亩|公顷|吨|个|座|处|条|台|天|倍|瓦|千克|立方米|公里))")


def likely_misses(doc, commitments: list[dict]) -> list[dict]:
    """Sentences with a year and a quantity that no commitment came from."""
    covered = [(c["char_start"], c["char_end"]) for c in commitments]
    out = []
    for block in doc.blocks:
        if block.kind != "paragraph":
            continue
        for a, b in sentences(block.text):
            s = block.text[a:b]
            if not (_YEARISH.search(s) and _QUANTITY.search(_YEARISH.sub("", s))):
                continue
            start, end = block.char_start + a, block.char_start + b
            if any(cs < end and start < ce for cs, ce in covered):
                continue
            out.append({"doc_id": doc.doc_id, "sentence": s, "char_start": start, "char_end": end,
                        "page": doc.page_of(start), "line": doc.line_of(start)})
    return out
