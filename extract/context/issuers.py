"""Who issued a document, read from where a document says it: its header and its signature.

A Chinese official document names its issuer in a few fixed places (GB/T 9704-2012):

- the **header**: the issuing body's mark (``甘肃省人民政府办公厅文件``), the notice line
  (``巴中市人民政府关于印发《…》的通知``, ``中共吉林省委 吉林省人民政府印发《…》``), for a regulation the
  line saying which people's congress passed it (``…天津市第十七届人民代表大会常务委员会第二十九次会议通过``),
  for a department's notice the meeting that adopted it (``已经市生态环境局2022年第1次局务会审议通过``);
- the **signature**: the issuer on a line of its own above the date (落款), on a cover page above the
  month (``海南省生态环境厅`` / ``2021年12月``), or on the print line (``辽宁省人民政府办公厅2022年2月8日印发``);
- the **document number** (``国办发〔2022〕15号``): see ``patterns/doc_number_prefixes.yaml``.

An issuing body is a central body of ``patterns/national_issuers.yaml`` (also joint: ``住房和城乡建设部等
15部门``) or a place's official name followed by one of its institutions: ``中共XX市委``,
``XX县人民政府(办公室)``, ``XX市人民代表大会常务委员会``, a department (``包头市林业和草原局``,
``天津市发展和改革委员会``).  A place counts only as a whole official name of the gazetteer, so a
sentence (``…作为对市人民政府``) or an addressee list (``各省、自治区、直辖市人民政府``) never gives one.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from .gazetteer import Division, Gazetteer

# running page marks a PDF reader may leave at the start of a line: "- 1 -", "— 2 —", "－1－"
_PAGE_MARK = regex.compile(r"^\s*[-—－–]\s*\d{1,3}\s*[-—－–]\s*")
# a date opening a line: 2021年12月20日, ２０２１年…, 二〇二二年三月 (a cover gives only the month)
DATE_LINE = regex.compile(
    r"""
    ^\s*[（(]?\s*
    (?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*
    (?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*月
    (?:\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*日)?
""",
    regex.X,
)
_FULL_DATE = regex.compile(DATE_LINE.pattern + r"\s*(?<=日)", regex.X)
# what may follow the issuers on a header line
_HEADER_REST = regex.compile(r"^\s*(?:文件|关于|联合印发|印发|转发|公告|命令|令|通知|决定|意见)")
# the institutions of a place, after its official name (the longest first)
_INSTITUTION = regex.compile(
    r"""
    (?:人民政府(?:办公厅|办公室)?
     |人民代表大会常务委员会|人大常委会|人民代表大会
     |[\p{Han}]{1,14}?(?:管理委员会|委员会|局|厅|委|办公室))
    (?=$|[\s、，,；]|和|及|关于|联合|印发|转发|文件|公告|等|[\d０-９]|[〇○零一二三四五六七八九]{4}年|[（(])
""",
    regex.X,
)
_PARTY_INSTITUTION = regex.compile(r"(?:委员会|党委|委)(?:办公厅|办公室)?")
# several issuers: "中共吉林省委 吉林省人民政府", "生态环境部、国家发展改革委", "…和…"
_SEPARATOR = regex.compile(r"[\s、，,]*(?:和|及|与)?[\s、，,]*")
_OFFICE = regex.compile(r"办公厅|办公室")
# "等15部门", "等部门": the rest of a joint issue
_JOINT = regex.compile(r"等(?:[\d０-９]+|[一二三四五六七八九十]{1,3})?个?(?:部门|单位|部委)")
# a regulation's passing line: "…天津市第十七届人民代表大会常务委员会第二十九次会议通过"
_CONGRESS = regex.compile(
    r"""
    第[一二三四五六七八九十百]+届(?P<national>全国)?人民代表大会(?P<standing>常务委员会)?
    第[一二三四五六七八九十百]+次会议(?P<act>通过|修订|修正|批准)
""",
    regex.X,
)
# a department's notice: "已经市生态环境局2022年第1次局务会审议通过"
_MEETING = regex.compile(
    r"""
    已?经(?P<level>省|市|县|区|州)(?P<dept>[\p{Han}]{2,12}?(?:局|厅|委员会|委))
    (?:\d{4}年)?第[\d一二三四五六七八九十]+次(?:局务会|厅务会|委务会|主任办公会)议?(?:审议)?通过
""",
    regex.X,
)
# a document number: 国办发〔2022〕15号, 包林草发[2021]23号
DOC_NUMBER = regex.compile(r"(?P<n>(?P<prefix>[\p{Han}]{1,8})\s?[〔［\[【（(]\s?\d{4}\s?[〕］\]】）)]\s?\d{1,4}\s?号)")
# an attachment's mark above its title: "附件", "附件2"
_ATTACHMENT = regex.compile(r"附\s*件\s*[\d一二三四五六七八九十]*[:：]?")
_HEADER_LINES = 12
# a cover: title, issuer and month in its first lines
_COVER_LINES = 6
_HEADER_LINE_CHARS = 80


@dataclass(frozen=True)
class Issuer:
    """One issuing body as printed, and the division it belongs to (None: a central body)."""

    name: str
    division: Division | None = None

    @property
    def national(self) -> bool:
        return self.division is None


@dataclass(frozen=True)
class Finding:
    """Issuers found by one rule, with the rule's name and the text it read."""

    issuers: tuple[Issuer, ...]
    rule: str  # "header" | "signature" | "doc_number"
    evidence: str


class IssuerReader:
    """Finds issuing bodies in a document's header, signature and document number."""

    def __init__(self, gaz: Gazetteer, national_names: list[str], doc_number_prefixes: dict):
        self.gaz = gaz
        self.national_re = regex.compile(r"\L<n>", n=sorted(set(national_names), key=len, reverse=True))
        self.national_prefixes = sorted(doc_number_prefixes["national"].items(), key=lambda kv: -len(kv[0]))
        self.province_prefixes = doc_number_prefixes["provinces"]

    # --- issuing bodies -------------------------------------------------------------------------

    def body_at(self, line: str, pos: int) -> tuple[Issuer, int] | None:
        """The issuing body starting at ``line[pos]`` and where it ends, or None."""
        m = self.national_re.match(line, pos)
        if m:
            end = m.end()
            office = _OFFICE.match(line, end)  # 生态环境部办公厅, 国家发展改革委办公厅
            if office:
                end = office.end()
            joint = _JOINT.match(line, end)
            if joint:
                end = joint.end()
            return Issuer(line[pos:end]), end
        party = regex.match(r"中共|中国共产党", line[pos:])
        start = pos + (party.end() if party else 0)
        place = self.gaz.full_name_at(line, start)
        if not place:
            return None
        end = start + len(place)
        inner = self.gaz.full_name_at(line, end)  # 黑龙江省哈尔滨市: the inner division
        while inner:
            place, end = inner, end + len(inner)
            inner = self.gaz.full_name_at(line, end)
        division = self._division(place)
        if division is None:
            return None
        inst = (_PARTY_INSTITUTION if party else _INSTITUTION).match(line, end)
        if not inst:
            return None
        end = inst.end()
        joint = _JOINT.match(line, end)
        if joint:
            end = joint.end()
        return Issuer(line[pos:end], division), end

    def bodies_at(self, line: str, pos: int = 0) -> tuple[list[Issuer], int]:
        """Issuing bodies one after another from ``line[pos]`` ("中共吉林省委 吉林省人民政府") and where they end."""
        found: list[Issuer] = []
        end = pos
        while True:
            got = self.body_at(line, pos)
            if got is None:
                return found, end
            issuer, end = got
            if issuer not in found:
                found.append(issuer)
            pos = _SEPARATOR.match(line, end).end()

    def _division(self, place: str) -> Division | None:
        cands = [d for d in self.gaz.lookup(place) if self.gaz.is_division(d)]
        if not cands:
            return None
        # one name, several divisions (朝阳区 of Beijing and of Changchun): the highest level
        order = {"province": 0, "prefecture": 1, "county": 2}
        return min(cands, key=lambda d: (order[d.level], d.code))

    # --- where they are printed -----------------------------------------------------------------

    @staticmethod
    def header_lines(text: str) -> list[str]:
        """The lines above the addressees or the body: short lines at the top (at most 12)."""
        lines: list[str] = []
        for raw in text[:3000].split("\n"):
            line = _PAGE_MARK.sub("", raw).strip()
            if not line or (not lines and _ATTACHMENT.fullmatch(line)):
                continue
            if len(line) > _HEADER_LINE_CHARS or regex.search(r"[：:]$", line) or len(lines) >= _HEADER_LINES:
                break
            lines.append(line)
        return lines

    def header(self, text: str) -> Finding | None:
        """Issuers heading the document: the issuing mark, the notice line, a passing or adopting line."""
        lines = self.header_lines(text)
        for i, line in enumerate(lines):
            issuers, end = self.bodies_at(line)
            if not issuers:
                continue
            rest = line[end:]
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if _HEADER_REST.match(rest) or (not rest.strip() and _HEADER_REST.match(nxt) and not DATE_LINE.match(nxt)):
                return Finding(tuple(issuers), "header", line)
        return self.congress(text) or None

    def congress(self, text: str) -> Finding | None:
        """The people's congress that passed a regulation (the line under its title)."""
        head = text[:3000]
        matches = sorted(_CONGRESS.finditer(head), key=lambda m: (m.group("act") == "批准", m.start()))
        for m in matches:
            standing = "常务委员会" if m.group("standing") else ""
            if m.group("national"):
                return Finding((Issuer(f"全国人民代表大会{standing}"),), "header", m.group(0))
            for back in range(2, 16):
                place = self.gaz.full_name_at(head, m.start() - back)
                if place and len(place) == back:
                    division = self._division(place)
                    if division is not None:
                        line = head[m.start() - back : m.end()]
                        return Finding((Issuer(f"{place}人民代表大会{standing}", division),), "header", line)
        return None

    def adopting_department(self, text: str) -> regex.Match | None:
        """ "已经市生态环境局…局务会审议通过": a department's notice names the department, without its place."""
        return _MEETING.search(text[:3000])

    def signature(self, text: str) -> Finding | None:
        """Issuers signing above a date: the cover's or notice's signature (the first), else the last one.

        On a cover (its first lines) the month is enough (海南省生态环境厅 / 2021年12月); elsewhere a full
        date is needed, so that a table's 责任单位 above its 完成时限 (2025年12月) is no signature.
        """
        head, tail_start = text[:4000], max(4000, len(text) - 2500)
        found = self._signatures(head)
        if found:
            return found[0]
        found = self._signatures(text[tail_start:], cover_lines=0)
        return found[-1] if found else None

    def _signatures(self, part: str, cover_lines: int = _COVER_LINES) -> list[Finding]:
        lines = [_PAGE_MARK.sub("", ln).strip() for ln in part.split("\n")]
        lines = [ln for ln in lines if ln]

        def dated(k: int, s: str) -> bool:
            return bool((DATE_LINE if k < cover_lines else _FULL_DATE).match(s))

        out = []
        for i, line in enumerate(lines):
            issuers, end = self.bodies_at(line)
            if not issuers:
                continue
            rest = line[end:]
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if not ((not rest.strip() and dated(i + 1, nxt)) or dated(i, rest)):
                continue
            first = i  # joint signatures stand one above the other: 国家发展改革委 / 生态环境部
            while first > 0:
                above, above_end = self.bodies_at(lines[first - 1])
                if not above or lines[first - 1][above_end:].strip():
                    break
                issuers = [*above, *[x for x in issuers if x not in above]]
                first -= 1
            signed = " ".join(lines[first : i + 1]) + ("" if rest.strip() else f" {nxt}")
            out.append(Finding(tuple(issuers), "signature", signed))
        return out

    # --- document numbers -----------------------------------------------------------------------

    @staticmethod
    def doc_number(text: str) -> str | None:
        """The document number in the header (alone on its line, or after the issuing mark), spaces removed."""
        for raw in text[:3000].split("\n")[:40]:
            line = _PAGE_MARK.sub("", raw).strip().rsplit("文件", 1)[-1].strip()
            m = DOC_NUMBER.fullmatch(line)
            if m:
                return regex.sub(r"\s", "", m.group("n"))
        return None

    def number_issuer(self, number: str) -> str | None:
        """The central body a document number's prefix stands for (国办发 -> 国务院办公厅), or None."""
        prefix = DOC_NUMBER.match(number).group("prefix")
        for start, body in self.national_prefixes:
            if prefix.startswith(start):
                return body
        return None

    def number_provinces(self, number: str) -> list[Division]:
        """The divisions a provincial number's first character may stand for (甘政办发 -> 甘肃省)."""
        prefix = DOC_NUMBER.match(number).group("prefix")
        if len(prefix) < 2 or prefix[1] in "市府州":
            return []  # a city's number (吉市政发, 辽府发)
        names = self.province_prefixes.get(prefix[0]) or []
        return [d for n in names for d in self.gaz.by_name.get(n, [])[:1]]
