"""Comparison tables across plans: canonical indicator x document, targets and baselines.

``comparison(out_dir, …)`` builds a long table (one row per indicator, document and year,
the best-supported commitment) and ``wide(long, field)`` pivots it for people: rows are
canonical indicators, columns documents (labelled by region), cells the target written with
its comparator and unit.  ``write_comparison`` writes .xlsx (sheets targets, baselines, long),
.csv (a target and a baseline column per document) or .parquet (the long table).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

_SYMBOL = {"=": "", ">=": "≥", "<=": "≤", ">": ">", "<": "<", "~": "≈"}
_CHANGE = {"decrease_by": "−", "increase_by": "+", "level": ""}


def _fmt(value, vmin, vmax, unit, comparator="=", change="level") -> str | None:
    def num(x):
        return f"{x:g}"
    if value is not None and not pd.isna(value):
        core = num(value)
    elif vmin is not None and not pd.isna(vmin) and vmax is not None and not pd.isna(vmax):
        core = f"{num(vmin)}–{num(vmax)}"
    else:
        return None
    return f"{_CHANGE.get(change, '')}{_SYMBOL.get(comparator, '')}{core}{unit or ''}"


def comparison(out_dir: Path, indicators: list[str] | None = None, year: int | None = None) -> pd.DataFrame:
    """Long table: one row per (indicator_id, doc_id, year) with target and baseline."""
    c = pd.read_parquet(Path(out_dir) / "commitments.parquet")
    d = pd.read_parquet(Path(out_dir) / "documents.parquet")
    c = c[c["indicator_id"].notna()]
    if indicators:
        c = c[c["indicator_id"].apply(lambda i: any(i == s or i.startswith(s.rstrip(".") + ".") for s in indicators))]
    if year is not None:
        c = c[c["year"] == year]
    # one commitment per indicator, document and year: the table row over prose, then confidence
    c = c.assign(_table=(c["source"] == "table").astype(int))
    c = c.sort_values(["indicator_id", "doc_id", "year", "_table", "confidence", "char_start"],
                      ascending=[True, True, True, False, False, True])
    c = c.drop_duplicates(["indicator_id", "doc_id", "year"], keep="first")
    labels = _doc_labels(d)
    rows = []
    for r in c.itertuples(index=False):
        rows.append({
            "indicator_id": r.indicator_id, "doc_id": r.doc_id, "document": labels.get(r.doc_id, r.doc_id),
            "region": r.region, "admin_level": r.admin_level, "year": r.year, "indicator": r.indicator,
            "target": _fmt(r.value, r.value_min, r.value_max, r.unit, r.comparator, r.change),
            "value": r.value, "unit": r.unit, "comparator": r.comparator, "change": r.change,
            "baseline": _fmt(r.baseline_value, None, None, r.unit) if r.baseline_value is not None else None,
            "baseline_value": r.baseline_value, "baseline_year": r.baseline_year, "binding": r.binding,
            "strive": r.strive, "source": r.source, "commitment_id": r.commitment_id, "sentence": r.sentence,
        })
    return pd.DataFrame(rows)


def _doc_labels(docs: pd.DataFrame) -> dict[str, str]:
    labels = {}
    counts = docs["region"].fillna("").value_counts()
    for r in docs.itertuples(index=False):
        region = r.region or ""
        labels[r.doc_id] = region if region and counts[region] == 1 else f"{region} {r.doc_id}".strip()
    return labels


def wide(long: pd.DataFrame, field: str = "target") -> pd.DataFrame:
    """Rows: indicator (id and Chinese name of the first wording); columns: documents."""
    if long.empty:
        return pd.DataFrame()
    cell = long.assign(_cell=long[field].where(long[field].notna(), None))
    if long["year"].nunique() > 1:
        cell["_cell"] = [f"{v} ({y})" if v is not None else None for v, y in zip(cell["_cell"], cell["year"])]
        # several years for one indicator and document: one line each
        cell = cell.groupby(["indicator_id", "document"], as_index=False)["_cell"].agg(
            lambda xs: "; ".join(x for x in xs if x))
    table = cell.pivot_table(index="indicator_id", columns="document", values="_cell", aggfunc="first")
    return table.reindex(sorted(table.columns), axis=1)


def write_comparison(long: pd.DataFrame, dest: Path) -> Path:
    """Write .xlsx / .csv / .parquet (by extension), atomically."""
    dest = Path(dest)
    suffix = dest.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".parquet"):
        raise ValueError(f"unsupported output {dest.name!r}: use .xlsx, .csv or .parquet")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=suffix, dir=dest.parent)
    os.close(fd)
    try:
        if suffix == ".xlsx":
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                wide(long, "target").to_excel(xw, sheet_name="targets")
                wide(long, "baseline").to_excel(xw, sheet_name="baselines")
                long.to_excel(xw, sheet_name="long", index=False)
        elif suffix == ".csv":
            t, b = wide(long, "target"), wide(long, "baseline")
            both = t.add_suffix(" target").join(b.add_suffix(" baseline"), how="left")
            both = both.reindex(sorted(both.columns), axis=1)
            both.to_csv(tmp, encoding="utf-8-sig")
        else:
            long.to_parquet(tmp, index=False)
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return dest
