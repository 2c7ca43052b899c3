"""Targets stated more than once in a document: one primary row, the others pointing at it.

Plans restate their targets: the indicator table gives 森林覆盖率 ≥46.43 for 2025 and a
chapter repeats "森林覆盖率保持在46%"; the summary and a later chapter both cap PM2.5 at 27.
Each statement stays a row with its own evidence, but only one is *primary*
(``is_primary``); the others carry ``restates`` = the primary's ``commitment_id``, so a pivot
over ``c[c.is_primary]`` counts each target once.

Two rows of one document state the same target when they share the indicator (its canonical
id, or the wording when it has none), target year, unit, kind of change, cumulation and class,
and their values agree: equal, or equal once the more precise one is rounded to the other's
decimals (46.43 written as 46).  Two sentences must also word the indicator alike (one wording
inside the other: 建成区绿化覆盖率 / 南充市建成区绿化覆盖率), since the canonical id groups related
indicators; a table row and a sentence need only the id.  Two rows of one table, or of one
sentence, are always different targets.  The primary is the table row (it carries binding and baseline), then the
most precise value, the most confident row, the earliest.

A document may also state different targets for one indicator and year (a table's 93.8 and a
chapter's 87.7; a plan-wide 100 and 乡镇 98).  :func:`one_primary_per_cell` keeps one of them
primary per document x canonical indicator x year, so a pivot over ``c[c.is_primary]`` never averages two
targets: the plan-wide statement (see :meth:`extract.flags.Plausibility.primary_rank`).  The
others stay rows, with ``is_primary`` false and no ``restates`` (they repeat nothing).

Linking is linear in the rows: the primaries of each target are indexed by their value rounded
to each number of decimals (:class:`_Primaries`), so a row meets only the primaries whose value
it can equal, never every earlier row (a DOCX of 10,000 small tables links in well under a
second; ``benchmarks/restatement_linking.py``).
"""

from __future__ import annotations

import heapq
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Callable

# room for every digit a float can write (1e308 to 5e-324) when rounding it
_WIDE = Context(prec=800)


def _decimals(x: float) -> int:
    """Decimals written in ``x`` (46.43 -> 2, 46.0 -> 0)."""
    exponent = Decimal(repr(float(x))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def _rounded(x: float, decimals: int) -> Decimal:
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_WIDE)


def same_value(a: dict, b: dict) -> bool:
    """Whether two rows give the same number, one perhaps written with fewer decimals.

    >>> same_value({"value": 46.43}, {"value": 46.0}), same_value({"value": 46.43}, {"value": 46.5})
    (True, False)
    """
    va, vb = a.get("value"), b.get("value")
    if va is None or vb is None:
        return (
            va is None
            and vb is None
            and (a.get("value_min"), a.get("value_max")) == (b.get("value_min"), b.get("value_max"))
        )
    coarse = min(_decimals(va), _decimals(vb))
    return _rounded(va, coarse) == _rounded(vb, coarse)


def _target_key(r: dict) -> tuple:
    indicator = r.get("indicator_id") or ("as written", r.get("indicator"))
    return (
        r.get("doc_id"),
        indicator,
        r.get("year"),
        r.get("unit"),
        r.get("change"),
        bool(r.get("cumulative")),
        r.get("class"),
    )


def _preference(r: dict) -> tuple:
    value = r.get("value")
    return (
        r.get("source") != "table",
        -(_decimals(value) if value is not None else 0),
        -(r.get("confidence") or 0),
        r.get("char_start") or 0,
        r.get("commitment_id") or "",
    )


def _same_wording(a: dict, b: dict) -> bool:
    """Two sentences name the indicator alike; a table row's name may differ from the prose."""
    if "table" in (a.get("source"), b.get("source")):
        return True
    x, y = a.get("indicator") or "", b.get("indicator") or ""
    return bool(x and y) and (x in y or y in x)


def _same_statement(a: dict, b: dict) -> bool:
    """Rows of one table or one sentence: never two statements of one target."""
    if a.get("table_id") and a.get("table_id") == b.get("table_id"):
        return True
    return (a.get("char_start"), a.get("char_end")) == (b.get("char_start"), b.get("char_end"))


