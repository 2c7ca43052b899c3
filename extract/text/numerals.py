"""Numbers as written in plans -> floats.

Arabic numerals (with thousands separators) are parsed directly; Chinese numerals go
through cn2an, and only on the captured span (cn2an on running text corrupts it:
二氧化碳 -> 2氧化碳).  ``百分之`` is stripped here because cn2an rejects it.
"""

from __future__ import annotations

from functools import lru_cache

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿点"


@lru_cache(maxsize=4096)  # a pure function of a short string; cn2an takes ~0.1 ms a numeral
def parse_number(text: str) -> float | None:
    """Parse an Arabic or Chinese numeral; None when it is not a number.

    >>> parse_number("1,234.5"), parse_number("百分之四十"), parse_number("一万零九百四十四")
    (1234.5, 40.0, 10944.0)
    >>> parse_number("三点五"), parse_number("两"), parse_number("abc") is None
    (3.5, 2.0, True)
    """
    s = text.strip().replace(",", "").replace("，", "")
    if not s:
        return None
    if s.startswith("百分之"):
        s = s[3:]
    try:
        return float(s)
    except ValueError:
        pass
    if not all(ch in CN_DIGITS for ch in s):
        return None
    try:
        import cn2an  # imported on first use: it takes ~70 ms to load

        return float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None
