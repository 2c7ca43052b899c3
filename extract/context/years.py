"""Years and plan periods: what a year means to a statement, and the year a statement takes.

The one answer to "is this the past?" (``patterns/years.yaml`` and ``patterns/periods.yaml``):

- :meth:`Years.mentions` finds year expressions (到2027年, 2030年前, 截至2020年底, 较2020年,
  “十四五”, 2024—2027年) in a text and gives each a kind: ``target``, ``past``, ``baseline`` or
  ``date``;
- :meth:`Years.past_marker` finds words that make a clause a report of what was done (已完成);
- :meth:`Years.stage_year` and :meth:`Years.heading_target_year` give the year a heading sets
  for the text under it (第一阶段（2024—2027年）, "1. 到2025年，…").

Everything is relative to the document's plan period (:class:`DocContext`), never the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import regex

from ..patterns import Patterns, alternation
from .sections import SectionTree

_TITLE = regex.compile(r"《[^》]*》")
_HEADING_TARGET = regex.compile(r"(?:到|至)[ ]?((?:19|20)\d{2})[ ]?年")  # "1. 到2025年，全市…"
_STAGE_RANGE = regex.compile(r"(?:19|20)\d{2}[ ]?年?[ ]?[-—–~至到][ ]?((?:19|20)\d{2})年")  # "（2021—2023年）"


@dataclass
class DocContext:
    """What the rules need to know about a document: its plan period and its sections."""

    plan_start_year: int | None
    plan_end_year: int | None
    base_year: int | None
    sections: SectionTree


@dataclass
class YearMention:
    """A year expression in a text and what it means for the clauses after it."""

    start: int
    end: int
    year: int
    kind: str  # "target" | "past" | "baseline" | "date" | "attribute"
    text: str
    opens_target: bool = False  # "到2025年" / "2025年底前": written to set a target year
    stage: bool = False  # a range of years (2024—2027年): a stage of the plan


class Years:
    """Year rules compiled from one :class:`~extract.patterns.Patterns`."""

    def __init__(self, patterns: Patterns):
        self.p = patterns
        spec = patterns.years
        self.before = spec["before"]
        self.after = spec["after"]
        self.horizon = spec["past_horizon_years"]
        self.period_horizon = spec["period_past_horizon_years"]

    @cached_property
    def year_re(self) -> regex.Pattern:
        pre = alternation(w for ws in self.before.values() for w in ws)
        plain_after = [w for kind, ws in self.after.items() if kind != "date" for w in ws]  # incl. 年度
        dates = "|".join(self.after.get("date", []))
        post = "|".join(x for x in (dates, alternation(plain_after), "的") if x)
        return regex.compile(
            rf"""
            (?P<pre>{pre})?[ ]?
            (?:(?P<y0>(?:19|20)\d{{2}})[ ]?年?[ ]?[-—–~至到][ ]?)?     # a range: 2024—2027年
            (?<!\d)(?P<y>(?:19|20)\d{{2}})[ ]?年
            (?P<post>{post})?
            """,
            regex.VERBOSE,
        )

    @cached_property
    def date_re(self) -> regex.Pattern:
        return regex.compile("|".join(self.after.get("date", [])) or "(?!)")

    @cached_property
    def period_re(self) -> regex.Pattern:
        return regex.compile(
            rf"[“\"']?(?P<name>{alternation(self.p.periods)})[”\"']?(?P<post>期间|末|时期|期末|初|以来)?"
        )

    @cached_property
    def past_re(self) -> regex.Pattern:
        return regex.compile("|".join(f"(?:{p})" for p in self.p.years["past_markers"]))

    def _kind_of(self, pre: str, post: str, year: int, ctx: DocContext) -> str:
        start, end = ctx.plan_start_year, ctx.plan_end_year
        before_start = start is not None and year < start
        if self.date_re.fullmatch(post):
            return "past" if before_start and pre not in self.before["baseline"] else "date"
        if post in self.after.get("attribute", []):
            return "attribute"
        if pre in self.before["baseline"] or post in self.after["baseline"]:
            return "baseline"
        if pre in self.before["past"] or post in self.after["past"]:
            return "past"
        if pre in self.before["until"]:
            return "past" if (before_start or (start is None and end is not None and year < end)) else "target"
        if before_start:
            return "past"
        if start is None and pre not in self.before["target"] and post not in self.after["target"]:
            return "past" if year < (end or 9999) - self.horizon else "target"
        return "target"

    def mentions(self, text: str, ctx: DocContext) -> list[YearMention]:
        """Year expressions of ``text`` with their kind, in text order (years in 《titles》 skipped)."""
        titles = [(t.start(), t.end()) for t in _TITLE.finditer(text)]

        def in_title(pos: int) -> bool:
            return any(a < pos < b for a, b in titles)

        out: list[YearMention] = []
        for m in self.year_re.finditer(text):
            if in_title(m.start("y")):
                continue
            y = int(m.group("y"))
            pre, post = m.group("pre") or "", m.group("post") or ""
            kind = self._kind_of(pre, post, y, ctx)
            opens = kind == "target" and (pre in self.before["target"] or post in self.after["target"])
            out.append(YearMention(m.start(), m.end(), y, kind, m.group(0), opens, bool(m.group("y0"))))
        for m in self.period_re.finditer(text):
            if in_title(m.start()):
                continue
            spec = self.p.periods[m.group("name")]
            start, end = ctx.plan_start_year, ctx.plan_end_year
            if text[max(0, m.start() - 3) : m.start()].endswith(tuple(self.before["baseline"])):
                kind = "baseline"  # "较“十三五”时期减少60%": the period compared with
            elif m.group("post") == "以来" or (start is not None and spec["end"] < start):
                kind = "past"
            elif start is None and end and spec["end"] < end - self.period_horizon:
                kind = "past"
            else:
                kind = "target"
            out.append(YearMention(m.start(), m.end(), spec["end"], kind, m.group(0), kind == "target", True))
        out.sort(key=lambda ym: ym.start)
        return out

    def past_marker(self, text: str) -> str | None:
        """The first word of ``text`` that reports a past result (已完成, 截至 …), or None."""
        m = self.past_re.search(text)
        return m.group(0) if m else None

    def heading_target_year(self, ctx: DocContext, pos: int) -> int | None:
        """A target year written in the innermost heading ("1. 到2025年，全市实现…")."""
        path = ctx.sections.path_at(pos)
        if not path:
            return None
        m = _HEADING_TARGET.search(path[-1].title)
        if m and (ctx.plan_start_year is None or int(m.group(1)) >= ctx.plan_start_year):
            return int(m.group(1))
        return None

    def stage_year(self, ctx: DocContext, pos: int, background_re: regex.Pattern) -> tuple[int | None, bool]:
        """The implied year at ``pos``: a stage heading's end year, else the plan's end year.

        Returns ``(year, in_background_section)``; a heading naming a past period gives no year.
        """
        path = ctx.sections.path_at(pos)
        background = any(background_re.search(s.title) for s in path)
        for sec in reversed(path):
            m = _STAGE_RANGE.search(sec.title)
            if m:
                return int(m.group(1)), background
            pm = self.period_re.search(sec.title)
            if pm:
                spec = self.p.periods[pm.group("name")]
                if ctx.plan_start_year is None or spec["end"] >= ctx.plan_start_year:
                    return spec["end"], background
                return None, True
        return ctx.plan_end_year, background

    def is_past_column(self, year: int, ctx: DocContext) -> bool:
        """Whether a table column for ``year`` looks back (a status or baseline, not a target)."""
        if ctx.plan_start_year is not None:
            return year < ctx.plan_start_year
        return ctx.plan_end_year is not None and year < ctx.plan_end_year
