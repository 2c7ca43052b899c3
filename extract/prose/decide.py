"""The decision steps of the prose rules, in the order they run.

Each step takes a :class:`Candidate` and its :class:`BlockContext` and returns the candidate
(its fields filled in) or a :class:`Reject` naming the step and the reason.  A value becomes a
commitment only when every step lets it through; a rejection is kept as a diagnostic
(``plan-extract run --explain``).

1. ``excluded``       document numbers, ordinals, class labels, scopes (exclusions.yaml), money
2. ``needs_unit``     a bare number only right after a target verb; Chinese numerals only as counts
3. ``year_scope``     the governing year: a past year rejects, no year takes the stage/plan end
4. ``past_clause``    已完成 / 截至 … before the value: a report, not a target
5. ``target_cue``     a target verb, comparator, head word, share, project verb (or project mode)
6. ``scope``          "超过600公里运距的", "30公里供热半径": the value qualifies a noun
7. ``baseline_value`` "由71.4%提高到…": the value is where the change starts
8. ``qualifiers``     comparator, change, strive, cumulative, baseline year
9. ``indicator``      the indicator's name (left context, object, subject after, previous …)
10. ``klass``         indicator or project
"""

from __future__ import annotations

from typing import Callable, Union

import regex

from ..quantity import YEAR_NUMBER
from . import indicator as names
from . import naming
from .candidate import BlockContext, Candidate, Reject
from .lexicon import ProseLexicon

_OPEN_QUOTE_END = regex.compile(r"[“\"][^”\"，。]{0,4}$")
_CLOSE_QUOTE_START = regex.compile(r"[^“\"，。]{0,4}[”\"]")
_LIST_SEPARATORS = regex.compile(r"、|和|及|与|以及")
_HAN_START = regex.compile(r"[ ]?\p{Han}")
_ONE_HAN = regex.compile(r"\p{Han}")

Step = Callable[[ProseLexicon, Candidate, BlockContext], Union[Candidate, Reject]]
_CLAUSE_SEP = "，；：,;:"
_BUILD_KINDS = ("count", "area", "length", "energy", "volume", "mass")


def excluded(lex: ProseLexicon, c: Candidate, b: BlockContext) -> Candidate | Reject:
    """Numbers that are never targets: exclusions.yaml patterns around the number, money."""
    q, text = c.q, b.text
    before = text[max(0, q.start - 12) : q.num_start]
    after = text[q.unit_end : q.unit_end + 24]
    unless = lex.p.exclusion_unless
    for rid, pat in lex.p.exclusions_before:
        if pat.search(before) and q.unit_kind not in unless.get(rid, ()):
            return Reject(f"excluded.{rid}", before)
    for rid, pat in lex.p.exclusions_after:
        if pat.search(after) and q.unit_kind not in unless.get(rid, ()):
            return Reject(f"excluded.{rid}", after)
    if q.unit_kind == "money" and not lex.money_head_re.search(text[c.clause_start : q.start]):
        return Reject("excluded.money", q.text)  # an investment or a fund (an output value, 产值, counts)
    if (reason := _not_a_count(lex, c, b)) is not None:
        return reason
    if text[c.sentence.start : c.sentence.start + 4].lstrip().startswith(lex.note_starts):
        return Reject("excluded.note", text[c.sentence.start : c.sentence.start + 8])  # 注：统计范围为…: a definition
    if _OPEN_QUOTE_END.search(text[: q.num_start]) and _CLOSE_QUOTE_START.match(text[q.end :]):
        return Reject("excluded.quoted_name", q.text)  # “土十条”, “一江十河”
    if _restates_list(lex, text[c.clause_start : q.start], q, text[q.end : q.end + 4]):
        return Reject("excluded.restated_list", q.text)
    return c


_EVERY_PERIOD = regex.compile(r"每(?:\d+|[一二三两四五六七八九十半])?个?(?:年|季度|月|周|半年)")


