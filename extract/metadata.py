"""Document metadata: title, issuers, document number, dates and the plan period.

Every value comes with an evidence string quoting the text it was taken from (or
"manifest" when ``corpus/manifest.csv`` gave it).  The plan period is what implied target
years resolve against, so it is read from the document, never from the clock.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import regex

from .model import Document
from .patterns import Patterns


@dataclass
class DocMeta:
    """Metadata of one document plus the evidence for each inferred field."""

    title: str = ""
    issuers: list[str] = field(default_factory=list)
    doc_number: str | None = None
    publish_date: dt.date | None = None
    plan_start_year: int | None = None
    plan_end_year: int | None = None
    base_year: int | None = None
    region: str | None = None
    region_code: str | None = None
    admin_level: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        """Issuing bodies joined by "；"."""
        return "；".join(self.issuers)


_TITLE_NOTICE = regex.compile(r"关于印发(?:《)?(?P<t>[^《》\n]{4,60}?)(?:》)?的通知")
_TITLE_QUOTED = regex.compile(r"《(?P<t>[^《》\n]{4,60}(?:规划|纲要|意见|方案|计划)(?:（[^）]*）)?)》")
_TITLE_LINE = regex.compile(r"^(?P<t>[^\n，。；]{4,50}(?:规划|纲要|意见|实施方案|行动计划)(?:（[^）\n]*）)?)$", regex.M)
_DOC_NUMBER = regex.compile(r"^\s*(?P<n>[\p{Han}]{1,8}〔\d{4}〕\d{1,4}号)\s*$", regex.M)
_DATE = regex.compile(r"^\s*(?P<y>20\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日\s*$", regex.M)
_PERIOD_RANGE = regex.compile(r"(?P<a>20\d{2})\s*[-—–~至到]\s*(?P<b>20\d{2})年")
_BASE_YEAR = regex.compile(r"以(?P<y>20\d{2})年为(?:规划)?基准年|基准年(?:为|是)(?P<y2>20\d{2})年")
_ISSUER = regex.compile(r"(?:中共[\p{Han}]{2,12}(?:省|市|县|区|自治区|州|盟)委|[\p{Han}]{2,12}(?:省|市|县|区|自治区|州|盟)人民政府(?:办公厅|办公室)?)")


def infer_metadata(doc: Document, patterns: Patterns) -> DocMeta:
    """Infer title, issuers, doc number, publish date and plan period from the text."""
    meta = DocMeta()
    text = doc.text
    head = text[:3000]

    m = _TITLE_NOTICE.search(head.replace("\n", ""))
    if m:
        meta.title = m.group("t").strip("《》 ")
        meta.evidence["title"] = m.group(0)
    else:
        for pat in (_TITLE_QUOTED, _TITLE_LINE):
            for m in pat.finditer(head):
                cited = regex.search(r"(?:贯彻|落实|根据|按照|依据|依照|参照|和|与|、)\s*$", head[max(0, m.start() - 8):m.start()])
                if cited or regex.search(r"中共中央|国务院|全国", m.group("t")):
                    continue  # a document the plan cites, not the plan itself
                meta.title = m.group("t").strip()
                meta.evidence["title"] = m.group(0).strip()
                break
            if meta.title:
                break
    if not meta.title:
        meta.title = doc.doc_id
        meta.evidence["title"] = "file name"

    issuers: list[str] = []
    for m in _ISSUER.finditer(head):
        name = m.group(0)
        if name not in issuers and not name.endswith(("办公厅", "办公室")):
            issuers.append(name)
        if len(issuers) >= 3:
            break
    if issuers:
        meta.issuers = issuers
        meta.evidence["issuer"] = "、".join(issuers)

    m = _DOC_NUMBER.search(head)
    if m:
        meta.doc_number = m.group("n")
        meta.evidence["doc_number"] = m.group("n")

    for m in _DATE.finditer(text[:6000]):
        try:
            meta.publish_date = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            meta.evidence["date"] = m.group(0).strip()
            break
        except ValueError:
            continue

    # plan period: a year range in the title, a named period (十四五) in the title, or a
    # "规划期限" sentence; else the span of "到YYYY年" target years
    title_src = meta.title + " " + head[:400]
    m = _PERIOD_RANGE.search(title_src)
    if m:
        meta.plan_start_year, meta.plan_end_year = int(m.group("a")), int(m.group("b"))
        meta.evidence["period"] = m.group(0)
    else:
        named = [(title_src.find(n), n, s) for n, s in patterns.periods.items() if n in title_src]
        for _pos, name, spec in sorted(named)[:1]:
            if True:
                meta.plan_start_year, meta.plan_end_year = spec["start"], spec["end"]
                meta.evidence["period"] = name
                break
    if meta.plan_end_year is None:
        m = regex.search(r"规划(?:期限|年限|时限)[^。\n]{0,10}?(?P<a>20\d{2})\s*[-—–~至到]\s*(?P<b>20\d{2})年", text)
        if m:
            meta.plan_start_year, meta.plan_end_year = int(m.group("a")), int(m.group("b"))
            meta.evidence["period"] = m.group(0)
    if meta.plan_end_year is None:
        years = [int(y) for y in regex.findall(r"(?:到|至)(20\d{2})年", text)]
        if years:
            meta.plan_end_year = max(years)
            meta.evidence["period"] = f"latest target year 到{meta.plan_end_year}年"
    m = _BASE_YEAR.search(text)
    if m:
        meta.base_year = int(m.group("y") or m.group("y2"))
        meta.evidence["base_year"] = m.group(0)
    return meta
