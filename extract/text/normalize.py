"""Offset-keeping normalisation of plan text.

Every character of the normalised text remembers the span of source characters it came
from, so any span of the normalised text maps back to an exact slice of the decoded source
(and from there to a line).  The transforms are the ones plan text needs and no more:
full-width digits and a few symbols to ASCII (a translation table, not NFKC), layout noise
(``[bookmark: …]``, ``**``) removed, LaTeX unit fragments turned into text, spaces inside
numbers and around years removed, and hard-wrapped lines of PDF-derived text joined.

>>> n = normalize("到 2027 年，比例达到９３．８ ％")
>>> n.text
'到2027年，比例达到93.8%'
"""

from __future__ import annotations

import bisect
import re
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import regex

from . import numbering
from .segment import last_sentence_end

# --- character translation (one source char -> one or more output chars) -----------------
_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_WIDTH.update(
    {
        "％": "%",
        "／": "/",
        "．": ".",
        "＜": "<",
        "＞": ">",
        "≥": ">=",
        "≤": "<=",
        "＋": "+",
        "－": "-",
        "～": "~",
        "＝": "=",
        "µ": "μ",
        "﹪": "%",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u200b": "",
        "\ufeff": "",
        "\r": "",
    }
)
# control characters (but tab and newline), C1 controls and the bidi controls and marks are
# dropped: nothing stored from a document can drive a terminal or reorder what a reader sees
_WIDTH.update(
    {
        ch: ""
        for ch in map(
            chr,
            [
                *range(0x00, 0x09),
                0x0B,
                0x0C,
                *range(0x0E, 0x20),
                *range(0x7F, 0xA0),
                0x061C,
                0x200E,
                0x200F,
                *range(0x202A, 0x202F),
                *range(0x2066, 0x206A),
            ],
        )
    }
)
_WIDTH.update({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})  # Ａ-Ｚ
_WIDTH.update({chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})  # ａ-ｚ
_SUBSCRIPT = {chr(0x2080 + i): str(i) for i in range(10)}
_SUPERSCRIPT = {"²": "²", "³": "³"}

# --- LaTeX fragments ----------------------------------------------------------------------
_LATEX_CMDS = {
    r"\mu": "μ",
    r"\cdot": "·",
    r"\times": "×",
    r"\%": "%",
    r"\leq": "<=",
    r"\geq": ">=",
    r"\le": "<=",
    r"\ge": ">=",
    r"\sim": "~",
    r"\pm": "±",
    r"\circ": "°",
}
_SUP = {"2": "²", "3": "³"}


def latex_to_text(fragment: str) -> str:
    r"""Turn a LaTeX fragment into plain text.

    >>> latex_to_text(r"\mu\text{g}/\text{m}^3")
    'μg/m³'
    >>> latex_to_text("_{2.5}")
    '2.5'
    """
    s = fragment
    s = regex.sub(r"\\(?:text|mathrm|mathit|rm|operatorname)\s*\{([^{}]*)\}", r"\1", s)
    for cmd, rep in sorted(_LATEX_CMDS.items(), key=lambda kv: -len(kv[0])):
        s = s.replace(cmd, rep)
    s = regex.sub(r"\^\s*\{?\s*([23])\s*\}?", lambda m: _SUP[m.group(1)], s)
    s = regex.sub(r"[_^]\s*\{([^{}]*)\}", r"\1", s)
    s = regex.sub(r"[_^]\s*([0-9A-Za-z.]+)", r"\1", s)
    s = s.replace("{", "").replace("}", "").replace("\\", "")
    return regex.sub(r"\s+", "", s)


@dataclass
class NormalizeOptions:
    """Document-level switches: ``join_wraps`` joins lines broken inside a sentence."""

    join_wraps: bool = False
    # a line shorter than this (and not the first of the text) ends its paragraph: a title
    # or the last line of a paragraph, never a wrap (PDF text; 0 = off)
    min_wrap_line: int = 0
    # the usual length of a full line; a shorter line ending like a title (…规划) is a title
    full_line: int = 0
    # a single space between two Chinese characters is layout (justified PDF text: "大 连 市")
    join_han_spaces: bool = False
    # private-use glyphs of the text layer and what they print as (patterns/glyphs.yaml); any
    # other private-use character is read as a decimal point between digits and dropped elsewhere
    glyphs: dict = field(default_factory=dict)


