"""Audit view: every commitment beside the sentence it came from.

``render_audit(OUT)`` reads the output tables and writes one self-contained HTML file (no
CDN, no server): commitments grouped by document and chapter, the indicator, value and year
highlighted inside the sentence from their spans, all fields, page/line links that open the
source file (at its page for a PDF; relative to the page, so the output folder and its corpus
can be zipped and sent), filters (document, region, a case-insensitive search over indicator,
id and sentence, chapter at any heading level, year, source, class, plausibility flag, low
confidence), and the likely misses (``extract.diagnostics``): the quantities turned down by
often-wrong steps, the most often wrong first in each document, and the tables, boxes and
sentences no rule read.

Reviewers mark each row correct or wrong and each likely miss as a missing target, with a
note; verdicts stay in the browser (``localStorage``, keyed by commitment id, so they survive
a re-run of the same documents) and export as a CSV that ``plan-extract eval --extra-gold``
reads as more gold.
"""

from __future__ import annotations

import html
import os
from collections import OrderedDict
from pathlib import Path
from urllib.parse import quote

from .atomic import atomic_path

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
    if r.get("class") == "qualitative":
        return f"“{r.get('target_text') or r.get('value_text')}” (no number)"
    if r.get("value") is not None:
        v = r["value"]
        num = f"{v:g}"
    elif r.get("value_min") is not None or r.get("value_max") is not None:
        num = f"{r.get('value_min')}–{r.get('value_max')}"
    else:
        num = "—"
    return f"{num} {r.get('unit') or ''}".strip() + f"  ({r.get('value_text')})"


def _href(src: Path, page_dir: Path | None) -> str:
    """The address of ``src`` from a page in ``page_dir``: relative (URL-quoted), else ``file://``."""
    if page_dir is not None:
        try:
            return quote(Path(os.path.relpath(src, page_dir.resolve())).as_posix())
        except ValueError:  # another drive (Windows): no relative path
            pass
    return src.as_uri()


def source_links(out_dir: Path, documents: list[dict], page_dir: Path | None = None) -> dict[str, str]:
    """The address of each document's source file, when the run's corpus is still there.

    Relative to ``page_dir`` (the folder of the page the links are on) when given, so the
    links survive moving, zipping or sharing the output folder together with its corpus;
    otherwise a ``file://`` address.  The run records its corpus folder, relative to the output
    folder, in ``documents.parquet``'s metadata (``corpus_root``); a document whose file is
    gone gets no link.
    """
    import pyarrow.parquet as pq

    meta = pq.read_schema(out_dir / "documents.parquet").metadata or {}
    root = meta.get(b"corpus_root")
    if root is None:
        return {}
    base = (out_dir / root.decode()).resolve()
    links = {}
    for d in documents:
        src = base / (d.get("source_path") or "")
        try:
            found = bool(d.get("source_path")) and src.is_file()
        except OSError:  # a path too long to look at
            found = False
        if found:
            links[d["doc_id"]] = _href(src, page_dir)
    return links


def where_link(link: str | None, fmt: str | None, page: int | None) -> str | None:
    """The address opening the source at a row: the file, at its page for a PDF.

    >>> where_link("file:///c/plan.pdf", "pdf", 3), where_link("file:///c/plan.txt", "txt", None)
    ('file:///c/plan.pdf#page=3', 'file:///c/plan.txt')
    """
    if not link:
        return None
    return f"{link}#page={page}" if fmt == "pdf" and page else link


def _flag_help() -> list[dict]:
    """Each plausibility flag with its one-line explanation (``patterns/flags.yaml``)."""
    from ..patterns import load_patterns

    return [{"id": k, "why": v} for k, v in load_patterns().flag_explanations.items()]


# inside <script>: "<", ">" and "&" as JSON escapes, so nothing from a document ("</script>",
# "<!--<script>") can close or change the element; U+2028/2029 escaped for older parsers
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(data) -> str:
    """``data`` as JSON safe to place inside an HTML ``<script>`` element.

    >>> script_json({"doc": "<!--<script>a&b</script>"})
    '{"doc": "\\\\u003c!--\\\\u003cscript\\\\u003ea\\\\u0026b\\\\u003c/script\\\\u003e"}'
    """
    import json

    return json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_SCRIPT_ESCAPES)


def _mark_quantity(sentence: str, quantity: str | None) -> str:
    """HTML of a likely miss's sentence with its quantity marked (its first occurrence)."""
    at = sentence.find(quantity) if quantity else -1
    if at < 0:
        return html.escape(sentence)
    return highlight(sentence, {"val": {"start": at, "end": at + len(quantity or "")}})


