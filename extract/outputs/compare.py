"""Comparison tables across plans: canonical indicator x document, targets and baselines.

``comparison_table(commitments, documents, …)`` builds a long table (one row per indicator,
document and year: the primary statement of the target, a table row before prose) and
``wide_table(long, field)`` pivots it for people: rows are canonical indicators, columns
documents (labelled by region), cells the target written with its comparator and unit, marked
``⚑`` when the row carries a plausibility flag (the long table's ``flags``; the document states
other targets for the cell: ``restated_primary``).  Targets without a number (class
"qualitative") are left out unless asked for.
``write_comparison`` writes .xlsx (sheets targets, baselines, long), .csv (a target and a
baseline column per document) or .parquet (the long table).  A missing value is an empty
cell, never the text "nan" or "None".
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..catalogue import id_selected
from ..settings import EXPORT_SUFFIXES
from .atomic import atomic_path

_SYMBOL = {"=": "", ">=": "≥", "<=": "≤", ">": ">", "<": "<", "~": "≈"}
_CHANGE = {"decrease_by": "−", "increase_by": "+", "level": ""}


def _missing(x) -> bool:
    """None, NaN or pandas' NA (what a missing cell is depends on the pandas version and dtype)."""
    return x is None or (pd.api.types.is_scalar(x) and bool(pd.isna(x)))


def _fmt(value, vmin, vmax, unit, comparator="=", change="level") -> str | None:
    """The target as people write it (≥46.43%, 25–30μg/m³, −18%); None when there is no number.

    >>> _fmt(46.43, None, None, "%", ">="), _fmt(float("nan"), 25.0, 30.0, "μg/m³"), _fmt(None, None, None, "%")
    ('≥46.43%', '25–30μg/m³', None)
    """
    if not _missing(value):
        core = f"{value:g}"
    elif not _missing(vmin) and not _missing(vmax):
        core = f"{vmin:g}–{vmax:g}"
    else:
        return None
    unit = "" if _missing(unit) else unit
    return f"{_CHANGE.get(change, '')}{_SYMBOL.get(comparator, '')}{core}{unit}"


def comparison_table(commitments: pd.DataFrame, documents: pd.DataFrame, indicators: list[str] | None = None,
                     year: int | None = None, qualitative: bool = False) -> pd.DataFrame:
    """Long table: one row per (indicator_id, doc_id, year) with target and baseline.

    Args:
        commitments, documents: the run's tables (``extract.read_output`` or ``extract_folder``).
        indicators: indicator ids or categories (``air`` keeps every ``air.*`` id).
        year: only targets for this year.
        qualitative: also targets without a number ("完成省下达目标"), where no number is given.
    """
    c = commitments[commitments["indicator_id"].notna()]
    if "class" in c and not qualitative:
        c = c[c["class"] != "qualitative"]
    if indicators:
        c = c[c["indicator_id"].apply(lambda i: id_selected(i, indicators))]
    if year is not None:
        c = c[c["year"] == year]
    # one commitment per indicator, document and year: the primary statement, a table row over
    # prose, then confidence
    primary = c["is_primary"].fillna(True) if "is_primary" in c else pd.Series(True, index=c.index)
    c = c.assign(_primary=primary.astype(int), _table=(c["source"] == "table").astype(int))
    c = c.sort_values(["indicator_id", "doc_id", "year", "_primary", "_table", "confidence", "char_start"],
                      ascending=[True, True, True, False, False, False, True])
    others = _cell_flags(c)
    c = c.drop_duplicates(["indicator_id", "doc_id", "year"], keep="first")
    labels = _doc_labels(documents)
    rows = []
    for r in c.to_dict("records"):
        r = {k: (None if _missing(v) else v) for k, v in r.items()}
        rows.append({
            "indicator_id": r["indicator_id"], "doc_id": r["doc_id"], "document": labels.get(r["doc_id"], r["doc_id"]),
            "region": r["region"], "admin_level": r["admin_level"], "year": r["year"], "indicator": r["indicator"],
            "target": _fmt(r["value"], r["value_min"], r["value_max"], r["unit"], r["comparator"], r["change"])
            or r.get("target_text"),
            "value": r["value"], "unit": r["unit"], "comparator": r["comparator"], "change": r["change"],
            "baseline": _fmt(r["baseline_value"], None, None, r["unit"]),
            "baseline_value": r["baseline_value"], "baseline_year": r["baseline_year"], "binding": r["binding"],
            "strive": r["strive"], "source": r["source"], "commitment_id": r["commitment_id"],
            "sentence": r["sentence"],
            "flags": _flags_text(r, others.get((r["indicator_id"], r["doc_id"], r["year"]), ())),
            "flag_detail": r.get("flag_detail"),
        })
    return _typed(pd.DataFrame(rows, columns=_LONG_COLUMNS))


