"""The Python API: plans in, pandas DataFrames out, with the types of the Parquet contract.

Every function returns the same kind of table the command line writes: the columns of
``commitments.parquet`` / ``documents.parquet`` (``../shared/SCHEMA.md``), in the same order,
typed so that the usual pandas idioms work: text is pandas' string dtype (``str``: a missing
value is NaN and a comparison gives plain booleans), the contract's never-null flags
(``is_primary``, ``cumulative``, ``strive``) are plain ``bool``, and numbers keep pandas'
nullable dtypes so a missing year stays missing instead of turning the column into floats
(``year`` Int32, ``value`` Float64).  ``section_path`` lists and the ``*_span`` structs stay
Python objects.  Reading a run's output folder with :func:`read_output` gives the same frames
as extracting the same corpus.

>>> import extract
>>> c = extract.extract_text("到2025年，森林覆盖率达到46%。")
>>> row = c.iloc[0]
>>> row["indicator"], int(row["year"]), float(row["value"]), row["unit"]
('森林覆盖率', 2025, 46.0, '%')
>>> str(c["year"].dtype), str(c["value"].dtype), str(c["is_primary"].dtype)
('Int32', 'Float64', 'bool')
>>> len(c[c.is_primary & (c.indicator_id == "eco.forest_coverage")])
1
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .batch.limits import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT
from .outputs.writer import COMMITMENTS, DOCUMENTS
from .settings import check_corpus, check_patterns, check_patterns_for_run, check_run_output

log = logging.getLogger(__name__)

__all__ = [
    "extract_folder",
    "extract_file",
    "extract_text",
    "explain_text",
    "explain_file",
    "read_output",
    "TEXT_DTYPE",
]


def _text_dtype():
    """pandas' string dtype with NaN for missing (the default for text from pandas 3 on; object before 2.3)."""
    try:
        return pd.StringDtype(na_value=np.nan)
    except TypeError:  # pandas < 2.3: no NaN-semantics string dtype; object is what read_parquet gives
        return np.dtype(object)


#: the dtype of every text column the API returns
TEXT_DTYPE = _text_dtype()

# Arrow type -> pandas dtype of numbers (nullable: a missing year stays missing) and text
_DTYPES = {
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.float32(): pd.Float32Dtype(),
    pa.float64(): pd.Float64Dtype(),
    pa.string(): TEXT_DTYPE,
}
# the contract's flags are never null: what a missing one (an older output's) means
_FLAG_DEFAULTS = {"is_primary": True, "cumulative": False, "strive": False}


def _frame(table: pa.Table, schema: pa.Schema) -> pd.DataFrame:
    """``table`` with the contract's columns and the API's dtypes.

    A column an older output lacks comes back empty (all missing; a flag: its default).
    """
    for f in schema:
        if f.name not in table.column_names:
            table = table.append_column(f.name, pa.nulls(table.num_rows, f.type))
    table = table.select([f.name for f in schema]).cast(schema)
    for i, f in enumerate(schema):
        if pa.types.is_boolean(f.type) and table.column(i).null_count:
            table = table.set_column(i, f, table.column(i).fill_null(_FLAG_DEFAULTS.get(f.name, False)))
    return table.to_pandas(types_mapper=_DTYPES.get)


def _rows_frame(rows: list[dict], schema: pa.Schema) -> pd.DataFrame:
    columns = {f.name: [r.get(f.name) for r in rows] for f in schema}
    return _frame(pa.table(columns, schema=schema), schema)


