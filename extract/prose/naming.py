"""Naming the indicator from the sentence around a value, when the clause before it is not enough.

``indicator.from_left`` reads the clause before the value; the functions here use the rest of
the sentence and the block: a share of what follows (80%以上的钢铁产能…), the earlier indicator a
follow-up clause or a scope word stands for (…，县城不低于30%), a list of places breaking a count
down (沈阳市3300户、大连市500户), a capacity in brackets after a project's name (红菱 (3万吨/日)、姚千
(1万吨/日)污水处理厂), the thing a count counts (建成12个生态清洁小流域).  Each returns the name
(and records in ``c.indicator_from`` how it was found) or "" when it does not apply.
"""

from __future__ import annotations

import regex

from .candidate import BlockContext, Candidate
from .indicator import (
    bare_head,
    elliptical,
    enumeration_tail,
    from_left,
    list_head,
    object_after,
    object_phrase,
    place_of,
    predicate_after,
    subject_after,
    topic_before,
)
from .lexicon import ProseLexicon

_ANY_HAN = regex.compile(r"\p{Han}")
_JOINER_END = regex.compile(r"[和及与、]$")
_SHORT_NAME = regex.compile(r"\p{Han}[\p{Han}A-Za-z0-9]{1,19}")


def previous_clause(text: str, c: Candidate, b: BlockContext) -> str:
    """The clause right before the candidate's, if it holds no quantity ("秸秆综合利用，利用率达到…")."""
    end = c.clause_start - 1
    if end <= c.sentence.start:
        return ""
    start = max(max(text.rfind(sep, c.sentence.start, end) for sep in "，；：,;:") + 1, c.sentence.start)
    if any(start <= q.num_start < end for q in b.quantities):
        return ""
    return text[start:end]


def _done_before(lex: ProseLexicon, clause: str) -> str:
    """The work a clause with a project verb names ("完成闭坑矿山治理工程" -> 闭坑矿山治理工程)."""
    verb = lex.project_verb_re.search(clause)
    if verb is None:
        return ""
    name = from_left(lex, clause[verb.end() :])
    return name if _SHORT_NAME.fullmatch(name or "") else ""


def open_bracket(text: str, start: int, floor: int) -> int | None:
    """The position of the bracket that opens around ``start`` (after ``floor``), or None."""
    depth = 0
    for i in range(start - 1, floor - 1, -1):
        ch = text[i]
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            if depth == 0:
                return i
            depth -= 1
    return None


_PLACES_WHOSE = regex.compile(r"(?:以上|以下|左右)?(?P<who>[\p{Han}（）()]{1,10}?)的(?P<what>[^，。；、\d]{2,24}?)$")


def share_of_places(lex: ProseLexicon, text: str, pos: int, end: int) -> str:
    """A share of places reaching a level: "60%以上县城的生活垃圾分类覆盖率达到90%" ->
    生活垃圾分类覆盖率达到90%的县城比例 (the level itself is a row of its own)."""
    level = next((o for o in lex.grammar.find(text[pos:end]) if o.unit == "%"), None)
    if level is None:
        return ""
    before = text[pos : pos + level.start]
    verb = lex.verb_end_re.search(before)
    if verb is None:
        return ""
    m = _PLACES_WHOSE.match(before[: verb.start()])
    if m is None:
        return ""
    what = from_left(lex, m.group("what"))
    return f"{what}{before[verb.start() :]}{level.text}的{m.group('who')}比例" if what else ""


