"""The target ladder: how a target is passed down from the nation to provinces, cities and counties.

``ladder(commitments, documents, …)`` puts, for each canonical indicator, every document's target
beside the target of the nearest level above it: national documents at the top, then provinces,
prefectures and counties linked by their GB/T 2260 region codes (a county 230184 belongs to the
prefecture 230100 and the province 230000; a level with no plan in the corpus is skipped, so
五常市 is compared with 黑龙江省 when 哈尔滨市's plan is absent).  Each step gets the ratio of the
target to its parent's and a verdict, respecting the indicator's direction
(``higher_is_better`` in ``indicators.yaml``; a cut is stricter when larger):

- ``stricter`` / ``same`` / ``laxer``: the two targets are of one kind (unit, change) and per
  unit of area (a share, a concentration, an intensity, a count of days);
- no verdict (``note`` says why) for totals (万吨, 万亩, 亿m³ — a county's total is always smaller
  than its province's), different units or kinds of change, ranges, or an indicator whose
  direction depends on the target.

The parent's target is for the same year when it states one, else for its nearest year
(``parent_year`` says which; a later year first when two are as near): a city's 2025 target is
set against a province's 2027 target when the province gives none for 2025.  Every value keeps
its evidence: document, page or line, sentence and ``commitment_id``.  Each target is the
primary statement of its document x indicator x year cell (as in ``comparison_table``).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..patterns import Patterns, load_patterns
from ..settings import EXPORT_SUFFIXES
from .atomic import atomic_path
from .compare import comparison_table
from .export import write_xlsx

LEVELS = ("national", "province", "prefecture", "county")
# units whose values are totals over an area: compared across levels they say nothing about ambition
_TOTAL_KINDS = {"area", "volume", "mass", "count", "energy", "length", "money"}

LADDER_COLUMNS = {
    "indicator_id": "string",
    "indicator_name": "string",
    "year": "Int32",
    "level": "string",
    "region": "string",
    "region_code": "string",
    "doc_id": "string",
    "document": "string",
    "indicator": "string",
    "target": "string",
    "value": "Float64",
    "unit": "string",
    "comparator": "string",
    "change": "string",
    "baseline": "string",
    "baseline_value": "Float64",
    "baseline_year": "Int32",
    "parent_level": "string",
    "parent_region": "string",
    "parent_doc_id": "string",
    "parent_year": "Int32",
    "parent_target": "string",
    "parent_value": "Float64",
    "ratio": "Float64",
    "verdict": "string",
    "note": "string",
    "page": "Int32",
    "line": "Int32",
    "sentence": "string",
    "commitment_id": "string",
    "parent_page": "Int32",
    "parent_line": "Int32",
    "parent_commitment_id": "string",
}


def _missing(x) -> bool:
    return x is None or (pd.api.types.is_scalar(x) and bool(pd.isna(x)))


def _clean(d: dict) -> dict:
    return {k: (None if _missing(v) else v) for k, v in d.items()}


def ancestors(level: str | None, code: str | None) -> list[tuple[str, str | None]]:
    """The ``(level, region_code)`` of the levels above a region, nearest first (GB/T 2260 prefixes).

    >>> ancestors("county", "230184")
    [('prefecture', '230100'), ('province', '230000'), ('national', None)]
    >>> ancestors("province", "230000")
    [('national', None)]
    """
    if level == "national" or level not in LEVELS:
        return []
    out: list[tuple[str, str | None]] = []
    if code and len(code) == 6 and code.isdigit():
        if level == "county":
            out.append(("prefecture", code[:4] + "00"))
        if level in ("county", "prefecture"):
            out.append(("province", code[:2] + "0000"))
    out.append(("national", None))
    return out


def _sign(change: str | None, higher_is_better: bool | None) -> int | None:
    """+1 when a larger value is more ambitious, -1 when a smaller one is, None when unknown."""
    if change == "decrease_by":
        return -1 if higher_is_better is True else 1
    if change == "increase_by":
        return -1 if higher_is_better is False else 1
    if higher_is_better is None:
        return None
    return 1 if higher_is_better else -1


def verdict(child: dict, parent: dict, higher_is_better: bool | None, unit_kinds: dict[str, str]) -> tuple:
    """``(ratio, verdict, note)`` of a target against its parent's.

    >>> verdict({"value": 28.0, "unit": "μg/m³", "change": "level"},
    ...         {"value": 30.0, "unit": "μg/m³", "change": "level"}, False, {"μg/m³": "concentration"})
    (0.9333, 'stricter', None)
    """
    a, b = child.get("value"), parent.get("value")
    ratio = round(a / b, 4) if a is not None and b not in (None, 0) else None
    if a is None or b is None:
        return ratio, None, "a range or no number"
    if (child.get("unit") or "") != (parent.get("unit") or ""):
        return ratio, None, f"different units ({child.get('unit') or '—'} / {parent.get('unit') or '—'})"
    if child.get("change") != parent.get("change"):
        return ratio, None, f"different kinds of target ({child.get('change')} / {parent.get('change')})"
    if child.get("change") == "level" and unit_kinds.get(child.get("unit") or "") in _TOTAL_KINDS:
        return ratio, None, "a total over the region: not comparable across levels"
    sign = _sign(child.get("change"), higher_is_better)
    if sign is None:
        return ratio, None, "the indicator's direction depends on the target"
    if math.isclose(a, b, rel_tol=0, abs_tol=1e-9):
        return ratio, "same", None
    return ratio, "stricter" if (a - b) * sign > 0 else "laxer", None


def ladder(
    commitments: pd.DataFrame,
    documents: pd.DataFrame,
    indicators: list[str] | None = None,
    year: int | None = None,
    patterns: Patterns | None = None,
) -> pd.DataFrame:
    """The target ladder: one row per document target that has a level above or below it.

    Args:
        commitments, documents: the run's tables (``extract.read_output`` or ``extract_folder``).
        indicators: indicator ids or categories (``air`` keeps every ``air.*`` id).
        year: only the targets for this year (their parents may be for another year).
        patterns: the rules (default: the shipped ``patterns/``): indicator directions, unit kinds.

    Returns:
        A DataFrame with the columns of ``LADDER_COLUMNS`` (empty when no two levels share an
        indicator), sorted by indicator, province, level, region and year.
    """
    patterns = patterns or load_patterns()
    catalogue = patterns.catalogue
    unit_kinds = {u["unit"]: u["kind"] for u in patterns.units.values()}
    long = comparison_table(commitments, documents, indicators, catalogue=catalogue)
    if long.empty:
        return _typed([])
    where = commitments.set_index("commitment_id")[["page", "line", "region_code"]]
    docs = {d["doc_id"]: _clean(d) for d in documents.to_dict("records")}
    targets = []
    for r in long.to_dict("records"):
        r = _clean(r)
        d = docs.get(r["doc_id"], {})
        level, code = d.get("admin_level"), d.get("region_code")
        if level not in LEVELS or (level != "national" and not code):
            continue
        ev = _clean(where.loc[r["commitment_id"]].to_dict()) if r["commitment_id"] in where.index else {}
        targets.append({**r, "level": level, "region_code": code, "page": ev.get("page"), "line": ev.get("line")})
    by_place: dict[tuple, list[dict]] = {}
    for t in targets:
        by_place.setdefault((t["indicator_id"], t["level"], t["region_code"]), []).append(t)
    rows, parents_used = [], set()
    for t in targets:
        if year is not None and t["year"] != year:
            continue
        parent = _parent(t, by_place)
        entry = catalogue.by_id.get(t["indicator_id"])
        row = _row(t, entry)
        if parent is not None:
            parents_used.add(parent["commitment_id"])
            ratio, word, note = verdict(t, parent, entry.higher_is_better if entry else None, unit_kinds)
            row.update(
                parent_level=parent["level"],
                parent_region=parent["region"],
                parent_doc_id=parent["doc_id"],
                parent_year=parent["year"],
                parent_target=parent["target"],
                parent_value=parent["value"],
                ratio=ratio,
                verdict=word,
                note=note,
                parent_page=parent["page"],
                parent_line=parent["line"],
                parent_commitment_id=parent["commitment_id"],
            )
        rows.append(row)
    has_child = parents_used
    kept = [r for r in rows if r.get("parent_commitment_id") or r["commitment_id"] in has_child]
    listed = {r["commitment_id"] for r in kept}
    # a parent outside the year asked for is still shown, so each step reads against its parent's row
    for t in targets:
        if t["commitment_id"] in has_child and t["commitment_id"] not in listed:
            kept.append(_row(t, catalogue.by_id.get(t["indicator_id"])))
            listed.add(t["commitment_id"])
    kept.sort(
        key=lambda r: (
            r["indicator_id"],
            (r["region_code"] or "")[:2],
            LEVELS.index(r["level"]),
            r["region_code"] or "",
            r["year"] if r["year"] is not None else 0,
            r["doc_id"],
        )
    )
    return _typed(kept)


def _parent(t: dict, by_place: dict[tuple, list[dict]]) -> dict | None:
    """The target of the nearest level above with one for this indicator: the same year, else the nearest."""
    for level, code in ancestors(t["level"], t["region_code"]):
        found = [
            p
            for (ind, lv, c), ps in by_place.items()
            if ind == t["indicator_id"] and lv == level and (code is None or c == code)
            for p in ps
        ]
        if found:
            y = t["year"] if t["year"] is not None else 0
            return min(found, key=lambda p: (abs((p["year"] or 0) - y), -(p["year"] or 0), p["doc_id"]))
    return None


def _row(t: dict, entry) -> dict:
    return {
        "indicator_id": t["indicator_id"],
        "indicator_name": entry.zh if entry else None,
        "year": t["year"],
        "level": t["level"],
        "region": t["region"],
        "region_code": t["region_code"],
        "doc_id": t["doc_id"],
        "document": t["document"],
        "indicator": t["indicator"],
        "target": t["target"],
        "value": t["value"],
        "unit": t["unit"],
        "comparator": t["comparator"],
        "change": t["change"],
        "baseline": t["baseline"],
        "baseline_value": t["baseline_value"],
        "baseline_year": t["baseline_year"],
        "page": t["page"],
        "line": t["line"],
        "sentence": t["sentence"],
        "commitment_id": t["commitment_id"],
    }


def _typed(rows: list[dict]) -> pd.DataFrame:
    from ..api import TEXT_DTYPE

    return pd.DataFrame(rows, columns=list(LADDER_COLUMNS)).astype(
        {k: TEXT_DTYPE if v == "string" else v for k, v in LADDER_COLUMNS.items()}
    )


def ladder_chains(steps: pd.DataFrame) -> pd.DataFrame:
    """Side by side: one row per chain, from a target with nothing below it up to the top.

    Columns: ``indicator_id``, ``indicator_name``, then for each level its region and target
    (with the year), and ``steps`` ("黑龙江省 → 齐齐哈尔市: stricter (0.93)").
    """
    recs = {r["commitment_id"]: _clean(r) for r in steps.to_dict("records")}
    parents = {r.get("parent_commitment_id") for r in recs.values()}
    out: list[dict] = []
    for r in recs.values():
        if r["commitment_id"] in parents or not r.get("parent_commitment_id"):
            continue  # not the foot of a chain
        row = {"indicator_id": r["indicator_id"], "indicator_name": r["indicator_name"]}
        for level in LEVELS:
            row[level] = row[f"{level} target"] = None
        steps_text: list[str] = []
        node: dict | None = r
        while node is not None:
            row[node["level"]] = node["region"]
            row[f"{node['level']} target"] = f"{node['target'] or ''} ({node['year']})"
            parent = recs.get(node.get("parent_commitment_id"))
            if parent is not None:
                ratio = "" if node.get("ratio") is None else f" ({node['ratio']:g})"
                steps_text.append(f"{parent['region']} → {node['region']}: {node.get('verdict') or '—'}{ratio}")
            node = parent
        row["steps"] = "; ".join(reversed(steps_text))
        out.append(row)
    columns = ["indicator_id", "indicator_name"] + [c for lv in LEVELS for c in (lv, f"{lv} target")] + ["steps"]
    from ..api import TEXT_DTYPE

    chains = pd.DataFrame(out, columns=columns).astype(TEXT_DTYPE)
    return chains.sort_values(["indicator_id", "steps"]).reset_index(drop=True)


def write_ladder(steps: pd.DataFrame, dest: Path) -> Path:
    """Write the ladder as .xlsx (sheets ``chains`` and ``steps``), .csv or .parquet (the steps), atomically."""
    dest = Path(dest)
    suffix = dest.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ValueError(f"unsupported output {dest.name!r}: use .xlsx, .csv or .parquet")
    if suffix == ".xlsx":
        return write_xlsx(
            {"chains": ladder_chains(steps), "steps": steps}, dest, label_columns={"chains": 2, "steps": 2}
        )
    with atomic_path(dest) as tmp:
        if suffix == ".csv":
            steps.to_csv(tmp, index=False, encoding="utf-8-sig", na_rep="")
        else:
            steps.to_parquet(tmp, index=False)
    return dest
