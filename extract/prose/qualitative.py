"""Targets without a number: 基本消除, 全覆盖, 稳中向好, 完成省下达目标, 不降低, 零增长.

A plan promises more than numbers: "到2025年，县级城市建成区基本消除黑臭水体", an indicator table's
"完成省下达目标" in the 2025 column.  Each such promise becomes a commitment of class
``"qualitative"``: no value, its words in ``target_text`` (and ``value_text``, so the evidence
spans mark them), the indicator it is about, and the year the prose rules' year scope gives
(``decide.year_scope`` and ``decide.past_clause`` run on the phrase as on a number: a past year,
a review section or 已完成 turn it down).  The words are data (``patterns/qualitative.yaml``).

Only clauses without a number count (a number is the target there), and never words inside
quotes or a title.  The reference scorer leaves these rows out; ``compare`` shows them only
when asked.
"""

from __future__ import annotations

import regex

from ..context.years import DocContext
from ..model import Block, Commitment, Document
from ..patterns import Patterns, QualitativePhrase
from ..quantity import Quantity
from ..text.segment import sentences
from . import decide
from . import indicator as names
from .candidate import PROSE, BlockContext, Candidate, Reject, Sentence
from .lexicon import ProseLexicon

_QUOTED = regex.compile(r"“[^”]*”|《[^》]*》|\"[^\"]*\"")
_DIGIT = regex.compile(r"\d")
# a "before" phrase states the target when it ends its clause ("…实现全覆盖。"), not when it
# qualifies a noun ("全覆盖的监测体系", "全覆盖样板区", "全覆盖监管")
_CLAUSE_END_AFTER = regex.compile(r"[”\"]?[ ]?(?:[，。；：、,;:！？!?)）]|$)")
_OBJECT_END = regex.compile(r"(?:并|并且|同时|以及)")
_LIST_ITEM_PREDICATE = regex.compile(r"不\p{Han}{1,2}$")
_CONFIDENCE = 0.6
_MAX_OBJECT = 30
_ORDINAL = regex.compile(r"^(?:[一二三四五六七八九十]是|其[一二三四五六七八九十])")  # "一是全面消除…"


