"""Make the hostile corpus at test time (no binaries committed), with the outcome each file must get.

``make_corpus(folder)`` writes every case and returns a list of :class:`Case`: the file's path
relative to the folder as the tables store it (a file name is data: its undecodable bytes and
control characters written as escapes), the status its documents.parquet row must have ("ok" or
"error"), and a phrase the error reason (or a warning, or a reading warning) must hold.  Cases
that are not documents at all (a link cycle between folders, a hidden folder) only produce a
warning and are listed with ``status=None``.  One case lives beside the folder on purpose: the
target of links that point outside the corpus (``../outside/``).

Run as a script to write a corpus for a manual look or the memory benchmark:
``python -m tests.badinputs.generate OUT_FOLDER``.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import struct
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))
PDF_FIXTURE = ROOT / "tests" / "fixtures" / "pdf" / "neijiang_targets_p20-23.pdf"


@dataclass(frozen=True)
class Case:
    """One hostile file and what the run must make of it."""

    rel: str  # path relative to the corpus folder
    status: str | None  # "ok" | "error" | None (no row: a warning only)
    phrase: str = ""  # in the error reason / a warning / the row's warnings
    xfail: str = ""  # a known miss (strict xfail) and whose work it is


def _seed(i: int = 2) -> str:
    return SEEDS[i].read_text(encoding="utf-8")


# --- text ------------------------------------------------------------------------------------

_JAPANESE = (
    "第一章 総則\n2030年までに、森林面積の割合を50%に引き上げる。温室効果ガスの排出量を46%削減する。"
    "再生可能エネルギーの比率を36%以上とする。地域の環境保全を進めるための計画である。\n"
) * 40


def _text_cases(d: Path) -> list[Case]:
    seed = _seed()
    cases = []
    (d / "text_utf8.txt").write_text(seed, encoding="utf-8")
    cases.append(Case("text_utf8.txt", "ok"))
    (d / "text_gb18030.txt").write_bytes(seed.encode("gb18030"))
    cases.append(Case("text_gb18030.txt", "ok"))
    (d / "text_utf16_bom.txt").write_bytes(seed.encode("utf-16"))
    cases.append(Case("text_utf16_bom.txt", "ok"))
    (d / "text_utf8_bom.md").write_bytes(b"\xef\xbb\xbf" + seed.encode("utf-8"))
    cases.append(Case("text_utf8_bom.md", "ok"))
    # a plan with seven stray control characters: dropped and counted, not a lost plan
    lines = seed.split("\n")
    for k, ch in zip(range(7), "\x00\x01\x07\x0b\x0c\x1b\x7f"):
        at = (k + 1) * len(lines) // 9
        lines[at] = lines[at][:3] + ch + lines[at][3:]
    (d / "text_control_chars.txt").write_text("\n".join(lines), encoding="utf-8")
    cases.append(Case("text_control_chars.txt", "ok", "7 control characters dropped"))
    (d / "text_shift_jis.txt").write_bytes(_JAPANESE.encode("shift_jis"))
    cases.append(Case("text_shift_jis.txt", "error", "not Chinese"))
    rnd = random.Random(15)
    (d / "text_binary.txt").write_bytes(bytes(rnd.randrange(256) for _ in range(20000)))
    cases.append(Case("text_binary.txt", "error", "cannot decode text"))
    (d / "text_empty.txt").write_bytes(b"")
    cases.append(Case("text_empty.txt", "error", "empty file"))
    (d / "text_blank.md").write_text(" \n\t\n　\n", encoding="utf-8")
    cases.append(Case("text_blank.md", "error", "no Chinese text"))
    (d / "text_ascii.txt").write_text("Annual report 2025: forest cover 46%.\n" * 20, encoding="utf-8")
    cases.append(Case("text_ascii.txt", "error", "no Chinese text"))
    (d / "text_dollars.txt").write_text(seed + "\n项目费用$5万元和$8万元分别到位。\n", encoding="utf-8")
    cases.append(Case("text_dollars.txt", "ok"))
    (d / "text_one_line.txt").write_text(seed.replace("\n", "") * 3, encoding="utf-8")
    cases.append(Case("text_one_line.txt", "ok"))
    # console markup and terminal escapes in a heading, the text and the file name
    marked = seed + ("\n第九章 保障措施[/b]\n到2030年，湿地保护率达到[bold red]55%[/y]。\x1b[2J\x1b]0;pwned\x07\n")
    (d / "markup [b]x[").mkdir()  # a folder, so the path reads "…[/y] name.txt"
    (d / "markup [b]x[" / "y] name.txt").write_text(marked, encoding="utf-8")
    cases.append(Case("markup [b]x[/y] name.txt", "ok"))
    (d / "esc\x1b[31mred\x1b[0m.txt").write_text(_seed(4), encoding="utf-8")
    cases.append(Case("esc\\x1b[31mred\\x1b[0m.txt", "ok"))  # stored escaped: names are data
    (d / "bad\x1b[2Jname\x07.txt").write_bytes(b"")  # an error line that names it
    cases.append(Case("bad\\x1b[2Jname\\x07.txt", "error", "empty file"))
    # C1 controls (\x9b is a terminal's one-byte CSI) and bidi overrides inside the text: read,
    # and dropped from every stored column
    lines = seed.split("\n")
    lines[len(lines) // 3] += "\x9b2J"
    lines[len(lines) // 2] = "\u202e" + lines[len(lines) // 2] + "\u202c\u200f"
    (d / "text_c1_bidi.txt").write_text("\n".join(lines), encoding="utf-8")
    cases.append(Case("text_c1_bidi.txt", "ok"))
    # a name as unzipped from an archive made on Windows (GBK bytes "规划方案", not UTF-8)
    (d / os.fsdecode(b"\xb9\xe6\xbb\xae\xb7\xbd\xb0\xb8.txt")).write_text(_seed(1), encoding="utf-8")
    cases.append(Case("\\xb9滮\\xb7\\xbd\\xb0\\xb8.txt", "ok"))
    # a name that is the start of an HTML comment and a script element (the audit page's data block)
    (d / "<!--<script>.txt").write_text(_seed(0), encoding="utf-8")
    cases.append(Case("<!--<script>.txt", "ok"))
    (d / "名字 with spaces;&$(x).txt").write_text(_seed(0), encoding="utf-8")
    cases.append(Case("名字 with spaces;&$(x).txt", "ok"))
    return cases


# --- DOCX ------------------------------------------------------------------------------------


def _docx_bytes(text: str) -> bytes:
    from tests.docx_build import docx_from_text

    tmp = io.BytesIO()
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"_hostile_{os.getpid()}.docx"
    docx_from_text(text, path)
    tmp.write(path.read_bytes())
    path.unlink()
    return tmp.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if replace and info.filename in replace:
                if replace[info.filename] is not None:
                    z.writestr(info.filename, replace[info.filename])
                continue
            z.writestr(info, src.read(info))
        for name, payload in (add or {}).items():
            z.writestr(zipfile.ZipInfo(name), payload, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def _patch_declared_size(data: bytes, member: str, size: int) -> bytes:
    """The same zip with ``member``'s declared (uncompressed) size set to ``size`` everywhere."""
    buf = bytearray(data)
    name = member.encode()
    # local file header: signature, ..., uncompressed size at +22, name length at +26
    at = 0
    while (at := buf.find(b"PK\x03\x04", at)) >= 0:
        n = struct.unpack_from("<H", buf, at + 26)[0]
        if buf[at + 30 : at + 30 + n] == name:
            struct.pack_into("<I", buf, at + 22, size)
        at += 4
    # central directory header: uncompressed size at +24, name length at +28, name at +46
    at = 0
    while (at := buf.find(b"PK\x01\x02", at)) >= 0:
        n = struct.unpack_from("<H", buf, at + 28)[0]
        if buf[at + 46 : at + 46 + n] == name:
            struct.pack_into("<I", buf, at + 24, size)
        at += 4
    return bytes(buf)


