"""What every reader shares: the error type and cutting normalised text into blocks.

A reader turns a file into a :class:`~extract.model.Document`: normalised text (with an offset
map) cut into blocks: paragraphs, headings and tables as rows of cells.  Lines holding tabs
are table rows, whatever the format they came from.
"""
from __future__ import annotations

from ..context.sections import is_heading_line
from ..model import Block, Cell, Document


class ReadError(Exception):
    """A document cannot be read; the message is the one-line reason shown to the user."""


def _table_rows(text: str, lines: list[tuple[int, int]]) -> list[list[Cell]]:
    """Rows of cells from the lines of a text table.

    Two layouts occur in text exports: one row per line with tab-separated cells, and one cell
    per line (each starting with a tab, a cell's text continuing on untabbed lines, rows
    separated by blank lines).
    """
    body = [(a, b) for a, b in lines if text[a:b].strip()]
    multi = sum(1 for a, b in body if len([c for c in text[a:b].split("\t") if c.strip()]) >= 2)
    rows: list[list[Cell]] = []
    if body and multi / len(body) >= 0.5:
        for a, b in body:
            row, pos = [], a
            for part in text[a:b].split("\t"):
                lead = len(part) - len(part.lstrip())
                row.append(Cell(part.strip(), pos + lead, pos + lead + len(part.strip())))
                pos += len(part) + 1
            rows.append(row)
        return rows
    row: list[Cell] = []
    for a, b in lines:
        line = text[a:b]
        if not line.strip(" \u3000"):   # a blank line (a lone tab is an empty cell)
            if len(row) >= 2:            # a one-cell "row" is a cell continued after a blank line
                rows.append(row)
                row = []
            continue
        if line.startswith("\t") or not row or "\t" in line.strip():
            for k, part in enumerate(line.lstrip("\t").split("\t")):
                off = a + (len(line) - len(line.lstrip("\t")))
                cs = off + sum(len(x) + 1 for x in line.lstrip("\t").split("\t")[:k])
                lead = len(part) - len(part.lstrip())
                row.append(Cell(part.strip(), cs + lead, cs + lead + len(part.strip())))
        else:  # a cell's text continued on the next line
            last = row[-1]
            piece = line.strip()
            row[-1] = Cell(last.text + piece, last.char_start if last.text else a + line.index(piece[0]),
                           a + len(line.rstrip()))
    if row:
        rows.append(row)
    return rows


# untabbed lines inside a text table are a cell's text continued: short, and few in a row
_MAX_CONTINUATION_LINES = 3
_MAX_CONTINUATION_CHARS = 40


def blocks_from_text(doc: Document) -> list[Block]:
    """Cut normalised text into blocks: one per non-empty line; tab lines form tables."""
    text = doc.text
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    # a table line starts with a tab or has one inside (a trailing tab after a heading does not count)
    is_tab = [text[a:b].startswith("\t") or "\t" in text[a:b].strip() for a, b in spans]
    blocks: list[Block] = []
    i = 0
    n_tables = 0
    while i < len(spans):
        a, b = spans[i]
        if is_tab[i]:
            j = i
            while j + 1 < len(spans):
                na, nb = spans[j + 1]
                if is_tab[j + 1] or not text[na:nb].strip():
                    j += 1
                    continue
                # untabbed text stays in the table when a tabbed line follows before a blank one
                k, seen = j + 1, 0
                while k < len(spans) and not is_tab[k] and seen <= _MAX_CONTINUATION_LINES:
                    piece = text[spans[k][0]:spans[k][1]].strip()
                    if len(piece) > _MAX_CONTINUATION_CHARS:
                        break
                    seen += 1 if piece else 0
                    k += 1
                if k < len(spans) and is_tab[k] and seen <= _MAX_CONTINUATION_LINES:
                    j = k
                    continue
                break
            while j > i and not text[spans[j][0]:spans[j][1]].strip():
                j -= 1
            n_tables += 1
            rows = _table_rows(text, spans[i:j + 1])
            ta, tb = spans[i][0], spans[j][1]
            blocks.append(Block("table", text[ta:tb], ta, tb, doc.line_of(ta), doc.page_of(ta), rows,
                                f"{doc.doc_id}:t{n_tables:02d}"))
            i = j + 1
            continue
        line = text[a:b]
        stripped = line.strip(" \u3000")
        if stripped:
            lead = len(line) - len(line.lstrip(" \u3000"))
            s0 = a + lead
            kind = "heading" if is_heading_line(stripped) else "paragraph"
            blocks.append(Block(kind, stripped, s0, s0 + len(stripped), doc.line_of(s0), doc.page_of(s0)))
        i += 1
    return blocks
