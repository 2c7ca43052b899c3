"""Prose rules: year x indicator x value statements of running text, one block at a time.

A block's quantities (``quantity.py``) each go through the decision steps (``decide.py``);
a candidate every step lets through becomes one commitment per coordinated item (``分别``
pairs items with values).  A paragraph opening with a target year ("到2025年，…：") lends it
to the list items under it ("——…", "（1）…").  Rejections are collected with the id of the
step that made them, for ``--explain`` and the likely-misses view.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import regex

from ..context.years import DocContext
from ..model import Block, Commitment, Document
from ..patterns import Patterns
from ..text.segment import sentences
from . import decide
from .candidate import PROSE, BlockContext, Candidate, Mode, Reject, Sentence
from .coordination import distributed_items, shared_head, split_items, value_group
from .indicator import from_left
from .lexicon import ProseLexicon

log = logging.getLogger(__name__)

_MAX_LIST_CHARS = 60  # a list of subjects paired with as many values (分别) may be this long

# set to "1" to let an error inside a rule propagate instead of being logged (the tests do)
STRICT_ENV = "PLAN_EXTRACT_STRICT"


def strict() -> bool:
    """Whether rule errors propagate (``PLAN_EXTRACT_STRICT=1``) rather than lose one block."""
    return os.environ.get(STRICT_ENV) == "1"


@dataclass(frozen=True)
class Rejection:
    """A quantity of the text that gave no commitment, and the step that said why."""

    char_start: int  # the quantity in the document's normalised text
    char_end: int
    sentence_start: int
    sentence_end: int
    rule_id: str
    detail: str


class ProseRules:
    """Compiled prose rules for one :class:`~extract.patterns.Patterns` (stateless per document)."""

    def __init__(self, patterns: Patterns, strict: bool = False):
        self.lex = ProseLexicon(patterns)
        self.years = self.lex.years
        self.strict = strict  # re-raise rule errors (tests)

    def extract(self, doc: Document, ctx: DocContext, rejections: list[Rejection] | None = None) -> list[Commitment]:
        """All prose commitments of a document, in text order."""
        out: list[Commitment] = []
        carry: int | None = None
        for block in doc.blocks:
            if block.kind != "paragraph":
                carry = None
                continue
            is_item = bool(self.lex.list_item_re.match(block.text))
            if not is_item:
                carry = None
            try:
                out.extend(self.extract_block(doc, block, ctx, PROSE, carry, rejections))
            except Exception:  # a rule bug must not lose the document
                if self.strict or strict():
                    raise
                log.exception("prose rules failed on block at %s:%s", doc.doc_id, block.line)
            if not is_item:
                carry = self._lead_in_year(block.text, ctx)
        return out

    def _lead_in_year(self, text: str, ctx: DocContext) -> int | None:
        """The target year a paragraph opens with ("到2025年，…") for the list items under it."""
        lead = self.years.year_re.match(text)
        if lead and regex.match(r"(?:到|至)", lead.group(0)):
            targets = [m for m in self.years.mentions(text[: lead.end()], ctx) if m.kind == "target"]
            return targets[-1].year if targets else None
        return None

    def extract_block(
        self,
        doc: Document,
        block: Block,
        ctx: DocContext,
        mode: Mode = PROSE,
        carried_year: int | None = None,
        rejections: list[Rejection] | None = None,
    ) -> list[Commitment]:
        """Commitments of one paragraph block (or box item, with a project ``mode``)."""
        quantities = self.lex.grammar.find(block.text)
        if not quantities:
            return []  # value first: a block without a quantity needs no other step
        b = self._context(doc, block, ctx, mode, carried_year, quantities)
        out: list[Commitment] = []
        spans = sentences(b.text)
        current: Sentence | None = None
        for i, q in enumerate(b.quantities):
            if q.num_start in b.consumed:
                continue
            s0, s1 = next(((a, z) for a, z in spans if a <= q.num_start < z), (0, len(b.text)))
            if current is None or (current.start, current.end) != (s0, s1):
                if current is not None and current.last_indicator:
                    b.previous_indicator = current.last_indicator
                current = Sentence(s0, s1)
            c = Candidate(q, i, current, *decide.clause_bounds(b.text, q.start, q.end, s0, s1))
            result = self._decide(c, b)
            if isinstance(result, Reject):
                if rejections is not None:
                    a = block.char_start
                    rejections.append(Rejection(a + q.start, a + q.end, a + s0, a + s1, result.rule_id, result.detail))
                continue
            found = self._commitments(result, b)
            out.extend(found)
            if found:
                current.last_indicator = found[-1].indicator
                current.prev_kind = result.unit_kind
                current.prev_end = max([g.end for g in (result.group or [q])] + [result.end])
        return out

    def _context(self, doc, block, ctx, mode: Mode, carried_year: int | None, quantities) -> BlockContext:
        text = block.text
        implied, background = self.years.stage_year(ctx, block.char_start, self.lex.background_re)
        override = mode.year or self.years.heading_target_year(ctx, block.char_start) or carried_year
        b = BlockContext(doc, block, ctx, mode, text, self.years.mentions(text, ctx), implied, background, override)
        b.quantities = quantities
        return b

    def _decide(self, c: Candidate, b: BlockContext) -> Candidate | Reject:
        for step in decide.STEPS:
            result = step(self.lex, c, b)
            if isinstance(result, Reject):
                return result
        return c

    def _commitments(self, c: Candidate, b: BlockContext) -> list[Commitment]:
        """One commitment per coordinated item ("A、B分别达到x和y")."""
        q = c.q
        c.group = [q]
        if "分别" in c.left:
            c.group = value_group(b.text, q, b.quantities[c.index + 1 :], c.clause_end)
            if len(c.group) > 2 and c.indicator_from == "left":
                # a long list paired with its values: the whole list, not its last words
                c.indicator = from_left(self.lex, c.left, limit=_MAX_LIST_CHARS) or c.indicator
        distributive = self.lex.distributive_re.search(c.left) if len(c.group) == 1 else None
        items = split_items(self.lex, c.indicator, paired=len(c.group) > 1 or distributive is not None)
        if distributive is not None and len(items) == 1:
            items = distributed_items(self.lex, c.indicator, c.left[: distributive.start()]) or items
        if len(items) > 1 and not any(self.lex.full_head_re.search(it) for it in items):
            # "持续削减水污染物排放总量，化学需氧量和氨氮分别减少7%和9%": the clause before names the head
            head = shared_head(self.lex, b.text[c.sentence.start : c.clause_start].rstrip("，；： "))
            items = [it + head for it in items] if head else items
        group_unit = next((g.unit for g in reversed(c.group) if g.unit), c.unit)
        group_post = c.group[-1].word_after if len(c.group) > 1 else ""
        if len(c.group) > 1 and len(items) == len(c.group):
            pairs = list(zip(items, c.group))
        elif len(c.group) > 1:
            pairs = [(c.indicator, q)]
            c.group = [q]
        else:
            pairs = [(it, q) for it in items]
        if len(pairs) > 1:
            c.rule_id = "prose.coordinated"
        elif c.klass == "project":
            c.rule_id = "prose.project"
        out = []
        for item, g in pairs:
            if g is not q:
                b.consumed.add(g.num_start)
            out.append(self._commitment(c, b, item, g, group_unit, group_post))
        return out

    def _commitment(self, c: Candidate, b: BlockContext, item: str, g, group_unit: str, group_post: str) -> Commitment:
        doc, block, text = b.doc, b.block, b.text
        if g is c.q:
            unit, value_text, start = c.unit or group_unit, c.value_text, c.value_start
            comparator = self.lex.p.comparators_after[group_post] if group_post and not c.q.word_after else c.comparator
        else:
            unit, value_text, start = g.unit or group_unit, g.text, g.start
            comparator = (
                g.comparator
                if (g.word_before or g.word_after)
                else (self.lex.p.comparators_after[group_post] if group_post else c.comparator)
            )
        confidence = (
            0.9
            - (0.15 if c.year_source == "implied" else 0)
            - (0.15 if not unit else 0)
            - (0.1 if len(item) > 20 else 0)
            - (0.1 if c.indicator_from in ("previous", "title") else 0)
        )
        s0 = block.char_start + c.sentence.start
        sentence = text[c.sentence.start : c.sentence.end]
        abs_val = block.char_start + start
        ym = c.year_mention
        return Commitment(
            doc_id=doc.doc_id,
            sentence=sentence,
            char_start=s0,
            char_end=s0 + len(sentence),
            indicator=item,
            value_text=value_text,
            year=c.year,
            year_source=c.year_source,
            value=g.value,
            value_min=g.value_min,
            value_max=g.value_max,
            unit=unit,
            comparator=comparator,
            change=c.change,
            cumulative=c.cumulative,
            strive=c.strive,
            baseline_year=c.baseline_year,
            baseline_value=c.baseline_value if g is c.q else None,
            source="text",
            klass=c.klass,
            confidence=round(confidence, 2),
            rule_id=c.rule_id,
            line=doc.line_of(abs_val),
            page=doc.page_of(abs_val),
            value_start=abs_val,
            year_start=None if ym is None else block.char_start + ym.start,
            year_end=None if ym is None else block.char_start + ym.end,
        )