def from_sentence(lex: ProseLexicon, c: Candidate, b: BlockContext, raw: str) -> str:
    """The name when the cue or the sentence says more than the clause before the value."""
    q, text = c.q, b.text
    share = lex.share_re.fullmatch(c.left.strip())
    previous = c.sentence.last_indicator or b.previous_indicator
    if share and c.sentence.last_indicator:
        c.indicator_from = "share"
        return f"{c.sentence.last_indicator}占{share.group('of')}比例"
    if q.unit == "%" and not raw and (reaching := share_of_places(lex, text, q.end, c.clause_end)):
        c.indicator_from = "share_of_places"
        return reaching
    if c.cue == "share_before_noun":
        c.indicator_from = "subject_after"
        return subject_after(lex, text, q.end, c.clause_end)
    if c.cue == "predicate_after":
        c.indicator_from = "predicate_after"
        return raw + predicate_after(lex, text, q.end, c.clause_end)
    if c.cue == "project_verb_after":
        c.indicator_from = "object"
        if lex.verb_re.match(raw) or lex.project_verb_re.match(raw) or lex.framing_verb_re.match(raw):
            raw = ""  # "推动市辖区内155个…划定": the clause's verb, not a subject of the count
        return raw + object_after(lex, text, q.end, c.clause_end)
    if (
        not raw
        and c.sentence.last_indicator
        and q.unit_kind in lex.measure_words
        and b.mode.every_quantity
        and not object_after(lex, text, q.end, c.clause_end)
    ):
        c.indicator_from = "measure"  # "建管护站5处，500平方米": the area of what was just counted
        # (not "…，建设210公顷水源涵养林": that area names its own thing)
        measure = lex.measure_words[q.unit_kind]
        last = c.sentence.last_indicator
        return last if last.endswith(measure) else last + measure
    if (
        raw
        and previous
        and not object_after(lex, text, q.end, c.clause_end)
        and (
            ell := elliptical(
                lex,
                raw,
                previous,
                c.sentence.prev_kind == q.unit_kind,
                c.continues or not (q.word_before or c.cue == "verb"),
            )
        )
    ):
        c.indicator_from = "elliptical"
        return ell
    if not raw and previous and c.cue in ("verb", "comparator") and q.unit_kind != "count":
        c.indicator_from = "previous"  # "…；到2030年，力争达到4亿立方米"
        return previous
    if raw and (completed := bare_head(lex, raw, c.sentence.last_indicator, previous_clause(text, c, b))):
        c.indicator_from = "bare_head"
        return completed
    ends_clause = not _ANY_HAN.search(text[q.end : c.clause_end])
    if not raw and ends_clause and b.mode.every_quantity and (done := _done_before(lex, previous_clause(text, c, b))):
        c.indicator_from = "previous_clause"  # "完成闭坑矿山治理工程，2018—2020年未完成的8150亩"
        return done
    if not raw and c.cue in ("verb", "comparator") and q.unit_kind != "count":
        # "持续提高大宗物料铁路运输比例，确保稳定在50%以上": what the clause before raises
        changed = lex.changed_object_re.search(previous_clause(text, c, b))
        if changed:
            c.indicator_from = "changed_object"
            return changed.group("object")
    if (
        not raw
        and c.cue in ("verb", "comparator")
        and (subject := clause_subject(lex, previous_clause(text, c, b), q.unit_kind == "count"))
    ):
        c.indicator_from = "previous_subject"
        return subject
    return raw


def clause_subject(lex: ProseLexicon, clause: str, count: bool) -> str:
    """What the clause before a value with no name of its own is about: its subject before its verb
    ("煤炭消费总量达到峰值，控制在1800万吨以内", "工业领域二氧化碳排放率先达峰后稳步下降，较峰值降低6%"), or for a
    count the object of a project verb it opens with ("推广纯电动渣土车使用，到2025年力争达到3000辆")."""
    s = lex.subject_re.sub("", clause.strip())
    year = lex.year_phrase_re.match(s)
    s = lex.subject_re.sub("", s[year.end() :]) if year else s
    verb = lex.project_verb_re.match(s) or lex.verb_re.match(s)
    if verb:
        if not (count and lex.project_verb_re.match(s)):
            return ""
        s = s[verb.end() :]
    elif count:
        return ""
    phrase = lex.chunker.after(s, 0, len(s), subject=not verb)
    if len(phrase.name) < 3 or (not verb and not phrase.stopped_at):
        return ""  # a subject stops at its verb; a clause that is all noun is a topic, not a subject
    return phrase.name


def place_list(lex: ProseLexicon, c: Candidate, b: BlockContext, raw: str, place: str) -> str:
    """ "沈阳市3300户、大连市500户": the place is where, not what.

    What comes from the clause before the list, a total the list breaks down (其中…), the verb
    before the first place, the item's title, the noun after the count and what the list is for
    (…等超低排放改造).
    """
    q, text = c.q, b.text
    topic = topic_before(
        lex, text, c.sentence.start, c.clause_start, lambda a, z: any(a <= o.num_start < z for o in b.quantities)
    )
    verb = raw[: len(raw) - len(place)]
    breakdown = "其中" in text[max(c.clause_start, c.sentence.prev_end - 8) : q.start]
    # the work the list is for: said before it, or by the verb before the first place
    # ("划定特定农产品禁止生产区域沈阳市422亩、…"), else the box item's title
    worded = verb and (not b.mode.title or lex.project_verb_re.match(verb))
    base = (
        topic
        or (c.sentence.last_indicator if breakdown else "")
        or c.sentence.place_base
        or (verb if worded else "")
        or b.mode.title
    )
    c.sentence.place_base = base
    obj = object_after(lex, text, q.end, c.clause_end)
    tail = enumeration_tail(lex, text, q.end, c.clause_end)
    built = base + (obj if obj and obj not in base else "") + (tail if tail not in base else "")
    if built:
        c.indicator_from = "place_list"
    return built


