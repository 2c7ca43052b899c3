"""The one value grammar: a number or range, its unit and the comparator words around it.

Prose and table cells read quantities with the same grammar, built from ``patterns/``:
``units.yaml`` (longest surface wins), ``comparators.yaml`` (words before the number, after
the unit, and 余/多 between number and unit).  A quantity is

    [comparator] number [- number] [余|多] [unit] [comparator]

where the number is Arabic (``1,234.5``), ``百分之`` + Chinese numerals, or a Chinese numeral
directly before a count classifier (``两座``, ``十余处``).  Numbers inside codes (PM2.5, SO2,
GB3095-2012) and four-digit years (2025年) are not quantities.

>>> from extract.patterns import load_patterns
>>> g = QuantityGrammar(load_patterns())
>>> q = g.find("细颗粒物浓度控制在27微克/立方米以下")[0]
>>> q.value, q.unit, q.comparator, q.text
(27.0, 'μg/m³', '<=', '控制在27微克/立方米以下')
>>> q = g.cell("≥90")
>>> q.value, q.comparator
(90.0, '>=')
>>> g.cell("[1.21]").bracketed
True
>>> [q.value for q in g.find("新建瞭望塔台两座、十余处堆场")]
[2.0, 10.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import regex

from .patterns import Patterns, alternation
from .text.numerals import CN_DIGITS, parse_number

_DIGIT = regex.compile(r"\d")

_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_PERCENT_WORDS = rf"百分之[{CN_DIGITS}]+"

YEAR_NUMBER = regex.compile(r"(?:19|20)\d{2}")  # a four-digit year (shared by the rules)


@dataclass(frozen=True)
class Quantity:
    """One quantity found in a text; offsets are into that text."""

    start: int  # the whole expression, comparator words included
    end: int
    num_start: int  # the (first) number
    num_end: int
    value: float | None  # None for a range
    value_min: float | None
    value_max: float | None
    unit: str  # normalised ("%", "μg/m³", "万亩" …; "" when none)
    unit_kind: str  # units.yaml kind ("" when no unit)
    unit_start: int  # the unit as written (unit_start == unit_end: none)
    unit_end: int
    comparator: str  # "=", ">=", "<=", ">", "<", "~"
    word_before: str  # the comparator word before the number ("不低于"), or ""
    word_after: str  # the comparator word after the unit ("以上"), or ""
    bracketed: bool  # written in [ ] (a cumulative value in plan tables)
    cn_numeral: bool  # a Chinese numeral ("两座", "百分之四十")
    text: str  # text[start:end]

    @property
    def is_range(self) -> bool:
        return self.value is None and self.value_min is not None


class QuantityGrammar:
    """Compiled quantity grammar for one :class:`~extract.patterns.Patterns`."""

    def __init__(self, patterns: Patterns):
        self.p = patterns

    @cached_property
    def pattern(self) -> regex.Pattern:
        units = alternation(self.p.units)
        before = alternation(self.p.comparators_before)
        after = alternation(self.p.comparators_after)
        between = alternation(self.p.comparators_between) or "(?!)"
        counted = self.p.lexicon["chinese_count_classifiers"]
        names = "".join(self.p.lexicon["name_after_classifier"])
        # a Chinese numeral directly before a classifier ("两座", "十余处"), not a name ("七台河", "三轮车")
        cn_count = rf"[一两二三四五六七八九十百]{{1,3}}(?=[余多]?(?:{alternation(counted)})(?![{names}]))"
        return regex.compile(
            rf"""
            (?P<pre>(?:{before})[ ]?)?                       # 不低于 / >= / 约 …
            (?P<per>每[ ]?(?P<denominator>(?:万|千|百)?(?:人|户|平方公里|平方千米|公顷|亩|辆|台)))?  # 每万人8标台
            (?P<lb>[\[［][ ]?)?                               # [1.21]: a cumulative value
            (?<![\d.A-Za-zⅠ-Ⅻ/_\-])                          # not inside PM2.5, SO2, a code
            (?P<num>{_ARABIC}|{_PERCENT_WORDS}|{cn_count})   # 85 / 百分之四十 / 两(座)
            (?:(?P<unit1>{units})?[ ]?(?P<sep>[-—–~～至到])[ ]?  # a range: 80%—85% / 5—10家
               (?P<num2>{_ARABIC}))?
            (?!\d|\.\d)
            (?P<more>{between})?                              # 20余(个)
            [ ]?(?P<unit>{units})?                            # unit (longest first)
            (?P<rb>[ ]?[\]］])?
            (?P<post>{after})?                                # 以上 / 以下 / 左右 …
            """,
            regex.VERBOSE,
        )

    def _year_like(self, text: str, m: regex.Match) -> bool:
        """A four-digit year (2025年, 2021—2025年), not a quantity."""
        num = m.group("num")
        if YEAR_NUMBER.fullmatch(num) and (m.group("unit") in ("年", None) or m.group("num2")):
            return not m.group("unit") or m.group("unit") == "年" or bool(m.group("num2"))
        return False

    def _build(self, text: str, m: regex.Match, bare_year_is_value: bool = False) -> Quantity | None:
        if self._year_like(text, m) and not (bare_year_is_value and not m.group("unit") and not m.group("num2")):
            return None
        if (
            m.group("num2")
            and YEAR_NUMBER.fullmatch(m.group("num2"))
            and text[m.end("num2") : m.end("num2") + 1] == "年"
        ):
            return None
        unit_surface = m.group("unit") or m.group("unit1")
        unit, kind = ("", "")
        if unit_surface:
            spec = self.p.units[unit_surface]
            unit, kind = spec["unit"], spec["kind"]
        if m.group("per") and unit_surface:
            unit = f"{unit}/{m.group('denominator')}"  # "每万人8标台" -> 标台/万人
        num = m.group("num")
        if num.startswith("百分之"):
            unit, kind = "%", "percent"
        cn = not _DIGIT.match(num)
        if m.group("num2"):
            lo, hi = parse_number(num), parse_number(m.group("num2"))
            if lo is None or hi is None or lo >= hi:
                return None
            value, value_min, value_max = None, lo, hi
        else:
            value = parse_number(num)
            if value is None:
                return None
            value_min = value_max = None
        pre = (m.group("pre") or "").strip()
        post = m.group("post") or ""
        more = m.group("more") or ""
        comparator = "="
        if post:
            comparator = self.p.comparators_after[post]
        elif pre:
            comparator = self.p.comparators_before[pre]
        elif more:
            comparator = self.p.comparators_between[more]
        start = (
            m.start("pre")
            if pre
            else (m.start("per") if m.group("per") else (m.start("lb") if m.group("lb") else m.start("num")))
        )
        end = m.end()
        if m.group("rb") and not m.group("lb") and not post:
            end = m.start("rb")  # a closing bracket that opens nowhere is not ours
        us, ue = (
            m.span("unit")
            if m.group("unit")
            else (m.span("unit1") if m.group("unit1") else (m.end("num"), m.end("num")))
        )
        return Quantity(
            start,
            end,
            m.start("num"),
            m.end("num2") if m.group("num2") else m.end("num"),
            value,
            value_min,
            value_max,
            unit,
            kind,
            us,
            ue,
            comparator,
            pre,
            post,
            bool(m.group("lb") and m.group("rb")),
            cn,
            text[start:end],
        )

    def find(self, text: str, bare_year_is_value: bool = False) -> list[Quantity]:
        """Every quantity of ``text``, left to right (``bare_year_is_value``: a unitless 2075 is a
        number, not a year — a table cell whose unit is in its header)."""
        out = []
        for m in self.pattern.finditer(text):
            q = self._build(text, m, bare_year_is_value)
            if q is not None:
                out.append(q)
        return out

    def cell(self, text: str, prefer_unit: str = "") -> Quantity | None:
        """The value of a table cell: its first quantity, or the first in ``prefer_unit``.

        ``prefer_unit`` ("%") picks "100%" over an earlier count in "3个国控断面…比例100%".
        """
        found = [q for q in self.find(text) if not q.cn_numeral]
        if not found:
            # a cell holding nothing but a year-shaped number (2075, ≥2000) under a unit header: a value
            whole = [q for q in self.find(text, bare_year_is_value=True) if not q.cn_numeral]
            if len(whole) == 1 and not text[: whole[0].start].strip() and not text[whole[0].end :].strip():
                found = whole
        if not found:
            return None
        if prefer_unit:
            for q in found:
                if q.unit == prefer_unit:
                    return q
        return found[0]
