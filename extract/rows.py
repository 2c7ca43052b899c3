"""Commitments into output rows: the stable id, the evidence spans and the row dicts.

A :class:`~extract.model.Commitment` becomes one ``commitments.parquet`` row here and nowhere
else; an unreadable document becomes one ``documents.parquet`` error row.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .context.metadata import DocMeta
from .model import Commitment, Document
from .readers.base import doc_id_from_path


def commitment_id(doc: Document, c: Commitment) -> str:
    """Stable id: hash of document id, content hash, sentence span, value position, indicator and year.

    The document id (its path in the corpus) keeps two copies of one plan apart; nothing
    in the key depends on the machine, the run or the order of the batch.
    """
    key = (
        f"{doc.doc_id}|{doc.content_sha256}|{c.char_start}|{c.char_end}|{c.value_start}|{c.indicator}"
        f"|{c.year}|{c.table_row}"
    )
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def error_row(path: Path, rel: str, reason: str, sha256: str | None = None) -> dict:
    """The documents.parquet row of a document that could not be read (content hash if a file)."""
    try:
        is_file = sha256 is None and path.is_file()  # never opens a FIFO or a device
    except OSError:  # a path too long to look at
        is_file = False
    if is_file:
        try:
            h = hashlib.sha256()
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            sha256 = h.hexdigest()
        except OSError:
            pass
    return {
        "doc_id": doc_id_from_path(rel),
        "source_path": rel,
        "content_sha256": sha256,
        "format": path.suffix.lower().lstrip("."),
        "status": "error",
        "error": reason,
        "n_commitments": 0,
        "issuers": [],
        "warnings": [],
    }


def _span(start: int, end: int) -> dict:
    return {"start": start, "end": end}


def evidence_spans(c: Commitment) -> tuple[dict | None, dict | None, dict | None]:
    """Spans of the indicator, the value text and the year expression inside ``c.sentence``.

    Each is exact (``sentence[start:end]`` is the text) or None: an indicator assembled from
    a coordination ("化肥利用率" from "化肥、农药利用率") or a year carried from an earlier
    sentence or implied by the plan period has no span.
    """
    sent = c.sentence
    value = None
    if c.source == "table" and c.year is not None:
        prefix = f"{c.year}: "
        at = sent.find(prefix)
        pos = sent.find(c.value_text, at + len(prefix) if at >= 0 else 0)
    else:
        rel = c.value_start - c.char_start
        pos = rel if sent[rel : rel + len(c.value_text)] == c.value_text else sent.find(c.value_text)
    if pos >= 0 and c.value_text:
        value = _span(pos, pos + len(c.value_text))
    indicator = None
    if c.indicator:
        limit = value["start"] if value else len(sent)
        pos = sent.rfind(c.indicator, 0, limit)
        if pos < 0:
            pos = sent.find(c.indicator)
        if pos >= 0:
            indicator = _span(pos, pos + len(c.indicator))
    year = None
    if c.source == "table" and c.year is not None:
        at = sent.find(f"{c.year}: ")
        if at >= 0:
            year = _span(at, at + 4)
    elif c.year_start is not None and c.char_start <= c.year_start and c.year_end <= c.char_end:
        year = _span(c.year_start - c.char_start, c.year_end - c.char_start)
    return indicator, value, year


def commitment_row(cid: str, doc: Document, meta: DocMeta, c: Commitment) -> dict:
    indicator_span, value_span, year_span = evidence_spans(c)
    return {
        "indicator_span": indicator_span,
        "value_span": value_span,
        "year_span": year_span,
        "commitment_id": cid,
        "doc_id": doc.doc_id,
        "source_path": doc.source_path,
        "title": meta.title,
        "issuer": meta.issuer,
        "region": meta.region,
        "region_code": meta.region_code,
        "admin_level": meta.admin_level,
        "chapter": c.chapter,
        "section_path": list(c.section_path),
        "sentence": c.sentence,
        "char_start": c.char_start,
        "char_end": c.char_end,
        "page": c.page,
        "line": c.line,
        "indicator": c.indicator,
        "indicator_id": c.indicator_id,
        "year": c.year,
        "year_source": c.year_source,
        "value": c.value,
        "value_min": c.value_min,
        "value_max": c.value_max,
        "value_text": c.value_text,
        "unit": c.unit,
        "comparator": c.comparator,
        "change": c.change,
        "cumulative": c.cumulative,
        "strive": c.strive,
        "binding": c.binding,
        "baseline_year": c.baseline_year,
        "baseline_value": c.baseline_value,
        "source": c.source,
        "table_id": c.table_id,
        "table_row": c.table_row,
        "class": c.klass,
        "confidence": c.confidence,
        "rule_id": c.rule_id,
        "target_text": c.value_text if c.klass == "qualitative" else None,
        "flags": [],
        "flag_detail": None,
        "_value_start": c.value_start,
    }