def bracketed(lex: ProseLexicon, c: Candidate, b: BlockContext, raw: str, paren: int) -> str:
    """A capacity inside a project's name: "城东污水厂扩建工程（8万吨/日）", "新建红菱 (3万吨/日)、
    姚千 (1万吨/日)污水处理厂": the name before the bracket, or the list's shared head noun."""
    q, text = c.q, b.text
    inside_text = regex.split(r"[，；、,;]", text[paren + 1 : q.start])[-1].strip()
    inside = (
        "" if regex.search(r"\d", inside_text) else from_left(lex, regex.sub(r"^(?:含|其中|包括)", "", inside_text))
    )
    head = list_head(text, q.end, c.clause_end)
    start = min(c.clause_start, paren)
    verbs = list(lex.project_verb_re.finditer(text, start, q.start))
    name = from_left(lex, regex.split(r"[、，；：,;:]", text[max(c.sentence.start, start - 40) : paren])[-1])
    generic = lex.project_verb_re.match(name)
    if generic and generic.group(0) in lex.generic_verbs and len(name) > generic.end() + 2:
        name = name[generic.end() :]  # "完成城东污水厂扩建工程（8万吨/日）"
    if not name and c.sentence.last_indicator:
        name = c.sentence.last_indicator  # "…面积1000万亩 (含标准化示范面积110万亩)"
    if head and _bare_name(lex, name) and not _generic_work(lex, head):
        name = (verbs[-1].group(0) if verbs else "") + head
    elif place_of(lex, name) and b.mode.title:
        name = place_of(lex, name) + b.mode.title
    if not name:
        return ""
    inner = inside if inside and not lex.verb_re.fullmatch(inside) else object_after(lex, text, q.end, c.clause_end)
    tail = enumeration_tail(lex, text, q.end, c.sentence.end)
    c.indicator_from = "before_parenthesis"
    return name + (inner if inner and inner not in name else "") + (tail if tail not in name else "")


def _bare_name(lex: ProseLexicon, name: str) -> bool:
    """A name before a bracket that needs the list's head: a place or a proper name ("红菱", "南部三期",
    "南杂木镇"), not a facility's full name ("江湾污水厂", "青山工业园", "临江工业污水处理厂二期")."""
    core = regex.sub(r"[一二三四五六七八九十\d]+期$", "", name)
    return not lex.facility_end_re.search(core)


def _generic_work(lex: ProseLexicon, head: str) -> bool:
    """A tail every project has ("改扩建工程", "建设工程"): it never names one item of the list."""
    verb = lex.project_verb_re.match(head)
    return bool(verb) and head[verb.end() :] in ("工程", "项目", "工作", "")


_MEASURE_END = regex.compile(
    r"(?:[年日月时]?(?:处理|处置|利用|消纳|焚烧|发电|装机|储存|贮存|供热|收集|转运|产生|生产))?"
    r"(?:量|能力|规模|容量)$"
)
_CAPACITY_KINDS = ("mass", "volume", "energy")


def capacity_before_noun(lex: ProseLexicon, c: Candidate, b: BlockContext, raw: str) -> str:
    """A capacity written between a name and the facility it sizes: "明珠湾200MW海上光伏示范" ->
    明珠湾海上光伏示范, "城西年处理量约8000吨废包装桶清洗再生中心建设项目" -> 城西废包装桶清洗再生中心年处理量
    (the list item or place before it, the facility after it, a measure word kept last)."""
    q, text = c.q, b.text
    if q.unit_kind not in _CAPACITY_KINDS or not raw or c.indicator_from != "left" or q.word_after:
        return ""
    obj, _ = object_phrase(lex, text, q.end, c.clause_end)
    obj = regex.sub(r"(?:建设)?(?:项目|工程)$", "", obj) if len(obj) > 6 else obj
    if len(obj) < 3 or lex.head_re.search(obj) or lex.project_verb_re.match(obj):
        return ""
    measure = _MEASURE_END.search(raw)
    if measure:
        c.indicator_from = "capacity_before_noun"
        return raw[: measure.start()] + obj + measure.group(0)
    item = raw.split("、")[-1]
    if "、" in raw and 2 <= len(item) <= 6 and not lex.verb_re.search(item):
        c.indicator_from = "capacity_before_noun"
        return item + obj
    return ""