@dataclass
class NormText:
    """Normalised text plus, for every character, the source span it came from."""

    text: str
    starts: array  # array('q'): source start of each normalised character
    ends: array  # array('q'): source end of each normalised character
    source: str = ""
    line_starts: list[int] = field(default_factory=list)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source slice ``[a, b)`` that produced normalised ``text[start:end]``."""
        if end <= start:
            a = self.starts[start] if start < len(self.starts) else len(self.source)
            return a, a
        return self.starts[start], self.ends[end - 1]

    def line_of(self, pos: int) -> int:
        """1-based source line of normalised position ``pos``."""
        if not self.starts:
            return 1
        src = self.starts[min(pos, len(self.starts) - 1)]
        return bisect.bisect_right(self.line_starts, src)


@lru_cache(maxsize=64)
def _char_class(chars: str) -> re.Pattern:
    """A compiled pattern matching any one of ``chars`` (for :meth:`_Builder.translate`).

    A class of literal characters means the same to ``re`` as to ``regex``; ``re`` finds it
    about ten times faster in Chinese text.
    """
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


@lru_cache(maxsize=64)
def _split_table(items: tuple[tuple[str, str], ...]) -> tuple[str, str] | None:
    """The keys of the one-to-one entries of a translation table, and the keys of the others.

    None when a replacement contains a key (then the two passes would differ from one).
    """
    keys = {k for k, _ in items}
    if any(ch in keys for _, v in items for ch in v):
        return None
    return "".join(k for k, v in items if len(v) == 1), "".join(k for k, v in items if len(v) != 1)


class _Builder:
    """Rewrites a text with regex substitutions that keep, for each character, its source span.

    The map from the text to the source is kept as pieces, not per character: a run of
    characters copied from the source (``source = position + shift``) or a replacement (every
    character maps to one source span).  A substitution is one regex scan plus the text's
    slices and touches only the pieces, so a step costs the scan, not a copy of the offsets;
    the per-character offsets (``array('q')``, 8 bytes an entry) are made once, at the end
    (:meth:`offsets`).
    """

    def __init__(self, text: str):
        self.text = text
        # pieces in text order: (first, stop, shift, None) copied from the source, or
        # (first, stop, source start, source end) a replacement
        self.pieces: list[tuple[int, int, int, int | None]] = [(0, len(text), 0, None)] if text else []
        self._firsts: list[int] | None = None

    def _piece_at(self, i: int) -> tuple[int, int, int, int | None]:
        if self._firsts is None:
            self._firsts = [p[0] for p in self.pieces]
        return self.pieces[bisect.bisect_right(self._firsts, i) - 1]

    def _start(self, i: int) -> int:
        _a, _b, x, y = self._piece_at(i)
        return i + x if y is None else x

    def _end(self, i: int) -> int:
        _a, _b, x, y = self._piece_at(i)
        return i + x + 1 if y is None else y

    def sub(self, pattern: regex.Pattern | re.Pattern, repl: Callable[[regex.Match], str | None]) -> None:
        """Replace each match by ``repl(m)``; the replacement maps to the whole match span.

        ``repl`` returning None keeps the match unchanged.
        """
        t, n = self.text, len(self.text)
        out: list[str] = []
        pieces: list[tuple[int, int, int, int | None]] = []
        old = self.pieces
        k = 0  # the first old piece not wholly copied yet
        length = 0  # characters written so far
        pos = 0

        def copy(u: int, v: int) -> None:
            """Old text [u, v) goes on at ``length``."""
            nonlocal k
            shift = length - u
            while k < len(old) and old[k][1] <= u:
                k += 1
            j = k
            while j < len(old) and old[j][0] < v:
                a, b, x, y = old[j]
                lo, hi = max(a, u), min(b, v)
                pieces.append(
                    (lo + shift, hi + shift, x - shift, None) if y is None else (lo + shift, hi + shift, x, y)
                )
                j += 1

        for m in pattern.finditer(t):
            a, b = m.span()
            new = repl(m)
            if new is None:
                continue
            if a > pos:
                copy(pos, a)
                out.append(t[pos:a])
                length += a - pos
            if new:
                if a < b:
                    sa, eb = self._start(a), self._end(b - 1)
                else:  # insertion at a point: anchor to the next char
                    sa = self._start(a) if a < n else (self._end(n - 1) if n else 0)
                    eb = sa
                out.append(new)
                pieces.append((length, length + len(new), sa, eb))
                length += len(new)
            pos = b
        if not out and pos == 0:
            return  # no match was replaced
        if pos < n:
            copy(pos, n)
            out.append(t[pos:])
        self.text, self.pieces, self._firsts = "".join(out), pieces, None

    def offsets(self) -> tuple[array, array]:
        """The source start and end of every character of the text (``array('q')`` each).

        Filled piece by piece in place (through numpy views of the two arrays): no array the
        size of the text is made but these two.
        """
        import numpy as np

        n = len(self.text)
        starts, ends = array("q", [0]) * n, array("q", [0]) * n
        if not n:
            return starts, ends
        sv, ev = np.frombuffer(starts, dtype=np.int64), np.frombuffer(ends, dtype=np.int64)
        for a, b, x, y in self.pieces:
            if y is None:  # copied: source = position + shift
                sv[a:b] = np.arange(a + x, b + x, dtype=np.int64)
                ev[a:b] = sv[a:b]
                ev[a:b] += 1
            else:
                sv[a:b] = x
                ev[a:b] = y
        return starts, ends

    def translate(self, table: dict[str, str]) -> None:
        """Per-character translation (1 -> 0..n characters), offsets kept exactly.

        Characters that become one character keep their offsets: they are replaced in the
        text alone; the others (dropped, or written as two) go through :meth:`sub`, first.
        """
        keys = "".join(sorted(table))
        if not keys:
            return
        split = _split_table(tuple(sorted(table.items())))
        if split is None:  # an output character is also a key: one pass, as written
            self.sub(_char_class(keys), lambda m: table[m.group()])
            return
        single, other = split
        if other:
            self.sub(_char_class(other), lambda m: table[m.group()])
        if single:
            self.text = _char_class(single).sub(lambda m: table[m.group()], self.text)


# private-use glyphs left after the known substitutions: a decimal point between digits, else noise
_PRIVATE_USE = regex.compile(r"\p{Co}")
_PRIVATE_USE_DECIMAL = regex.compile(r"(?<=[0-9０-９])[ ]?\p{Co}[ ]?(?=[0-9０-９])")

# layout markers left by converters
_BOOKMARK = regex.compile(r"\[bookmark:[^\]\n]*\]")
_BOLD = regex.compile(r"\*\*")
# a $…$ LaTeX fragment on one line: only when it looks like LaTeX (a command, a sub/superscript
# or a brace group), so text between two dollar signs ("$5 和 $8") stays as written
_LATEX_DOLLAR = regex.compile(r"\$(?=[^$\n]{0,80}?(?:\\[A-Za-z%]|[_^]|\{))([^$\n]{1,80})\$")
# a bare sub/superscript group outside $…$: "PM _{2.5}", "m^{3}"
_LATEX_BARE = regex.compile(r"[ \t]*[_^]\{([^{}\n]{1,12})\}")
_SUBSCRIPT_RUN = regex.compile(r"[₀-₉]+(?:\.[₀-₉]+)?|[₀-₉]*\.[₀-₉]+")
_SUBSCRIPT_DIGIT = regex.compile(r"[₀-₉]")  # every match of _SUBSCRIPT_RUN holds one
# horizontal spaces next to a number: "到 2027 年", "93.8 %", "26 微克"
_SPACE_NEAR_NUMBER = regex.compile(
    r"""(?<=[\d%.\p{Han}，。、；：（）“”\(\)<>=~μ])   # after a digit, Han char or CJK punctuation
        [ ]+
        (?=[\d])                                     # … before a digit
      | (?<=[\d%])                                   # after a digit or percent sign
        [ ]+
        (?=[\p{Han}%.，。、；：）\)μ<>~]|[a-zA-Z]{1,3}\b)    # … before Han text, unit or punctuation
    """,
    regex.VERBOSE,
)
# spaces around CJK punctuation and inside numbers like "1 000"
# ASCII punctuation that a PDF text layer wrote for Chinese punctuation (between Han text)
# (only before Han text, so the decision never depends on what follows a sentence's end)
# ("." stays as written: the sentence splitter ends a sentence at a full stop after Chinese text)
_ASCII_CJK_PUNCT = regex.compile(r"(?<=\p{Han}|[”）》])[,;:](?=\p{Han}|[“（《])")
_ASCII_TO_CJK = {",": "，", ";": "；", ":": "："}
# a space between two Chinese characters (justified PDF lines): "大 连 市 (3.71万吨)"
_HAN_SPACE_HAN = regex.compile(r"(?<=\p{Han})[ ]{1,2}(?=\p{Han})")
# letter-spaced Han text ("甘 肃 省 人 民 政 府"): single spaces between single characters
_LETTER_SPACED = regex.compile(r"(?:\p{Han}[ \u3000]){3,}\p{Han}")
# spaces around the slash of a compound unit: "微克 /立方米", "吨 / 万元"
_SPACE_IN_UNIT = regex.compile(r"(?<=[\p{Han}a-zA-Zμ³²])[ ]+(?=/)|(?<=/)[ ]+(?=[\p{Han}a-zA-Zμ])")
_SPACE_CJK_PUNCT = regex.compile(
    r"(?<=[^\s])[ ]+(?=[，。、；：）”)])|(?<=[，。、；：（“(])[ ]+(?=[^\s])"
    r"|(?<=\p{Han})[ ]+(?=[“《])|(?<=[”》])[ ]+(?=\p{Han})"
)


# --- hard-wrap joining ----------------------------------------------------------------------
# a line that starts like a heading or list item is never glued to the line above
@lru_cache(maxsize=1)
def _heading_start() -> regex.Pattern:
    """A line that starts like a heading or list item (numbering.yaml), an annex or a note."""
    numbered = numbering.marks(
        "part",
        "chapter",
        "section",
        "cn_dun",
        "cn_paren",
        "arabic_dot",
        "arabic_paren",
        "circled",
        "box",
        "table_caption",
    )
    return regex.compile(rf"^[ \t\u3000]*(?:{numbered}|附[件表录]|注[：:]|\#)")


_SENTENCE_END = "。！？；：”」』…"
_NEWLINE_RUN = regex.compile(r"[ \t\u3000]*\n(?:[ \t\u3000]*\n)*[ \t\u3000]*")


_TITLE_END = regex.compile(r"(?:规划|纲要|意见|方案|通知|办法|计划|决定)(?:[（(][^）)]{0,20}[）)])?$")


def _quote_runs_on(line: str, full_line: int) -> bool:
    """Whether a full-width line ending in a closing quote stops inside its sentence: the quote
    closes a quoted name (落实“一港一策”|的污染防治措施), not a quoted sentence (…。”)."""
    return (
        bool(full_line)
        and line[-1] == "”"
        and len(line) > 1
        and line[-2] not in _SENTENCE_END
        and len(line.strip()) >= 0.9 * full_line
    )


def _is_wrap(text: str, a: int, b: int, min_line: int = 0, full_line: int = 0) -> bool:
    """Whether the line break ``text[a:b]`` falls inside a sentence (a hard wrap)."""
    if a == 0 or b >= len(text):
        return False
    prev_line_start = text.rfind("\n", 0, a) + 1
    prev_line = text[prev_line_start:a]
    prev = prev_line.rstrip()
    if not prev or "\t" in prev_line or (prev[-1] in _SENTENCE_END and not _quote_runs_on(prev, full_line)):
        return False
    if prev[-1] == "." and len(prev) > 1 and regex.match(r"\p{Han}", prev[-2]):
        return False  # an ASCII full stop after Chinese text (some PDF text layers) ends a sentence
    if min_line and prev_line_start > 0 and len(prev.strip()) < min_line:
        return False
    if full_line and prev_line_start > 0 and len(prev.strip()) < 0.9 * full_line and _TITLE_END.search(prev):
        return False
    next_line_end = text.find("\n", b)
    next_line = text[b : next_line_end if next_line_end >= 0 else len(text)]
    if not next_line.strip() or "\t" in text[a:b] or "\t" in next_line:
        return False
    if _heading_start().match(next_line):
        return False
    # a short heading-like previous line (no punctuation inside) is a title, not a wrap; only
    # the part after the line's last sentence end counts, so the decision stays in its sentence
    cut = last_sentence_end(prev_line) + 1
    tail = prev_line[cut:]
    if (
        _heading_start().match(tail)
        and not regex.search(r"[，。；]", tail.rstrip())
        and (not full_line or len(tail.strip()) < 0.9 * full_line)
    ):
        return False  # (a numbered line running to the margin is an item that wraps)
    # a dash bullet ("——空气质量持续提升") opens a new item
    return not next_line.lstrip().startswith(("——", "－－", "--", "•", "●", "■", "◆"))


def looks_hard_wrapped(text: str) -> bool:
    """Whether a text was hard-wrapped (PDF-derived): most long lines end mid-sentence."""
    lines = [ln.strip() for ln in text.split("\n") if len(ln.strip()) >= 25]
    if len(lines) < 10:
        return False
    open_ends = sum(1 for ln in lines if ln[-1] not in _SENTENCE_END + "”）)")
    return open_ends / len(lines) > 0.5


def normalize(source: str, options: NormalizeOptions | None = None) -> NormText:
    """Normalise ``source`` keeping, for every output character, its source span.

    Args:
        source: decoded text of a whole document (or any slice of it).
        options: document-level switches (hard-wrap joining).

    Returns:
        A :class:`NormText`.
    """
    options = options or NormalizeOptions()
    b = _Builder(source)
    b.translate({"\r": "", "\ufeff": "", "\u200b": ""})
    if _PRIVATE_USE.search(source):
        if options.glyphs:
            b.translate(options.glyphs)
        b.sub(_PRIVATE_USE_DECIMAL, lambda m: ".")
        b.sub(_PRIVATE_USE, lambda m: "")
    b.sub(_BOOKMARK, lambda m: "")
    b.sub(_BOLD, lambda m: "")
    b.sub(_LATEX_DOLLAR, lambda m: latex_to_text(m.group(1)))
    b.sub(_LATEX_BARE, lambda m: latex_to_text(m.group(1)))
    if _SUBSCRIPT_DIGIT.search(b.text):
        b.sub(_SUBSCRIPT_RUN, lambda m: "".join(_SUBSCRIPT.get(c, c) for c in m.group(0)))
    b.translate(_WIDTH)
    b.translate({"«": "《", "»": "》"})
    b.sub(_LETTER_SPACED, lambda m: regex.sub(r"[ \u3000]", "", m.group(0)))
    if options.join_han_spaces:
        b.sub(_HAN_SPACE_HAN, lambda m: "")
    if options.join_wraps:
        t = b.text
        b.sub(
            _NEWLINE_RUN,
            lambda m: "" if _is_wrap(t, m.start(), m.end(), options.min_wrap_line, options.full_line) else None,
        )
    b.sub(_ASCII_CJK_PUNCT, lambda m: _ASCII_TO_CJK[m.group(0)])
    b.sub(_SPACE_NEAR_NUMBER, lambda m: "")
    b.sub(_SPACE_CJK_PUNCT, lambda m: "")
    b.sub(_SPACE_IN_UNIT, lambda m: "")
    line_starts = [0] + [m.end() for m in _NEWLINE.finditer(source)]
    starts, ends = b.offsets()
    return NormText(b.text, starts, ends, source, line_starts)


_NEWLINE = regex.compile("\n")
