"""Naming the indicator of a value: from the clause before it, or the noun after it.

``from_left`` reads "到2025年，全市城市空气质量优良天数比例达到…" as 城市空气质量优良天数比例: the
text before the value cut at its target verb, stripped of the year phrase, subject words
(全市, 力争 …) and trailing words (平均, 五年累计 …), and snapped to jieba word boundaries when
long.  ``object_after`` reads "建成49.11万亩高标准农田" as 高标准农田, ``subject_after`` reads
"80%以上的钢铁产能完成超低排放改造" as 钢铁产能完成超低排放改造, ``elliptical`` reads the "县城"
of "…率达到40%，县城不低于30%" as 县城 + the earlier indicator.
"""

from __future__ import annotations

import regex

from .lexicon import ProseLexicon

_AFTER_VALUE_FILLER = regex.compile(r"^(?:的|以上的|以上|左右的|左右|多)")
_SIZE_SCOPE = regex.compile(r"^(?:及)?(?:以上|以下)?的?")
_OBJECT_WORDS = regex.compile(
    r"[\p{Han}A-Za-z“”\"][\p{Han}A-Za-z0-9“”\"]{1,19}?(?=$|[、和及与，。；（(.;,]|以及|\d|等)"
)
_DIGIT = regex.compile(r"\d")
_TRAILING_PARTICLE = regex.compile(r"[于在的]$")
_DE_AFTER = regex.compile(r"(?:以上|以下|左右)?的")
_SUBJECT_WORDS = regex.compile(r"(?:以上|以下|左右)?([\p{Han}A-Za-z0-9“”\"（）()、]{2,30})")
_LONG_SUBJECT = regex.compile(r"(?:以上|以下|左右)?的?([\p{Han}A-Za-z0-9“”\"（）()、]{4,40})$")
_DIVISION_END = regex.compile(r"[市县区州盟旗]$")
_ETC_TAIL = regex.compile(r"等([\p{Han}A-Za-z]{2,16})[。.]?$")

_MAX_CHARS = 24
_CLAUSE_REST = regex.compile(r"[^，。；、（(.．;,:：]+")


def balanced_tail(s: str) -> str:
    """Drop what comes before an unbalanced bracket ("20台)、朝阳市燃煤锅炉" -> "朝阳市燃煤锅炉").

    >>> balanced_tail("20台)、朝阳市燃煤锅炉"), balanced_tail("城市(不含县城")
    ('朝阳市燃煤锅炉', '不含县城')
    """
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
        s = s[last_open + 1 :]
    return s.lstrip("、，,；; ")


def snap_tail(lex: ProseLexicon, s: str, limit: int = _MAX_CHARS) -> str:
    """The last words of ``s`` up to ``limit`` characters, on jieba word boundaries."""
    if len(s) <= limit:
        return s
    words = list(lex.tokenizer.cut(s, HMM=True))
    out = ""
    for w in reversed(words):
        if len(out) + len(w) > limit:
            break
        out = w + out
    return out.lstrip("的和及、，") or s[-limit:]


def from_left(lex: ProseLexicon, left: str, limit: int = _MAX_CHARS) -> str:
    """The indicator named in ``left`` (the clause before the value), at most ``limit`` characters."""
    s = left
    # cut at the target verb that ends the text (the indicator is what comes before it)
    for vm in lex.verb_re.finditer(s):
        if vm.start() > 0 and lex.verb_tail_re.fullmatch(s[vm.end() :]):
            s = s[: vm.start()]
            break
    s = _RESPECTIVELY_END.sub("", s)
    s = lex.compared_end_re.sub("", s)
    for _ in range(3):
        s = lex.year_phrase_re.sub("", s, count=1) if lex.year_phrase_re.match(s) else s
        s = lex.subject_re.sub("", s)
    for _ in range(3):
        s = lex.trailing_re.sub("", s)
    s = _PARTICLES_END.sub("", s)
    s = s.strip('“”"《》 ').replace("“", "").replace("”", "")
    s = balanced_tail(s)
    return snap_tail(lex, s, limit)


_RESPECTIVELY_END = regex.compile(r"分别[ ]?$")
_PARTICLES_END = regex.compile(r"[的均要将并，、；：\s“”\"（(]+$")


