"""The corpus's ``manifest.csv``: metadata a researcher gives per document (title, issuer, region,
dates …), read and checked field by field.  Read by the batch supervisor before any document
(so it is kept apart from the metadata rules, which only workers load); applied to a document's
metadata by ``metadata.apply_manifest``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import regex


def read_manifest(corpus: Path) -> dict[str, dict]:
    """``corpus/manifest.csv`` rows keyed by doc_id (empty values ignored), in any text encoding.

    Raises:
        ValueError: the file cannot be decoded or has no ``doc_id`` column.
    """
    path = corpus / "manifest.csv"
    if not path.is_file():
        return {}
    from ..readers.text import decode_bytes

    text, _enc = decode_bytes(path.read_bytes(), require_han=False)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "doc_id" not in [f.strip() for f in reader.fieldnames]:
        raise ValueError("manifest.csv has no doc_id column")
    out: dict[str, dict] = {}
    for row in reader:
        row = {(k or "").strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
        if row.get("doc_id"):
            out[row["doc_id"]] = {k: v for k, v in row.items() if k and v not in (None, "")}
    return out


MANIFEST_FIELDS = (
    "doc_id",
    "title",
    "issuer",
    "region",
    "region_code",
    "admin_level",
    "doc_number",
    "publish_date",
    "plan_start_year",
    "plan_end_year",
    "base_year",
    "subject_region",
)
_ADMIN_LEVELS = ("national", "province", "prefecture", "county")


def _check_year(v: str) -> None:
    if not (v.isdigit() and 1949 <= int(v) <= 2100):
        raise ValueError("not a year")


def _check_date(v: str) -> None:
    dt.date.fromisoformat(v)


def _check_code(v: str) -> None:
    if not regex.fullmatch(r"\d{6}", v):
        raise ValueError("not a six-digit GB/T 2260 code")


def _check_level(v: str) -> None:
    if v not in _ADMIN_LEVELS:
        raise ValueError(f"not one of {', '.join(_ADMIN_LEVELS)}")


_MANIFEST_CHECKS = {
    "publish_date": _check_date,
    "plan_start_year": _check_year,
    "plan_end_year": _check_year,
    "base_year": _check_year,
    "region_code": _check_code,
    "admin_level": _check_level,
}


def check_manifest_entry(entry: dict) -> tuple[dict, list[str]]:
    """Keep the valid fields of a manifest row; a bad value is a warning on that field, not an error.

    >>> check_manifest_entry({"doc_id": "a", "publish_date": "2024-13-45", "base_year": "2020"})
    ({'doc_id': 'a', 'base_year': '2020'}, ["manifest publish_date '2024-13-45' ignored: month must be in 1..12"])
    """
    clean, warnings = {}, []
    for key, value in entry.items():
        if key not in MANIFEST_FIELDS:
            continue  # unknown columns are reported once for the whole file by the batch run
        check = _MANIFEST_CHECKS.get(key)
        try:
            if check:
                check(str(value).strip())
        except ValueError as exc:
            warnings.append(f"manifest {key} {value!r} ignored: {exc}")
            continue
        clean[key] = value
    start, end = clean.get("plan_start_year"), clean.get("plan_end_year")
    if start and end and int(start) > int(end):
        warnings.append(f"manifest plan years {start}-{end} ignored: start after end")
        del clean["plan_start_year"], clean["plan_end_year"]
    return clean, warnings
