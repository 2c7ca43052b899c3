"""Small PDFs written byte by byte for reader tests: fonts the way real plans get them wrong.

``cjk_pdf`` writes one page of Chinese lines in a CJK font that is *not embedded* (STSong-Light
with the predefined UniGB-UCS2-H encoding, as Acrobat-era and gazette PDFs do), so every viewer
and extractor must find the glyphs or the Unicode values elsewhere.  With ``garble`` the font
gets a ToUnicode map that sends each character to another one, the way a broken converter
leaves a text layer that reads as mojibake.
"""

from __future__ import annotations

from pathlib import Path


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _to_unicode_cmap(mapping: dict[str, str]) -> bytes:
    entries = "\n".join(f"<{_utf16_hex(a)}> <{_utf16_hex(b)}>" for a, b in sorted(mapping.items()))
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Garbled def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(mapping)} beginbfchar\n{entries}\nendbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def cjk_pdf(path: Path, lines: list[str], garble: dict[str, str] | None = None) -> Path:
    """Write ``lines`` on one A4 page in a non-embedded CJK font; returns ``path``.

    Args:
        garble: a ToUnicode map (character shown -> character the text layer says), for a
            text layer that does not match what is printed.
    """
    stream = ["BT", "/F1 12 Tf", "14 TL", "56 780 Td"]
    for line in lines:
        stream.append(f"<{_utf16_hex(line)}> Tj T*")
    stream.append("ET")
    content = "\n".join(stream).encode("ascii")
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R]" + (b" /ToUnicode 8 0 R" if garble else b"") + b" >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R "
        b"/DW 1000 /W [814 939 500] >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    if garble:
        cmap = _to_unicode_cmap(garble)
        objects.append(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def turned_copy(source: Path, dest: Path, turn: int, rotate_flag: bool = True) -> Path:
    """``source`` printed the way landscape pages are: each page's content drawn turned ``turn``
    degrees anticlockwise on a page of the turned size, with ``/Rotate`` set so viewers show it
    upright (``rotate_flag``); ``turn`` 0 with the flag sets ``/Rotate 90`` on upright content."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(source))
    out = pdfium.PdfDocument.new()
    for i in range(len(src)):
        width, height = src[i].get_size()
        shape = src.page_as_xobject(i, out).as_pageobject()
        if turn == 90:
            size, matrix = (height, width), pdfium.PdfMatrix().rotate(90, ccw=True).translate(height, 0)
        elif turn == 180:
            size, matrix = (width, height), pdfium.PdfMatrix().rotate(180).translate(width, height)
        elif turn == 270:
            size, matrix = (height, width), pdfium.PdfMatrix().rotate(90).translate(0, width)
        else:
            size, matrix = (width, height), pdfium.PdfMatrix()
        page = out.new_page(*size)
        page.insert_obj(shape)
        shape.transform(matrix)
        page.gen_content()
        if rotate_flag:
            page.set_rotation(turn or 90)
    out.save(str(dest))
    return dest
