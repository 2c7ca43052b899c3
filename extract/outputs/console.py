"""Text from documents and paths made safe for a terminal.

Nothing read from a document or a file name is interpreted by the console: callers print it
with rich's markup off (``[/b]`` stays text), and :func:`printable` replaces control
characters (ESC sequences, C1 controls, bidi overrides and marks, line and paragraph
separators) and the undecodable bytes of a file name by visible escapes first.  The same
escaping makes a file name data: :func:`extract.readers.relative_path` stores it escaped.
"""

from __future__ import annotations

import regex

# C0 controls but tab, DEL, C1 controls, the bidi controls and marks that reorder what a reader
# sees, the line/paragraph separators, and lone surrogates (the bytes of a file name that are
# not UTF-8, as Python's filesystem encoding keeps them: b"\xb9" -> "\udcb9")
_UNSAFE = regex.compile(
    r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
    r"\ud800-\udfff]"
)


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name: shown as that byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    r"""``text`` with every control character written as a visible escape.

    >>> printable("plan\x1b[31m[/b].txt")
    'plan\\x1b[31m[/b].txt'
    >>> printable(b"plan\xff.txt".decode("utf-8", "surrogateescape")), printable("a\u202eb")
    ('plan\\xff.txt', 'a\\u202eb')
    """
    return _UNSAFE.sub(lambda m: _escape(m.group(0)), str(text))
