"""Reading a text as a 专栏 box item, as the box reader does, for the cases of tests/cases."""

from __future__ import annotations

from extract.context.metadata import apply_manifest, infer_metadata
from extract.context.sections import build_sections
from extract.context.years import DocContext
from extract.model import Block, Cell
from extract.patterns import load_patterns
from extract.pipeline import rules_for
from extract.readers import document_from_text
from extract.tables.read import TableReader


def project_rows(text: str, manifest: dict) -> list[dict]:
    """The commitments of ``text`` read as the single item of a box (fields as in the Parquet rows)."""
    patterns = load_patterns()
    doc = document_from_text(text, "box")
    meta = infer_metadata(doc, patterns)
    apply_manifest(meta, manifest)
    ctx = DocContext(meta.plan_start_year, meta.plan_end_year, meta.base_year, build_sections(doc))
    item = Cell(doc.text.strip(), doc.text.index(doc.text.strip()), len(doc.text.rstrip()))
    box = Block("box", doc.text, 0, len(doc.text), 1, None, [[item]], "box:t01")
    found, _ = TableReader(patterns, rules_for(patterns)).read(doc, box, ctx, None)
    return [
        {
            "indicator": c.indicator,
            "year": c.year,
            "value": c.value,
            "value_min": c.value_min,
            "unit": c.unit,
            "comparator": c.comparator,
            "change": c.change,
            "class": c.klass,
            "cumulative": c.cumulative,
            "strive": c.strive,
            "value_text": c.value_text,
            "sentence": c.sentence,
            "year_source": c.year_source,
        }
        for c in found
    ]
