"""Plausibility flags: can a row be trusted without opening the plan?

Each commitment row of a document gets a ``flags`` list (ids, in the order of
``patterns/flags.yaml``) and a ``flag_detail`` line per flag saying why:

- ``direction``: a level target on the wrong side of its own baseline for the direction of its
  canonical indicator (``higher_is_better`` in ``indicators.yaml``): PM2.5 31 → 33, forest cover
  65 → 60.  A floor (≥) under the baseline of a higher-is-better indicator, or a cap (≤) over
  that of a lower-is-better one, promises to hold a line and is not flagged;
- ``range``: a share (%) above 100, a negative value, a target year before the plan period or
  the plan's publication, or after its end unless a horizon year (``horizon_years``, and the end
  of every named plan period in ``periods.yaml``: 2025, 2030 …);
- ``unit``: a unit outside the family (``units.yaml`` kind) the canonical indicator is measured
  in: a % rate given in 个 (a count of projects under a rate's id), a concentration in 万吨.  A
  change in % or 个百分点 fits any indicator (PM2.5 下降10%); a row without a unit is not judged;
- ``conflict``: another statement of the same indicator and year in the document — a table row
  and a sentence, or sentences in two chapters — gives a different value in the same unit and
  kind of change.  Both rows keep their values; the detail names the other row.  A sub-area's
  target (乡镇…, 一级管控区…) is a different target, not a conflict;
- ``restated_primary``: the document states more than one target for this indicator and year
  and this row is not the one kept as primary (:func:`extract.restatements.one_primary_per_cell`);
  the detail names the primary.

Rows of class "qualitative" (no number) are never flagged.  The flags read only the document's
own rows and metadata, so a row's flags are the same in every batch.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import regex

from .catalogue import Indicator, IndicatorCatalogue
from .patterns import FLAG_IDS, Patterns, alternation
from .restatements import same_value

_CHANGE_UNITS = ("%", "个百分点")  # a change in these fits any indicator


def _num(x) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(x)


def _rounded_like(x: float, like: float) -> float:
    """``x`` rounded (half up) to the decimals ``like`` is written with.

    >>> _rounded_like(60.21, 60.0), _rounded_like(46.43, 46.5)
    (60.0, 46.4)
    """
    places = max(0, -int(Decimal(repr(like)).normalize().as_tuple().exponent))
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _where(r: dict) -> str:
    if r.get("page") is not None:
        return f"page {r['page']}"
    if r.get("line") is not None:
        return f"line {r['line']}"
    return f"char {r.get('char_start')}"


def describe(r: dict) -> str:
    """A row in a few words: its value, unit, source, place and id ("70 % (table, line 101, 3fa2c1d0)").

    >>> describe({"value": 70.0, "unit": "%", "source": "table", "line": 101, "commitment_id": "3fa2c1d0e4b5a6f7"})
    '70 % (table, line 101, 3fa2c1d0e4b5a6f7)'
    """
    v = _num(r.get("value"))
    if v is not None:
        value = f"{v:g}"
    elif _num(r.get("value_min")) is not None or _num(r.get("value_max")) is not None:
        value = f"{r.get('value_min')}–{r.get('value_max')}"
    else:
        value = r.get("target_text") or r.get("value_text") or "?"
    unit = f" {r['unit']}" if r.get("unit") else ""
    return f"{value}{unit} ({r.get('source')}, {_where(r)}, {r.get('commitment_id')})"


class Plausibility:
    """The flag rules of one :class:`~extract.patterns.Patterns` (``flags.yaml``, checked on load) and its
    indicator catalogue; built once per rules with ``patterns.compiled(Plausibility)``."""

    def __init__(self, patterns: Patterns):
        self.explain: dict[str, str] = dict(patterns.flag_explanations)
        self.sub_scope_re = regex.compile(alternation(patterns.sub_scope_words))
        # and the end of every named plan period (“十四五” 2025): a 2021–2023 action plan may aim at 2025
        self.horizons = patterns.horizon_years | {p["end"] for p in patterns.periods.values()}
        self.catalogue: IndicatorCatalogue = patterns.catalogue
        self.unit_kind = {u["unit"]: u["kind"] for u in patterns.units.values()}
        chg = patterns.change_verbs
        particles = alternation(chg["level_particles"])
        # "下降到25": a level reached by going down (or up) — the target's own direction
        self.down_to_re = regex.compile(f"(?:{alternation(chg['decrease_by'])})(?:{particles})")
        self.up_to_re = regex.compile(f"(?:{alternation(chg['increase_by'])})(?:{particles})")

    # --- what the catalogue expects ------------------------------------------------------------
    def _entry(self, r: dict) -> Indicator | None:
        return self.catalogue.by_id.get(r.get("indicator_id") or "")

    def unit_fits(self, r: dict) -> bool | None:
        """Whether the row's unit is of a kind its canonical indicator is measured in (None: not judged)."""
        entry, unit = self._entry(r), r.get("unit") or ""
        if entry is None or not unit or not entry.units:
            return None
        if r.get("change") in ("decrease_by", "increase_by") and unit in _CHANGE_UNITS:
            return True
        if unit in entry.units:
            return True
        expected = {self.unit_kind.get(u, u) for u in entry.units if u}
        return self.unit_kind.get(unit, unit) in expected

    def counts_under_rate(self, entry: Indicator, unit: str | None) -> bool:
        """Whether a count (个, 座 …) was matched to an indicator measured only as a share (%):
        it counts something else (facilities built for a treatment rate), so the id does not hold."""
        kinds = {self.unit_kind.get(u, u) for u in entry.units if u}
        return bool(unit) and kinds == {"percent"} and self.unit_kind.get(unit or "") == "count"

    def sub_scope(self, r: dict) -> list[str]:
        """Words naming a part of the area or a group ("乡镇") that the canonical name does not hold."""
        entry = self._entry(r)
        own = entry.zh if entry is not None else ""
        return [m.group(0) for m in self.sub_scope_re.finditer(r.get("indicator") or "") if m.group(0) not in own]

    def _extra_chars(self, r: dict) -> int:
        """Characters of the wording that the canonical name does not hold (一级管控区森林覆盖率: 5)."""
        entry = self._entry(r)
        if entry is None:
            return 0
        return sum(1 for ch in r.get("indicator") or "" if ch not in entry.zh)

    def primary_rank(self, r: dict) -> tuple:
        """Sort key of the statements of one cell: the first is the plan-wide target to count.

        A number before a qualitative row, a unit the indicator is measured in, a wording naming
        no sub-area or group, a table row (it carries binding and baseline), the wording closest
        to the canonical name, then the first value in the text.
        """
        span = r.get("value_span") or {}
        return (
            r.get("class") == "qualitative",
            self.unit_fits(r) is False,
            len(self.sub_scope(r)),
            r.get("source") != "table",
            self._extra_chars(r),
            (r.get("char_start") or 0) + (span.get("start") or 0),
            r.get("commitment_id") or "",
        )

    # --- the flags -----------------------------------------------------------------------------
    def flag(
        self,
        rows: list[dict],
        plan_start_year: int | None = None,
        plan_end_year: int | None = None,
        publish_year: int | None = None,
    ) -> list[dict]:
        """Set ``flags`` and ``flag_detail`` on each commitment row of one document (in place).

        Returns:
            ``rows``, for chaining.
        """
        found: dict[str, dict[str, list[str]]] = {r["commitment_id"]: {} for r in rows}

        def add(r: dict, flag: str, why: str) -> None:
            found[r["commitment_id"]].setdefault(flag, []).append(why)

        numeric = [r for r in rows if r.get("class") != "qualitative"]
        for r in numeric:
            why = self._direction(r)
            if why:
                add(r, "direction", why)
            for why in self._range(r, plan_start_year, plan_end_year, publish_year):
                add(r, "range", why)
            entry = self._entry(r)
            if entry is not None and self.unit_fits(r) is False:
                add(r, "unit", f"{r.get('unit')} for {entry.id} (measured in {'/'.join(entry.units)})")
        for a, b in self._conflicts(numeric):
            add(a, "conflict", f"{describe(b)} says otherwise")
            add(b, "conflict", f"{describe(a)} says otherwise")
        by_id = {r["commitment_id"]: r for r in rows}
        for r in numeric:
            if not r.get("is_primary") and not r.get("restates") and r.get("_cell_primary") in by_id:
                add(r, "restated_primary", f"the cell's primary is {describe(by_id[r['_cell_primary']])}")
        for r in rows:
            r.pop("_cell_primary", None)
            mine = found[r["commitment_id"]]
            r["flags"] = [f for f in FLAG_IDS if f in mine]
            r["flag_detail"] = "; ".join(f"{f}: {', '.join(mine[f])}" for f in r["flags"]) or None
        return rows

    def _wanted(self, r: dict) -> str | None:
        """Which way the target should move from its baseline: "up", "down" or None (unknown).

        The canonical indicator's direction, else the words before a sentence's value (下降到 → down).
        """
        entry = self._entry(r)
        if entry is not None and entry.higher_is_better is not None:
            return "up" if entry.higher_is_better else "down"
        span, ind = r.get("value_span"), r.get("indicator_span")
        if r.get("source") != "text" or not span:
            return None
        before = (r.get("sentence") or "")[(ind or {}).get("end", 0) : span["start"]]
        if self.down_to_re.search(before):
            return "down"
        if self.up_to_re.search(before):
            return "up"
        return None

    def _direction(self, r: dict) -> str | None:
        """A level target on the wrong side of its baseline (the baseline rounded as the target is written).

        A floor under the baseline when up is wanted, or a cap over it when down is wanted, holds a
        line ("不低于46" beside 46.43) and is not flagged.
        """
        value, base = _num(r.get("value")), _num(r.get("baseline_value"))
        if value is None or base is None or r.get("change") != "level" or r.get("cumulative"):
            return None
        wanted = self._wanted(r)
        if wanted is None:
            return None
        base_r = _rounded_like(base, value)
        comparator = r.get("comparator") or "="
        if wanted == "up" and value < base_r and comparator not in (">=", ">"):
            return f"{value:g} below its baseline {base:g}, where higher is better"
        if wanted == "down" and value > base_r and comparator not in ("<=", "<"):
            return f"{value:g} above its baseline {base:g}, where lower is better"
        return None

    def _range(self, r: dict, start: int | None, end: int | None, published: int | None) -> list[str]:
        out = []
        values = [v for v in (_num(r.get(k)) for k in ("value", "value_min", "value_max")) if v is not None]
        if r.get("unit") == "%" and r.get("change") == "level" and any(v > 100 for v in values):
            out.append(f"a share of {max(values):g} %")
        if any(v < 0 for v in values):
            out.append(f"a negative value {min(values):g}")
        year = r.get("year")
        if year is not None:
            if start is not None and year < start:
                out.append(f"year {year} before the plan period ({start}–)")
            elif published is not None and year < published:
                out.append(f"year {year} before the plan's publication ({published})")
            if year not in self.horizons and year > (end if end is not None else max(self.horizons)):
                out.append(f"year {year} after the plan period (–{end}) and no horizon year")
        return out

    def _conflicts(self, rows: list[dict]) -> list[tuple[dict, dict]]:
        """Pairs of statements of one indicator and year that give different values."""
        cells: dict[tuple, list[dict]] = {}
        for r in rows:
            if r.get("indicator_id") and r.get("year") is not None and not r.get("restates"):
                key = (
                    r["indicator_id"],
                    r["year"],
                    r.get("unit") or "",
                    r.get("change"),
                    bool(r.get("cumulative")),
                    r.get("class"),
                )
                cells.setdefault(key, []).append(r)
        pairs = []
        for group in cells.values():
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    if same_value(a, b) or self._same_statement(a, b):
                        continue
                    if a.get("source") == b.get("source") and (a.get("chapter") or "") == (b.get("chapter") or ""):
                        continue  # two sentences of one chapter: a list of different targets
                    if self.sub_scope(a) != self.sub_scope(b):
                        continue  # a sub-area's target beside the plan-wide one
                    pairs.append((a, b))
        return pairs

    @staticmethod
    def _same_statement(a: dict, b: dict) -> bool:
        if a.get("table_id") and a.get("table_id") == b.get("table_id"):
            return True
        return (a.get("char_start"), a.get("char_end")) == (b.get("char_start"), b.get("char_end"))