class QualitativeTargets:
    """The qualitative target rules of one :class:`~extract.patterns.Patterns` (``qualitative.yaml``, checked
    on load); built once per rules with ``patterns.compiled(QualitativeTargets)``."""

    def __init__(self, patterns: Patterns):
        self.phrases: tuple[QualitativePhrase, ...] = patterns.qualitative_phrases
        self.cell_re = regex.compile("|".join(f"(?:{p.pattern})" for p in patterns.qualitative_cells))
        self.any_re = regex.compile("|".join(f"(?:{p.pattern.pattern})" for p in self.phrases))
        self.vague = patterns.vague_subjects

    # --- prose ----------------------------------------------------------------------------------
    def extract(self, doc: Document, ctx: DocContext, rules) -> list[Commitment]:
        """The qualitative targets of a document's paragraphs (``rules``: its :class:`ProseRules`)."""
        lex: ProseLexicon = rules.lex
        out: list[Commitment] = []
        carry: int | None = None
        for block in doc.blocks:
            if block.kind != "paragraph":
                carry = None
                continue
            is_item = bool(lex.list_item_re.match(block.text))
            if not is_item:
                carry = None
            if self.any_re.search(block.text):
                out.extend(self.in_block(doc, block, ctx, lex, carry))
            if not is_item:
                carry = rules._lead_in_year(block.text, ctx)  # "到2025年，…：" lends its year to the items
        return out

    def in_block(
        self, doc: Document, block: Block, ctx: DocContext, lex: ProseLexicon, carried_year: int | None = None
    ) -> list[Commitment]:
        """The qualitative targets of one paragraph."""
        text = block.text
        years = lex.years
        implied, background = years.stage_year(ctx, block.char_start, lex.background_re)
        override = years.heading_target_year(ctx, block.char_start) or carried_year
        b = BlockContext(doc, block, ctx, PROSE, text, years.mentions(text, ctx), implied, background, override)
        quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]

        def in_quote(m) -> bool:
            """Inside “…” with other words (“摸清底数—试点示范—全面完成”); “零增长” alone is emphasis."""
            return any(a < m.start() and m.end() < z and z - a - 2 > len(m.group(0)) for a, z in quoted)

        out, seen = [], set()
        for s0, s1 in sentences(text):
            for phrase in self.phrases:
                for m in phrase.pattern.finditer(text, s0, s1):
                    if in_quote(m) or m.start() in seen:
                        continue
                    c = self._commitment(phrase, m, s0, s1, b, lex)
                    if c is not None:
                        seen.add(m.start())
                        out.append(c)
        return out

    def _commitment(
        self, phrase: QualitativePhrase, m, s0: int, s1: int, b: BlockContext, lex: ProseLexicon
    ) -> Commitment | None:
        text, block, doc = b.text, b.block, b.doc
        c0, c1 = decide.clause_bounds(text, m.start(), m.end(), s0, s1)
        if _DIGIT.search(text, c0, c1) and lex.grammar.find(text[c0:c1]):
            return None  # the clause states a number: that is its target
        if phrase.indicator == "before" and not _CLAUSE_END_AFTER.match(text, m.end()):
            return None  # "全覆盖的监测体系": the words qualify a noun
        q = Quantity(
            m.start(),
            m.end(),
            m.start(),
            m.end(),
            None,
            None,
            None,
            "",
            "",
            m.end(),
            m.end(),
            "=",
            "",
            "",
            False,
            False,
            m.group(0),
        )
        c = Candidate(q, 0, Sentence(s0, s1), c0, c1)
        for step in (decide.year_scope, decide.past_clause):
            if isinstance(step(lex, c, b), Reject):
                return None
        indicator = names.from_left(lex, self._left(text, c0, m.start(), b))
        if phrase.indicator == "around":
            indicator += self._object(lex, text, m.end(), c1)
        indicator = _ORDINAL.sub("", indicator.removeprefix("其")).rstrip(".。")
        if len(indicator) < 2 or indicator in lex.verbs or indicator in lex.heads or indicator in self.vague:
            return None  # nothing named, or a bare 面积 / 功能 whose subject is elsewhere
        start = block.char_start + m.start()
        ym = c.year_mention
        sentence = text[s0:s1]
        return Commitment(
            doc_id=doc.doc_id,
            sentence=sentence,
            char_start=block.char_start + s0,
            char_end=block.char_start + s0 + len(sentence),
            indicator=indicator,
            value_text=m.group(0),
            year=c.year,
            year_source=c.year_source,
            value=None,
            strive=bool(lex.strive_re.search(text, c0, m.start()) or lex.strive_lead_re.match(text[s0 : m.start()])),
            source="text",
            klass="qualitative",
            confidence=_CONFIDENCE,
            rule_id=f"qualitative.{phrase.id}",
            line=doc.line_of(start),
            page=doc.page_of(start),
            value_start=start,
            year_start=None if ym is None else block.char_start + ym.start,
            year_end=None if ym is None else block.char_start + ym.end,
        )

    @staticmethod
    def _object(lex: ProseLexicon, text: str, pos: int, clause_end: int) -> str:
        """What a verb phrase acts on: the rest of its clause up to 并 ("基本消除城乡黑臭水体并形成…"),
        or, when that is long or holds a number, the noun phrase after it."""
        obj = _OBJECT_END.split(text[pos:clause_end])[0].strip("。；，、 ").removeprefix("对")
        if len(obj) > _MAX_OBJECT or _DIGIT.search(obj):
            obj = names.object_after(lex, text, pos, clause_end)
        return obj

    @staticmethod
    def _left(text: str, clause_start: int, pos: int, b: BlockContext) -> str:
        """The clause before the words, after a year phrase that opens it ("到2027年，…")."""
        start = clause_start
        for ym in b.years:
            opens = not text[clause_start : ym.start].strip("，、 到至力争取")
            if clause_start <= ym.start and ym.end <= pos and opens:
                start = max(start, ym.end)
        left = text[start:pos].lstrip("，、；： ").removeprefix("前")  # "2024年底前…"
        items = left.split("、")
        if len(items) > 1 and _LIST_ITEM_PREDICATE.search(items[-2]):
            left = items[-1]  # "数量不减少、质量不降低": each item names its own subject
        return left

    # --- table cells ------------------------------------------------------------------------------
    def cell_target(self, text: str) -> str | None:
        """The words of a non-numeric target cell that make it a target ("完成省下达目标"), or None.

        >>> from extract.patterns import load_patterns
        >>> rules = QualitativeTargets(load_patterns())
        >>> rules.cell_target("按国家核定目标执行"), rules.cell_target("—"), rules.cell_target("93左右")
        ('按国家核定目标执行', None, None)
        """
        text = text.strip()
        if not text or _DIGIT.search(text) or not self.cell_re.search(text):
            return None
        return text

    def cell_readings(self, name: str, text: str) -> list[tuple[str, Quantity, bool]]:
        """A target cell's words as the table reader reads a value: ``[(indicator, words, cumulative)]``.

        The words are a :class:`~extract.quantity.Quantity` with no value and ``unit_kind``
        "qualitative" (the row's class); [] when the cell promises nothing.
        """
        words = self.cell_target(text)
        if words is None:
            return []
        at = max(text.find(words), 0)
        return [
            (
                name,
                Quantity(
                    at,
                    at + len(words),
                    at,
                    at + len(words),
                    None,
                    None,
                    None,
                    "",
                    "qualitative",
                    at + len(words),
                    at + len(words),
                    "=",
                    "",
                    "",
                    False,
                    False,
                    words,
                ),
                False,
            )
        ]
