"""Prose rules: find year x indicator x value x unit statements in running text.

The rules work on one paragraph block at a time:

1. the block is cut into sentences (。！？) and clauses (，；：);
2. year mentions (到2027年, 2030年前, “十四五”, 第一阶段（2024—2027年）) set the target year
   of the clauses after them, until the next mention; a past year (截至2020年底, a year
   before the plan starts) or a past period (十三五) makes the clauses after it status, not
   targets; 较/比 YYYY年 is a baseline;
3. every value (number + unit from ``patterns/units.yaml``) in a clause with a target cue
   (a target verb, a comparator, a verb of building) becomes a commitment; its indicator is
   the clause text before the verb, stripped of subject words and snapped to word
   boundaries with a private jieba tokenizer;
4. coordination: "A、B分别达到x和y" pairs items with values, "A、B达到x" shares the value,
   "化肥、农药利用率" lends the head (利用率) to items without one.

Each commitment carries the id of the rule that made it (``rule_id``).
"""
from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from functools import cached_property

import regex

from ..context.sections import SectionTree
from ..model import Block, Commitment, Document
from ..patterns import Patterns
from ..text.numerals import CN_DIGITS, parse_number
from ..text.segment import sentences

log = logging.getLogger(__name__)

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN_NUM = rf"百分之[{CN_DIGITS}]+"
_CLAUSE_SEP = "，；：,;:"


@dataclass
class DocContext:
    """What rules need to know about the document: plan period and sections."""

    plan_start_year: int | None
    plan_end_year: int | None
    base_year: int | None
    sections: SectionTree


@dataclass
class YearMention:
    """A year expression in the text and what it means for the clauses after it."""

    start: int
    end: int
    year: int
    kind: str            # "target" | "past" | "baseline" | "date"
    text: str


def _balanced_tail(s: str) -> str:
    """Drop what comes before an unbalanced bracket ("20台)、朝阳市燃煤锅炉" -> "朝阳市燃煤锅炉")."""
    depth, cut = 0, 0
    for i, ch in enumerate(s):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            if depth == 0:
                cut = i + 1
            else:
                depth -= 1
    s = s[cut:]
    depth, last_open = 0, None
    for i, ch in enumerate(s):
        if ch in "（(":
            depth, last_open = depth + 1, (i if depth == 0 else last_open)
        elif ch in "）)" and depth:
            depth -= 1
    if depth and last_open is not None:
        s = s[last_open + 1:]
    return s.lstrip("、，,；; ")


def _alt(words) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))


