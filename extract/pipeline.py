"""Run the stages on one document and on a batch.

read -> normalise (inside the reader) -> sections -> metadata -> rules -> rows.  A
document that fails at any stage becomes an error row; the batch goes on.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import logging
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .audit import likely_misses
from .indicators import IndicatorCatalogue, clean_indicator
from .metadata import DocMeta, infer_metadata
from .model import Commitment, Document
from .patterns import Patterns, load_patterns
from .readers import ReadError, read_document, supported
from .rules import DocContext, ProseRules
from .sections import build_sections
from .tables import TableReader

log = logging.getLogger(__name__)


@dataclass
class DocResult:
    """Rows produced for one document."""

    document: dict
    commitments: list[dict] = field(default_factory=list)
    sections: list[dict] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.document.get("status") == "ok"


def commitment_id(content_sha256: str, c: Commitment) -> str:
    """Stable id: hash of content hash, sentence span, value position, indicator and year."""
    key = f"{content_sha256}|{c.char_start}|{c.char_end}|{c.value_start}|{c.indicator}|{c.year}|{c.table_row}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def read_manifest(corpus: Path) -> dict[str, dict]:
    """``corpus/manifest.csv`` rows keyed by doc_id (empty values ignored)."""
    path = corpus / "manifest.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {row["doc_id"]: {k: v for k, v in row.items() if v not in (None, "")}
                for row in csv.DictReader(fh) if row.get("doc_id")}


def apply_manifest(meta: DocMeta, entry: dict) -> None:
    """Override inferred metadata with manifest values; evidence says "manifest"."""
    if "title" in entry:
        meta.title = entry["title"]; meta.evidence["title"] = "manifest"
    if "issuer" in entry:
        meta.issuers = [s.strip() for s in entry["issuer"].replace(";", "；").split("；") if s.strip()]
        meta.evidence["issuer"] = "manifest"
    for key in ("region", "region_code", "admin_level", "doc_number"):
        if key in entry:
            setattr(meta, key, entry[key])
            if key == "region":
                meta.evidence["region"] = "manifest"
    if "publish_date" in entry:
        meta.publish_date = dt.date.fromisoformat(entry["publish_date"]); meta.evidence["date"] = "manifest"
    for key in ("plan_start_year", "plan_end_year", "base_year"):
        if key in entry:
            setattr(meta, key, int(entry[key]))


def _error_row(path: Path, rel: str, reason: str) -> dict:
    try:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        sha = None
    return {"doc_id": path.stem, "source_path": rel, "content_sha256": sha,
            "format": path.suffix.lower().lstrip("."), "status": "error", "error": reason,
            "n_commitments": 0, "issuers": []}


def extract_document(doc: Document, patterns: Patterns, manifest_entry: dict | None = None) -> DocResult:
    """Run sections, metadata and rules on a read document."""
    tree = build_sections(doc)
    meta = infer_metadata(doc, patterns)
    if manifest_entry:
        apply_manifest(meta, manifest_entry)
    ctx = DocContext(meta.plan_start_year, meta.plan_end_year, meta.base_year, tree)
    prose = rules_for(patterns)
    found = prose.extract(doc, ctx)
    found.extend(_table_commitments(doc, ctx, patterns, prose))
    catalogue = catalogue_for(patterns)
    rows = []
    seen = set()
    for c in found:
        indicator = clean_indicator(c.indicator) if c.indicator else c.indicator
        if not indicator or "。" in indicator or len(indicator) > _MAX_INDICATOR_CHARS:
            continue   # a sentence or a paragraph where an indicator name should be
        path = [s for s in tree.path_at(c.value_start)]
        entry = catalogue.match(indicator)
        confidence = c.confidence
        if entry is not None and not catalogue.unit_ok(entry, c.unit):
            confidence = round(confidence * 0.8, 2)   # a unit the indicator is not measured in
        c = dataclasses.replace(c, indicator=indicator, chapter=tree.chapter_at(c.value_start),
                                section_path=tuple(s.label for s in path),
                                indicator_id=entry.id if entry else None, confidence=confidence)
        cid = commitment_id(doc.content_sha256, c)
        if cid in seen:
            continue
        seen.add(cid)
        rows.append(_commitment_row(cid, doc, meta, c))
    rows.sort(key=lambda r: (r["char_start"], r["_value_start"], r["indicator"], r["commitment_id"]))
    for r in rows:
        del r["_value_start"]
    sections = [{"doc_id": doc.doc_id, "section_id": s.section_id, "level": s.level, "number": s.number,
                 "title": s.title, "parent_id": s.parent_id, "char_start": s.char_start,
                 "char_end": s.char_end, "page": s.page} for s in tree.sections]
    document = {
        "doc_id": doc.doc_id, "source_path": doc.source_path, "content_sha256": doc.content_sha256,
        "format": doc.format, "title": meta.title, "issuers": meta.issuers, "issuer": meta.issuer,
        "region": meta.region, "region_code": meta.region_code, "admin_level": meta.admin_level,
        "doc_number": meta.doc_number, "publish_date": meta.publish_date,
        "plan_start_year": meta.plan_start_year, "plan_end_year": meta.plan_end_year,
        "base_year": meta.base_year, "n_pages": doc.n_pages, "n_chars": len(doc.text),
        "n_commitments": len(rows), "status": "ok", "error": None,
        "title_evidence": meta.evidence.get("title"), "issuer_evidence": meta.evidence.get("issuer"),
        "region_evidence": meta.evidence.get("region"), "date_evidence": meta.evidence.get("date"),
    }
    return DocResult(document, rows, sections, likely_misses(doc, rows))


def _table_commitments(doc: Document, ctx: DocContext, patterns: Patterns, prose: ProseRules) -> list[Commitment]:
    """Commitments of every table block; a headerless table continues the one before it."""
    reader = TableReader(patterns, prose)
    out: list[Commitment] = []
    schema = None
    for block in doc.blocks:
        if block.kind != "table":
            continue
        try:
            before = doc.text[max(0, block.char_start - 600):block.char_start]
            found, schema = reader.read(doc, block, ctx, schema, before)
        except Exception:  # a table the reader cannot follow must not lose the document
            log.exception("table reader failed on %s", block.table_id)
            continue
        out.extend(found)
    return out


_RULES_CACHE: dict[int, ProseRules] = {}
_CATALOGUES: dict[int, IndicatorCatalogue] = {}
_MAX_INDICATOR_CHARS = 40


def catalogue_for(patterns: Patterns) -> IndicatorCatalogue:
    """The indicator catalogue of ``patterns`` (validated once per process)."""
    key = id(patterns)
    if key not in _CATALOGUES:
        _CATALOGUES[key] = IndicatorCatalogue(patterns)
    return _CATALOGUES[key]


def rules_for(patterns: Patterns) -> ProseRules:
    """The compiled rules for ``patterns`` (compiled once per process)."""
    key = id(patterns)
    if key not in _RULES_CACHE:
        _RULES_CACHE[key] = ProseRules(patterns)
    return _RULES_CACHE[key]


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
        pos = rel if sent[rel:rel + len(c.value_text)] == c.value_text else sent.find(c.value_text)
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


def _commitment_row(cid: str, doc: Document, meta: DocMeta, c: Commitment) -> dict:
    indicator_span, value_span, year_span = evidence_spans(c)
    return {
        "indicator_span": indicator_span, "value_span": value_span, "year_span": year_span,
        "commitment_id": cid, "doc_id": doc.doc_id, "source_path": doc.source_path,
        "title": meta.title, "issuer": meta.issuer, "region": meta.region,
        "region_code": meta.region_code, "admin_level": meta.admin_level,
        "chapter": c.chapter, "section_path": list(c.section_path), "sentence": c.sentence,
        "char_start": c.char_start, "char_end": c.char_end, "page": c.page, "line": c.line,
        "indicator": c.indicator, "indicator_id": c.indicator_id, "year": c.year,
        "year_source": c.year_source, "value": c.value, "value_min": c.value_min,
        "value_max": c.value_max, "value_text": c.value_text, "unit": c.unit,
        "comparator": c.comparator, "change": c.change, "cumulative": c.cumulative,
        "strive": c.strive, "binding": c.binding, "baseline_year": c.baseline_year,
        "baseline_value": c.baseline_value, "source": c.source, "table_id": c.table_id,
        "table_row": c.table_row, "class": c.klass, "confidence": c.confidence,
        "rule_id": c.rule_id, "_value_start": c.value_start,
    }


def process_file(path: Path, root: Path, patterns_dir: str | None = None,
                 manifest_entry: dict | None = None) -> DocResult:
    """Read and extract one file; any failure becomes an error row with a one-line reason."""
    rel = str(path.relative_to(root)) if path.is_relative_to(root) else path.name
    try:
        patterns = load_patterns(patterns_dir)
        doc = read_document(path, root)
        return extract_document(doc, patterns, manifest_entry)
    except ReadError as exc:
        return DocResult(_error_row(path, rel, str(exc)))
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop the batch
        log.debug("failed on %s", path, exc_info=True)
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        return DocResult(_error_row(path, rel, reason))


def find_documents(corpus: Path) -> list[Path]:
    """Files with a registered reader under ``corpus``, sorted (manifest excluded)."""
    if corpus.is_file():
        return [corpus]
    return sorted(p for p in corpus.rglob("*") if p.is_file() and supported(p)
                  and not p.name.startswith(".") and p.name != "manifest.csv")


def _worker(args):
    path, root, patterns_dir, entry = args
    return process_file(path, root, patterns_dir, entry)


def run_batch(corpus: Path, jobs: int = 1, patterns_dir: str | None = None) -> Iterator[DocResult]:
    """Process every document of ``corpus``, in a process pool when ``jobs > 1``.

    Yields results in completion order; callers sort the rows.
    """
    root = corpus if corpus.is_dir() else corpus.parent
    manifest = read_manifest(root)
    tasks = [(p, root, patterns_dir, manifest.get(p.stem)) for p in find_documents(corpus)]
    if jobs <= 1 or len(tasks) <= 1:
        for t in tasks:
            yield _worker(t)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_worker, tasks)


def default_jobs() -> int:
    """Worker processes to use by default: the machine's cores, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def extract_text(text: str, doc_id: str = "text", patterns_dir: str | None = None,
                 manifest: dict | None = None) -> list[dict]:
    """Extract commitments from a string (for notebooks and tests).

    Args:
        text: plan text.
        doc_id: id to give the document.
        patterns_dir: another ``patterns/`` folder.
        manifest: metadata overrides, e.g. ``{"plan_start_year": 2021, "plan_end_year": 2025}``.
    """
    from .readers import document_from_text

    doc = document_from_text(text, doc_id)
    return extract_document(doc, load_patterns(patterns_dir), manifest or None).commitments


def extract_file(path: str | Path, patterns_dir: str | None = None) -> DocResult:
    """Extract one file; an unreadable file gives an error row, not an exception."""
    p = Path(path)
    return process_file(p, p.parent, patterns_dir)
