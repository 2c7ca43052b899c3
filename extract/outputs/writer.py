"""Parquet writers for the three output tables (contract: ../shared/SCHEMA.md).

Schemas are declared once here; rows are written in a deterministic order, with the
``schema_version`` in the file metadata, to a temporary file that is then renamed, so a
crash never leaves a half-written table behind.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .atomic import atomic_path

SCHEMA_VERSION = "1.4"  # 1.1: indicator_span, value_span, year_span; 1.2: is_primary, restates;
# 1.3: documents subject_region, subject_region_code, issuer_rule, region_rule;
# 1.4: commitments target_text (class "qualitative"), flags, flag_detail

# a span of characters inside `sentence`: sentence[start:end]
SPAN = pa.struct([("start", pa.int32()), ("end", pa.int32())])

COMMITMENTS = pa.schema(
    [
        ("commitment_id", pa.string()),
        ("doc_id", pa.string()),
        ("source_path", pa.string()),
        ("title", pa.string()),
        ("issuer", pa.string()),
        ("region", pa.string()),
        ("region_code", pa.string()),
        ("admin_level", pa.string()),
        ("chapter", pa.string()),
        ("section_path", pa.list_(pa.string())),
        ("sentence", pa.string()),
        ("char_start", pa.int64()),
        ("char_end", pa.int64()),
        ("page", pa.int32()),
        ("line", pa.int32()),
        ("indicator", pa.string()),
        ("indicator_id", pa.string()),
        ("year", pa.int32()),
        ("year_source", pa.string()),
        ("value", pa.float64()),
        ("value_min", pa.float64()),
        ("value_max", pa.float64()),
        ("value_text", pa.string()),
        ("unit", pa.string()),
        ("comparator", pa.string()),
        ("change", pa.string()),
        ("cumulative", pa.bool_()),
        ("strive", pa.bool_()),
        ("binding", pa.string()),
        ("baseline_year", pa.int32()),
        ("baseline_value", pa.float64()),
        ("source", pa.string()),
        ("table_id", pa.string()),
        ("table_row", pa.int32()),
        ("class", pa.string()),
        ("confidence", pa.float32()),
        ("rule_id", pa.string()),
        ("indicator_span", SPAN),
        ("value_span", SPAN),
        ("year_span", SPAN),
        # one statement of each target is primary; a restatement names the primary's commitment_id
        ("is_primary", pa.bool_()),
        ("restates", pa.string()),
        # a target without a number (class "qualitative"): its words ("基本消除", "完成省下达目标")
        ("target_text", pa.string()),
        # plausibility flags (extract/flags.py: direction, range, unit, conflict, restated_primary) and
        # one line per flag saying why ("conflict: 70 % in 3fa2…, text, line 120")
        ("flags", pa.list_(pa.string())),
        ("flag_detail", pa.string()),
    ]
)

DOCUMENTS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source_path", pa.string()),
        ("content_sha256", pa.string()),
        ("format", pa.string()),
        ("title", pa.string()),
        ("issuers", pa.list_(pa.string())),
        ("issuer", pa.string()),
        ("region", pa.string()),
        ("region_code", pa.string()),
        ("admin_level", pa.string()),
        ("doc_number", pa.string()),
        ("publish_date", pa.date32()),
        ("plan_start_year", pa.int32()),
        ("plan_end_year", pa.int32()),
        ("base_year", pa.int32()),
        ("n_pages", pa.int32()),
        ("n_chars", pa.int64()),
        ("n_commitments", pa.int32()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("title_evidence", pa.string()),
        ("issuer_evidence", pa.string()),
        ("region_evidence", pa.string()),
        ("date_evidence", pa.string()),
        # how well the text could be read: 1 - the share of unusual characters (private use, U+FFFD,
        # foreign scripts, digits lost next to 年/%), the extractor(s) that gave it, scanned pages
        ("text_quality", pa.float64()),
        ("extractor", pa.string()),
        ("pages_without_text", pa.int32()),
        ("reading_warnings", pa.list_(pa.string())),
        # what was repaired or ignored on the way (control characters dropped, a bad manifest value)
        ("warnings", pa.list_(pa.string())),
        # the place a document is about (a ministry's pilot in 包头市; else its region), and the rule
        # that decided issuer and region: manifest, header, signature, title, doc_number, body, inferred
        ("subject_region", pa.string()),
        ("subject_region_code", pa.string()),
        ("issuer_rule", pa.string()),
        ("region_rule", pa.string()),
    ]
)

SECTIONS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("section_id", pa.string()),
        ("level", pa.int32()),
        ("number", pa.string()),
        ("title", pa.string()),
        ("parent_id", pa.string()),
        ("char_start", pa.int64()),
        ("char_end", pa.int64()),
        ("page", pa.int32()),
    ]
)

# what looks like a target and gave no commitment (the audit view's "likely misses", see
# extract.diagnostics): a quantity turned down by an often-wrong step, a silent table or box, an
# unread sentence; kind: where it is, "sentence" | "table" | "box"
MISSES = pa.schema(
    [
        ("doc_id", pa.string()),
        ("sentence", pa.string()),
        ("char_start", pa.int64()),
        ("char_end", pa.int64()),
        ("page", pa.int32()),
        ("line", pa.int32()),
        ("kind", pa.string()),
        # the step that turned the quantity down ("cue.none"), the quantity as written, and the share of
        # that step's rejections that were targets on the gold folders (null for a silent block or sentence)
        ("rejected_by", pa.string()),
        ("quantity", pa.string()),
        ("share", pa.float64()),
    ]
)

TABLES = {"commitments": COMMITMENTS, "documents": DOCUMENTS, "sections": SECTIONS, "likely_misses": MISSES}


def rows_to_table(rows: list[dict], schema: pa.Schema, metadata: dict[str, str] | None = None) -> pa.Table:
    """Row dicts as an Arrow table with ``schema``, the ``schema_version`` and ``metadata``."""
    columns = {f.name: [r.get(f.name) for r in rows] for f in schema}
    table = pa.table(columns, schema=schema)
    return table.replace_schema_metadata({**(metadata or {}), "schema_version": SCHEMA_VERSION})


def write_table(rows: list[dict], schema: pa.Schema, path: Path, metadata: dict[str, str] | None = None) -> None:
    """Write ``rows`` with ``schema`` to ``path`` atomically (temp file + rename).

    ``metadata`` adds key-value pairs to the file's metadata beside ``schema_version``.
    """
    table = rows_to_table(rows, schema, metadata)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