# the long table's columns and their (nullable) dtypes
_LONG_COLUMNS = {
    "indicator_id": "string", "doc_id": "string", "document": "string", "region": "string",
    "admin_level": "string", "year": "Int32", "indicator": "string", "target": "string", "value": "Float64",
    "unit": "string", "comparator": "string", "change": "string", "baseline": "string",
    "baseline_value": "Float64", "baseline_year": "Int32", "binding": "string", "strive": "boolean",
    "source": "string", "commitment_id": "string", "sentence": "string", "flags": "string", "flag_detail": "string",
}


def _cell_flags(c: pd.DataFrame) -> dict[tuple, set[str]]:
    """Flags of the rows of each (indicator, document, year) cell that are not its shown row: the
    cell is marked ``restated_primary`` when the document states another target for it."""
    if "flags" not in c:
        return {}
    out: dict[tuple, set[str]] = {}
    for key, flags in zip(zip(c["indicator_id"], c["doc_id"], c["year"]), c["flags"]):
        if not _missing(flags) and "restated_primary" in list(flags):
            out.setdefault(key, set()).add("restated_primary")
    return out


def _flags_text(r: dict, cell: set[str]) -> str | None:
    """The shown row's flags and those its cell carries, comma-joined ("conflict,restated_primary")."""
    from ..flags import FLAG_IDS

    own = set() if _missing(r.get("flags")) else set(r.get("flags"))
    flags = [f for f in FLAG_IDS if f in own | set(cell)]
    return ",".join(flags) or None


def _typed(long: pd.DataFrame) -> pd.DataFrame:
    return long.astype(_LONG_COLUMNS)


def _doc_labels(docs: pd.DataFrame) -> dict[str, str]:
    labels = {}
    counts = docs["region"].fillna("").value_counts()
    for r in docs.to_dict("records"):
        region = "" if _missing(r["region"]) else r["region"]
        labels[r["doc_id"]] = region if region and counts[region] == 1 else f"{region} {r['doc_id']}".strip()
    return labels


def wide_table(long: pd.DataFrame, field: str = "target") -> pd.DataFrame:
    """Rows: canonical indicator ids; columns: documents; cells: ``field`` (with the year when several).

    Cells with nothing to show are None (an empty cell in every export).
    """
    if long.empty:
        return pd.DataFrame()
    values = [None if _missing(v) else str(v) for v in long[field]]
    if field == "target" and "flags" in long:          # a flagged target: check it before citing it
        values = [v if v is None or _missing(f) else f"{v} ⚑" for v, f in zip(values, long["flags"])]
    if long["year"].nunique() > 1:
        values = [None if v is None else f"{v} ({y})" for v, y in zip(values, long["year"])]
    cells = pd.DataFrame({"indicator_id": list(long["indicator_id"]), "document": list(long["document"]),
                          "cell": values}, dtype=object)
    # several years for one indicator and document: one line each; nothing at all: an empty cell
    cells = cells.groupby(["indicator_id", "document"], as_index=False, sort=True)["cell"].agg(
        lambda xs: "; ".join(x for x in xs if x is not None) or None)
    table = cells.pivot(index="indicator_id", columns="document", values="cell")
    table = table.reindex(sorted(table.columns), axis=1).astype(object)
    table.columns.name = "document"
    return table.where(table.notna(), None)


def write_frame(frame: pd.DataFrame, dest: Path) -> Path:
    """Write one table as .xlsx / .csv / .parquet (by extension), atomically."""
    dest = Path(dest)
    suffix = dest.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ValueError(f"unsupported output {dest.name!r}: use .xlsx, .csv or .parquet")
    with atomic_path(dest) as tmp:
        if suffix == ".xlsx":
            frame.to_excel(tmp, index=False, engine="openpyxl")
        elif suffix == ".csv":
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            frame.to_parquet(tmp, index=False)
    return dest


def write_comparison(long: pd.DataFrame, dest: Path) -> Path:
    """Write .xlsx / .csv / .parquet (by extension), atomically."""
    dest = Path(dest)
    suffix = dest.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ValueError(f"unsupported output {dest.name!r}: use .xlsx, .csv or .parquet")
    with atomic_path(dest) as tmp:
        if suffix == ".xlsx":
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                wide_table(long, "target").to_excel(xw, sheet_name="targets")
                wide_table(long, "baseline").to_excel(xw, sheet_name="baselines")
                long.to_excel(xw, sheet_name="long", index=False)
        elif suffix == ".csv":
            t, b = wide_table(long, "target"), wide_table(long, "baseline")
            both = t.add_suffix(" target").join(b.add_suffix(" baseline"), how="left")
            both = both.reindex(sorted(both.columns), axis=1)
            both.to_csv(tmp, encoding="utf-8-sig", na_rep="")
        else:
            long.to_parquet(tmp, index=False)
    return dest
