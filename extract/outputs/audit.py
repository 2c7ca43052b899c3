"""Audit view: every commitment beside the sentence it came from.

``render_audit(OUT)`` reads the output tables and writes one self-contained HTML file (no
CDN, no server): commitments grouped by document and chapter, the indicator, value and year
highlighted inside the sentence from their spans, all fields, filters (document, indicator,
year, source, class, low confidence), and a view of the sentences where a year and a quantity
appear but nothing was extracted (likely misses, found by ``extract.diagnostics``).
"""
from __future__ import annotations

import html
from collections import OrderedDict
from pathlib import Path

LOW_CONFIDENCE = 0.7


def highlight(sentence: str, spans: dict[str, dict | None]) -> str:
    """HTML of ``sentence`` with ``<mark>`` around each span (overlaps: the earlier wins).

    >>> highlight("森林覆盖率达到46%", {"ind": {"start": 0, "end": 5}, "val": {"start": 7, "end": 10}})
    '<mark class="ind">森林覆盖率</mark>达到<mark class="val">46%</mark>'
    """
    marks = sorted((sp["start"], sp["end"], cls) for cls, sp in spans.items() if sp)
    out, pos = [], 0
    for start, end, cls in marks:
        if start < pos or end > len(sentence) or start >= end:
            continue
        out.append(html.escape(sentence[pos:start]))
        out.append(f'<mark class="{cls}">{html.escape(sentence[start:end])}</mark>')
        pos = end
    out.append(html.escape(sentence[pos:]))
    return "".join(out)


def _value_display(r: dict) -> str:
    if r.get("value") is not None:
        v = r["value"]
        num = f"{v:g}"
    elif r.get("value_min") is not None or r.get("value_max") is not None:
        num = f"{r.get('value_min')}–{r.get('value_max')}"
    else:
        num = "—"
    return f"{num} {r.get('unit') or ''}".strip() + f"  ({r.get('value_text')})"


def render_audit(out_dir: Path, dest: Path) -> Path:
    """Write the audit page for the tables in ``out_dir`` to ``dest`` (atomically)."""
    import os
    import tempfile

    import jinja2
    import pyarrow.parquet as pq
    from markupsafe import Markup

    table = pq.read_table(out_dir / "commitments.parquet")
    rows = table.to_pylist()
    schema_version = (table.schema.metadata or {}).get(b"schema_version", b"?").decode()
    docs = pq.read_table(out_dir / "documents.parquet").to_pylist()
    misses_path = out_dir / "likely_misses.parquet"
    misses = pq.read_table(misses_path).to_pylist() if misses_path.is_file() else []
    by_doc: OrderedDict[str, dict] = OrderedDict(
        (d["doc_id"], {"doc_id": d["doc_id"], "title": d.get("title") or "", "region": d.get("region"),
                       "issuer": d.get("issuer"), "chapters": OrderedDict(), "n": 0}) for d in docs)
    for r in rows:
        r["klass"] = r.get("class")
        r["low"] = (r.get("confidence") or 0) < LOW_CONFIDENCE
        r["sentence_html"] = Markup(highlight(r["sentence"], {"ind": r.get("indicator_span"),
                                                              "val": r.get("value_span"), "yr": r.get("year_span")}))
        r["value_display"] = _value_display(r)
        group = by_doc.setdefault(r["doc_id"], {"doc_id": r["doc_id"], "title": r.get("title") or "",
                                                "region": r.get("region"), "issuer": r.get("issuer"),
                                                "chapters": OrderedDict(), "n": 0})
        group["chapters"].setdefault(r.get("chapter") or "", []).append(r)
        group["n"] += 1
    groups = [{**g, "chapters": [{"chapter": k, "rows": v} for k, v in g["chapters"].items()]}
              for g in by_doc.values() if g["n"]]
    miss_groups: OrderedDict[str, list] = OrderedDict()
    for m in misses:
        miss_groups.setdefault(m["doc_id"], []).append(m)
    env = jinja2.Environment(loader=jinja2.PackageLoader("extract.outputs", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]))
    page = env.get_template("audit.html.j2").render(
        groups=groups, documents=docs, n_docs=len(docs), n_rows=len(rows), schema_version=schema_version,
        years=sorted({r["year"] for r in rows if r.get("year") is not None}), low_confidence=LOW_CONFIDENCE,
        miss_groups=[{"doc_id": k, "rows": v} for k, v in miss_groups.items()], n_misses=len(misses))
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".audit.", suffix=".html.tmp", dir=dest.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(page)
    os.replace(tmp, dest)
    return dest