def _not_a_count(lex: ProseLexicon, c: Candidate, b: BlockContext) -> Reject | None:
    """A count that says nothing to reach: rhetoric (一支…队伍), a description (主要包括…9座山体), a routine
    (每3年…开展1次)."""
    q, text = c.q, b.text
    if q.unit_kind != "count" or q.value is None:
        return None
    if q.value == 1 and q.cn_numeral and lex.abstract_object_re.match(text, q.end, c.sentence.end):
        return Reject("excluded.rhetoric", text[q.start : q.end + 12])
    before = text[c.clause_start : q.start]
    if lex.definition_re.search(before) and not (lex.project_verb_re.search(before) or lex.verb_re.search(before)):
        return Reject("excluded.definition", before[-12:])
    if q.value == 1 and q.unit in lex.routine_units and _EVERY_PERIOD.search(text, c.sentence.start, q.start):
        return Reject("excluded.routine", text[c.sentence.start : q.end][-16:])
    return None


_LIST_END = regex.compile(
    r"(?:(?:[^，。；：、]{1,16}、)+[^，。；：、]{1,16}?(?:(?:和|及|与|以及)[^，。；：、]{1,16})?"
    r"|[^，。；：、和及与]{2,24}(?:和|及|与|以及)[^，。；：、和及与]{2,24})(?:等)?[ ]?$"
)


def _restates_list(lex: ProseLexicon, before: str, q, after: str) -> bool:
    """A count that only counts the items listed right before it: "细颗粒物、臭氧、挥发性有机物和氮氧化物
    四项污染物", "…、科技创新引领等6项重点行动", "星胜、大平山2家机砖厂" (but "白沙、庄边、新县3个镇": places
    where work is done, "建成城东、城西两座污水处理厂": things to build, and "A、B等30个项目": a list
    of examples, are counts)."""
    if q.unit_kind != "count" or q.value is None or q.value < 2 or q.value > 12:
        return False
    if lex.count_place_re.match(after):
        return False  # the places where something is done
    if lex.distributive_re.search(before):
        return False  # "化工、印染、电镀行业分别打造3家…": so many for each
    m = _LIST_END.search(before)
    if m is None:
        return False
    items = [p.strip() for p in _LIST_SEPARATORS.split(m.group(0).rstrip(" 等")) if p.strip()]
    if len(items) != int(q.value) or any(lex.listed_place_re.search(p) for p in items):
        return False
    verb = lex.project_verb_re.match(items[0])
    # "建成城东、城西两座污水处理厂": the things to build, named and counted
    return not (verb and not lex.framing_verb_re.match(items[0]))


def needs_unit(lex: ProseLexicon, c: Candidate, b: BlockContext) -> Candidate | Reject:
    """A number without a unit is a target only right after a target verb ("系数达到0.63")."""
    q, text = c.q, b.text
    before_all = text[c.clause_start : q.start]
    c.unit, c.unit_kind, c.value_text, c.value_start = q.unit, q.unit_kind, q.text, q.start
    if q.cn_numeral and text[q.start - 1 : q.start] == "、" and text[q.end : q.end + 1] in ("、", "和", "及", "等"):
        return Reject("needs_unit.name_in_list", q.text)  # "崖州、八所、新村…": a place named with a numeral
    if q.cn_numeral and q.unit != "%":
        if not (
            b.mode.every_quantity
            or lex.project_verb_re.search(before_all)
            or lex.project_verb_re.search(text[q.end : c.clause_end])
        ):
            return Reject("needs_unit.chinese_numeral", q.text)
        return c
    if q.unit == "年" and not lex.verb_end_re.search(before_all):
        return Reject("needs_unit.time_span", q.text)
    if q.unit:
        return c
    if q.bracketed and b.mode.every_quantity:
        return c
    if YEAR_NUMBER.fullmatch(text[q.num_start : q.num_end]):
        return Reject("needs_unit.year", q.text)
    if not lex.verb_end_re.search(before_all):
        return Reject("needs_unit.bare_number", q.text)
    after = text[q.end : q.end + 12]
    unknown = lex.unknown_unit_re.match(after)
    if unknown and not q.is_range and not _excluded_after(lex, unknown.group(1)):
        c.unit = c.unit_kind = unknown.group(1)
        c.unit_kind = "other"
        c.value_text = text[q.start : q.end + unknown.end(1)]
    elif _HAN_START.match(after):
        return Reject("needs_unit.noun_follows", after)
    return c


def _excluded_after(lex: ProseLexicon, after: str) -> bool:
    return any(pat.search(after) for _rid, pat in lex.p.exclusions_after)


