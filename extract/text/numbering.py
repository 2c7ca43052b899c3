"""Numbering marks: the one definition of how headings, list items and captions are numbered.

The marks are data (``patterns/numbering.yaml``, validated with the other rule files); each rule
asks for the styles it needs by name and gets one regex alternation, e.g. a list item opens with
``marks("arabic_paren", "arabic_dot", "dash", "enumerated")``.  Readers and rules that run without a
:class:`~extract.patterns.Patterns` use the shipped file.

>>> import regex
>>> bool(regex.match(marks("cn_dun", "cn_paren"), "（三）加强监管"))
True
>>> bool(regex.match(marks("arabic_dot"), "3.5万吨"))
False
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _shipped() -> dict[str, str]:
    from ..patterns import load_patterns

    return load_patterns().numbering


def marks(*names: str, numbering: dict[str, str] | None = None) -> str:
    """A regex alternation (non-capturing) of the named marks, in the order given.

    Raises:
        KeyError: a name that ``patterns/numbering.yaml`` does not define.
    """
    table = numbering if numbering is not None else _shipped()
    return "(?:" + "|".join(f"(?:{table[n]})" for n in names) + ")"


def heading_styles() -> list[tuple[str, str]]:
    """``(style name, mark)`` of every heading style, in the order they are tried."""
    table = _shipped()
    return [(name, table[name]) for name in table["_styles"].split()]
