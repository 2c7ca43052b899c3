"""Canonical indicators: map an indicator as written to a stable id (``patterns/indicators.yaml``).

Plans name one indicator many ways (细颗粒物浓度 / PM2.5浓度 / 细颗粒物平均浓度); the catalogue's
patterns map them to one id (``air.pm25_concentration``).  Entries are tried in file order and
the first match wins, so the catalogue lists specific entries before general ones.  No match
gives no id: a wrong id is worse than none.

The catalogue is built, once, when the rule files are loaded (``load_patterns().catalogue``,
the entries checked by :mod:`extract.patterns`); this module imports nothing of the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import regex

from .text.numbering import marks


@lru_cache(maxsize=1)
def _numbering() -> regex.Pattern:
    """An item's number before an indicator's name (（1）, 1.): numbering.yaml."""
    return regex.compile(rf"^{marks('arabic_paren', 'arabic_dot')}\s*")


_SPACE_OR_STAR = regex.compile(r"[\s*＊]")
_MAX_MEMO = 200_000  # distinct indicator texts remembered per process


@dataclass(frozen=True)
class Indicator:
    """One canonical indicator."""

    id: str
    zh: str
    en: str
    category: str
    units: tuple[str, ...]
    higher_is_better: bool | None
    patterns: tuple[regex.Pattern, ...]


def id_selected(indicator_id: str, selectors: list[str]) -> bool:
    """Whether an id is one of ``selectors`` or in one of their categories (``air`` -> ``air.*``).

    >>> id_selected("air.pm25_concentration", ["air"]), id_selected("air.pm25_concentration", ["air.pm25"])
    (True, False)
    """
    return any(indicator_id == s.rstrip(".") or indicator_id.startswith(s.rstrip(".") + ".") for s in selectors)


def clean_indicator(text: str) -> str:
    """The indicator as matched: no spaces, no * marks, no leading list numbering.

    >>> clean_indicator("1.市区细颗粒物（PM2.5）浓度*")
    '市区细颗粒物（PM2.5）浓度'
    """
    s = _SPACE_OR_STAR.sub("", text or "")
    return _numbering().sub("", s)


class IndicatorCatalogue:
    """The canonical indicators, in file order, and the matcher."""

    def __init__(self, entries: Iterable[Indicator]):
        self.entries: tuple[Indicator, ...] = tuple(entries)
        self.by_id = {e.id: e for e in self.entries}
        self._matched: dict[str, Indicator | None] = {}  # indicators repeat: each is matched once

    def match(self, indicator: str) -> Indicator | None:
        """The canonical indicator an indicator as written stands for, or None."""
        if indicator in self._matched:
            return self._matched[indicator]
        text = clean_indicator(indicator)
        found = None
        if text:
            for entry in self.entries:
                if any(p.search(text) for p in entry.patterns):
                    found = entry
                    break
        if len(self._matched) < _MAX_MEMO:
            self._matched[indicator] = found
        return found

    def unit_ok(self, entry: Indicator, unit: str | None) -> bool:
        """Whether ``unit`` is one of the entry's expected units (any unit when it lists none)."""
        return not entry.units or (unit or "") in entry.units

    def unit_fits(self, indicator_id: str | None, unit: str | None) -> bool:
        """Whether a row with this canonical id and unit can measure what the id names.

        A unit the indicator is not measured in does not fit (a count of villages under a rate);
        a row written without a unit, without an id, or with an id the catalogue does not know fits.

        >>> from extract.patterns import load_patterns
        >>> cat = load_patterns().catalogue
        >>> [cat.unit_fits("water.rural_sewage_treatment", u) for u in ("%", "个", "")]
        [True, False, True]
        """
        entry = self.by_id.get(indicator_id or "")
        return entry is None or not unit or self.unit_ok(entry, unit)