def _opens_sentence(lex: ProseLexicon, text: str, pos: int) -> bool:
    """Whether only lead words (力争, 争取 …) stand between the last sentence end and ``pos``: a year
    that heads its sentence may govern the sentences after it, one in its middle does not
    ("持续推进…，到2022年底，…改善。严格控制…100%…": 2022 is not the next sentence's year)."""
    start = max(text.rfind(ch, 0, pos) for ch in "。！？；\n") + 1
    return not _without_lead_words(lex, text[start:pos])


def _without_lead_words(lex: ProseLexicon, s: str) -> str:
    """``s`` without punctuation and the hedges or forecasts that may lead a year (力争, 预计)."""
    s = s.strip(' ，、“”"（()）\t')
    for word in sorted(lex.lead_words, key=len, reverse=True):
        if s.startswith(word):
            s = s[len(word) :]
            break
    return s.strip()


def _governing_year(lex: ProseLexicon, c: Candidate, b: BlockContext):
    """The year mention governing the value: the latest target/past mention before it.

    A year carries past its own sentence only when written to open a target period
    ("到2025年，…。…"); "2022年，…。" governs its sentence alone.
    """
    pos = c.q.num_start
    gov = None
    for ym in b.years:
        if ym.start >= pos:
            break
        if ym.kind in ("baseline", "date", "attribute"):
            continue
        carries = (
            ym.kind == "past"
            or ym.stage
            or ym.opens_target
            and lex.carried_year_lead_re.match(ym.text)
            and _opens_sentence(lex, b.text, ym.start)
        )
        if ym.start < c.sentence.start and not carries:
            gov = None
            continue
        gov = ym
    if gov is None:
        # a year later in the same clause ("4台机组于2022年建成投产")
        for ym in b.years:
            if pos < ym.start < c.clause_end and ym.kind == "target":
                return ym
    return gov


def _states_target(lex: ProseLexicon, c: Candidate, b: BlockContext, ym) -> bool:
    """In a background section, only a clause opening with a target year beyond the plan's start
    ("到2025年，…") states a target; "提高到2021年的401万吨" reports one."""
    if ym is None or not lex.target_year_lead_re.match(ym.text):
        return False
    start = b.ctx.plan_start_year
    before = b.text[: ym.start]
    clause_start = max(before.rfind(sep) for sep in "，；：。,;:.") + 1
    opens = not _without_lead_words(lex, before[clause_start:])
    return opens and (start is None or ym.year > start)


def year_scope(lex: ProseLexicon, c: Candidate, b: BlockContext) -> Candidate | Reject:
    """The target year: written, set by a heading or lead-in, or implied by the stage/plan."""
    ym = _governing_year(lex, c, b)
    if ym is not None and ym.kind == "past":
        return Reject("year.past", ym.text)
    if b.background and not _states_target(lex, c, b, ym):
        return Reject("year.background_section")
    c.year_mention = ym
    if ym is not None:
        c.year, c.year_source = ym.year, "explicit"
    elif b.year_override:
        c.year, c.year_source = b.year_override, "explicit"
    elif b.implied_year is not None:
        c.year, c.year_source = b.implied_year, "implied"
    else:
        return Reject("year.none")
    return c


def past_clause(lex: ProseLexicon, c: Candidate, b: BlockContext) -> Candidate | Reject:
    """已完成 / 截至 … in the clause before the value make it a report of what was done.

    Not when the marker only qualifies the subject of a target verb ("已建治理设施运行率达到80%",
    "已拆除的堆场进行修复"), or when 截至 opens a target year.
    """
    before = b.text[c.clause_start : c.q.num_start]
    m = lex.years.past_re.search(before)
    if m is None:
        done = lex.status_after_re.match(b.text, c.q.end, c.clause_end)  # "193个村庄已纳入…": a status
        return Reject("past.after", done.group(0)) if done else c
    marker = m.group(0)
    if marker in ("截至", "截止") and c.year_mention is not None and c.year_mention.kind == "target":
        return c
    after = before[m.end() :]
    if marker.startswith("已") and (lex.verb_re.search(after) or regex.match(r"\p{Han}{1,3}的", after)):
        return c
    return Reject("past.marker", marker)


