"""Sentence and clause splitting on normalised text, as spans.

Sentences end at 。！？ (and ! ?); clauses additionally at ，；： (and , ; :).  Spans are
trimmed of surrounding white space, so ``text[a:b]`` is exactly the sentence.

>>> text = "到2027年，森林覆盖率达到46%。湿地保护率稳定在45%以上！"
>>> [text[a:b] for a, b in sentences(text)]
['到2027年，森林覆盖率达到46%。', '湿地保护率稳定在45%以上！']
>>> [text[a:b] for a, b in clauses(text)][:2]
['到2027年，', '森林覆盖率达到46%。']
"""

from __future__ import annotations

from functools import lru_cache

import regex

SENTENCE_END = "。！？!?"
CLAUSE_END = SENTENCE_END + "，；：,;:"
_SPACE = " \t\u3000\n"


def _is_ascii_stop(text: str, i: int) -> bool:
    """An ASCII "." written as a Chinese full stop: after Chinese text (never a decimal point), or
    after a closing bracket with Chinese text following ("…(6台).规划研究…")."""
    if text[i] != "." or i == 0:
        return False
    if "\u4e00" <= text[i - 1] <= "\u9fff":
        return True
    return text[i - 1] in ")）" and i + 1 < len(text) and "\u4e00" <= text[i + 1] <= "\u9fff"


def last_sentence_end(text: str) -> int:
    """Index of the last sentence end in ``text`` (。！？, or an ASCII stop after Chinese), or -1.

    >>> last_sentence_end("到2025年.（一）")
    6
    """
    last = max(text.rfind(ch) for ch in SENTENCE_END)
    i = text.rfind(".")
    while i > last:  # an ASCII stop after the last 。！？ (only "." needs a look around)
        if _is_ascii_stop(text, i):
            return i
        i = text.rfind(".", 0, i)
    return last


@lru_cache(maxsize=8)
def _ends_re(ends: str) -> regex.Pattern:
    """One character class for the ends, newline and ".": a single scan finds every candidate."""
    return regex.compile("[" + regex.escape(ends + "\n.") + "]")


def _split(text: str, ends: str, start: int = 0, stop: int | None = None) -> list[tuple[int, int]]:
    stop = len(text) if stop is None else stop
    spans = []
    a = start
    check_dot = "." not in ends
    for m in _ends_re(ends).finditer(text, start, stop):
        i = m.start()
        if check_dot and text[i] == "." and not _is_ascii_stop(text, i):
            continue
        spans.append((a, i + 1))
        a = i + 1
    if a < stop:
        spans.append((a, stop))
    out = []
    for a, b in spans:
        while a < b and text[a] in _SPACE:
            a += 1
        while b > a and text[b - 1] in _SPACE:
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def sentences(text: str, start: int = 0, stop: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:stop]`` (absolute offsets)."""
    return _split(text, SENTENCE_END, start, stop)


def clauses(text: str, start: int = 0, stop: int | None = None) -> list[tuple[int, int]]:
    """Clause spans of ``text[start:stop]`` (absolute offsets)."""
    return _split(text, CLAUSE_END, start, stop)
