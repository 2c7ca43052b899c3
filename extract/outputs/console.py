"""Text from documents and paths made safe for a terminal.

Nothing read from a document or a file name is interpreted by the console: callers print it
with rich's markup off (``[/b]`` stays text), and :func:`printable` replaces control
characters (ESC sequences, C1 controls, bidi overrides) by visible escapes first.
"""
from __future__ import annotations

import regex

# C0 controls but tab, DEL, C1 controls, and the bidi controls that reorder what a reader sees
_UNSAFE = regex.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    r"""``text`` with every control character written as a visible escape.

    >>> printable("plan\x1b[31m[/b].txt")
    'plan\\x1b[31m[/b].txt'
    """
    s = str(text)
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100
                       else f"\\u{ord(m.group(0)):04x}", s)