def object_after(lex: ProseLexicon, text: str, pos: int, end: int) -> str:
    """The noun phrase right after a value ("建成49.11万亩高标准农田" -> 高标准农田)."""
    return object_phrase(lex, text, pos, end)[0]


def object_phrase(lex: ProseLexicon, text: str, pos: int, end: int) -> tuple[str, int]:
    """The noun phrase right after a value and where it ends in ``text`` (``("", pos)`` for none).

    Read by the phrase chunker (``phrase.py``).  When a verb of the clause follows the phrase, the
    verb and its own object stay in the name ("行政村新建农村生活污水治理设施": the villages where it is
    built; "重点用水企业开展水效对标"), unless a number follows (that number is named by them).
    """
    phrase = lex.chunker.after(text, pos, end)
    if text[phrase.end : phrase.end + 1].isdigit():
        return "", pos  # "…1处占地面积2万平方米": the words before the next number name that number
    obj, stop = phrase.name, phrase.end
    if obj and phrase.stopped_at in lex.chunker.predicates:
        clause = _CLAUSE_REST.match(text, phrase.end, end)
        rest = clause.group(0).replace(" ", "") if clause else ""
        verb_object = rest[len(phrase.stopped_at) :]
        if (
            not _DIGIT.search(text, phrase.end, end)
            and len(verb_object) >= 2
            and verb_object not in lex.verbs
            and len(obj) + len(rest) <= 24
        ):
            obj, stop = obj + rest, clause.end()
    if not regex.search(r"“[^”]*[、，]", obj):
        obj = obj.replace("“", "").replace("”", "")
    obj = _TRAILING_PARTICLE.sub("", obj)
    return (obj, stop) if len(obj) >= 2 else ("", pos)


def predicate_after(lex: ProseLexicon, text: str, pos: int, end: int) -> str:
    """What a share applies to, written after it: "废旧放射源100%安全收贮" -> 安全收贮."""
    seg = text[pos:end]
    if _DE_AFTER.match(seg):
        return ""
    m = _SUBJECT_WORDS.fullmatch(seg)
    return m.group(1).replace("“", "").replace("”", "") if m else ""


def subject_after(lex: ProseLexicon, text: str, pos: int, end: int) -> str:
    """A share written before its noun: "80%以上的钢铁产能完成超低排放改造" -> 钢铁产能完成超低排放改造."""
    seg = text[pos:end].rstrip(".．")
    m = _LONG_SUBJECT.match(seg)
    if not m:
        return ""
    s = m.group(1).replace("“", "").replace("”", "")
    return snap_tail(lex, balanced_tail(s.rstrip("的")), 30)


def elliptical(lex: ProseLexicon, left: str, previous: str, same_kind: bool = False, listed: bool = False) -> str:
    """A scope standing for the earlier indicator, its own scope swapped in: "县城" after
    生活垃圾回收利用率 -> 县城生活垃圾回收利用率; "老城区" after 新城地区换电站平均服务半径 -> 老城区换电站平均服务半径;
    "新建居住区" after 建成区绿地率 -> 新建居住区绿地率.  "" when ``left`` is more than a scope.  The earlier
    indicator ends with a head word (率, 浓度 …) or measured the same kind of quantity (``same_kind``)."""
    s = lex.subject_re.sub("", left).strip("，、；： ")
    if not previous or not s or len(s) > 8 or lex.head_re.search(s) or lex.verb_re.search(s):
        return ""
    # a scope word, or a place with a comparator or verb of its own (not a list of places breaking a
    # count down: "其中长沙市1200台、株洲市500台")
    whole_scope = lex.scope_prefix_re.fullmatch(s) or (not listed and lex.place_word_end_re.search(s))
    if not whole_scope or not (same_kind or lex.head_re.search(previous)):
        return ""
    rest = lex.scope_split(previous)[1]
    return s + rest if rest else ""


def place_of(lex: ProseLexicon, name: str) -> str:
    """The place a name is ("沈阳市", "建成区外"), a leading verb dropped ("完成鞍山市"), the place
    ending a verb phrase ("划定禁止生产区域沈阳市" -> 沈阳市), or ""."""
    name = name.replace(" ", "")
    m = lex.project_verb_re.match(name)
    s = name[m.end() :] if m else name
    if lex.is_place(s) and not lex.head_re.search(s):
        return s
    if m and _DIVISION_END.search(s):
        # the work, then the first place of a list: "划定特定农产品禁止生产区域沈阳市"
        place = lex.place_suffix(s)
        if place and len(s) - len(place) >= 4:
            return place
    return ""