class _Rows:
    """Primaries in the order they became primary, stepping over the rows of a given table in
    one step: consecutive rows of one table form a run, and a run's end is kept at its start."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, dict]] = []
        self.run_start: list[int] = []
        self.run_end: dict[int, int] = {}

    def append(self, order: int, r: dict) -> None:
        n = len(self.rows)
        table = r.get("table_id")
        same_run = n and table and self.rows[-1][1].get("table_id") == table
        start = self.run_start[-1] if same_run else n
        self.rows.append((order, r))
        self.run_start.append(start)
        self.run_end[start] = n + 1

    def outside(self, table: str | None):
        """The rows not of ``table`` (all of them when it is None), in order."""
        i = 0
        while i < len(self.rows):
            order, p = self.rows[i]
            if table and p.get("table_id") == table:
                i = self.run_end[self.run_start[i]]
                continue
            yield order, p
            i += 1


class _Primaries:
    """The primary rows of one target, indexed by value: :meth:`candidates` gives, in the order
    they became primary, the rows :func:`same_value` pairs with a row, outside the row's own
    table, each list found by hash.

    A row with ``d`` decimals equals a primary with ``e`` decimals when both agree rounded to
    ``min(d, e)`` decimals: the primaries with ``e >= d`` are found under their value rounded to
    ``d`` (``at``), those with ``e < d`` under their exact value at ``e`` (``exact``).
    """

    def __init__(self) -> None:
        self.count = 0
        self.at: dict[tuple[int, Decimal], _Rows] = {}
        self.exact: dict[tuple[int, Decimal], _Rows] = {}
        self.ranges: dict[tuple, _Rows] = {}  # no single value: equal bounds

    def add(self, r: dict) -> None:
        order = self.count
        self.count += 1
        value = r.get("value")
        if value is None:
            self.ranges.setdefault((r.get("value_min"), r.get("value_max")), _Rows()).append(order, r)
            return
        d = _decimals(value)
        for k in range(d + 1):
            self.at.setdefault((k, _rounded(value, k)), _Rows()).append(order, r)
        self.exact.setdefault((d, _rounded(value, d)), _Rows()).append(order, r)

    def candidates(self, r: dict):
        value, table = r.get("value"), r.get("table_id")
        if value is None:
            lists = [self.ranges.get((r.get("value_min"), r.get("value_max")))]
        else:
            d = _decimals(value)
            lists = [self.at.get((d, _rounded(value, d)))] + [self.exact.get((k, _rounded(value, k))) for k in range(d)]
        found = [rows.outside(table) for rows in lists if rows is not None]
        if not found:
            return iter(())
        merged = found[0] if len(found) == 1 else heapq.merge(*found, key=lambda e: e[0])
        return (p for _, p in merged)


def link_restatements(rows: list[dict]) -> list[dict]:
    """Set ``is_primary`` and ``restates`` on each commitment row of one document (in place).

    Returns:
        ``rows``, for chaining.
    """
    primaries: dict[tuple, _Primaries] = {}
    for r in sorted(rows, key=_preference):
        group = primaries.setdefault(_target_key(r), _Primaries())
        primary = next((p for p in group.candidates(r) if _same_wording(p, r) and not _same_statement(p, r)), None)
        r["is_primary"] = primary is None
        r["restates"] = None if primary is None else primary["commitment_id"]
        if primary is None:
            group.add(r)
    return rows


def _cell_key(r: dict) -> tuple:
    return (r.get("doc_id"), r.get("indicator_id"), r.get("year"))


def one_primary_per_cell(rows: list[dict], rank: Callable[[dict], tuple]) -> list[dict]:
    """Keep one primary row per document x canonical indicator x year (in place), after :func:`link_restatements`.

    Rows without an ``indicator_id`` are left as they are: their wording is all that names them, and
    one wording over a list of places ("沈阳市3300户、大连市500户") names several targets.

    Of the primary rows of a cell, the one ``rank`` puts first stays primary; each other gets
    ``is_primary`` false and ``_cell_primary`` = the kept row's ``commitment_id`` (read by the
    ``restated_primary`` flag, then dropped).

    Returns:
        ``rows``, for chaining.
    """
    cells: dict[tuple, list[dict]] = {}
    for r in rows:
        if r.get("is_primary") and r.get("indicator_id"):
            cells.setdefault(_cell_key(r), []).append(r)
    for group in cells.values():
        if len(group) < 2:
            continue
        keep, *others = sorted(group, key=rank)
        for r in others:
            r["is_primary"] = False
            r["_cell_primary"] = keep["commitment_id"]
    return rows
