"""Headings and the section tree.

A heading is a short line that starts with a numbering style (第X章, 一、, （一）, 1., （1）, ①,
专栏N, 表N, Markdown ``#``).  Levels are not fixed per style: they follow the order in which
styles first appear in the document, so 一、 is level 1 in a plan without chapters and level 3
in one with 第X章/第X节.  Every position of the text can then be given its heading path.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import lru_cache

import regex

from ..text import numbering


@lru_cache(maxsize=1)
def heading_styles() -> list[tuple[str, regex.Pattern]]:
    """(style name, pattern capturing the number prefix) of each heading style
    (``patterns/numbering.yaml``); the order matters for matching only."""
    return [(name, regex.compile(rf"^({mark})\s*")) for name, mark in numbering.heading_styles()]


# box and table captions sit under whatever heading is open; they never become a chapter
_LEAF_STYLES = {"box", "table_caption"}
_MAX_HEADING_LEN = 60
_SENTENCE_INSIDE = regex.compile(r"[。；;]")  # a heading holds no sentence end


def match_heading(line: str) -> tuple[str, str, str] | None:
    """Return ``(style, number, title)`` when ``line`` is a heading, else None.

    >>> match_heading("第三章 深入打好污染防治攻坚战")
    ('chapter', '第三章', '深入打好污染防治攻坚战')
    >>> match_heading("（一）实施主体功能区战略，优化格局。落实主体功能区制度，完善规划体系。") is None
    True
    """
    s = line.strip(" \t\u3000")
    if not s or len(s) > _MAX_HEADING_LEN:
        return None
    for style, pat in heading_styles():
        m = pat.match(s)
        if not m:
            continue
        title = s[m.end() :].strip()
        if not title and style not in _LEAF_STYLES:
            return None
        # a heading has no sentence inside it: at most one final 。
        body = title.rstrip("。")
        if _SENTENCE_INSIDE.search(body):
            return None
        if style in ("arabic_dot", "circled", "arabic_paren", "cn_paren") and len(title) > 40:
            return None
        return style, m.group(1).strip(), title
    return None


def is_heading_line(line: str) -> bool:
    """Whether a line is a heading (see :func:`match_heading`)."""
    return match_heading(line) is not None


@dataclass
class Section:
    """One heading of a document and the text span it governs."""

    section_id: str
    level: int
    number: str
    title: str
    parent_id: str | None
    char_start: int
    char_end: int
    page: int | None = None
    style: str = ""

    @property
    def label(self) -> str:
        """The heading as printed: number and title."""
        sep = "" if self.number.endswith(("、", "）", ")", ".")) or not self.title else " "
        return f"{self.number}{sep}{self.title}".strip()


class SectionTree:
    """Sections of a document, with a lookup from text position to heading path."""

    def __init__(self, doc_id: str, sections: list[Section], text_len: int):
        self.doc_id = doc_id
        self.sections = sections
        self._starts = [s.char_start for s in sections]
        self._by_id = {s.section_id: s for s in sections}
        self.text_len = text_len

    def path_at(self, pos: int) -> list[Section]:
        """Headings enclosing position ``pos``, outermost first."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return []
        sec: Section | None = self.sections[i]
        path = []
        while sec is not None:
            path.append(sec)
            sec = self._by_id.get(sec.parent_id) if sec.parent_id else None
        return path[::-1]

    def chapter_at(self, pos: int) -> str:
        """Label of the top-level heading enclosing ``pos`` ('' before the first one)."""
        path = [s for s in self.path_at(pos) if s.style not in _LEAF_STYLES]
        return path[0].label if path else ""


def build_sections(doc) -> SectionTree:
    """Build the section tree of a document from its heading blocks."""
    style_level: dict[str, int] = {}
    stack: list[Section] = []
    sections: list[Section] = []
    for block in doc.blocks:
        if block.kind != "heading":
            continue
        m = match_heading(block.text)
        if m is None and block.level is None:
            continue
        # a heading style without numbering text (DOCX): its own style, at the given level
        style, number, title = m if m is not None else (f"styled{block.level}", "", block.text)
        if style in _LEAF_STYLES:
            while stack and stack[-1].style in _LEAF_STYLES:
                stack.pop()
            level = (stack[-1].level + 1) if stack else 1
        else:
            if style not in style_level and block.level is not None and m is None:
                style_level[style] = block.level
            if style not in style_level:
                # a new style nests under the innermost open heading
                open_levels = [s.level for s in stack if s.style not in _LEAF_STYLES]
                style_level[style] = (max(open_levels) + 1) if open_levels else 1
            level = style_level[style]
            while stack and (stack[-1].style in _LEAF_STYLES or stack[-1].level >= level):
                stack.pop()
        parent = stack[-1].section_id if stack else None
        sid = f"{doc.doc_id}:s{len(sections) + 1:04d}"
        sec = Section(sid, level, number, title, parent, block.char_start, len(doc.text), block.page, style)
        sections.append(sec)
        stack.append(sec)
    # a section ends where the next heading of the same or a higher level starts
    for i, sec in enumerate(sections):
        for nxt in sections[i + 1 :]:
            if nxt.level <= sec.level and nxt.style not in _LEAF_STYLES:
                sec.char_end = nxt.char_start
                break
    return SectionTree(doc.doc_id, sections, len(doc.text))
