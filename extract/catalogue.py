"""Canonical indicators: map an indicator as written to a stable id (``patterns/indicators.yaml``).

Plans name one indicator many ways (细颗粒物浓度 / PM2.5浓度 / 细颗粒物平均浓度); the catalogue's
patterns map them to one id (``air.pm25_concentration``).  Entries are tried in file order and
the first match wins, so the catalogue lists specific entries before general ones.  No match
gives no id: a wrong id is worse than none.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from .patterns import PatternError, Patterns

_ID = regex.compile(r"^[a-z]+\.[a-z0-9_]+$")
_NUMBERING = regex.compile(r"^(?:[（(]\d{1,2}[)）]|\d{1,2}[.、．])\s*")
_SPACE_OR_STAR = regex.compile(r"[\s*＊]")
_REQUIRED = ("id", "zh", "en", "category", "units", "higher_is_better", "patterns")
_MAX_MEMO = 200_000        # distinct indicator texts remembered per process


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
    return _NUMBERING.sub("", s)


class IndicatorCatalogue:
    """The validated catalogue and the matcher."""

    def __init__(self, patterns: Patterns):
        spec = patterns.extra.get("indicators")
        if not isinstance(spec, dict) or not isinstance(spec.get("indicators"), list):
            raise PatternError("indicators.yaml: indicators: expected a list of entries")
        seen: set[str] = set()
        self.entries: list[Indicator] = []
        for i, e in enumerate(spec["indicators"]):
            where = f"indicators.yaml: indicators[{i}]"
            if not isinstance(e, dict):
                raise PatternError(f"{where}: expected a mapping")
            missing = [k for k in _REQUIRED if k not in e]
            if missing:
                raise PatternError(f"{where} ({e.get('id')}): missing {', '.join(missing)}")
            if not _ID.match(str(e["id"])):
                raise PatternError(f"{where}: id {e['id']!r} is not of the form category.name (ASCII)")
            if e["id"] in seen:
                raise PatternError(f"{where}: duplicate id {e['id']!r}")
            seen.add(e["id"])
            if not isinstance(e["units"], list) or not e["patterns"]:
                raise PatternError(f"{where} ({e['id']}): units must be a list and patterns non-empty")
            try:
                compiled = tuple(regex.compile(p) for p in e["patterns"])
            except regex.error as exc:
                raise PatternError(f"{where} ({e['id']}): bad pattern: {exc}") from None
            self.entries.append(Indicator(e["id"], e["zh"], e["en"], e["category"], tuple(e["units"]),
                                          e["higher_is_better"], compiled))
        self.by_id = {e.id: e for e in self.entries}
        self._matched: dict[str, Indicator | None] = {}   # indicators repeat: each is matched once

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

    def unit_ok(self, entry: Indicator, unit: str) -> bool:
        """Whether ``unit`` is one of the entry's expected units."""
        return not entry.units or (unit or "") in entry.units
