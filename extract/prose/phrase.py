"""Noun phrases from jieba's parts of speech: what a count counts.

"引导1500家以上重点用水企业开展水效对标" counts 重点用水企业 (that 开展水效对标), "完成15个含氟等特征污染物
排放园区的专项排查" counts 含氟等特征污染物排放园区专项排查, "建成桃花岛、月湖等18个湿地公园和郊野公园"
counts 湿地公园和郊野公园.  The phrase after a count is read word by word with the tags of
``jieba.posseg`` (the project's tokenizer, whose dictionary knows the plan vocabulary): nouns,
verbal nouns, Latin words and adjectives make it up; a verb that is not a target, project or framing
verb stays in it before a noun or at the clause's end (``排放园区``, ``DPF 加装``); 等 and 的 stay
before a noun (的 is dropped from the name); 和/及/与/、 join two nouns when no number follows.  A size
written before the noun (``日处理能力200吨以上``) is an attribute and is skipped.  The same chunker
serves prose and box items.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from ..text.numerals import CN_DIGITS
from .lexicon import ProseLexicon

_LATIN = regex.compile(r"[A-Za-z][A-Za-z0-9.\-]*")
_FILLER = regex.compile(r"(?:以上的|以上|左右的|左右|及以上的?|多|的)")
# an attribute of the counted thing: a capacity or size before its noun ("日处理能力200吨以上", "20蒸吨"),
# named by a head word (能力, 规模 …) or by nothing
_ATTRIBUTE_LEAD = regex.compile(r"^\p{Han}{0,6}$")
_ATTRIBUTE_TAIL = regex.compile(r"(?:及以上|以上|以下|左右)?的?")
_DIGIT = regex.compile(r"\d")
_MAX_PHRASE = 24
# a modifier listed before a head its items share is one short word ("专业、半专业…队伍", "国家级、省级…")
_SHARED_MODIFIER = 4


def _punctuation_next(words: list[tuple[str, str]], k: int) -> bool:
    """Whether the next word that is not a space is punctuation."""
    while k < len(words) and words[k][0].isspace():
        k += 1
    return k < len(words) and words[k][1] == "x"


def _run(kinds: list[str], k: int) -> list[str]:
    """The kinds of the words from ``k`` up to the first that cannot be in a noun phrase."""
    out = []
    while k < len(kinds) and kinds[k] in ("noun", "verb", "modifier", "space", "quoted"):
        out.append(kinds[k])
        k += 1
    return out


def _quoted_as_one(words: list) -> list[tuple[str, str]]:
    """Words with each “quoted name” merged into one word tagged ``quoted``."""
    out: list[tuple[str, str]] = []
    k = 0
    while k < len(words):
        word, tag = words[k]
        if word in ("“", '"'):
            close = next((j for j in range(k + 1, min(len(words), k + 12)) if words[j][0] in ("”", '"')), None)
            if close is not None:
                out.append(("".join(w for w, _ in words[k : close + 1]), "quoted"))
                k = close + 1
                continue
        out.append((word, tag))
        k += 1
    return out


# a bracketed alternative inside a noun: "区（县）级", "县（市、区）级"
_ALTERNATIVE = regex.compile(r"[（(][\p{Han}、]{1,6}[）)]")


def _alternatives_as_one(words: list[tuple[str, str]], stop_tags: frozenset) -> list[tuple[str, str]]:
    """Words with a short bracketed alternative written inside a noun (a word of the noun follows
    the bracket: "区（县）级环境应急救援队伍", not "9个县（市）的城关镇") joined to the word before it."""
    out: list[tuple[str, str]] = []
    k = 0
    while k < len(words):
        word, tag = words[k]
        if word in ("（", "(") and out and regex.match(r"\p{Han}", out[-1][0]):
            close = next((j for j in range(k + 1, min(len(words), k + 8)) if words[j][0] in ("）", ")")), None)
            if (
                close is not None
                and close + 1 < len(words)
                and regex.match(r"\p{Han}", words[close + 1][0])
                and words[close + 1][1] not in stop_tags
                and words[close + 1][0] != "的"
            ):
                inside = "".join(w for w, _ in words[k : close + 1])
                if _ALTERNATIVE.fullmatch(inside):
                    out[-1] = (out[-1][0] + inside, out[-1][1])
                    k = close + 1
                    continue
        out.append((word, tag))
        k += 1
    return out


@dataclass(frozen=True)
class Phrase:
    """A noun phrase of a text: its name (的 and spaces dropped) and where it ends in the text."""

    name: str
    end: int
    stopped_at: str = ""  # the word that ended it ("" at the end of the text)


class Chunker:
    """Reads noun phrases with the lexicon's tagger and word lists."""

    def __init__(self, lex: ProseLexicon):
        self.lex = lex
        words = lex.p.lexicon
        self.stop_tags = frozenset(words["noun_phrase_stop_tags"])
        self.modifier_tags = frozenset(words["noun_phrase_modifier_tags"])
        self.joiners = frozenset(words["noun_joiners"])
        self.predicates = (
            frozenset(words["target_verbs"])
            | frozenset(words["project_verbs"])
            | frozenset(words["framing_verbs"])
            | frozenset(words["light_verbs"])
        )
        self.generic_verbs = frozenset(words["generic_project_verbs"])
        self.classifiers = frozenset(words["chinese_count_classifiers"])

    def _kind(self, word: str, tag: str, following: str) -> str:
        """What a word is to a noun phrase (``following``: the next word, for numerals)."""
        if word.isspace():
            return "space"
        if _LATIN.fullmatch(word):
            return "noun"
        if tag == "quoted":
            return "quoted"
        if word in self.predicates:
            return "predicate"
        if word in self.joiners:
            return "join"
        if word == "等":
            return "etc"
        if word == "、":
            return "enum"
        if word == "的":
            return "de"
        if tag in self.stop_tags or _DIGIT.search(word):
            return "stop"
        if tag == "m" and following and regex.fullmatch(rf"[{CN_DIGITS}]+", word) and following[0] in self.classifiers:
            return "stop"  # "三座": a count of its own
        if tag in self.modifier_tags:
            return "modifier"
        if tag.startswith("v"):
            return "verb"
        return "noun"

    def is_verb_phrase(self, text: str) -> bool:
        """Whether ``text`` is only verbs and adverbs ("引导", "积极推动"): no noun in it."""
        tags = [t for w, t in self.lex.pos_tokenizer.cut(text) if not w.isspace()]
        return bool(tags) and all(t.startswith("v") or t in ("d", "ad") for t in tags)

    def skip_attribute(self, text: str, pos: int, end: int) -> int:
        """Past a size written before the counted noun ("日处理能力200吨以上餐厨垃圾处理厂" -> 餐厨…)."""
        for q in self.lex.grammar.find(text[pos : min(end, pos + 20)]):
            lead = text[pos : pos + q.start]
            if (
                not q.unit
                or q.unit_kind == "count"
                or not _ATTRIBUTE_LEAD.match(lead)
                or (lead and not self.lex.head_re.search(lead))
            ):
                return pos
            after = pos + q.end
            tail = _ATTRIBUTE_TAIL.match(text, after)
            after = tail.end() if tail else after
            if after < end and regex.match(r"\p{Han}", text[after]):
                return after
            return pos
        return pos

    def after(self, text: str, pos: int, end: int, subject: bool = False) -> Phrase:
        """The noun phrase starting at ``pos`` (after a count's unit), up to ``end`` (the clause's end).

        ``subject``: the phrase is a clause's subject, so an adverb after it opens the predicate
        ("工业领域二氧化碳排放率先达峰…" -> 工业领域二氧化碳排放).
        """
        filler = _FILLER.match(text, pos, end)
        pos = filler.end() if filler else pos
        pos = self.skip_attribute(text, pos, end)
        words = _quoted_as_one([(w, t) for w, t in self.lex.pos_tokenizer.cut(text[pos:end])])
        words = _alternatives_as_one(words, self.stop_tags)
        kinds = self._kinds(words)
        taken: list[str] = []
        at = pos
        stopped = ""
        part_start = 0  # where in ``taken`` the part after the last 、 starts

        def next_kind(k: int) -> str:
            while k < len(kinds) and kinds[k] == "space":
                k += 1
            return kinds[k] if k < len(kinds) else "end"

        for k, (word, kind) in enumerate(zip((w for w, _ in words), kinds)):
            ahead = next_kind(k + 1)
            if kind == "enum":
                # "专业、半专业森林草原防扑火队伍": short modifiers before the head they share; a whole
                # item ("风电项目、宁东…示范工程", "构建表流湿地、布置曝气机") ends the phrase
                keep = self._shared_modifier(taken[part_start:], ahead) and not _DIGIT.search(text, at, end)
                part_start = len(taken) + 1
            else:
                keep = self._keeps(kind, k, ahead, words, kinds, bool(taken), subject) and not (
                    kind == "join" and _DIGIT.search(text, at, end)
                )
            if not keep or len("".join(taken)) + len(word) > _MAX_PHRASE:
                stopped = word
                break
            if kind == "quoted":  # the quotes stay around a name that lists things (“清洁、低碳”)
                taken.append(word if regex.search(r"[、，]", word) else word.strip('“”"'))
            elif kind not in ("space", "de"):
                taken.append(word)
            at += len(word)
        return Phrase("".join(taken), at, stopped)

    def _kinds(self, words: list[tuple[str, str]]) -> list[str]:
        """Each word's kind; a predicate ending the clause is the work: "土壤修复", "DPF 加装" (not
        "…中心建设": says nothing)."""
        kinds = [self._kind(w, t, words[k + 1][0] if k + 1 < len(words) else "") for k, (w, t) in enumerate(words)]
        for k, kind in enumerate(kinds):
            after = next((j for j in range(k + 1, len(kinds)) if kinds[j] != "space"), None)
            if (
                kind == "predicate"
                and words[k][0] not in self.generic_verbs
                and (after is None or words[after][1] == "x")
            ):
                kinds[k] = "verb"
        return kinds

    def _keeps(
        self, kind: str, k: int, ahead: str, words: list, kinds: list[str], started: bool, subject: bool
    ) -> bool:
        """Whether the phrase takes word ``k`` (of ``kind``, the next word's kind ``ahead``)."""
        if kind in ("noun", "quoted"):
            return True  # “污水零直排区”: a name, whatever its words
        if kind in ("space", "de"):
            return started and ahead in ("noun", "verb")
        if kind == "verb":
            # before a noun, or ending the phrase ("DPF 加装", "海上光伏示范、")
            return ahead in ("noun", "verb", "modifier", "quoted", "end", "join", "predicate") or (
                ahead in ("stop", "enum") and _punctuation_next(words, k + 1)
            )
        if kind == "modifier":
            return ahead in ("noun", "verb", "modifier", "quoted") and not (
                subject and started and words[k][1] in ("d", "ad")
            )
        if kind == "etc":
            # "含氟等特征污染物": examples of a kind; "水泥企业等超低排放改造": a list ends before the work
            run = range(k + 1, k + 1 + len(_run(kinds, k + 1)))
            return started and ahead in ("noun", "verb") and not any(words[j][0] in self.predicates for j in run)
        if kind == "join":
            return started and ahead in ("noun", "verb", "modifier", "quoted")
        return False

    def _shared_modifier(self, part: list[str], ahead: str) -> bool:
        """Whether the words since the last 、 are one short modifier of a head still to come."""
        return (
            len(part) == 1
            and len(part[0]) <= _SHARED_MODIFIER
            and ahead in ("noun", "modifier")
            and not self.lex.full_head_re.search(part[0])
        )