def render_audit(out_dir: Path, dest: Path) -> Path:
    """Write the audit page for the tables in ``out_dir`` to ``dest`` (atomically)."""
    import jinja2
    import pyarrow.parquet as pq
    from markupsafe import Markup

    from .evaluate import VERDICT_COLUMNS

    fields = [c for c in VERDICT_COLUMNS if c not in ("verdict", "note")]  # what the page knows of a row

    table = pq.read_table(out_dir / "commitments.parquet")
    rows = table.to_pylist()
    schema_version = (table.schema.metadata or {}).get(b"schema_version", b"?").decode()
    docs = pq.read_table(out_dir / "documents.parquet").to_pylist()
    misses_path = out_dir / "likely_misses.parquet"
    misses = pq.read_table(misses_path).to_pylist() if misses_path.is_file() else []
    links = source_links(out_dir, docs, Path(dest).parent)
    doc_by_id = {d["doc_id"]: d for d in docs}
    by_doc: OrderedDict[str, dict] = OrderedDict(
        (
            d["doc_id"],
            {
                "doc_id": d["doc_id"],
                "title": d.get("title") or "",
                "region": d.get("region"),
                "issuer": d.get("issuer"),
                "chapters": OrderedDict(),
                "n": 0,
            },
        )
        for d in docs
    )
    verdict_data = {}
    for r in rows:
        r["klass"] = r.get("class")
        r["flags"] = list(r.get("flags") or [])
        r["low"] = (r.get("confidence") or 0) < LOW_CONFIDENCE
        r["sentence_html"] = Markup(
            highlight(
                r["sentence"], {"ind": r.get("indicator_span"), "val": r.get("value_span"), "yr": r.get("year_span")}
            )
        )
        r["value_display"] = _value_display(r)
        r["href"] = where_link(links.get(r["doc_id"]), doc_by_id.get(r["doc_id"], {}).get("format"), r.get("page"))
        r["path"] = " › ".join(r.get("section_path") or [])
        verdict_data[r["commitment_id"]] = {k: r.get(k) for k in fields}
        group = by_doc.setdefault(
            r["doc_id"],
            {
                "doc_id": r["doc_id"],
                "title": r.get("title") or "",
                "region": r.get("region"),
                "issuer": r.get("issuer"),
                "chapters": OrderedDict(),
                "n": 0,
            },
        )
        group["chapters"].setdefault(r.get("chapter") or "", []).append(r)
        group["n"] += 1
    groups = [
        {**g, "chapters": [{"chapter": k, "rows": v} for k, v in g["chapters"].items()]}
        for g in by_doc.values()
        if g["n"]
    ]
    miss_groups: OrderedDict[str, list] = OrderedDict()
    # in each document: what no rule read first, then the steps most often wrong on the gold folders
    for m in sorted(
        misses, key=lambda m: (m["doc_id"], m.get("share") is not None, -(m.get("share") or 0), m["char_start"])
    ):
        d = doc_by_id.get(m["doc_id"], {})
        m["key"] = f"miss:{m['doc_id']}:{m['char_start']}"
        m["region"] = d.get("region") or ""
        m["href"] = where_link(links.get(m["doc_id"]), d.get("format"), m.get("page"))
        m["kind"] = m.get("kind") or "sentence"
        m["sentence_html"] = Markup(_mark_quantity(m["sentence"], m.get("quantity")))
        verdict_data[m["key"]] = {
            "doc_id": m["doc_id"],
            "sentence": m["sentence"],
            "page": m.get("page"),
            "line": m.get("line"),
        }
        miss_groups.setdefault(m["doc_id"], []).append(m)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("extract.outputs", "templates"), autoescape=jinja2.select_autoescape(["html", "j2"])
    )
    data_json = script_json(verdict_data)
    page = env.get_template("audit.html.j2").render(
        groups=groups,
        documents=docs,
        n_docs=len(docs),
        n_rows=len(rows),
        schema_version=schema_version,
        years=sorted({r["year"] for r in rows if r.get("year") is not None}),
        low_confidence=LOW_CONFIDENCE,
        regions=sorted({d.get("region") for d in docs if d.get("region")}),
        miss_groups=[{"doc_id": k, "region": v[0]["region"], "rows": v} for k, v in miss_groups.items()],
        n_misses=len(misses),
        verdict_data=Markup(data_json),
        verdict_columns=list(VERDICT_COLUMNS),
        flag_help=_flag_help(),
        reading_notes=[
            {
                "doc_id": d["doc_id"],
                "title": d.get("title") or "",
                "text_quality": d.get("text_quality"),
                "extractor": d.get("extractor"),
                "warnings": d.get("reading_warnings"),
            }
            for d in docs
            if d.get("reading_warnings")
        ],
    )
    with atomic_path(dest) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return dest