def topic_before(lex: ProseLexicon, text: str, sentence_start: int, clause_start: int, has_quantity) -> str:
    """The verb phrase of the clause right before a list of places ("取消老旧柴油车营运资质，沈阳市…")."""
    end = clause_start - 1
    if end <= sentence_start:
        return ""
    start = max(text.rfind(sep, sentence_start, end) for sep in "，；：,;:") + 1
    start = max(start, sentence_start)
    clause = text[start:end]
    if has_quantity(start, end) or not (lex.project_verb_re.search(clause) or lex.verb_re.search(clause)):
        return ""
    return from_left(lex, clause)


def enumeration_tail(lex: ProseLexicon, text: str, pos: int, end: int) -> str:
    """What a list ending in 等 is about: "…朝阳市2家钢铁企业等超低排放改造" -> 超低排放改造."""
    seg = text[pos:end]
    m = _ETC_TAIL.search(seg)
    if not m or regex.search(r"\d", m.group(1)) or m.group(1) in ("工程", "项目", "工作", "行动", "地区", "区域"):
        return ""
    return m.group(1)


_LIST_ITEM = regex.compile(
    r"[)）]?[ ]?(?:[、和及][^（(，。；、]{1,20}[ ]?[（(][^)）]{1,30}[)）])*[ ]?(?P<head>[\p{Han}]{2,12})(?=[，。；、,;.]|$)"
)


_NAME_BEFORE_BRACKET = regex.compile(r"([\p{Han}]{2,20})[ ]?[（(][^)）]{1,30}[)）][ ]?$")
_PLACE_PREFIX = regex.compile(r"^[\p{Han}]{1,8}?(?:省|市|县|区|镇|乡)")


def list_head(text: str, pos: int, end: int) -> str:
    """The noun a list of bracketed names shares.

    "红菱 (3万吨/日)、姚千 (1万吨/日)污水处理厂" -> 污水处理厂 (after the list); "凌海市金城 (2万吨/日)、
    北镇市污水处理厂 (2万吨/日)" -> 污水处理厂 (the last name, its place left out).
    """
    close = min((i for i in (text.find(")", pos, end), text.find("）", pos, end)) if i >= 0), default=-1)
    if close < 0:
        return ""
    m = _LIST_ITEM.match(text, close, end)
    if m:
        head = m.group("head").lstrip("等")
        return "" if head in ("工程", "项目", "工作", "等工程") else head
    last = _NAME_BEFORE_BRACKET.search(regex.sub(r"[，。；,;.].*$", "", text[close + 1 : end]))
    if last:
        name = last.group(1)
        place = _PLACE_PREFIX.match(name)
        rest = name[place.end() :] if place else ""
        if len(rest) >= 3:
            return rest
    return ""


def bare_head(lex: ProseLexicon, raw: str, previous: str, clause_before: str) -> str:
    """A bare head ("利用率", "发电量") completed from the sentence.

    "秸秆综合利用，利用率达到98%" -> 秸秆综合利用 + 利用率; "可再生能源装机规模达到…，发电量突破…"
    -> 可再生能源 + 发电量 (the earlier indicator's first word).
    """
    if not raw or len(raw) > 4 or not lex.head_re.search(raw):
        return ""
    if previous and not previous.endswith(raw):
        # the earlier indicator without its own measure (可再生能源装机规模 -> 可再生能源) or the thing
        # it counted (新建污水处理厂 -> 污水处理厂)
        verb = lex.project_verb_re.match(previous)
        entity = previous[verb.end() :] if verb else previous
        if not lex.head_re.search(entity):
            return entity + raw if len(entity) >= 2 else ""
        words = list(lex.tokenizer.cut(entity, HMM=True))
        subject = "".join(words[:-2]) if len(words) >= 3 else (words[0] if len(words) == 2 else "")
        return subject + raw if len(subject) >= 2 else ""
    noun = from_left(lex, clause_before)
    m = lex.project_verb_re.match(noun) or regex.match(
        r"(?:积极|加快|大力|全面|持续|深入)?(?:推进|加强|推动|开展)", noun
    )
    noun = noun[m.end() :] if m else noun
    return noun + raw if len(noun) >= 2 and not lex.verb_re.search(noun) else ""
