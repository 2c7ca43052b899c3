"""Coordination: several indicators sharing one value, or paired with several values (分别).

"森林覆盖率、草原综合植被盖度分别达到48.5%和74%" pairs two items with two values; "农村生活垃圾
收集率、资源化利用率达到90%" gives the one value to both; "化肥、农药利用率" lends the head
(利用率) to the item without one; "一、二、三级湖泊缓冲带达标率" and "大、中、小型矿山…比例" share
everything after the first character of the last item.
"""

from __future__ import annotations

import regex

from ..quantity import Quantity
from .lexicon import ProseLexicon

# a measure of the whole a list adds up to: a total (总装机容量, 合计, 总面积, not the per-pollutant 排放总量)
# or a share (占比, 比重)
_COMBINED = regex.compile(r"总(?!量$)\p{Han}|合计|共计|总和|(?:占比|比重)$")
# the kind a list's members belong to, written after 等 before the measure they share
_KIND_OF_MEMBERS = regex.compile(r"(?:主要|重点)?\p{Han}{0,4}?(?:污染物|行业|领域|产品|物质)")
_RATE_END = regex.compile(r"(?:率|比例|比重|占比)$")
_VALUE_JOINER = regex.compile(r"[ ]?[、和及与][ ]?")
_HAN_FIRST = regex.compile(r"\p{Han}")


def list_parts(lex: ProseLexicon, text: str, separators: str) -> list[str]:
    """The items of a list joined by ``separators`` (a regex), split only where a separator is a word
    of its own ("普及率" and "涉及" keep their 及) and not inside a “quoted name”."""
    parts, current, quoted = [], "", False
    for word in lex.tokenizer.cut(text, HMM=True):
        quoted = (quoted or "“" in word) and "”" not in word
        if not quoted and regex.fullmatch(separators, word):
            parts.append(current)
            current = ""
        else:
            current += word
    parts.append(current)
    return [p for p in parts if p]


def value_group(text: str, first: Quantity, following: list[Quantity], clause_end: int) -> list[Quantity]:
    """Values joined to ``first`` by 、/和/及 ("45.8％和45.22％", "95%、90%、75%以上")."""
    group = [first]
    pos = first.end
    for q in following:
        gap = text[pos : q.start]
        if q.start > clause_end + 1 or not _VALUE_JOINER.fullmatch(gap):
            break
        group.append(q)
        pos = q.end
    return group


def _prefix_coordination(parts: list[str]) -> list[str] | None:
    """ "一、二、三级湖泊…达标率" / "大、中、小型矿山…": short leading items share the rest of the last."""
    *heads, last = parts
    if not heads or not all(1 <= len(h) <= 2 for h in heads) or len(last) < 4:
        return None
    width = len(heads[-1])
    if not all(len(h) == width for h in heads):
        return None
    rest = last[width:]
    if not _HAN_FIRST.match(rest):
        return None
    return [h + rest for h in heads] + [last]


def shared_head(lex: ProseLexicon, last: str) -> str:
    """The head the last item of a list lends to the others ("农药利用率" -> 利用率), or ""."""
    for head in lex.shared_heads:
        if last.endswith(head) and len(last) > len(head):
            return head
    words = list(lex.tokenizer.cut(last, HMM=True))
    head = "".join(words[-2:]) if len(words) >= 3 else (words[-1] if len(words) == 2 else "")
    return head if lex.head_re.search(head) else ""


def _shared_tail(lex: ProseLexicon, last: str) -> str:
    """What the last item shares with the others: all but its first word (or scope word).

    "农药利用率" -> 利用率, "县城建成区道路机械化清扫率" -> 建成区道路机械化清扫率, "重点建制镇污水处理率"
    -> 污水处理率; a known compound head ("氨氮排放总量" -> 排放总量) when the words say nothing.
    """
    scope = lex.scope_prefix(last)
    if scope and len(last) > scope.end():
        tail = last[scope.end() :]
    else:
        words = list(lex.tokenizer.cut(last, HMM=True))
        tail = "".join(words[1:]) if len(words) >= 2 else ""
    return tail if tail and lex.head_re.search(tail) else shared_head(lex, last)


