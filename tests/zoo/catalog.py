"""The zoo's layouts (``layouts.yaml``): their variant ids, expected rows, known failures; building a
variant's PDF, running the extractor on it and comparing its rows with the expected ones.

Expected rows are written ``indicator | year | value | unit | comparator`` and optionally a sixth
field of ``key=value`` pairs (``binding=约束性 baseline_value=78.5 change=decrease_by``); a value
``lo..hi`` is a range.  Every expected row must be matched one-to-one by the scorer's rule
(:func:`extract.outputs.evaluate.match`: same year, same value or bounds, equivalent unit, an
indicator sharing at least half of the expected indicator's characters) and agree on the
comparator, on ``source`` (``table`` unless the row says ``source=text``, or ``source=any``) and
on every field it lists; any other numeric row (class "qualitative" aside) is an extra.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .draw import draw

HERE = Path(__file__).resolve().parent
LAYOUTS = HERE / "layouts.yaml"
_BOOL = {"cumulative", "strive"}
_FLOAT = {"baseline_value"}
_INT = {"baseline_year", "page"}
_STR = {"binding", "change", "class", "source"}


@functools.lru_cache(maxsize=None)
def load() -> dict:
    return yaml.safe_load(LAYOUTS.read_text(encoding="utf-8"))


def layouts() -> dict[str, dict]:
    return load()["layouts"]


def variant_ids() -> list[str]:
    """``layout/variant`` for every variant of every layout, in file order."""
    return [
        f"{name}/{variant}"
        for name, layout in layouts().items()
        for variant in (layout.get("variants") or {"plain": {}})
    ]


def split_id(variant_id: str) -> tuple[dict, dict]:
    name, _, variant = variant_id.partition("/")
    layout = layouts()[name]
    variants = layout.get("variants") or {"plain": {}}
    return layout, dict(variants[variant] or {})


def known_fail(variant_id: str) -> str | None:
    """The one-line reason a variant (or its whole layout) fails today, if it does."""
    table = load().get("known_fail") or {}
    return table.get(variant_id) or table.get(variant_id.partition("/")[0])


def period(variant_id: str) -> tuple[int, int]:
    layout, _ = split_id(variant_id)
    start, end = layout.get("period") or load().get("period") or (2021, 2025)
    return int(start), int(end)


def parse_row(text: str) -> dict:
    """One expected row from its ``indicator | year | value | unit | comparator [| k=v …]`` form."""
    parts = [p.strip() for p in str(text).split("|")]
    if len(parts) not in (5, 6):
        raise ValueError(f"an expected row has 5 or 6 fields: {text!r}")
    row: dict = {
        "indicator": parts[0],
        "year": int(parts[1]),
        "unit": parts[3],
        "comparator": parts[4],
        "source": "table",
    }
    if ".." in parts[2]:
        lo, hi = parts[2].split("..")
        row.update(value=None, value_min=float(lo), value_max=float(hi))
    else:
        row["value"] = float(parts[2])
    for pair in parts[5].split() if len(parts) == 6 else []:
        key, _, val = pair.partition("=")
        if key in _BOOL:
            row[key] = {"true": True, "false": False}[val]
        elif key in _FLOAT:
            row[key] = None if val == "null" else float(val)
        elif key in _INT:
            row[key] = None if val == "null" else int(val)
        elif key in _STR:
            row[key] = val
        else:
            raise ValueError(f"unknown field {key!r} in expected row {text!r}")
    return row


def expected(variant_id: str) -> list[dict]:
    layout, variant = split_id(variant_id)
    return [parse_row(r) for r in (variant.get("expect") or layout.get("rows") or [])]


_NOT_DRAWN = {"font", "rules", "frame", "continued", "align", "header_align", "header_font", "rule_style"}


def drawn_strings(variant_id: str) -> list[str]:
    """Every string the variant draws (text, cells, items; not style words)."""
    from .draw import parameters, substitute

    layout, variant = split_id(variant_id)
    variant.pop("expect", None)

    def walk(value) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [s for v in value for s in walk(v)]
        if isinstance(value, dict):
            return [s for k, v in value.items() if k not in _NOT_DRAWN for s in walk(v)]
        return []

    return walk(substitute(layout["pages"], parameters(layout, variant)))


def build(variant_id: str, folder: Path) -> Path:
    """Draw the variant's PDF into ``folder``; returns its path."""
    layout, variant = split_id(variant_id)
    variant.pop("expect", None)
    folder.mkdir(parents=True, exist_ok=True)
    return draw(layout, variant, folder / (variant_id.replace("/", "__") + ".pdf"))


def extract(pdf: Path, variant_id: str) -> list[dict]:
    """The numeric rows the pipeline gives for ``pdf`` (the variant's plan period)."""
    from extract.pipeline import process_file

    start, end = period(variant_id)
    res = process_file(pdf, pdf.parent, None, {"plan_start_year": str(start), "plan_end_year": str(end)})
    if not res.ok:
        raise RuntimeError(f"{pdf.name}: {res.document.get('error')}")
    return [r for r in res.commitments if r.get("class") != "qualitative"]


@dataclass
class Outcome:
    """How the extractor's rows compare with the expected rows."""

    pairs: list[tuple[dict, dict]] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)
    extra: list[dict] = field(default_factory=list)
    wrong: list[tuple[dict, dict, str]] = field(default_factory=list)  # (expected, got, field)

    @property
    def exact(self) -> bool:
        return not (self.missing or self.extra or self.wrong)

    def summary(self) -> str:
        out = []
        for e in self.missing:
            out.append(f"missing {describe(e)}")
        for e, g, key in self.wrong:
            out.append(f"wrong {key}: expected {e.get(key)!r}, got {g.get(key)!r} in {describe(g)}")
        for g in self.extra:
            out.append(f"extra {describe(g)}")
        return "; ".join(out) or "exact"


def describe(row: dict) -> str:
    value = row.get("value")
    if value is None and (row.get("value_min") is not None or row.get("value_max") is not None):
        value = f"{row.get('value_min')}..{row.get('value_max')}"
    return f"{row.get('indicator')} | {row.get('year')} | {value} | {row.get('unit')} | {row.get('comparator')}"


def _same(key: str, want, got) -> bool:
    if key in _BOOL:
        return bool(want) == bool(got)
    if key in _FLOAT:
        return (want is None and got is None) or (
            want is not None and got is not None and math.isclose(float(want), float(got), abs_tol=1e-6)
        )
    if want in (None, "") and got in (None, ""):
        return True
    return want == got


def compare(want: list[dict], rows: list[dict]) -> Outcome:
    """Match ``rows`` against ``want`` one-to-one by the scorer's rule; check the listed fields."""
    from extract.outputs.evaluate import match

    gold = [{**w, "_doc": "zoo"} for w in want]
    pred = [{**r, "_doc": "zoo"} for r in rows]
    pairs = match(gold, pred)
    out = Outcome()
    got_i = {i for i, _ in pairs}
    got_j = {j for _, j in pairs}
    for i, j in sorted(pairs):
        w, g = want[i], rows[j]
        out.pairs.append((w, g))
        for key in w:
            if key in ("indicator", "year", "value", "value_min", "value_max", "unit") or w[key] == "any":
                continue
            if not _same(key, w[key], g.get(key)):
                out.wrong.append((w, g, key))
    out.missing = [w for i, w in enumerate(want) if i not in got_i]
    out.extra = [g for j, g in enumerate(rows) if j not in got_j]
    return out
