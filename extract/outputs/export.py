"""Spreadsheets a researcher can open: every commitment with its evidence, and any table as .xlsx/.csv.

``plan-extract export -o OUT --save all.xlsx`` writes one sheet per table of a run
(commitments, documents, sections, likely misses); ``--save all.csv`` the commitments.  Cells
keep their types: numbers are numbers (a missing one an empty cell), the unit has its own
column, a list (``section_path``, ``issuers``, ``flags``) is joined into one cell, a span inside the
sentence becomes two number columns (``value_span_start``, ``value_span_end``).  Every sheet has
its header row frozen and its columns sized to their contents (:func:`write_xlsx`, also used by
``compare`` and ``explain --save``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .atomic import atomic_path

EXPORT_SUFFIXES = (".xlsx", ".csv")
EXCEL_MAX_ROWS = 1_048_575  # rows of one sheet, the header aside
_MAX_WIDTH = 60  # characters
_SAMPLE_ROWS = 500  # rows looked at to size a column
_SPANS = ("indicator_span", "value_span", "year_span")


def _text_width(value) -> int:
    """Display width of a cell: a CJK (wide) character counts two."""
    import unicodedata

    s = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _cell_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells without the control characters Excel refuses (openpyxl raises on them)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].map(lambda v: ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v)
    return out


def write_xlsx(sheets: dict[str, pd.DataFrame], dest: Path, label_columns: dict[str, int] | None = None) -> Path:
    """Write each frame to its own sheet, atomically: typed cells, frozen header, sized columns.

    Args:
        sheets: sheet name -> table (the index is written only when it is named).
        dest: the .xlsx file.
        label_columns: sheet name -> how many leading columns stay in view when scrolling right.

    Raises:
        ValueError: a table has more rows than a sheet holds.
    """
    from openpyxl.utils import get_column_letter

    label_columns = label_columns or {}
    for name, frame in sheets.items():
        if len(frame) > EXCEL_MAX_ROWS:
            raise ValueError(f"{len(frame)} rows do not fit in one Excel sheet ({name}): save as .csv instead")
    with atomic_path(Path(dest)) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, frame in sheets.items():
                frame = frame.reset_index() if any(n is not None for n in frame.index.names) else frame
                frame = _cell_safe(frame)
                frame.to_excel(xw, sheet_name=name[:31], index=False)
                ws = xw.sheets[name[:31]]
                ws.freeze_panes = ws.cell(row=2, column=1 + label_columns.get(name, 0))
                for i, col in enumerate(frame.columns, start=1):
                    sample = frame[col].head(_SAMPLE_ROWS)
                    width = max([_text_width(col)] + [_text_width(v) for v in sample])
                    ws.column_dimensions[get_column_letter(i)].width = min(_MAX_WIDTH, width + 2)
    return Path(dest)


def flat_commitments(commitments: pd.DataFrame) -> pd.DataFrame:
    """Commitments with one value per cell: ``section_path`` joined by " > ", spans as two columns.

    ``confidence`` (float32 in Parquet) is rounded to four places so it reads as written.
    """
    out = commitments.copy()
    out["confidence"] = out["confidence"].astype("Float64").round(4)  # 0.9, not 0.8999999761581421
    out["section_path"] = [None if p is None or isinstance(p, float) else " > ".join(p) for p in out["section_path"]]
    if "flags" in out:  # plausibility flags, comma-joined as in compare ("conflict,restated_primary")
        out["flags"] = [None if f is None or isinstance(f, float) or len(f) == 0 else ",".join(f) for f in out["flags"]]
    for name in _SPANS:
        spans = list(out.pop(name))
        out[f"{name}_start"] = pd.array([s["start"] if isinstance(s, dict) else None for s in spans], dtype="Int32")
        out[f"{name}_end"] = pd.array([s["end"] if isinstance(s, dict) else None for s in spans], dtype="Int32")
    return out


def _joined_lists(frame: pd.DataFrame, sep: str = "；") -> pd.DataFrame:
    """Each list cell as one string."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object and any(
            isinstance(v, (list, tuple)) or hasattr(v, "tolist") for v in out[col].head(50)
        ):
            out[col] = [
                sep.join(map(str, list(v))) if v is not None and not isinstance(v, float) else None for v in out[col]
            ]
    return out


def export_run(out_dir: Path, dest: Path) -> dict[str, int]:
    """Write a run's tables to ``dest`` (.xlsx: one sheet per table; .csv: the commitments).

    Returns the rows written per table.
    """
    import pyarrow.parquet as pq

    from ..api import read_output

    dest = Path(dest)
    documents, commitments = read_output(out_dir)
    commitments = flat_commitments(commitments)
    if dest.suffix.lower() == ".csv":
        with atomic_path(dest) as tmp:
            commitments.to_csv(tmp, index=False, encoding="utf-8-sig")
        return {"commitments": len(commitments)}
    sheets = {"commitments": commitments, "documents": _joined_lists(documents)}
    for name in ("sections", "likely_misses"):
        path = Path(out_dir) / f"{name}.parquet"
        if path.is_file():
            sheets[name] = pq.read_table(path).to_pandas()
    write_xlsx(sheets, dest, label_columns={"commitments": 1, "documents": 1})
    return {name: len(frame) for name, frame in sheets.items()}