MANY_TABLES = 2000


def _many_tables_xml(xml: str, tables: int) -> str:
    """``document.xml`` with ``tables`` small indicator tables added to the body (the XML written
    directly: python-docx takes seconds for as many)."""

    def cell(text: str) -> str:
        return f"<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    def row(*texts: str) -> str:
        return "<w:tr>" + "".join(cell(t) for t in texts) + "</w:tr>"

    body = "".join(
        f"<w:p><w:r><w:t>表{i + 1} 到2025年主要目标：本表列出规划期末的生态保护指标，数据来自统计年鉴。</w:t></w:r></w:p>"
        f"<w:tbl>{row('指标', '2020年', '2025年')}{row('森林覆盖率（%）', '40', f'{41 + i * 0.01:.2f}')}</w:tbl>"
        for i in range(tables)
    )
    return xml.replace("</w:body>", body + "</w:body>")


def _docx_cases(d: Path) -> list[Case]:
    good = _docx_bytes(_seed(3))
    cases = []
    (d / "docx_ok.docx").write_bytes(good)
    cases.append(Case("docx_ok.docx", "ok"))
    # thousands of small tables: restatement linking must stay linear in the rows
    xml = zipfile.ZipFile(io.BytesIO(good)).read("word/document.xml").decode("utf-8")
    many = _many_tables_xml(xml, MANY_TABLES)
    (d / "docx_many_tables.docx").write_bytes(_rezip(good, replace={"word/document.xml": many.encode("utf-8")}))
    cases.append(Case("docx_many_tables.docx", "ok"))
    zeros = b"\0" * (300 * 2**20)  # 300 MB of zeros deflate to ~0.3 MB
    bomb = _rezip(good, add={"word/media/image1.bin": zeros})
    del zeros
    (d / "docx_bomb.docx").write_bytes(bomb)
    cases.append(Case("docx_bomb.docx", "error", "zip bomb"))
    (d / "docx_bomb_declared_4g.docx").write_bytes(
        _patch_declared_size(
            _rezip(good, add={"word/media/image2.bin": b"x" * 1000}), "word/media/image2.bin", 0xFFFFFFF0
        )
    )
    cases.append(Case("docx_bomb_declared_4g.docx", "error", "zip bomb"))
    # a part that declares 1 kB and inflates to 300 MB: caught while inflating, never read whole
    (d / "docx_bomb_hidden.docx").write_bytes(_patch_declared_size(bomb, "word/media/image1.bin", 1000))
    cases.append(Case("docx_bomb_hidden.docx", "error", "DOCX"))
    # an entity reference inside a run: the text after it must stay
    entity_xml = (
        xml.replace("?>", '?><!DOCTYPE w:document [<!ENTITY co "公司">]>', 1)
        .replace("<w:t>", "<w:t>&co;", 1)
        .replace("</w:body>", "<w:p><w:r><w:t>到2025年，&co;森林覆盖率达到46.5%。</w:t></w:r></w:p></w:body>")
    )
    (d / "docx_entity.docx").write_bytes(_rezip(good, replace={"word/document.xml": entity_xml.encode("utf-8")}))
    cases.append(Case("docx_entity.docx", "ok"))
    # billion laughs: nested entities that would expand to gigabytes
    dtd = (
        '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">'
        + "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1) if i else "&a;") * 10}">' for i in range(9))
        + "]>"
    )
    laughs = xml.replace("?>", "?>" + dtd, 1).replace("<w:t>", "<w:t>&l8;", 3)
    (d / "docx_billion_laughs.docx").write_bytes(_rezip(good, replace={"word/document.xml": laughs.encode("utf-8")}))
    cases.append(Case("docx_billion_laughs.docx", "error", "not a readable DOCX"))
    (d / "docx_not_a_zip.docx").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    cases.append(Case("docx_not_a_zip.docx", "error", "not a readable DOCX"))
    (d / "docx_no_document.docx").write_bytes(_rezip(good, replace={"word/document.xml": None}))
    cases.append(Case("docx_no_document.docx", "error", "not a readable DOCX"))
    (d / "docx_broken_xml.docx").write_bytes(_rezip(good, replace={"word/document.xml": xml[: len(xml) // 2].encode()}))
    cases.append(Case("docx_broken_xml.docx", "error", "not a readable DOCX"))
    return cases


# --- PDF -------------------------------------------------------------------------------------


def _pdf_cases(d: Path) -> list[Case]:
    import pypdfium2 as pdfium

    cases = []
    data = PDF_FIXTURE.read_bytes()
    shutil.copy(PDF_FIXTURE, d / "pdf_ok.pdf")
    cases.append(Case("pdf_ok.pdf", "ok"))
    (d / "pdf_truncated.pdf").write_bytes(data[: len(data) // 3])
    cases.append(Case("pdf_truncated.pdf", "error", "PDF"))
    (d / "pdf_garbage.pdf").write_bytes(b"%PDF-1.7\n" + bytes(random.Random(7).randrange(256) for _ in range(5000)))
    cases.append(Case("pdf_garbage.pdf", "error", "PDF"))
    import pypdf

    writer = pypdf.PdfWriter(clone_from=str(PDF_FIXTURE))
    writer.encrypt(user_password="secret", owner_password="owner")
    with (d / "pdf_encrypted.pdf").open("wb") as fh:
        writer.write(fh)
    cases.append(Case("pdf_encrypted.pdf", "error", "encrypted"))
    blank = pdfium.PdfDocument.new()
    for _ in range(3):
        blank.new_page(595, 842)
    blank.save(d / "pdf_scan.pdf")
    cases.append(Case("pdf_scan.pdf", "error", "OCR"))
    # 48 text pages followed by 2,000 blank ones: the text pages must be read
    src = pdfium.PdfDocument(data)
    mixed = pdfium.PdfDocument.new()
    for _ in range(12):
        mixed.import_pages(src)
    for _ in range(2000):
        mixed.new_page(595, 842)
    mixed.save(d / "pdf_text_then_blank.pdf")
    cases.append(Case("pdf_text_then_blank.pdf", "ok"))
    # half scanned: text pages, then pages that are only an image; must be flagged on the row
    half = pdfium.PdfDocument.new()
    half.import_pages(src)
    from PIL import Image

    img = Image.new("L", (400, 560), 255)
    for k in range(4):
        page = half.new_page(595, 842)
        obj = pdfium.PdfImage.new(half)
        obj.set_bitmap(pdfium.PdfBitmap.from_pil(img))
        obj.set_matrix(pdfium.PdfMatrix().scale(595, 842))
        page.insert_obj(obj)
        page.gen_content()
    half.save(d / "pdf_half_scanned.pdf")
    cases.append(Case("pdf_half_scanned.pdf", "ok", "pages_without_text"))
    # a cross-reference chain that loops (/Prev names its own table): pdfium reads the PDF, the
    # second reader (pdfminer) recurses without end; the first reader's text must be kept
    (d / "pdf_xref_loop.pdf").write_bytes(xref_loop_pdf())
    cases.append(Case("pdf_xref_loop.pdf", "ok", "second reader (pdfminer) failed"))
    return cases


def xref_loop_pdf() -> bytes:
    """A one-page plan in a non-embedded CJK font (read again by pdfminer) whose trailer's
    ``/Prev`` points at its own cross-reference table."""
    import re
    import tempfile

    from tests.pdf_build import cjk_pdf

    with tempfile.TemporaryDirectory() as tmp:
        data = cjk_pdf(
            Path(tmp) / "loop.pdf",
            ["某市生态环境保护规划", "到2025年，森林覆盖率达到46%。", "到2025年，空气质量优良天数比率达到90%。"],
        ).read_bytes()
    xref = int(re.search(rb"startxref\n(\d+)", data).group(1))
    return data.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Prev %d >>" % xref)


# --- the file system -------------------------------------------------------------------------


def _fs_cases(d: Path) -> list[Case]:
    cases = []
    os.symlink(d / "no_such_plan.txt", d / "link_dangling.txt")
    cases.append(Case("link_dangling.txt", "error", "broken link"))
    os.symlink("link_self.txt", d / "link_self.txt")
    cases.append(Case("link_self.txt", "error", "link cycle"))
    sub = d / "sub"
    sub.mkdir()
    shutil.copy(SEEDS[1], sub / "nested_plan.txt")
    os.symlink("..", sub / "up")
    cases.append(Case("sub/nested_plan.txt", "ok"))
    cases.append(Case("sub/up", None, "link cycle"))
    if hasattr(os, "mkfifo"):
        os.mkfifo(d / "fifo.txt")
        cases.append(Case("fifo.txt", "error", "FIFO"))
    # links that leave the corpus: a plan anywhere on the machine must not end up in the tables
    outside = d.parent / "outside"
    outside.mkdir(exist_ok=True)
    shutil.copy(SEEDS[3], outside / "private_plan.txt")
    os.symlink(outside / "private_plan.txt", d / "link_outside.txt")
    cases.append(Case("link_outside.txt", "error", "link points outside the corpus: not read"))
    os.symlink(outside, d / "link_outside_folder")
    cases.append(Case("link_outside_folder", None, "link points outside the corpus: not read"))
    # names beginning with "." are reported as skipped, never silently gone
    shutil.copy(SEEDS[0], d / ".hidden_plan.txt")
    cases.append(Case(".hidden_plan.txt", None, "hidden file (name begins with '.'): skipped"))
    (d / ".drafts").mkdir()
    shutil.copy(SEEDS[0], d / ".drafts" / "draft.txt")
    cases.append(Case(".drafts", None, "hidden folder (name begins with '.'): skipped"))
    # folders nested 1,200 deep (a recursive walk dies at Python's recursion limit)
    cases.append(Case(_nested(d, ["d"] * 1200, SEEDS[1]), "ok"))
    # a path past the system's limit (4,096 bytes): found through folder descriptors, a row saying so
    cases.append(Case(_nested(d, ["x" * 250] * 17, SEEDS[2]), "error", "path too long to open"))
    return cases


def _nested(d: Path, parts: list[str], seed: Path) -> str:
    """Write ``seed`` as ``d/<parts…>/plan.txt``, one folder at a time through descriptors (the
    whole path may be too long to name); returns its path relative to ``d``."""
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts:
            os.mkdir(part, dir_fd=fd)
            nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        out = os.open("plan.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        with os.fdopen(out, "wb") as fh:
            fh.write(seed.read_bytes())
    finally:
        os.close(fd)
    return "/".join(parts + ["plan.txt"])


def _manifest(d: Path) -> list[Case]:
    rows = [
        "doc_id,title,publish_date,plan_start_year,plan_end_year",
        "text_utf8,某市生态环境保护规划,2024-13-45,2021,2025",
        "text_gb18030,某县规划,2022-03-01,二〇二一,2025",
    ]
    (d / "manifest.csv").write_bytes("\n".join(rows).encode("gbk"))
    return [
        Case("text_utf8.txt", "ok", "manifest publish_date '2024-13-45' ignored"),
        Case("text_gb18030.txt", "ok", "manifest plan_start_year '二〇二一' ignored"),
    ]


def _big_text(d: Path, megabytes: float) -> list[Case]:
    seed = "\n".join(p.read_text(encoding="utf-8") for p in SEEDS)
    n = max(1, int(megabytes * 2**20 / len(seed.encode("utf-8"))))
    (d / "text_big.txt").write_text(seed * n, encoding="utf-8")
    return [Case("text_big.txt", "ok")]


def remove_corpus(folder: Path) -> None:
    """Delete a generated corpus and the folder beside it that outside links point to
    (``shutil.rmtree`` recurses once per folder level: the 1,200-deep case needs a higher limit)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for path in (folder, folder.parent / "outside"):
            shutil.rmtree(path, ignore_errors=True)
    finally:
        sys.setrecursionlimit(limit)


def make_corpus(folder: Path, big_text_mb: float = 8) -> list[Case]:
    """Write the hostile corpus into ``folder``; returns the expected outcome of each case.

    Args:
        folder: where to write (created).
        big_text_mb: size of one large plan (the memory benchmark uses 50 MB); 0 leaves it out.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cases = _text_cases(folder) + _docx_cases(folder) + _pdf_cases(folder) + _fs_cases(folder)
    if big_text_mb:
        cases += _big_text(folder, big_text_mb)
    return cases + _manifest(folder)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for case in make_corpus(target, float(sys.argv[2]) if len(sys.argv) > 2 else 8):
        print(f"{case.status or 'warning':8s} {case.rel!r}  {case.phrase}")