def _run(
    path: Path, patterns: str | Path | None, jobs: int | None, time_limit: float, memory_limit: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(documents, commitments)`` of a corpus (or one file) through the batch runner, in memory."""
    from .batch.limits import Limits, cap_jobs
    from .batch.runner import RunSettings, run_in_memory

    settings = RunSettings(
        path,
        Path("."),
        jobs=cap_jobs(jobs or 4),
        limits=Limits(time_limit, memory_limit),
        patterns_dir=str(patterns) if patterns else None,
    )
    results, summary = run_in_memory(settings)
    for warning in summary.warnings:
        log.warning("%s", warning)
    docs = [d for r in results for d in r["documents"]]
    rows = [c for r in results for c in r.get("commitments") or []]
    return _rows_frame(docs, DOCUMENTS), _rows_frame(rows, COMMITMENTS)


def extract_folder(
    path: str | Path,
    patterns: str | Path | None = None,
    jobs: int | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Extract every plan under a folder (``.txt``, ``.md``, ``.pdf``, ``.docx``), as ``plan-extract run`` does.

    The same batch runner as the command line, with the rows kept in memory: the same
    discovery (a broken link, a FIFO or a ``.doc`` file gets an error row), ``manifest.csv``
    (a bad one is a warning, logged), supervised worker processes with per-document time and
    memory limits (also with ``jobs=1``), and the same tables a run writes.

    Args:
        path: the corpus folder (document ids are paths under it, without extension) or one file.
        patterns: another ``patterns/`` folder (default: the shipped rules).
        jobs: worker processes (default: the cores, at most 4).
        time_limit: seconds per document before its worker is stopped (0: none).
        memory_limit: MB per worker (0: none).

    Returns:
        ``(documents, commitments)``: one row per file (an unreadable one has ``status``
        "error" and a one-line ``error``) and one row per commitment, sorted by document and
        position.

    Raises:
        SettingsError: the folder or the patterns cannot be used, or two files give one
            document id; nothing has been read.
    """
    corpus = check_corpus(path)
    check_patterns_for_run(patterns)
    return _run(corpus, patterns, jobs, time_limit, memory_limit)


def extract_file(
    path: str | Path,
    patterns: str | Path | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Extract one file: ``(documents, commitments)`` as :func:`extract_folder` gives them.

    The document id is the file's name without extension; an unreadable file gives an error
    row in ``documents`` and no commitments, not an exception.
    """
    from .readers import relative_path
    from .rows import error_row

    p = check_corpus(path)
    check_patterns_for_run(patterns)
    documents, commitments = _run(p, patterns, 1, time_limit, memory_limit)
    if documents.empty:  # a file no reader takes: say why, as for any unreadable file
        reason = f"unsupported file type {p.suffix!r}"
        documents = _rows_frame([error_row(p, relative_path(p, p.parent), reason)], DOCUMENTS)
    return documents, commitments


def extract_text(
    text: str, doc_id: str = "text", manifest: dict | None = None, patterns: str | Path | None = None
) -> pd.DataFrame:
    """Extract the commitments of a plan given as a string.

    Args:
        text: plan text (Chinese).
        doc_id: id given to the document.
        manifest: metadata overrides, e.g. ``{"plan_start_year": 2021, "plan_end_year": 2025}``
            (implied years resolve against the plan period).
        patterns: another ``patterns/`` folder.

    Returns:
        The commitments, one row each (no row when the text holds no quantified target).

    Raises:
        ReadError: the text holds no Chinese.
    """
    from .pipeline import rows_from_text

    check_patterns(patterns)
    rows = rows_from_text(text, doc_id=doc_id, patterns_dir=str(patterns) if patterns else None, manifest=manifest)
    return _rows_frame(rows, COMMITMENTS)


def explain_text(
    text: str, manifest: dict | None = None, patterns: str | Path | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the rules make of a text, and why each other number in it gave no row.

    For writing and checking rules: every quantity the prose and box rules looked at and
    turned down comes back with the decision step that turned it down (``rejected_by``, e.g.
    ``year.past`` or ``cue.none``) and the step's detail.

    >>> import extract
    >>> text = "“十三五”期间，全省森林覆盖率达到43%。到2025年，森林覆盖率达到46%。"
    >>> rows, rejected = extract.explain_text(text, {"plan_start_year": 2021, "plan_end_year": 2025})
    >>> rows["value"].tolist(), rejected["quantity"].tolist(), rejected["rejected_by"].tolist()
    ([46.0], ['43%'], ['year.past'])

    Returns:
        ``(commitments, rejections)``: the rows :func:`extract_text` gives, and one row per
        quantity turned down (``quantity``, ``sentence``, ``char_start``, ``char_end``,
        ``line``, ``rejected_by``, ``detail``).
    """
    from .pipeline import result_from_text

    check_patterns(patterns)
    result = result_from_text(text, patterns_dir=str(patterns) if patterns else None, manifest=manifest)
    return _rows_frame(result.commitments, COMMITMENTS), _rejections_frame(result.rejections)


REJECTION_COLUMNS = [
    "doc_id",
    "quantity",
    "sentence",
    "char_start",
    "char_end",
    "page",
    "line",
    "rejected_by",
    "detail",
]


def _rejections_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=REJECTION_COLUMNS)
    return frame.astype({"page": "Int32", "line": "Int32", "char_start": "Int64", "char_end": "Int64"})


def explain_file(
    path: str | Path, manifest: dict | None = None, patterns: str | Path | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`explain_text` for a plan file of any supported format (its reader, its pages).

    Raises:
        ReadError: the file cannot be read.
    """
    from .patterns import load_patterns
    from .pipeline import extract_document
    from .readers import read_document

    check_patterns(patterns)
    p = Path(path)
    rules = load_patterns(str(patterns) if patterns else None)
    result = extract_document(read_document(p, p.parent, rules), rules, manifest or None)
    return _rows_frame(result.commitments, COMMITMENTS), _rejections_frame(result.rejections)


def read_output(folder: str | Path = "output") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``(documents, commitments)`` tables of a run's output folder, typed like the API's.

    Raises:
        SettingsError: the folder holds no run's tables, or not one complete set of them (a run
            stopped while publishing, a table changed or damaged: ``PublishedSetError``, one
            line; the next ``plan-extract run`` repairs the set).
    """
    import pyarrow.parquet as pq

    out = check_run_output(folder)
    return (
        _frame(pq.read_table(out / "documents.parquet"), DOCUMENTS),
        _frame(pq.read_table(out / "commitments.parquet"), COMMITMENTS),
    )