def _left(lex: ProseLexicon, c: Candidate, b: BlockContext) -> str:
    """The clause before the value, after an earlier value and a leading year phrase."""
    text = b.text
    left_start = max(c.clause_start, c.sentence.prev_end)
    for ym in b.years:
        if c.clause_start <= ym.start < c.q.num_start and ym.end <= c.q.num_start:
            if not lex.carried_year_lead_re.sub("", _without_lead_words(lex, text[c.clause_start : ym.start])):
                left_start = max(left_start, ym.end)
    c.left_start = left_start
    left = text[left_start : c.q.start]
    c.continues = left_start == c.sentence.prev_end and bool(
        regex.match(r"(?:、|和|及|以及)", text[left_start : left_start + 2])
    )
    if left_start == c.sentence.prev_end and left_start > c.clause_start:
        # after an earlier value of the clause, a list goes on: "…5000台以上柴油车、抚顺市2000台"
        cut = max(left.rfind("、"), left.rfind("，"))
        if cut >= 0 and cut < len(left) - 1:
            c.left_start = left_start + cut + 1
            left = left[cut + 1 :]
    return left.lstrip("、和及与，； ")


def target_cue(lex: ProseLexicon, c: Candidate, b: BlockContext) -> Candidate | Reject:
    """What makes the value a target: a verb, a comparator, a head word, a share, a project verb."""
    q, text = c.q, b.text
    c.left = _left(lex, c, b)
    left = c.left
    verbs = [v.group(0) for v in lex.verb_re.finditer(left)]
    if c.year_mention is None and not b.year_override:
        verbs = [v for v in verbs if v not in lex.weak_verbs]  # "总面积为7512平方公里": a fact
    named = names.from_left(lex, left)
    if b.mode.every_quantity:
        c.cue = "project_mode"
    elif q.unit == "%" and not named and not verbs and names.subject_after(lex, text, q.end, c.clause_end):
        c.cue = "share_before_noun"  # "80%以上的钢铁产能完成超低排放改造"
    elif (
        q.unit_kind == "count"
        and not named
        and regex.match(r"(?:以上|以下|左右)?的", text[q.end :])
        and names.subject_after(lex, text, q.end, c.clause_end)
    ):
        c.cue = "share_before_noun"  # "4个以上的县（区）全面完成治理": how many do it
    elif q.unit == "%" and named and not verbs and names.predicate_after(lex, text, q.end, c.clause_end):
        c.cue = "predicate_after"  # "废旧放射源100%安全收贮", "城市建成区25%以上面积达到…标准"
    elif verbs:
        c.cue = "verb"
    elif (
        (q.word_before or q.word_after)
        and q.comparator == "~"
        and c.year_mention is None
        and not b.year_override
        and not lex.project_verb_re.search(left)
    ):
        return Reject("cue.about_only", q.text)  # "管辖海域面积约200万平方千米": a fact, no year, no verb
    elif q.word_before or q.word_after:
        c.cue = "comparator"
    elif q.unit == "%" and lex.head_re.search(left.rstrip()):
        c.cue = "head"
    elif lex.share_re.fullmatch(left.strip()):
        c.cue = "share"
    elif c.continues and q.unit_kind == c.sentence.prev_kind:
        c.cue = "continuation"  # "建成示范县1个、示范村10个"
    elif lex.project_verb_re.search(left) and q.unit_kind in _BUILD_KINDS:
        c.cue = "project_verb"
    elif (
        q.unit_kind == "count"
        and lex.project_verb_re.search(text[q.end : _bracket_end(text, q, c)])
        and names.object_after(lex, text, q.end, c.clause_end)
    ):
        c.cue = "project_verb_after"  # "4台机组于2022年建成投产"
    elif _count_list_goes_on(lex, c, b):
        c.cue = "continuation"  # "建成充换电站8000座，充电桩15万个": the list goes on after a comma
    elif _named_target_goes_on(lex, c, b, named):
        c.cue = "head"  # "…植被覆盖度达到57%，湿地保有量310万亩": a list of targets goes on
    else:
        return Reject("cue.none", left[-12:])
    return c


def _list_goes_on(c: Candidate, b: BlockContext) -> bool:
    """Whether the clause of the value follows, after one comma, a clause whose value gave a row,
    with nothing but that value's noun between (the clause before goes on a list)."""
    prev = c.sentence.prev_end
    if not prev or prev > c.clause_start:
        return False
    between = b.text[prev : c.clause_start]
    return between.endswith("，") and not regex.search(r"[，；：。（）()]", between[:-1])


