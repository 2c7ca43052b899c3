"""Pages turned upright before they are read.

A landscape table in a portrait plan is usually printed one of two ways: the page's content is
drawn turned a quarter and the page carries ``/Rotate 90`` so that viewers show it upright, or
the page is just ``/Rotate``-d.  The reader's geometry (bands of text, table rulings, cells)
assumes text that runs left to right in page space, and pdfium orders a rotated page's
characters by their rotated position (a superscript ³ moves after the bracket that follows it).
So every page loses its ``/Rotate`` (in memory only), and a page whose characters mostly run at
90°, 180° or 270° is redrawn, as one form object, on a page of the turned size with the
rotation undone.  The text, the rulings and the page numbers are then what a reader of the
printed page sees.
"""

from __future__ import annotations

import io
import math
from collections import Counter

_SAMPLE = 60  # characters looked at per page to find its text direction


def text_turn(page) -> int:
    """How far most of the page's characters are turned clockwise: 0, 90, 180 or 270 degrees."""
    textpage = page.get_textpage()
    try:
        return textpage_turn(textpage)
    finally:
        textpage.close()


def textpage_turn(textpage) -> int:
    """:func:`text_turn` from a text page already built (the reader reads the page from the same one)."""
    import pypdfium2.raw as pdfium_c

    n = textpage.count_chars()
    votes: Counter[int] = Counter()
    for i in range(0, n, max(1, n // _SAMPLE)):
        if chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)).isspace():
            continue
        angle = pdfium_c.FPDFText_GetCharAngle(textpage.raw, i)  # radians, -1 when unknown
        if angle >= 0:
            votes[round(math.degrees(angle) / 90) % 4 * 90] += 1
    return votes.most_common(1)[0][0] if votes else 0


def upright(pdf):
    """``pdf`` with every page's text running left to right, and its bytes when it was redrawn.

    Returns:
        ``(document, data)``: the same document (rotation flags cleared) and None when no page
        was turned, else a new document and its bytes (for a second extractor to read).
    """
    turns = []
    for i in range(len(pdf)):
        page = pdf[i]
        if page.get_rotation():
            page.set_rotation(0)
        turns.append(text_turn(page))
    if not any(turns):
        return pdf, None
    return redrawn(pdf, turns)


def redrawn(pdf, turns: list[int]):
    """A new document of ``pdf``'s pages, each page turned by ``turns[i]`` redrawn upright, and its bytes.

    The pages' ``/Rotate`` must already be cleared (:func:`upright` does it).
    """
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    for i, turn in enumerate(turns):
        if not turn:
            out.import_pages(pdf, [i])
            continue
        width, height = pdf[i].get_size()
        shape = pdf.page_as_xobject(i, out).as_pageobject()
        if turn == 180:
            size, matrix = (width, height), pdfium.PdfMatrix().rotate(180).translate(width, height)
        elif turn == 270:  # drawn turned anticlockwise: turn it back clockwise
            size, matrix = (height, width), pdfium.PdfMatrix().rotate(90).translate(0, width)
        else:
            size, matrix = (height, width), pdfium.PdfMatrix().rotate(90, ccw=True).translate(height, 0)
        page = out.new_page(*size)
        page.insert_obj(shape)
        shape.transform(matrix)
        page.gen_content()
    buffer = io.BytesIO()
    out.save(buffer)
    data = buffer.getvalue()
    return pdfium.PdfDocument(data), data
