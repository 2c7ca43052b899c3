"""Comparison tables across plans: canonical indicator x document, targets and baselines.

``comparison_table(commitments, documents, …)`` builds a long table (one row per indicator,
document and year: the primary statement of the target, a table row before prose), leaving
out rows whose unit does not fit the indicator (the catalogue's ``units``: a count of villages
is not a rate) and targets without a number (class "qualitative") unless asked for;
``wide_table(long, field)`` pivots it for people: rows are canonical indicators, columns
documents (labelled by region), cells the target written with its comparator and unit, marked
``⚑`` when the row carries a plausibility flag (the long table's ``flags``; the document states
other targets for the cell: ``restated_primary``).  ``write_comparison`` writes .xlsx (sheets
targets and baselines: numbers per indicator, year and unit; long: every field in its own typed
column), .csv or .parquet (the long table).  A missing value is an empty cell, never the text
"nan" or "None".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..catalogue import IndicatorCatalogue, id_selected
from ..settings import EXPORT_SUFFIXES
from .atomic import atomic_path
from .export import write_xlsx

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


def comparison_table(
    commitments: pd.DataFrame,
    documents: pd.DataFrame,
    indicators: list[str] | None = None,
    year: int | None = None,
    catalogue: IndicatorCatalogue | None = None,
    qualitative: bool = False,
) -> pd.DataFrame:
    """Long table: one row per (indicator_id, doc_id, year) with target and baseline.

    Args:
        commitments, documents: the run's tables (``extract.read_output`` or ``extract_folder``).
        indicators: indicator ids or categories (``air`` keeps every ``air.*`` id).
        year: only targets for this year.
        catalogue: the indicators and their units (default: the shipped ``patterns/``); a row
            whose unit does not fit its indicator is left out (a row written without a unit stays).
        qualitative: also targets without a number ("完成省下达目标"), where no number is given.
    """
    if catalogue is None:
        from ..patterns import load_patterns

        catalogue = load_patterns().catalogue
    c = commitments[commitments["indicator_id"].notna()]
    if "class" in c and not qualitative:
        c = c[c["class"] != "qualitative"]
    c = c[[catalogue.unit_fits(i, None if _missing(u) else u) for i, u in zip(c["indicator_id"], c["unit"])]]
    if indicators:
        c = c[c["indicator_id"].apply(lambda i: id_selected(i, indicators))]
    if year is not None:
        c = c[c["year"] == year]
    # one commitment per indicator, document and year: the primary statement, a table row over
    # prose, then confidence
    primary = c["is_primary"].fillna(True) if "is_primary" in c else pd.Series(True, index=c.index)
    c = c.assign(_primary=primary.astype(int), _table=(c["source"] == "table").astype(int))
    c = c.sort_values(
        ["indicator_id", "doc_id", "year", "_primary", "_table", "confidence", "char_start"],
        ascending=[True, True, True, False, False, False, True],
    )
    others = _cell_flags(c)
    c = c.drop_duplicates(["indicator_id", "doc_id", "year"], keep="first")
    labels = _doc_labels(documents)
    rows = []
    for r in c.to_dict("records"):
        r = {k: (None if _missing(v) else v) for k, v in r.items()}
        rows.append(
            {
                "indicator_id": r["indicator_id"],
                "name": catalogue.by_id[r["indicator_id"]].zh if r["indicator_id"] in catalogue.by_id else None,
                "doc_id": r["doc_id"],
                "document": labels.get(r["doc_id"], r["doc_id"]),
                "region": r["region"],
                "admin_level": r["admin_level"],
                "year": r["year"],
                "indicator": r["indicator"],
                "target": _fmt(r["value"], r["value_min"], r["value_max"], r["unit"], r["comparator"], r["change"])
                or r.get("target_text"),
                "value": r["value"],
                "value_min": r["value_min"],
                "value_max": r["value_max"],
                "unit": r["unit"],
                "comparator": r["comparator"],
                "change": r["change"],
                "baseline": _fmt(r["baseline_value"], None, None, r["unit"]),
                "baseline_value": r["baseline_value"],
                "baseline_year": r["baseline_year"],
                "binding": r["binding"],
                "strive": r["strive"],
                "source": r["source"],
                "commitment_id": r["commitment_id"],
                "sentence": r["sentence"],
                "flags": _flags_text(r, others.get((r["indicator_id"], r["doc_id"], r["year"]), set())),
                "flag_detail": r.get("flag_detail"),
            }
        )
    return _typed(pd.DataFrame(rows, columns=_LONG_COLUMNS))


# the long table's columns and their dtypes (text: the API's string dtype; numbers nullable)
_LONG_COLUMNS = {
    "indicator_id": "text",
    "name": "text",
    "doc_id": "text",
    "document": "text",
    "region": "text",
    "admin_level": "text",
    "year": "Int32",
    "indicator": "text",
    "target": "text",
    "value": "Float64",
    "value_min": "Float64",
    "value_max": "Float64",
    "unit": "text",
    "comparator": "text",
    "change": "text",
    "baseline": "text",
    "baseline_value": "Float64",
    "baseline_year": "Int32",
    "binding": "text",
    "strive": "bool",
    "source": "text",
    "commitment_id": "text",
    "sentence": "text",
    "flags": "text",
    "flag_detail": "text",
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

    given = r.get("flags")  # a list, or a numpy array read back from Parquet
    own = set() if given is None or _missing(given) else set(given)
    flags = [f for f in FLAG_IDS if f in own | set(cell)]
    return ",".join(flags) or None


def _typed(long: pd.DataFrame) -> pd.DataFrame:
    from ..api import TEXT_DTYPE

    long = long.assign(strive=long["strive"].fillna(False).astype(bool))
    return long.astype({k: TEXT_DTYPE if v == "text" else v for k, v in _LONG_COLUMNS.items()})


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
    if field == "target" and "flags" in long:  # a flagged target: check it before citing it
        values = [v if v is None or _missing(f) else f"{v} ⚑" for v, f in zip(values, long["flags"])]
    if long["year"].nunique() > 1:
        values = [None if v is None else f"{v} ({y})" for v, y in zip(values, long["year"])]
    cells = pd.DataFrame(
        {"indicator_id": list(long["indicator_id"]), "document": list(long["document"]), "cell": values}, dtype=object
    )
    # several years for one indicator and document: one line each; nothing at all: an empty cell
    cells = cells.groupby(["indicator_id", "document"], as_index=False, sort=True)["cell"].agg(
        lambda xs: "; ".join(x for x in xs if x is not None) or None
    )
    table = cells.pivot(index="indicator_id", columns="document", values="cell")
    table = table.reindex(sorted(table.columns), axis=1).astype(object)
    table.columns.name = "document"
    return table.where(table.notna(), None)


def numbers_table(long: pd.DataFrame, field: str = "value") -> pd.DataFrame:
    """Numbers for a spreadsheet: a row per indicator, year and unit, a column per document.

    ``field`` "value" gives the targets (rows by target year), "baseline_value" the baselines
    (rows by baseline year: a 2020 baseline is labelled 2020, not with the year of its target).
    A cell is a number or empty; ranges and comparators are in the long table.
    """
    year = "baseline_year" if field == "baseline_value" else "year"
    rows = long[long[field].notna()]
    keys = ["indicator_id", "name", year, "unit"]
    if rows.empty:
        return pd.DataFrame(columns=keys)
    rows = rows.assign(unit=rows["unit"].fillna(""), name=rows["name"].fillna(""))
    table = rows.pivot_table(index=keys, columns="document", values=field, aggfunc="first", dropna=False, observed=True)
    table = table.dropna(how="all").reindex(sorted(table.columns), axis=1)
    table.columns.name = None
    return table.reset_index().rename(columns={year: "year" if year == "year" else "baseline_year"})


def write_frame(frame: pd.DataFrame, dest: Path) -> Path:
    """Write one table as .xlsx / .csv / .parquet (by extension), atomically."""
    dest = Path(dest)
    suffix = dest.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ValueError(f"unsupported output {dest.name!r}: use .xlsx, .csv or .parquet")
    if suffix == ".xlsx":
        return write_xlsx({"table": frame}, dest)
    with atomic_path(dest) as tmp:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            frame.to_parquet(tmp, index=False)
    return dest


def write_comparison(long: pd.DataFrame, dest: Path) -> Path:
    """Write .xlsx (targets, baselines: numbers; long: every field typed), .csv or .parquet (the long table)."""
    dest = Path(dest)
    suffix = dest.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ValueError(f"unsupported output {dest.name!r}: use .xlsx, .csv or .parquet")
    if suffix == ".xlsx":
        return write_xlsx(
            {"targets": numbers_table(long, "value"), "baselines": numbers_table(long, "baseline_value"), "long": long},
            dest,
            label_columns={"targets": 4, "baselines": 4, "long": 2},
        )
    return write_frame(long, dest)