def _count_list_goes_on(lex: ProseLexicon, c: Candidate, b: BlockContext) -> bool:
    """Whether a count in a clause of nouns only goes on the count of the clause before it
    ("新建监测中心1个，监测站点8个"; "建设5个绿色生态城区，2个绿色生态城镇")."""
    if c.q.unit_kind != "count" or c.sentence.prev_kind != "count" or not _list_goes_on(c, b):
        return False
    between, left = b.text[c.sentence.prev_end : c.clause_start], b.text[c.clause_start : c.q.start]
    if any(lex.verb_re.search(part) or lex.project_verb_re.search(part) for part in (between, left)):
        return False
    words = [(w, t) for w, t in lex.pos_tokenizer.cut(left.strip()) if not w.isspace()]
    return not words or words[-1][1] not in ("v", "vd", "d")  # "…率先开通1-2条": a verb of its own


def _named_target_goes_on(lex: ProseLexicon, c: Candidate, b: BlockContext, named: str) -> bool:
    """Whether a clause of only an indicator with its head word (保有量, 面积) and a value goes on
    a list of targets ("…覆盖度达到57%，湿地保有量310万亩")."""
    left = b.text[c.clause_start : c.q.start].strip()
    return bool(named) and named == left and bool(lex.full_head_re.search(left)) and _list_goes_on(c, b)


def _bracket_end(text: str, q, c: Candidate) -> int:
    """Where the words that can be said of a value end: its clause, or the bracket it stands in
    ("（含1个油库）已完成采样": the verb outside the bracket is not said of the count inside)."""
    if naming.open_bracket(text, q.start, c.sentence.start) is None:
        return c.clause_end
    close = regex.compile(r"[）)]").search(text, q.end, c.clause_end)
    return close.start() if close else c.clause_end


def scope(lex: ProseLexicon, c: Candidate, b: BlockContext) -> Candidate | Reject:
    """A value that qualifies a noun is a scope: "超过600公里运距的", "30公里供热半径"."""
    q, text = c.q, b.text
    follows_noun = bool(_ONE_HAN.match(text[q.unit_end : q.unit_end + 1])) and not q.word_after
    if q.word_before in lex.threshold_pre and follows_noun:
        return Reject("scope.threshold", q.text)
    if q.unit_kind == "rating" and not regex.match(r"[ ]?(?:[，。；）)]|$)", text[q.end : q.end + 1]):
        return Reject("scope.rating", text[q.start : q.end + 4])  # "10—35蒸吨/小时燃煤锅炉", "35蒸吨以下、…"
    before = b.quantities[c.index - 1] if c.index else None
    if q.unit_kind == "rating" and before is not None and before.end >= q.start and before.unit_kind == "count":
        return Reject("scope.rating_each", text[before.start : q.end])  # "10台20—40蒸吨": the size of each
    if (
        c.cue in ("comparator", "head")
        and follows_noun
        and q.unit_kind in ("length", "mass", "energy", "area")
        and not text[q.unit_end : q.unit_end + 1] in "的"
    ):
        return Reject("scope.modifier", text[q.start : q.unit_end + 4])
    return c


def baseline_value(lex: ProseLexicon, c: Candidate, b: BlockContext) -> Candidate | Reject:
    """ "由71.4%提高到…": the value is the starting point of a change."""
    if lex.baseline_follow_re.search(b.text[c.q.end : c.q.end + 6]):
        return Reject("baseline.value", c.q.text)
    return c


def qualifiers(lex: ProseLexicon, c: Candidate, b: BlockContext) -> Candidate | Reject:
    """Comparator, change, strive, cumulative and the baseline year."""
    q, text, left = c.q, b.text, c.left
    c.comparator = q.comparator
    if not (q.word_before or q.word_after or q.comparator != "="):
        # the word right before the value, or before the verb before it ("至少完成一轮")
        word = lex.comparator_end_re.search(left)
        if word:
            c.comparator = lex.p.comparators_before[word.group(0).strip()]
        elif (verb := lex.verb_or_project_end_re.search(left)) and (
            word := lex.comparator_end_re.search(left, 0, verb.start())
        ):
            op = lex.p.comparators_before[word.group(0).strip()]
            if op in (">=", "<="):
                c.comparator = op
    cm = lex.change_re.search(left)
    if cm and not cm.group("part"):
        c.change = "decrease_by" if cm.group("verb") in lex.decrease else "increase_by"
    elif lex.reduction_amount_re.search(names.from_left(lex, left)):
        c.change = "decrease_by"  # "氮氧化物重点工程减排量达到4000吨": an amount cut
    # 力争 hedges its own clause, or the whole sentence when it opens it before a year
    c.strive = bool(
        lex.strive_re.search(text[c.clause_start : q.num_start])
        or lex.strive_lead_re.match(text[c.sentence.start : q.num_start])
    )
    c.cumulative = bool(lex.cumulative_re.search(left)) or q.bracketed
    for ym in b.years:
        if ym.kind == "baseline" and c.sentence.start <= ym.start < q.num_start:
            c.baseline_year = ym.year
    _starting_point(lex, c, b)
    return c


