"""Run the stages on one document and on a batch.

read -> normalise (inside the reader) -> sections -> metadata -> rules -> rows -> restatements
linked.  A document that fails at any stage becomes an error row; the batch goes on.  Batches
(discovery, shards, supervised workers, merged tables) are run by :mod:`extract.batch`, for the
command line and the Python API alike.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import IndicatorCatalogue, clean_indicator
from .context.metadata import apply_manifest, infer_metadata, region_rules
from .context.sections import build_sections
from .context.years import DocContext
from .diagnostics import likely_misses
from .flags import Plausibility
from .model import Commitment, Document
from .patterns import Patterns, load_patterns
from .prose.extract import ProseRules, strict
from .prose.qualitative import QualitativeTargets
from .readers import ReadError, read_document, reason_for, relative_path
from .restatements import link_restatements, one_primary_per_cell
from .rows import commitment_id, commitment_row, error_row
from .tables.read import TableReader
from .text.quality import unusual_share

log = logging.getLogger(__name__)


@dataclass
class DocResult:
    """Rows produced for one document."""

    document: dict
    commitments: list[dict] = field(default_factory=list)
    sections: list[dict] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)
    rejections: list[dict] = field(default_factory=list)  # quantities turned down, and by which step

    @property
    def ok(self) -> bool:
        return self.document.get("status") == "ok"


def extract_document(doc: Document, patterns: Patterns, manifest_entry: dict | None = None) -> DocResult:
    """Run sections, metadata and rules on a read document."""
    tree = build_sections(doc)
    prose = rules_for(patterns)
    meta = infer_metadata(doc, patterns, cut=lambda s: prose.lex.tokenizer.cut(s, HMM=False))
    warnings = list(doc.warnings)
    if manifest_entry:
        warnings += apply_manifest(meta, manifest_entry, region_rules(patterns).gaz)
    if meta.rules.get("region") != "manifest":
        warnings += meta.warnings
    ctx = DocContext(meta.plan_start_year, meta.plan_end_year, meta.base_year, tree)
    rejections: list = []
    found = prose.extract(doc, ctx, rejections)
    found.extend(qualitative_for(patterns).extract(doc, ctx, prose))  # targets without a number
    found.extend(_table_commitments(doc, ctx, patterns, prose, rejections))
    catalogue = patterns.catalogue
    plausibility = plausibility_for(patterns)
    rows = []
    seen = set()
    for c in found:
        indicator = clean_indicator(c.indicator) if c.indicator else c.indicator
        if not indicator or "。" in indicator or len(indicator) > _MAX_INDICATOR_CHARS:
            continue  # a sentence or a paragraph where an indicator name should be
        path = [s for s in tree.path_at(c.value_start)]
        entry = catalogue.match(indicator)
        confidence = c.confidence
        if entry is not None and plausibility.counts_under_rate(entry, c.unit):
            entry = None  # a count of things under a rate: another indicator (a wrong id is worse than none)
        elif entry is not None and not catalogue.unit_ok(entry, c.unit):
            confidence = round(confidence * 0.8, 2)  # a unit the indicator is not measured in
        c = dataclasses.replace(
            c,
            indicator=indicator,
            chapter=tree.chapter_at(c.value_start),
            section_path=tuple(s.label for s in path),
            indicator_id=entry.id if entry else None,
            confidence=confidence,
        )
        cid = commitment_id(doc, c)
        if cid in seen:
            continue
        seen.add(cid)
        rows.append(commitment_row(cid, doc, meta, c))
    rows.sort(key=lambda r: (r["char_start"], r["_value_start"], r["indicator"], r["commitment_id"]))
    for r in rows:
        del r["_value_start"]
    link_restatements(rows)
    one_primary_per_cell(rows, plausibility.primary_rank)
    plausibility.flag(
        rows, meta.plan_start_year, meta.plan_end_year, meta.publish_date.year if meta.publish_date else None
    )
    sections = [
        {
            "doc_id": doc.doc_id,
            "section_id": s.section_id,
            "level": s.level,
            "number": s.number,
            "title": s.title,
            "parent_id": s.parent_id,
            "char_start": s.char_start,
            "char_end": s.char_end,
            "page": s.page,
        }
        for s in tree.sections
    ]
    document = {
        "doc_id": doc.doc_id,
        "source_path": doc.source_path,
        "content_sha256": doc.content_sha256,
        "format": doc.format,
        "title": meta.title,
        "issuers": meta.issuers,
        "issuer": meta.issuer,
        "region": meta.region,
        "region_code": meta.region_code,
        "admin_level": meta.admin_level,
        "doc_number": meta.doc_number,
        "publish_date": meta.publish_date,
        "plan_start_year": meta.plan_start_year,
        "plan_end_year": meta.plan_end_year,
        "base_year": meta.base_year,
        "n_pages": doc.n_pages,
        "n_chars": len(doc.text),
        "n_commitments": len(rows),
        "status": "ok",
        "error": None,
        "title_evidence": meta.evidence.get("title"),
        "issuer_evidence": meta.evidence.get("issuer"),
        "region_evidence": meta.evidence.get("region"),
        "date_evidence": meta.evidence.get("date"),
        **reading_report(doc),
        "subject_region": meta.subject_region,
        "subject_region_code": meta.subject_region_code,
        "issuer_rule": meta.rules.get("issuer"),
        "region_rule": meta.rules.get("region"),
        "warnings": warnings,
    }
    numeric = [r for r in rows if r["class"] != "qualitative"]
    misses = likely_misses(
        doc,
        numeric,
        years=prose.years,
        ctx=ctx,
        rejections=rejections,
        shares=patterns.rejection_shares,
        min_share=patterns.min_rejection_share,
    )
    turned_down = [
        {
            "doc_id": doc.doc_id,
            "quantity": doc.text[r.char_start : r.char_end],
            "sentence": doc.text[r.sentence_start : r.sentence_end],
            "char_start": r.char_start,
            "char_end": r.char_end,
            "page": doc.page_of(r.char_start),
            "line": doc.line_of(r.char_start),
            "rejected_by": r.rule_id,
            "detail": r.detail,
        }
        for r in sorted(rejections, key=lambda r: (r.char_start, r.char_end, r.rule_id))
    ]
    return DocResult(document, rows, sections, misses, turned_down)


def reading_report(doc: Document) -> dict:
    """The ``documents.parquet`` columns on how well ``doc`` was read.

    A PDF reader measures its pages (``readers.pdf``); any other text is measured whole.
    """
    report = doc.reading or {
        "text_quality": round(1.0 - unusual_share(doc.text), 4),
        "extractor": doc.format,
        "pages_without_text": None,
        "warnings": [],
    }
    for warning in report.get("warnings") or []:
        log.warning("%s: %s", doc.doc_id, warning)
    return {
        "text_quality": report["text_quality"],
        "extractor": report["extractor"],
        "pages_without_text": report.get("pages_without_text"),
        "reading_warnings": list(report.get("warnings") or []),
    }


def _table_commitments(
    doc: Document, ctx: DocContext, patterns: Patterns, prose: ProseRules, rejections: list | None = None
) -> list[Commitment]:
    """Commitments of every table block; a headerless table continues the one before it."""
    reader = tables_for(patterns)
    out: list[Commitment] = []
    schema = None
    for block in doc.blocks:
        if block.kind not in ("table", "box"):
            continue
        try:
            before = doc.text[max(0, block.char_start - 600) : block.char_start]
            found, schema = reader.read(doc, block, ctx, schema, before, rejections)
        except Exception:  # a table the reader cannot follow must not lose the document
            if strict():
                raise
            log.exception("table reader failed on %s", block.table_id)
            continue
        out.extend(found)
    return out


_MAX_INDICATOR_CHARS = 40


def catalogue_for(patterns: Patterns) -> IndicatorCatalogue:
    """The indicator catalogue of ``patterns`` (built when they were loaded)."""
    return patterns.catalogue


def qualitative_for(patterns: Patterns) -> QualitativeTargets:
    """The qualitative target rules of ``patterns`` (compiled once, kept with them)."""
    return patterns.compiled(QualitativeTargets)


def plausibility_for(patterns: Patterns) -> Plausibility:
    """The flag rules of ``patterns`` (built once, kept with them)."""
    return patterns.compiled(Plausibility)


def _table_reader(patterns: Patterns) -> TableReader:
    return TableReader(patterns, rules_for(patterns))


def tables_for(patterns: Patterns) -> TableReader:
    """The table reader for ``patterns`` (compiled once, kept with them)."""
    return patterns.compiled(_table_reader)


def rules_for(patterns: Patterns) -> ProseRules:
    """The compiled prose rules for ``patterns`` (compiled once, kept with them)."""
    return patterns.compiled(ProseRules)


def process_file(
    path: Path,
    root: Path,
    patterns_dir: str | None = None,
    manifest_entry: dict | None = None,
    data: bytes | None = None,
) -> DocResult:
    """Read and extract one file; any failure becomes an error row with a one-line reason.

    ``data``: the file's bytes when already read (the reader parses them, the file is not opened).
    """
    rel = relative_path(path, root)
    try:
        patterns = load_patterns(patterns_dir)
        doc = read_document(path, root, patterns, data=data)
        return extract_document(doc, patterns, manifest_entry)
    except Exception as exc:  # one bad document must not stop the batch
        if not isinstance(exc, ReadError):
            log.debug("failed on %s", path, exc_info=True)
        sha = hashlib.sha256(data).hexdigest() if data is not None else None
        return DocResult(error_row(path, rel, reason_for(exc), sha256=sha))


def result_from_text(
    text: str, doc_id: str = "text", patterns_dir: str | None = None, manifest: dict | None = None
) -> DocResult:
    """Everything the rules make of a string: rows, sections, likely misses and rejections."""
    from .readers import document_from_text

    doc = document_from_text(text, doc_id)
    return extract_document(doc, load_patterns(patterns_dir), manifest or None)


def rows_from_text(
    text: str, doc_id: str = "text", patterns_dir: str | None = None, manifest: dict | None = None
) -> list[dict]:
    """The commitment rows (dicts, the columns of ``commitments.parquet``) of a string.

    ``extract.extract_text`` is the public form of this, returning a DataFrame.

    Args:
        text: plan text.
        doc_id: id to give the document.
        patterns_dir: another ``patterns/`` folder.
        manifest: metadata overrides, e.g. ``{"plan_start_year": 2021, "plan_end_year": 2025}``.
    """
    return result_from_text(text, doc_id, patterns_dir, manifest).commitments