def split_items(lex: ProseLexicon, indicator: str, paired: bool) -> list[str]:
    """Split a coordinated indicator into items; items lend each other what they share."""
    # unpaired, 和 joins two rates sharing a value ("农药包装废弃物和农膜回收率达90%");
    # other 和 belong to the name ("河流缓冲带建设和修复长度")
    rate = bool(_RATE_END.search(indicator))
    seps = r"[、和及与]" if paired else (r"[、和]" if rate else r"、")
    parts = list_parts(lex, indicator, seps)
    if len(parts) < 2:
        return [indicator]
    if paired and "等" in parts[-1]:
        member, shared = parts[-1].split("等", 1)
        if member and len(shared) >= 2 and lex.head_re.search(shared):
            # "化学需氧量、氨氮…挥发性有机物等主要污染物重点工程减排量分别达到a、b…": one value each, the
            # kind the members belong to (主要污染物) left out
            kind = _KIND_OF_MEMBERS.match(shared)
            if kind and lex.head_re.search(shared[kind.end() :]) and len(shared) - kind.end() >= 3:
                shared = shared[kind.end() :]
            return [p + shared for p in parts[:-1]] + [member + shared]
    if any(lex.enumeration_end_re.search(p.split("等")[0] + "等") for p in parts[-1:] if "等" in p) or any(
        p in lex.verbs for p in parts[:-1]
    ):
        return [indicator]  # "铁路、水运、管道等…运输比例" names examples; "新增和更新…" joins verbs
    if not paired and not all(lex.full_head_re.search(p) for p in parts[:-1]) and _COMBINED.search(parts[-1]):
        return [indicator]  # a total or share of the subjects together: "风电、光伏发电总装机容量", "A级、B级企业占比"
    prefixed = _prefix_coordination(parts)
    if prefixed is not None:
        return prefixed
    last = parts[-1]
    tail = _shared_tail(lex, last)
    items = [p + tail if tail and not lex.full_head_re.search(p) else p for p in parts[:-1]] + [last]
    if not lex.full_head_re.search(parts[0]):
        # a prefix the first item has and the others lack: "主要农作物化肥、农药利用率"
        words = list(lex.tokenizer.cut(parts[0], HMM=True))
        prefix = "".join(words[:-1]) if len(words) >= 2 else ""
        last_unit = last[: len(last) - len(tail)] if tail else last
        parallel = len(words[-1]) == len(last_unit)  # 化肥 | 农药, 装机 | 消费 (not 需氧量 | 氨氮)
        if len(prefix) >= 2 and parallel and not lex.scope_prefix(parts[0]):
            items = items[:1] + [it if it.startswith(prefix) else prefix + it for it in items[1:]]
    if not paired and not all(lex.head_re.search(it) for it in items):
        return [indicator]

    if not paired and not all(lex.full_head_re.search(p) for p in parts[:-1]) and not _bare(lex, tail):
        # one value over items that qualify a shared noun is one combined indicator:
        # "国家机关、事业单位新能源汽车比例", "铁路、水路、管道、皮带廊道总运输率"
        return [indicator]
    return items


def _bare(lex: ProseLexicon, tail: str) -> bool:
    """A shared tail that is only a head ("利用率", "排放总量", "收集处置率"), no noun of its own."""
    return bool(tail) and len(tail) <= 5 and bool(lex.head_re.search(tail))


_LEAD_IN = regex.compile(r"^(?:在|对|于|为)")


def distributed_items(lex: ProseLexicon, indicator: str, before_marker: str) -> list[str]:
    """One value said of each listed subject (分别/均/各), the subjects not split by the rules for
    lists: "…轨道交通沿线等噪声自动监测站各2处" (a list closed by 等, the noun after it shared); "化工、
    印染、电镀行业分别打造3家清洁生产示范企业" and "在东区、西区、南区分别建设一个…" (the list before the
    marker, the thing counted after it).  [] when there is no list."""
    parts = list_parts(lex, indicator, "[、和及与]|以及")
    verb = lex.project_verb_re.match(parts[0]) if parts else None
    if verb and verb.group(0) in lex.generic_verbs and len(parts[0]) > verb.end():
        parts[0] = parts[0][verb.end() :]  # "建设主干道、…": the work is said of each
    if len(parts) > 1 and "等" in parts[-1]:
        member, shared = parts[-1].split("等", 1)
        if member and len(shared) >= 2:
            return [p + shared for p in parts[:-1]] + [member + shared]
    if len(parts) > 1:
        return []
    listed = lex.subject_re.sub("", _LEAD_IN.sub("", before_marker.strip()))
    members = list_parts(lex, listed, "[、和及与]|以及")
    if len(members) < 2 or any(len(m) > 12 or lex.verb_re.search(m) for m in members):
        return []
    words = list(lex.tokenizer.cut(members[-1]))
    kind = words[-1] if len(words) >= 2 else ""  # 电镀行业 -> 行业, lent to 化工 and 印染 (short
    members = [m if not kind or m.endswith(kind) or len(m) > 3 else m + kind for m in members]  # modifiers)
    return [m + indicator for m in members]
