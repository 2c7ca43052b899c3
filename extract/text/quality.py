"""How readable a text layer is: the share of characters that do not belong in a Chinese plan.

A garbled text layer (a font whose ToUnicode map is wrong, an OCR layer that lost its digits)
reads as text all the same, so the reader measures it: private-use and replacement characters,
control characters, letters of scripts that plans never use (Cyrillic, Armenian, Hangul …)
mixed into Han text, and digits lost next to 年 and %.  The PDF reader uses the measure to
choose between two extractors per page and to warn about pages it could not read well.

>>> unusual_share("到2025年，森林覆盖率达到46%。")
0.0
>>> unusual_share("坚Ń生态αzњ绿色发展ћ")
0.25

A character an extractor could not map at all, as pdfminer writes it, is one unusual character:

>>> unusual_share("(cid:1467)(cid:4162)总体要求")
0.3333333333333333
"""

from __future__ import annotations

import re

import regex

# characters a Chinese plan does not contain (μ Δ α β γ ° and the Latin alphabet are units and
# symbols; letters of Latin Extended, Cyrillic, Armenian, Hangul, kana … are not)
_UNUSUAL = regex.compile(
    r"[\p{Co}\ufffd\x00-\x08\x0b\x0c\x0e-\x1f"
    r"\p{Cyrillic}\p{Armenian}\p{Hebrew}\p{Arabic}\p{Hangul}\p{Hiragana}\p{Katakana}\p{Thai}"
    r"\u0100-\u024f\u0250-\u02af\u0370-\u03ff--[μΔαβγΩ]]",
    regex.V1,
)
# runs of characters that may be unusual: everything but tab/newline/CR, printable ASCII, the
# CJK Unified Ideographs, CJK punctuation and full-width forms, none of which _UNUSUAL matches
# (tests/test_normalize.py checks every one); ``re`` finds them ~5x faster than ``regex`` finds
# _UNUSUAL in the whole text, which is then run on the runs only
_MAYBE_UNUSUAL_CLASS = r"[^\t\n\r\x20-\x7e\u4e00-\u9fff\u3000-\u302d\u3030-\u303f\uff01-\uff5e]"
_MAYBE_UNUSUAL = re.compile(_MAYBE_UNUSUAL_CLASS + "+")
# a year or a percentage whose digits are missing: "到年底", "至年", " 年全省", "达到%"
_LOST_DIGITS = regex.compile(
    r"(?:到|至|截至|截止|于)\s*年|(?<![\d.\s０-９])\s+年(?=[底末前])|(?:达到|为|下降|提高|于)\s*[%％]"
)


# pdfminer's stand-in for a character code it could not map to Unicode
_UNMAPPED = regex.compile(r"\(cid:\d+\)")


def unusual_share(text: str) -> float:
    """Share of the non-space characters of ``text`` that are unusual, lost digits counted."""
    if "(cid:" in text:
        text = _UNMAPPED.sub("\ufffd", text)
    n_body = len(text) - sum(text.count(ch) for ch in _SPACES)
    if n_body <= 0:
        return 0.0
    unusual = sum(1 for run in _MAYBE_UNUSUAL.findall(text) for _ in _UNUSUAL.finditer(run))
    bad = unusual + 3 * sum(1 for _ in _LOST_DIGITS.finditer(text))
    return min(1.0, bad / n_body)


_SPACES = (" ", "\n", "\t", "\r", "\u3000", "\xa0")