def action_topic(lex: ProseLexicon, c: Candidate, b: BlockContext, raw: str) -> str:
    """A count of a routine action alone ("至少完成一轮排查整改") takes what the sentence applied
    the action to before: "落实土壤污染隐患排查制度，…一轮排查整改" -> 土壤污染隐患排查整改."""
    words = list(lex.tokenizer.cut(raw)) if raw and len(raw) <= 6 else []
    if not words or not all(w in lex.routine_actions for w in words):
        return ""
    before = b.text[c.sentence.start : c.clause_start]
    at = before.rfind(words[0])
    if at < 0:
        return ""
    phrase = regex.split(r"[，、；：,;:]", before[:at])[-1]
    topic = from_left(lex, lex.framing_verb_re.sub("", lex.subject_re.sub("", phrase)))
    if not regex.fullmatch(r"\p{Han}{2,12}", topic or ""):
        return ""
    c.indicator_from = "action_topic"
    return topic + raw


_WITHIN = regex.compile(r"(?:范围内|境内|辖区内|区域内|内|外)$")


def _names_a_place(lex: ProseLexicon, raw: str) -> bool:
    """Whether the words before a value only say where ("项目区", "巴州区巴河流域巴城段", "推动市辖区内"),
    not what (a verb that frames the work may open them)."""
    verb = lex.framing_verb_re.match(raw) or lex.project_verb_re.match(raw)
    raw = _WITHIN.sub("", raw[verb.end() :] if verb else raw)
    if not raw:
        return bool(verb)
    if lex.head_re.search(raw) or lex.verb_re.search(raw) or lex.project_verb_re.search(raw):
        return False
    scope = lex.scope_split(raw)[0] if len(raw) > 2 else ""
    return bool(lex.place_word_end_re.search(raw)) or len(scope) >= len(raw) - 2 > 0


def purpose_after(lex: ProseLexicon, c: Candidate, b: BlockContext, raw: str) -> str:
    """Things picked for a purpose the next clause states: "选取20个轻度污染地块，开展农艺调控…等污染农田
    风险管控与治理修复技术试点示范" -> 轻度污染地块 + 风险管控与治理修复技术试点示范."""
    q, text = c.q, b.text
    if q.unit_kind != "count" or not lex.selection_verb_re.search(text[c.clause_start : q.start]):
        return ""
    obj, obj_end = object_phrase(lex, text, q.end, c.clause_end)
    if (
        not obj
        or text[obj_end : c.clause_end].strip()
        or c.clause_end >= c.sentence.end
        or text[c.clause_end] not in "，,"
    ):
        return ""
    nxt = text[c.clause_end + 1 :]
    verb = lex.project_verb_re.match(nxt) or lex.framing_verb_re.match(nxt)
    if verb is None:
        return ""
    end = next((i for i, ch in enumerate(nxt) if ch in "，。；,;"), len(nxt))
    work = nxt[verb.end() : end]
    work = work.rsplit("等", 1)[-1] if "等" in work else work
    purpose = work.strip().replace(" ", "")
    if not 3 <= len(purpose) <= 24 or regex.search(r"[\d、]", purpose):
        return ""
    c.indicator_from, c.klass = "purpose", "project"
    return obj + purpose


def counted_object(lex: ProseLexicon, c: Candidate, b: BlockContext, raw: str) -> str:
    """The thing a count counts, written after it: "建成12个生态清洁小流域", "新建瞭望塔台2座" (kept
    with a distinguishing verb), "继续推进企业和12个工业园区…", "有序推进全市5个…工程"."""
    q, text, left = c.q, b.text, c.left
    if q.unit == "%":
        return ""  # a share written before its noun is named by the sentence (from_sentence)
    if raw and lex.chunker.is_verb_phrase(raw):
        raw = ""  # "引导1500家以上重点用水企业…": the verb before a count names nothing
    if raw and _names_a_place(lex, raw):
        raw = ""  # "巴州区巴河流域巴城段约32千米河流进行生态修复": where, not what
    enumerated = bool(lex.enumeration_end_re.search(left.rstrip()))
    dangling = bool(_JOINER_END.search(raw)) or bool(lex.scope_word_end_re.search(raw))
    has_project = bool(lex.project_verb_re.search(left))
    if not (not raw or enumerated or dangling or (has_project and not lex.head_re.search(raw))):
        return ""
    obj, obj_end = object_phrase(lex, text, q.end, c.clause_end)
    counted = q.unit_kind == "count" and len(obj) >= 3  # "新增建设金钟水库4条入库河流简易水质自动站"
    if not obj or not (
        not raw or enumerated or dangling or counted or lex.project_verb_end_re.search(raw) or len(raw) <= 2
    ):
        return ""
    verbs = [v.group(0) for v in lex.project_verb_re.finditer(raw)]
    verb = verbs[-1] if verbs and verbs[-1] not in lex.generic_verbs and raw.endswith(verbs[-1]) else ""
    c.indicator_from, c.klass = "object", "project"
    c.end = obj_end
    return verb + obj