class ProseRules:
    """Compiled prose rules for one :class:`~extract.patterns.Patterns`."""

    def __init__(self, patterns: Patterns):
        self.p = patterns
        units = _alt(patterns.units)
        before = _alt(patterns.comparators_before)
        after = _alt(patterns.comparators_after)
        # a value: optional comparator, a number (or range), a unit, an optional comparator
        self.value_re = regex.compile(
            rf"""
            (?P<pre>(?:{before})\s*)?                      # 不低于 / >= / 约 …
            (?<![\d.A-Za-zⅠ-Ⅻ/_\-])                        # not inside PM2.5, SO2, a code
            (?P<num>{_NUM}|{_CN_NUM}|[一两二三四五六七八九十]{{1,3}}(?=[座处个套台支家条艘](?!\p{{Han}})))  # 85 / 百分之四十 / 一座
            (?:(?P<unit1>{units})?\s*(?P<sep>[-—–~至])\s*  # a range: 80%—85% / 80-85%
               (?P<num2>{_NUM}))?
            (?![\d.])
            \s*(?P<unit>{units})?                          # unit (longest first)
            (?P<post>{after})?                             # 以上 / 以下 / 左右 …
            """,
            regex.VERBOSE,
        )
        # year mentions
        self.year_re = regex.compile(
            r"""
            (?P<pre>截至|截止|到|至|于|在|从|自|较|比|相比|与|以|同|由)?\s*
            (?:(?P<y0>(?:19|20)\d{2})\s*[-—–~至到]\s*)?     # a range: 2024—2027年
            (?<!\d)(?P<y>(?:19|20)\d{2})年
            (?P<post>底|末|前|以前|之前|后|以后|起|初|中|以来|的|基础上|水平|同期|\d{1,2}月)?
            """,
            regex.VERBOSE,
        )
        periods = _alt(patterns.periods)
        self.period_re = regex.compile(rf"[“\"']?(?P<name>{periods})[”\"']?(?P<post>期间|末|时期|期末|初|以来)?")
        verbs = patterns.words("target_verbs")
        self.verb_re = regex.compile(rf"(?:{_alt(verbs)})")
        self.verb_end_re = regex.compile(rf"(?:{_alt(verbs)})(?:了)?(?:约|近|达|到|在)?\s*$")
        self.project_verb_re = regex.compile(rf"(?:{_alt(patterns.lexicon['project_verbs'])})")
        self.project_verb_end_re = regex.compile(rf"(?:{_alt(patterns.lexicon['project_verbs'])})$")
        self.weak_verbs = set(patterns.lexicon["weak_target_verbs"])
        self.verbs_set = set(patterns.lexicon["target_verbs"]) | set(patterns.lexicon["project_verbs"])
        self.threshold_pre = set(patterns.lexicon["threshold_comparators"])
        subj = _alt(patterns.lexicon["subject_prefixes"])
        self.subject_re = regex.compile(rf"^(?:{subj}|[，、；：\s“”\"《》（）()])+")
        self.year_phrase_re = regex.compile(
            r"(?:力争|争取|努力)?(?:到|至|截至|于)?(?:(?:19|20)\d{2}[-—–]?)?(?:19|20)\d{2}年(?:底|末|前|以前|之前)?"
            r"|[“\"]?十[一二三四五六]五[”\"]?(?:期间|末|时期|期末)?")
        dec = _alt(patterns.change_verbs["decrease_by"])
        inc = _alt(patterns.change_verbs["increase_by"])
        part = _alt(patterns.change_verbs["level_particles"])
        self.change_re = regex.compile(rf"(?P<verb>{dec}|{inc})(?P<part>{part})?(?:了)?(?:约|近|达)?\s*$")
        self.decrease = set(patterns.change_verbs["decrease_by"])
        self.unknown_unit_re = regex.compile(r"(\p{Han}{1,3})(?=[，。；、）)]|$)")
        # a list item paragraph: "——…", "（1）…", "(1)…", "1. …", "一是…"
        self.list_item_re = regex.compile(r"^\s*(?:——|－－|[（(]\d{1,2}[)）]|\d{1,2}[.．、](?!\d)|[一二三四五六七八九十]是)")
        self.reduction_amount_re = regex.compile(rf"(?:{_alt(patterns.change_verbs['reduction_amounts'])})$")
        self.strive_re = regex.compile(_alt(patterns.lexicon["strive_words"]))
        self.strive_lead_re = regex.compile(
            rf"\s*(?:{_alt(patterns.lexicon['strive_words'])})\s*(?:在|于|到|至)?\s*(?:(?:19|20)\d{{2}}年|[“\"]?十[一二三四五六]五)")
        self.cumulative_re = regex.compile(_alt(patterns.lexicon["cumulative_words"]))
        self.past_re = regex.compile(_alt(patterns.lexicon["past_markers"]))
        self.background_re = regex.compile(_alt(patterns.lexicon["background_sections"]))
        self.heads = patterns.words("indicator_heads")
        self.head_re = regex.compile(rf"(?:{_alt(self.heads)})$")
        # an item is complete when it ends with a head more specific than 量/度/数
        self.full_head_re = regex.compile(rf"(?:{_alt(h for h in self.heads if len(h) > 1 or h == '率')})$")
        trailing = _alt(patterns.lexicon["indicator_trailing_words"])
        self.trailing_re = regex.compile(rf"(?:{trailing}|\d+年)$")
        self.verb_tail_re = regex.compile(rf"(?:{trailing}|了|约|近|到|在|[\s“”])*")
        self.baseline_follow_re = regex.compile(
            rf"^\s*(?:的)?(?:{dec}|{inc})(?:{part})|^\s*(?:的)?(?:基础上)")

    # --- tokenizer ----------------------------------------------------------------------
    @cached_property
    def tokenizer(self):
        """A private jieba tokenizer whose dictionary knows our indicator words."""
        import jieba

        tok = jieba.Tokenizer()
        tok.tmp_dir = tempfile.gettempdir()
        tok.cache_file = os.path.join(tok.tmp_dir, "plan_extract_jieba.cache")
        jieba.setLogLevel(logging.WARNING)
        for w in self.heads:
            tok.add_word(w, freq=2000)
        for w in self.p.lexicon["target_verbs"] + self.p.lexicon["project_verbs"]:
            tok.add_word(w, freq=3000)
        for spec in (self.p.extra.get("indicators") or {}).get("indicators", []) or []:
            for form in spec.get("forms", []) or []:
                if regex.fullmatch(r"\p{Han}+", form):
                    tok.add_word(form, freq=5000)
        return tok

    # --- years --------------------------------------------------------------------------
    def year_mentions(self, text: str, ctx: DocContext) -> list[YearMention]:
        """Year expressions of a block with their kind (target / past / baseline / date)."""
        out: list[YearMention] = []
        start_year = ctx.plan_start_year
        titles = [(t.start(), t.end()) for t in regex.finditer(r"《[^》]*》", text)]

        def in_title(pos: int) -> bool:
            return any(a < pos < b for a, b in titles)

        for m in self.year_re.finditer(text):
            if in_title(m.start("y")):
                continue
            y = int(m.group("y"))
            pre, post = m.group("pre") or "", m.group("post") or ""
            if start_year is not None and y < start_year and pre not in ("较", "比", "相比", "与", "同", "由"):
                kind = "past"
            elif post.endswith("月"):
                kind = "date"
            elif pre in ("较", "比", "相比", "与", "同", "由") or post in ("基础上", "水平", "同期"):
                kind = "baseline"
            elif pre in ("截至", "截止", "从", "自") or post in ("以来", "初"):
                kind = "past"
            elif start_year is not None and y < start_year:
                kind = "past"
            elif start_year is None and pre not in ("到", "至", "于") and post not in ("底", "末", "前", "以前", "之前"):
                kind = "past" if y < (ctx.plan_end_year or 9999) - 15 else "target"
            else:
                kind = "target"
            if m.group("y0") and kind == "target" and post in ("", "的"):
                # a range like 2018—2020年 names a period: a target only if it ends in the plan
                kind = "target"
            out.append(YearMention(m.start(), m.end(), y, kind, m.group(0)))
        for m in self.period_re.finditer(text):
            if in_title(m.start()):
                continue
            spec = self.p.periods[m.group("name")]
            if start_year is not None and spec["end"] < start_year:
                kind = "past"
            elif start_year is None and ctx.plan_end_year and spec["end"] < ctx.plan_end_year - 10:
                kind = "past"
            else:
                kind = "target"
            if m.group("post") == "以来":
                kind = "past"
            out.append(YearMention(m.start(), m.end(), spec["end"], kind, m.group(0)))
        out.sort(key=lambda ym: ym.start)
        return out

    # --- main entry ---------------------------------------------------------------------
    def extract(self, doc: Document, ctx: DocContext) -> list[Commitment]:
        """All prose commitments of a document, in text order.

        A paragraph that opens with a target year ("到2025年，…") heads the list items that
        follow it ("——…", "（1）…"): their statements take that year as written.
        """
        out: list[Commitment] = []
        carry: YearMention | None = None
        for block in doc.blocks:
            if block.kind != "paragraph":
                carry = None
                continue
            is_item = bool(self.list_item_re.match(block.text))
            if not is_item:
                carry = None
            try:
                out.extend(self.extract_block(doc, block, ctx, carried_year=carry))
            except Exception:  # a rule bug must not lose the document
                log.exception("prose rules failed on block at %s:%s", doc.doc_id, block.line)
            if not is_item:
                lead = self.year_re.match(block.text)
                if lead and regex.match(r"(?:到|至)", lead.group(0)):
                    mentions = [m for m in self.year_mentions(block.text[:lead.end()], ctx) if m.kind == "target"]
                    carry = mentions[-1] if mentions else None
        return out

    def _heading_target_year(self, ctx: DocContext, pos: int) -> int | None:
        """A target year written in the innermost heading ("1. 到2025年，全市实现…")."""
        path = ctx.sections.path_at(pos)
        if not path:
            return None
        m = regex.search(r"(?:到|至)\s*((?:19|20)\d{2})\s*年", path[-1].title)
        if m and (ctx.plan_start_year is None or int(m.group(1)) >= ctx.plan_start_year):
            return int(m.group(1))
        return None

    def stage_year(self, ctx: DocContext, pos: int) -> tuple[int | None, bool]:
        """Implied year at ``pos``: a stage heading's end year or the plan's end year.

        Returns ``(year, in_background_section)``.
        """
        path = ctx.sections.path_at(pos)
        background = any(self.background_re.search(s.title) for s in path)
        for sec in reversed(path):
            m = regex.search(r"(?:19|20)\d{2}\s*[-—–~至到]\s*((?:19|20)\d{2})年", sec.title)
            if m:
                return int(m.group(1)), background
            pm = self.period_re.search(sec.title)
            if pm:
                spec = self.p.periods[pm.group("name")]
                if ctx.plan_start_year is None or spec["end"] >= ctx.plan_start_year:
                    return spec["end"], background
                return None, True
        return ctx.plan_end_year, background

    def extract_block(self, doc: Document, block: Block, ctx: DocContext, year_override: int | None = None,
                      relaxed: bool = False, carried_year: YearMention | None = None) -> list[Commitment]:
        """Commitments of one paragraph block.

        Args:
            year_override: the year of a project-table row (its build period), used when the
                text itself names none.
            relaxed: every quantity counts (a project table's content cell), no target cue needed.
        """
        text = block.text
        years = self.year_mentions(text, ctx)
        implied_year, background = self.stage_year(ctx, block.char_start)
        heading_year = self._heading_target_year(ctx, block.char_start)
        if heading_year is not None and not year_override:
            year_override = heading_year
        if carried_year is not None and not year_override:
            year_override = carried_year.year
        state = {"prev_end": 0, "last_indicator": "", "sent": None, "year_override": year_override,
                 "relaxed": relaxed}
        out: list[Commitment] = []
        # sentences
        sent_bounds = sentences(text)
        consumed: set[int] = set()
        matches = [m for m in self.value_re.finditer(text)]
        for i, m in enumerate(matches):
            s0, s1 = next(((a, b) for a, b in sent_bounds if a <= m.start("num") < b), (0, len(text)))
            if state["sent"] != (s0, s1):
                state.update(sent=(s0, s1), last_indicator="")
            if m.start("num") not in consumed:
                recs = self._candidate(doc, block, text, m, matches[i + 1:], years, (s0, s1),
                                       implied_year, background, consumed, state)
                out.extend(recs)
                if recs:
                    state["last_indicator"] = recs[-1].indicator
                    state["prev_kind"] = self._unit(m.group("unit") or m.group("unit1"))[1]
                    state["prev_end"] = text.find(recs[0].value_text, m.start()) + len(recs[0].value_text)
        return out

    # --- one candidate value ---------------------------------------------------------------
    def _clause_start(self, text: str, pos: int, floor: int) -> int:
        i = pos
        while i > floor and text[i - 1] not in _CLAUSE_SEP:
            i -= 1
        return i

    def _clause_end(self, text: str, pos: int, ceil: int) -> int:
        i = pos
        while i < ceil and text[i] not in _CLAUSE_SEP + "。！？":
            i += 1
        return i

    def _unit(self, surface: str | None) -> tuple[str, str]:
        if not surface:
            return "", ""
        spec = self.p.units[surface]
        return spec["unit"], spec["kind"]

    def _excluded(self, before: str, after: str) -> str | None:
        for rid, pat in self.p.exclusions_before:
            if pat.search(before):
                return rid
        for rid, pat in self.p.exclusions_after:
            if pat.search(after):
                return rid
        return None

    def _year_for(self, years: list[YearMention], pos: int, clause: tuple[int, int]) -> YearMention | None:
        """The year mention governing position ``pos`` (latest non-baseline before it)."""
        gov = None
        for ym in years:
            if ym.start >= pos:
                break
            if ym.kind in ("baseline", "date"):
                continue
            gov = ym
        if gov is None:
            # a year later in the same clause ("4台机组于2022年建成投产")
            for ym in years:
                if pos < ym.start < clause[1] and ym.kind == "target":
                    return ym
        return gov

    def _candidate(self, doc, block, text, m, following, years, sent, implied_year,
                   background, consumed, state) -> list[Commitment]:
        num_start = m.start("num")
        unit_surface = m.group("unit") or m.group("unit1")
        unit, kind = self._unit(unit_surface)
        after = text[m.end():m.end() + 12]
        clause_start = self._clause_start(text, m.start(), sent[0])
        clause_end = self._clause_end(text, m.end(), sent[1])
        before_all = text[clause_start:m.start()]
        unit_end = m.end("unit") if m.group("unit") else (m.end("num2") if m.group("num2") else m.end("num"))
        ex = self._excluded(text[max(0, m.start() - 12):m.start("num")], text[unit_end:unit_end + 12])
        if ex:
            log.debug("excluded %s: %s", ex, m.group(0))
            return []
        if kind == "money":
            return []
        value_text = m.group(0)
        if m.group("pre") and not m.group("pre").strip():
            value_text = value_text.lstrip()
        if regex.fullmatch(r"[一两二三四五六七八九十]+", m.group("num")) and not state["relaxed"]:
            return []   # "一个/两座" in running text are rarely targets; project tables only
        if not unit_surface:
            # a bare number is a target only right after a target verb ("系数达到0.63"); a
            # short word ending the clause after it is a unit we do not know, kept as written
            # ("达到8标台")
            if not self.verb_end_re.search(before_all):
                return []
            unknown = self.unknown_unit_re.match(after)
            if unknown and not m.group("num2") and not self._excluded("", unknown.group(1)):
                unit, kind, unit_surface = unknown.group(1), "other", unknown.group(1)
                value_text = text[m.start():m.end() + unknown.end(1)] if not m.group("pre") else value_text + unknown.group(1)
            elif regex.match(r"\s*[\p{Han}]", after):
                return []
            if regex.fullmatch(r"(?:19|20)\d{2}", m.group("num")):
                return []
        # year scope
        ym = self._year_for(years, num_start, (clause_start, clause_end))
        if ym is not None and ym.kind == "past":
            return []
        if self.past_re.search(text[clause_start:num_start]):
            return []
        if background and (ym is None or not regex.match(r"(?:到|至|力争)", ym.text)):
            return []
        if ym is None and state["year_override"]:
            year, year_source = state["year_override"], "explicit"
        elif ym is None:
            if implied_year is None:
                return []
            year, year_source = implied_year, "implied"
        else:
            year, year_source = ym.year, "explicit"
        # the clause part before this value, after any earlier value of the clause
        left_start = max(clause_start, state["prev_end"])
        for ym2 in years:  # drop a leading year phrase
            if clause_start <= ym2.start < num_start and ym2.end <= num_start:
                if text[clause_start:ym2.start].strip("，、 ") in ("", "到", "至", "力争", "争取", "力争到"):
                    left_start = max(left_start, ym2.end)
        left = text[left_start:m.start()].lstrip("、和及与，； ")
        # target cue
        cmp_pre = (m.group("pre") or "").strip()
        cmp_post = m.group("post") or ""
        verbs = [v.group(0) for v in self.verb_re.finditer(left)]
        if ym is None:  # without a year, "为/达/实现" state a status more often than a target
            verbs = [v for v in verbs if v not in self.weak_verbs]
        has_verb = bool(verbs)
        has_project = bool(self.project_verb_re.search(left))
        head_adjacent = kind == "percent" and bool(self.head_re.search(left.rstrip()))
        share = regex.fullmatch(r"占([\p{Han}]{1,12}?)(?:的(?:比例|比重)?|比例|比重)(?:为|达到)?", left.strip())
        # "建成示范县1个、示范村10个": a list item after an accepted value shares its cue
        continues = (left_start == state["prev_end"] and text[left_start:left_start + 1] in ("、", "和", "及")
                     and kind == state.get("prev_kind"))
        if not (has_verb or cmp_pre or cmp_post or head_adjacent or share or continues or state["relaxed"]
                or (has_project and kind in ("count", "area", "length", "energy", "volume"))):
            return []
        if cmp_pre in self.threshold_pre and not cmp_post and regex.match(r"[\p{Han}]", text[unit_end:unit_end + 1]):
            return []   # "超过600公里运距": a scope, not a target
        if self.baseline_follow_re.search(text[m.end():m.end() + 6]):
            return []   # "由 71.4% 提高到 …": a baseline, not the target
        comparator = "="
        if cmp_post:
            comparator = self.p.comparators_after[cmp_post]
        elif cmp_pre:
            comparator = self.p.comparators_before[cmp_pre]
        else:
            for word, op in sorted(self.p.comparators_before.items(), key=lambda kv: -len(kv[0])):
                if regex.search(regex.escape(word) + r"\s*$", left):
                    comparator = op
                    break
        # change
        change = "level"
        cm = self.change_re.search(left)
        if cm and not cm.group("part"):
            change = "decrease_by" if cm.group("verb") in self.decrease else "increase_by"
        elif self.reduction_amount_re.search(self._indicator_text(left)):
            change = "decrease_by"   # "氮氧化物重点工程减排量达到4000吨": an amount cut
        # 力争 hedges its own clause, or the whole sentence when it opens it before a year
        # ("力争到2030年，A…，B…"); "力争实现X，Y达到…" leaves Y unhedged
        strive = bool(self.strive_re.search(text[clause_start:num_start]) or
                      self.strive_lead_re.match(text[sent[0]:num_start]))
        cumulative = bool(self.cumulative_re.search(left))
        # baseline from "较2020年" / "比2020年" in the clause
        baseline_year = None
        for ymb in years:
            if ymb.kind == "baseline" and sent[0] <= ymb.start < num_start:
                baseline_year = ymb.year
        # numbers
        value = value_min = value_max = None
        if m.group("num2"):
            value_min, value_max = parse_number(m.group("num")), parse_number(m.group("num2"))
            if value_min is None or value_max is None or value_min >= value_max:
                return []
        else:
            value = parse_number(m.group("num"))
            if value is None:
                return []
        if m.group("num").startswith("百分之"):
            unit = "%"
        # indicator(s)
        indicator_raw = self._indicator_text(left)
        if share and state["last_indicator"]:
            indicator_raw = f"{state['last_indicator']}占{share.group(1)}比例"
        klass = "project" if kind == "count" or state["relaxed"] else "indicator"
        if not indicator_raw or (has_project and not self.head_re.search(indicator_raw)):
            obj = self._object_after(text, m.end(), clause_end)
            if obj and (not indicator_raw or self.project_verb_end_re.search(indicator_raw)
                        or len(indicator_raw) <= 2):
                indicator_raw = obj
                klass = "project"
        if not indicator_raw or indicator_raw in self.verbs_set:
            return []   # nothing but a verb where the indicator should be
        if has_project and kind in ("count", "length", "area", "energy") and not self.head_re.search(indicator_raw):
            klass = "project"
        group = [m]
        if "分别" in left:
            group = self._value_group(text, m, following, clause_end)
        items = self._split_items(indicator_raw, paired=len(group) > 1)
        # "分别降低20、15个百分点": the unit written once, after the last value
        group_unit = next((self._unit(g.group("unit"))[0] for g in reversed(group) if g.group("unit")), unit)
        group_post = group[-1].group("post") if len(group) > 1 else None
        pairs: list[tuple[str, regex.Match]] = []
        if len(group) > 1 and len(items) == len(group):
            pairs = list(zip(items, group))
        elif len(group) > 1:
            pairs = [(indicator_raw, g) for g in group[:1]]
        elif len(items) > 1:
            pairs = [(it, m) for it in items]
        else:
            pairs = [(indicator_raw, m)]
        rule_id = "prose.coordinated" if len(pairs) > 1 else ("prose.project" if klass == "project" else "prose.target")
        out = []
        s_abs0 = block.char_start + sent[0]
        sentence = text[sent[0]:sent[1]]
        for ind, gm in pairs:
            if gm is not m:
                consumed.add(gm.start("num"))
                g_unit_s = gm.group("unit") or gm.group("unit1")
                g_unit = self._unit(g_unit_s)[0] if g_unit_s else group_unit
                g_val = parse_number(gm.group("num"))
                g_cmp = self.p.comparators_after.get(gm.group("post") or group_post or "", comparator)
                g_text = gm.group(0).strip()
                g_start = gm.start()
            else:
                g_unit, g_val, g_text, g_start = unit or group_unit, value, value_text, m.start()
                g_cmp = self.p.comparators_after[group_post] if group_post and not cmp_post else comparator
                if value_text != m.group(0):
                    g_start = m.end() - len(value_text)
            if g_val is None and value_min is None:
                continue
            confidence = 0.9
            if year_source == "implied":
                confidence -= 0.15
            if not g_unit:
                confidence -= 0.15
            if len(ind) > 20:
                confidence -= 0.1
            abs_val = block.char_start + g_start
            out.append(Commitment(
                doc_id=doc.doc_id, sentence=sentence, char_start=s_abs0, char_end=s_abs0 + len(sentence),
                indicator=ind, value_text=g_text, year=year, year_source=year_source,
                value=g_val if value_min is None else None, value_min=value_min, value_max=value_max,
                unit=g_unit, comparator=g_cmp, change=change, cumulative=cumulative, strive=strive,
                baseline_year=baseline_year, source="text", klass=klass, confidence=round(confidence, 2),
                rule_id=rule_id, line=doc.line_of(abs_val), page=doc.page_of(abs_val), value_start=abs_val,
                year_start=None if ym is None else block.char_start + ym.start,
                year_end=None if ym is None else block.char_start + ym.end,
            ))
        return out

    # --- indicator text -------------------------------------------------------------------
    def _indicator_text(self, left: str) -> str:
        """The indicator named in ``left`` (clause text before the value)."""
        s = left
        # cut at the target verb that ends the text (the indicator is what comes before it)
        for vm in self.verb_re.finditer(s):
            if vm.start() > 0 and self.verb_tail_re.fullmatch(s[vm.end():]):
                s = s[:vm.start()]
                break
        s = regex.sub(r"分别\s*$", "", s)
        s = regex.sub(r"(?:较|比|相比)(?:19|20)\d{2}年(?:底|末)?(?:分别)?\s*$", "", s)
        s = self.year_phrase_re.sub("", s) if self.year_phrase_re.match(s) else s
        for _ in range(3):
            s = self.year_phrase_re.sub("", s, count=1) if self.year_phrase_re.match(s) else s
            s = self.subject_re.sub("", s)
        for _ in range(3):
            s = self.trailing_re.sub("", s)
        s = regex.sub(r"[的均要将并，、；：\s“”\"（(]+$", "", s)
        s = s.strip("“”\"《》 ")
        s = s.replace("“", "").replace("”", "")
        s = _balanced_tail(s)
        if len(s) > 24:
            s = self._snap_tail(s, 24)
        return s

    def _snap_tail(self, s: str, limit: int) -> str:
        """Keep the last words of ``s`` up to ``limit`` characters, on jieba word boundaries."""
        words = list(self.tokenizer.cut(s, HMM=True))
        out = ""
        for w in reversed(words):
            if len(out) + len(w) > limit:
                break
            out = w + out
        return out.lstrip("的和及、，") or s[-limit:]

    def _object_after(self, text: str, pos: int, end: int) -> str:
        """The noun phrase right after a value ("建成49.11万亩高标准农田" -> 高标准农田)."""
        seg = text[pos:end]
        m = regex.match(r"[\p{Han}A-Za-z0-9“”\"]{2,20}?(?=$|[、和及与，。；（(])", seg)
        if not m:
            return ""
        obj = m.group(0).replace("“", "").replace("”", "")
        obj = self.verb_re.split(obj)[0] if self.verb_re.search(obj[1:]) else obj
        return obj if len(obj) >= 2 else ""

    def _split_items(self, indicator: str, paired: bool) -> list[str]:
        """Split a coordinated indicator into items, lending the shared head."""
        # unpaired, 和 joins two rates sharing a value ("农药包装废弃物和农膜回收率达90%");
        # other 和 belong to the name ("河流缓冲带建设和修复长度")
        rate = bool(regex.search(r"(?:率|比例|比重|占比)$", indicator))
        seps = r"[、和及与]" if paired else (r"[、和]" if rate else r"、")
        parts = [p for p in regex.split(seps, indicator) if p]
        if len(parts) < 2:
            return [indicator]
        last = parts[-1]
        # the shared head: the tail of the last item that is an indicator head word(s)
        words = list(self.tokenizer.cut(last, HMM=True))
        head = "".join(words[-2:]) if len(words) >= 3 else (words[-1] if len(words) == 2 else "")
        if not self.head_re.search(head):
            head = ""
        items = []
        for p in parts[:-1]:
            if not self.full_head_re.search(p) and head:
                items.append(p + head)
            else:
                items.append(p)
        items.append(last)
        if not paired and not all(self.head_re.search(it) for it in items):
            return [indicator]
        return items

    def _value_group(self, text: str, first: regex.Match, following, clause_end: int) -> list[regex.Match]:
        """Values joined to ``first`` by 、/和/及 ("45.8％和45.22％")."""
        group = [first]
        pos = first.end()
        for nm in following:
            gap = text[pos:nm.start()]
            if nm.start() > clause_end + 1 or not regex.fullmatch(r"\s*[、和及与]\s*", gap):
                break
            group.append(nm)
            pos = nm.end()
        return group
