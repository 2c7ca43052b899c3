"""What the prose decision steps pass along: a candidate value in its sentence, or a rejection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..context.years import DocContext, YearMention
from ..model import Block, Document
from ..quantity import Quantity


@dataclass(frozen=True)
class Mode:
    """How a text is read.

    ``prose``: running text; a value is a target only with a target cue.  ``project``: a
    project table's content cell or a 专栏 box item; every quantity counts as a thing to build
    (class "project") and the year is the box's or row's (``year``) when the text names none.
    """

    name: str = "prose"
    every_quantity: bool = False
    year: Optional[int] = None
    title: str = ""  # the item's or box's title ("散煤替代工程"): the indicator of last resort


PROSE = Mode()


@dataclass(frozen=True)
class Reject:
    """Why a quantity gave no commitment (``rule_id`` names the step and the reason)."""

    rule_id: str
    detail: str = ""


@dataclass
class Sentence:
    """A sentence of a block and what its earlier values left for the later ones."""

    start: int
    end: int
    prev_end: int = 0  # end of the last value that gave a commitment
    prev_kind: str = ""  # its unit kind
    last_indicator: str = ""  # its indicator
    head_indicator: str = ""  # the first full indicator of the sentence
    place_base: str = ""  # what a list of places counts, once its first place named it


@dataclass
class BlockContext:
    """One paragraph (or box item) being read: its text, years and the document around it."""

    doc: Document
    block: Block
    ctx: DocContext
    mode: Mode
    text: str
    years: list[YearMention]
    implied_year: Optional[int]
    background: bool
    year_override: Optional[int]
    quantities: list[Quantity] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)
    previous_indicator: str = ""  # the block's last indicator before this sentence


@dataclass
class Candidate:
    """A quantity on its way to becoming a commitment; the steps fill in its fields."""

    q: Quantity
    index: int  # position in BlockContext.quantities
    sentence: Sentence
    clause_start: int
    clause_end: int
    left_start: int = 0
    left: str = ""  # the clause before the value (after an earlier value)
    value_text: str = ""
    value_start: int = 0  # in the block's text
    unit: str = ""
    unit_kind: str = ""
    year: Optional[int] = None
    year_source: str = "explicit"
    year_mention: Optional[YearMention] = None
    comparator: str = "="
    change: str = "level"
    strive: bool = False
    cumulative: bool = False
    baseline_year: Optional[int] = None
    baseline_value: Optional[float] = None
    indicator: str = ""
    indicator_from: str = "left"  # left | object | after | title | previous
    klass: str = "indicator"
    cue: str = ""  # the target cue that made it a target
    continues: bool = False  # the value goes on a list after an earlier value ("、示范村10个")
    end: int = 0  # where what the value says ends: its unit, or the object named after it
    group: list[Quantity] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    rule_id: str = "prose.target"
    confidence: float = 0.9
