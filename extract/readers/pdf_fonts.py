"""Fonts a PDF page's text is read with: the same on every machine.

A font embedded in the PDF is read from the PDF.  A font that is not embedded is looked up by
pdfium among the machine's installed fonts, and the characters' boxes (which place the text in
lines, cells and boxes) come from whatever it finds there: the same page could be read one way
on a machine with Times New Roman installed and another way without it.  So pdfium is told
that the machine has no fonts (:func:`no_machine_fonts`): a font that is not embedded is always
drawn from pdfium's own fonts, the same in every installation of the same pypdfium2.

pdfium's own fonts stand in exactly for the standard PDF fonts (Times, Helvetica, Courier,
Symbol, ZapfDingbats) and the Windows fonts of the same metrics (Times New Roman, Arial,
Courier New): a page whose only fonts missing from the PDF are those is read by pdfium as its
author saw it (:func:`portable`).  Any other missing font (a Chinese font not embedded) is only
approximated, and such a page is read again by the second reader (``pdf._reread_with_pdfminer``).
"""

from __future__ import annotations

import ctypes
from functools import lru_cache

import pypdfium2.raw as pdfium_c
import regex

# a standard font or a Windows font of the same metrics, as pdfium names them once spaces and a
# subset prefix ("ABCDEF+") are taken away: TimesNewRomanPSMT, TimesNewRomanPS-BoldMT,
# "Times New Roman,Bold", Arial-BoldMT, CourierNew, Helvetica-Oblique, Symbol, ZapfDingbats
_STANDARD = regex.compile(
    r"""
    (?:Times(?:NewRoman(?:PS)?)? | Arial | Helvetica | Courier(?:New(?:PS)?)? | Symbol | ZapfDingbats)
    (?:MT)?
    (?:[,-]?(?:Roman|Bold|Italic|BoldItalic|Oblique|BoldOblique)(?:MT)?)?
    """,
    regex.VERBOSE,
)
_SUBSET_PREFIX = regex.compile(r"^[A-Z]{6}\+")


def is_standard(base_name: str) -> bool:
    """Whether a font's base name is one of the fonts pdfium carries itself.

    >>> [is_standard(n) for n in ("TimesNewRomanPSMT", "Times New Roman,Bold", "ABCDEF+Arial-BoldMT")]
    [True, True, True]
    >>> [is_standard(n) for n in ("SimSun", "FangSong_GB2312", "ArialNarrow-Bold", "TimesNewRomanXYZ")]
    [False, False, False, False]
    """
    return _STANDARD.fullmatch(_SUBSET_PREFIX.sub("", base_name).replace(" ", "")) is not None


def base_name(font: int) -> str:
    """The base font name of a pdfium font handle (an address)."""
    handle = ctypes.cast(font, pdfium_c.FPDF_FONT)
    size = pdfium_c.FPDFFont_GetBaseFontName(handle, None, 0)
    if size <= 0:
        return ""
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFFont_GetBaseFontName(handle, buffer, size)
    return buffer.value.decode("latin-1")


def portable(font: int, embedded: int) -> bool:
    """Whether a font (address, and pdfium's answer to "is it embedded") reads the same everywhere."""
    return embedded != 0 or is_standard(base_name(font))


@lru_cache(maxsize=1)
def no_machine_fonts() -> object:
    """Tell pdfium, once per process, that the machine has no fonts of its own.

    pdfium asks an ``FPDF_SYSFONTINFO`` for the machine's fonts; this one lists none and maps
    every name to nothing, so pdfium draws each font that is not embedded from its own.  The
    structure and its callbacks are kept alive by the cache (pdfium holds a pointer to them).
    """
    fields = dict(pdfium_c.FPDF_SYSFONTINFO._fields_)
    info = pdfium_c.FPDF_SYSFONTINFO()
    info.version = 1
    info.Release = fields["Release"](lambda this: None)
    info.EnumFonts = fields["EnumFonts"](lambda this, mapper: None)
    info.MapFont = fields["MapFont"](lambda this, weight, italic, charset, pitch, face, exact: None)
    info.GetFont = fields["GetFont"](lambda this, face: None)
    info.GetFontData = fields["GetFontData"](lambda this, font, table, buffer, size: 0)
    info.GetFaceName = fields["GetFaceName"](lambda this, font, buffer, size: 0)
    info.GetFontCharset = fields["GetFontCharset"](lambda this, font: 0)
    info.DeleteFont = fields["DeleteFont"](lambda this, font: None)
    pdfium_c.FPDF_SetSystemFontInfo(ctypes.byref(info))
    return info