def _starting_point(lex: ProseLexicon, c: Candidate, b: BlockContext) -> None:
    """ "细颗粒物浓度由2020年的35微克/立方米下降到30微克/立方米": 35 (2020) is the baseline of 30, and the
    name ends before 由."""
    before = b.quantities[c.index - 1] if c.index else None
    if before is None or before.end <= c.left_start or before.value is None:
        return
    start = lex.starting_point_re.search(b.text, c.left_start, before.start)
    if start is None or not lex.baseline_follow_re.search(b.text[before.end : before.end + 6]):
        return
    c.baseline_value = before.value
    for ym in b.years:
        if start.start() <= ym.start < before.start:
            c.baseline_year = ym.year
    c.left = b.text[c.left_start : start.start()]


# a bracket that breaks a total down into its parts (not a capacity inside a project's name)
_BREAKDOWN = regex.compile(r"\s*其中")


def indicator(lex: ProseLexicon, c: Candidate, b: BlockContext) -> Candidate | Reject:
    """The indicator's name; a value whose indicator cannot be named gives no row.

    In order: the clause before the value, completed from the sentence where it says too little
    (``naming.from_sentence``); a list of places (``naming.place_list``); a bracketed capacity
    (``naming.bracketed``); the thing counted after a count (``naming.counted_object``); the
    box item's title.
    """
    raw = names.from_left(lex, c.left)
    if raw in lex.verbs:
        raw = ""  # "…，2025年底前，达到35%以上": nothing but the verb before the value
    raw = naming.from_sentence(lex, c, b, raw)
    paren = naming.open_bracket(b.text, c.q.start, c.sentence.start)
    place = names.place_of(lex, raw)
    if place and paren is None:
        raw = naming.place_list(lex, c, b, raw, place) or raw
    if paren is not None and _BREAKDOWN.match(b.text, paren + 1):
        paren = None  # "…750万吨（其中：森林年固碳量达到490万吨、…）": the parts name themselves, as after "，其中"
    if paren is not None and c.indicator_from in ("left", "place_list") and c.cue != "share":
        raw = naming.bracketed(lex, c, b, raw, paren) or raw
    if c.indicator_from not in ("place_list", "before_parenthesis"):
        raw = naming.purpose_after(lex, c, b, raw) or naming.counted_object(lex, c, b, raw) or raw
    raw = naming.action_topic(lex, c, b, raw) or raw
    raw = naming.capacity_before_noun(lex, c, b, raw) or raw
    if (not raw or raw in lex.verbs) and b.mode.title:
        raw, c.indicator_from = b.mode.title, "title"  # "2021年全省完成7.6万户": what the item is
    if not raw or raw in lex.verbs:
        return Reject("indicator.none", c.left[-12:])
    c.indicator = raw
    return c


def klass(lex: ProseLexicon, c: Candidate, b: BlockContext) -> Candidate | Reject:
    """Counts and capacities of things to build are projects; levels and rates are indicators."""
    if c.unit_kind == "count" or b.mode.every_quantity:
        c.klass = "project"
    elif (
        lex.project_verb_re.search(c.left)
        and c.unit_kind in ("count", "length", "area", "energy", "volume")
        and not lex.head_re.search(c.indicator)
    ):
        c.klass = "project"
    return c


STEPS: list[Step] = [
    excluded,
    needs_unit,
    year_scope,
    past_clause,
    target_cue,
    scope,
    baseline_value,
    qualifiers,
    indicator,
    klass,
]


def clause_bounds(text: str, pos: int, end: int, sentence_start: int, sentence_end: int) -> tuple[int, int]:
    """The clause (between ，；：) around ``[pos, end)``, inside its sentence."""
    i = pos
    while i > sentence_start and text[i - 1] not in _CLAUSE_SEP:
        i -= 1
    j = end
    while j < sentence_end and text[j] not in _CLAUSE_SEP + "。！？":
        j += 1
    return i, j
