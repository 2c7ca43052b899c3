"""Document metadata: title, issuers, region, document number, dates and the plan period.

Every value comes with an evidence string quoting the text it was taken from (or
"manifest" when ``corpus/manifest.csv`` gave it).  The plan period is what implied target
years resolve against, so it is read from the document, never from the clock.

Issuer and region are taken from the strongest evidence there is, in this order (the rule
that decided is kept in ``DocMeta.rules``: the ``issuer_rule``/``region_rule`` columns):

1. ``manifest``: ``corpus/manifest.csv``;
2. ``header`` and ``signature``: the issuing body printed above the text or signing it
   (:mod:`extract.context.issuers`);
3. ``title``: a place named in the title (``甘肃省“十四五”生态环境保护规划``);
4. ``doc_number``: the prefix of the document number (``国办发``, ``甘政办发``);
5. ``body``: places named in the text, counted only with their full official name standing
   as words of their own (not 资源县 in 节约资源县域), and for a name that is also a common word
   (``patterns/ambiguous_places.yaml``: 资源, 中和, 会同 …) only when its province or prefecture is
   named in the document too.  The body never gives a county, and a region it gives comes with a
   warning on the document row.

Issuers not printed anywhere are inferred from the region (``XX市人民政府``; rule ``inferred``).

A document issued by a central body (国务院, 中共中央, 全国人民代表大会, a ministry or national
commission: ``patterns/national_issuers.yaml``, also jointly: ``住房和城乡建设部等15部门``) is national:
admin level ``national``, region :data:`NATIONAL_REGION` (全国) and no region code (GB/T 2260 has
none for the whole country).  The place such a document is about (a pilot in 包头市) is its
``subject_region``; for any other document the subject is its region, unless its title names a
place inside it.  The addressees of a notice (各省、自治区、直辖市人民政府) are never its issuers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import regex

from ..model import Document
from ..patterns import Patterns
from .gazetteer import Division, Gazetteer, load_gazetteer, stands_alone
from .issuers import DATE_LINE as _SIGNED
from .issuers import DOC_NUMBER, Finding, Issuer, IssuerReader
from .manifest import check_manifest_entry


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
    subject_region: str | None = None
    subject_region_code: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)
    # which rule decided issuer and region: manifest, header, signature, title, doc_number, body, inferred
    rules: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        """Issuing bodies joined by "；"."""
        return "；".join(self.issuers)


# the plan a notice issues: "关于印发《…》的通知", "印发关于…实施方案的通知"
_TITLE_NOTICE = regex.compile(r"(?:关于)?印发(?:《)?(?P<t>[^《》\n]{4,60}?)(?:》)?的通知")
_TITLE_QUOTED = regex.compile(r"《(?P<t>[^《》\n]{4,60}(?:规划|纲要|意见|方案|计划)(?:（[^）]*）)?)》")
_TITLE_ENDS = r"(?:规划|纲要|意见|方案|计划|条例|办法|决定)"
_TITLE_LINE = regex.compile(rf"^(?P<t>[^\n，。；]{{4,50}}{_TITLE_ENDS}(?:[（(][^）)\n]{{1,16}}[）)])?)$", regex.M)
# a notice that issues no plan names its own subject: "生态环境部关于支持包头市…试点的通知"
_TITLE_ABOUT = regex.compile(r"^关于(?!印发|转发)[^\n《》]{4,80}?的(?:通知|意见|决定|建议|批复|函)")
_DATE = regex.compile(r"^\s*(?P<y>20\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日\s*$", regex.M)
_PERIOD_RANGE = regex.compile(r"(?P<a>20\d{2})\s*[-—–~至到]\s*(?P<b>20\d{2})年")
_BASE_YEAR = regex.compile(r"以(?P<y>20\d{2})年为(?:规划)?基准年|基准年(?:为|是)(?P<y2>20\d{2})年")
NATIONAL_REGION = "全国"
# how far into the text places are counted
_BODY_CHARS = 20000
# self-references that tell the level of the issuing government
_SELF_LEVEL = {
    "province": regex.compile(r"我省|全省|本省|省委|省政府|省人民政府"),
    "prefecture": regex.compile(r"我市|全市|本市|市委|市政府|市人民政府"),
    "county": regex.compile(r"我县|全县|本县|县委|县政府|县人民政府|我区|全区|我市|全市|市委|市政府"),
}
_ORDER = {"province": 0, "prefecture": 1, "county": 2}


@dataclass(frozen=True)
class _RegionRules:
    """The gazetteer, the ambiguous names and the issuer reader of one patterns folder."""

    gaz: Gazetteer
    ambiguous: frozenset
    reader: IssuerReader


def _build_region_rules(patterns: Patterns) -> _RegionRules:
    gaz = load_gazetteer(str(patterns.folder / "region_aliases.yaml"))
    reader = IssuerReader(gaz, list(patterns.national_issuers), patterns.doc_number_prefixes)
    return _RegionRules(gaz, patterns.ambiguous_places, reader)


def region_rules(patterns: Patterns) -> _RegionRules:
    """Gazetteer, ambiguous place names and issuer reader for ``patterns`` (built once per rules)."""
    return patterns.compiled(_build_region_rules)


def default_cut():
    """A word segmenter (jieba's dictionary, no HMM) when the caller brings none."""
    from ..text.tokenizer import project_tokenizer

    tokenizer = project_tokenizer(())
    return lambda s: tokenizer.cut(s, HMM=False)


def infer_metadata(doc: Document, patterns: Patterns, cut=None) -> DocMeta:
    """Infer title, issuers, region, doc number, publish date and plan period from the text.

    Args:
        doc: the document read.
        patterns: the rules (national issuers, region aliases, ambiguous places, number prefixes).
        cut: a word segmenter (``str -> iterable of words``), used to tell a place name from part
            of a longer word; the pipeline passes the prose rules' tokenizer, else jieba's own.
    """
    meta = DocMeta()
    text = doc.text
    head = text[:3000]
    rules = region_rules(patterns)

    _infer_title(meta, doc, rules.reader)
    meta.doc_number = rules.reader.doc_number(text)
    if meta.doc_number:
        meta.evidence["doc_number"] = meta.doc_number

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
        named = sorted((title_src.find(n), n) for n in patterns.periods if n in title_src)
        if named:
            name = named[0][1]
            meta.plan_start_year = patterns.periods[name]["start"]
            meta.plan_end_year = patterns.periods[name]["end"]
            meta.evidence["period"] = name
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
    infer_region(meta, text, patterns, cut)
    return meta


def _infer_title(meta: DocMeta, doc: Document, reader: IssuerReader) -> None:
    """The plan's title: the plan a notice issues, the title on the cover, a quoted plan name."""
    head = doc.text[:3000]
    lines = reader.header_lines(doc.text)
    joined = "".join(lines)
    m = _TITLE_NOTICE.search(joined)
    if m:
        meta.title = m.group("t").strip("《》 ")
        meta.evidence["title"] = m.group(0)
        return
    for line in lines:  # "生态环境部关于支持包头市…的通知": the notice is the document
        issuers, end = reader.bodies_at(line)
        if issuers:
            about = _TITLE_ABOUT.match("".join([line[end:], *lines[lines.index(line) + 1 :]]))
            if about:
                meta.title = about.group(0)
                meta.evidence["title"] = line
                return
    # a title wrapped over the first lines of a cover (a document number above it, a date below)
    cover = [ln for ln in lines if not DOC_NUMBER.fullmatch(ln)]
    cover = cover[: next((i for i, ln in enumerate(cover) if _SIGNED.match(ln)), len(cover))]
    for k in range(min(4, len(cover)), 1, -1):
        joined = "".join(cover[:k])
        if _TITLE_LINE.fullmatch(joined) and not regex.search(r"中共中央|国务院|全国", joined):
            meta.title = joined
            meta.evidence["title"] = " ".join(cover[:k])
            return
    for pat, where in ((_TITLE_LINE, head[:300]), (_TITLE_QUOTED, head)):
        for m in pat.finditer(where):
            cited = regex.search(
                r"(?:贯彻|落实|根据|按照|依据|依照|参照|和|与|、)\s*$", head[max(0, m.start() - 8) : m.start()]
            )
            if cited or regex.search(r"中共中央|国务院|全国", m.group("t")):
                continue  # a document the plan cites, not the plan itself
            meta.title = m.group("t").strip()
            meta.evidence["title"] = m.group(0).strip()
            return
    meta.title = doc.doc_id
    meta.evidence["title"] = "file name"


def infer_region(meta: DocMeta, text: str, patterns: Patterns, cut=None) -> None:
    """Set issuers, region, region code, admin level and subject region from the ranked evidence."""
    rules = region_rules(patterns)
    cut = cut or default_cut()
    places = _PlaceFinder(rules, text, cut)

    finding = rules.reader.header(text) or rules.reader.signature(text)
    if finding is None and meta.doc_number:
        body = rules.reader.number_issuer(meta.doc_number)
        if body:
            finding = Finding((Issuer(body),), "doc_number", meta.doc_number)
    if finding is not None:
        meta.issuers = [i.name for i in finding.issuers]
        meta.rules["issuer"] = finding.rule
        meta.evidence["issuer"] = finding.evidence
        lead = finding.issuers[0]
        if lead.national:
            meta.region, meta.region_code, meta.admin_level = NATIONAL_REGION, None, "national"
        else:
            _set_region(meta, lead.division)
        meta.rules["region"] = finding.rule
        meta.evidence["region"] = finding.evidence

    subject = places.in_title(meta.title) if meta.evidence.get("title") != "file name" else None
    if meta.region is None and subject is not None:
        division, surface = subject
        _set_region(meta, division)
        meta.rules["region"], meta.evidence["region"] = "title", meta.title
    if meta.region is None and meta.doc_number:
        cands = rules.reader.number_provinces(meta.doc_number)
        if cands:
            _set_region(meta, places.pick(cands))
            meta.rules["region"], meta.evidence["region"] = "doc_number", meta.doc_number
    if meta.region is None:
        found = places.in_body()
        if found is not None:
            division, evidence = found
            _set_region(meta, division)
            meta.rules["region"], meta.evidence["region"] = "body", evidence
            meta.warnings.append(f"region {division.name} inferred from the body only ({evidence})")

    if meta.region is not None and not meta.issuers:
        _infer_issuers(meta, text, rules)

    if meta.region == NATIONAL_REGION:
        meta.subject_region, meta.subject_region_code = NATIONAL_REGION, None
        if subject is not None:
            meta.subject_region, meta.subject_region_code = subject[0].name, subject[0].code
    elif meta.region is not None:
        meta.subject_region, meta.subject_region_code = meta.region, meta.region_code
        region = rules.gaz.by_code.get(meta.region_code or "")
        if subject is not None and region is not None and subject[0] != region and rules.gaz.within(subject[0], region):
            meta.subject_region, meta.subject_region_code = subject[0].name, subject[0].code


def _set_region(meta: DocMeta, d: Division | None) -> None:
    if d is None:
        return
    meta.region, meta.region_code, meta.admin_level = d.name, d.code, d.level


def _infer_issuers(meta: DocMeta, text: str, rules: _RegionRules) -> None:
    """Issuers no line prints: the department whose meeting adopted the notice, else the region's government."""
    name = meta.region or ""
    suffix = "区" if name.endswith("自治区") else name[-1:]
    m = rules.reader.adopting_department(text)
    if m and m.group("level") == suffix:
        meta.issuers = [name + m.group("dept")]
        meta.rules["issuer"], meta.evidence["issuer"] = "header", m.group(0)
        return
    meta.issuers = [f"{name}人民政府"]
    meta.rules["issuer"] = "inferred"
    meta.evidence["issuer"] = f"inferred from region {name}"


class _PlaceFinder:
    """Places named in a document's title and body, and the level the text speaks of itself."""

    def __init__(self, rules: _RegionRules, text: str, cut):
        self.gaz, self.ambiguous, self.cut = rules.gaz, rules.ambiguous, cut
        self.text = text
        self.head = text[:_BODY_CHARS]
        self.level_votes = {lvl: len(rx.findall(self.head)) for lvl, rx in _SELF_LEVEL.items()}

    def pick(self, cands: list[Division]) -> Division | None:
        """Of the divisions one name stands for, the one the text speaks of (我省 -> province)."""
        cands = [d for d in cands if self.gaz.is_division(d)]
        if not cands:
            return None
        return max(
            cands, key=lambda d: (self.level_votes.get(d.level, 0), self._named_province(d), -_ORDER[d.level], d.code)
        )

    def _named_province(self, d: Division) -> bool:
        province = self.gaz.province_of(d)
        return province.name in self.head or province.short in self.head

    def _ambiguous(self, surface: str, d: Division) -> bool:
        return surface in self.ambiguous or d.name in self.ambiguous or d.short in self.ambiguous

    def _in_context(self, d: Division) -> bool:
        """A province or prefecture around ``d`` is named in the document."""
        outer = [self.gaz.parent(d), self.gaz.province_of(d)]
        return any(
            o is not None
            and o != d
            and (o.name in self.head or (len(o.short) >= 2 and o.short not in self.ambiguous and o.short in self.head))
            for o in outer
        )

    def _accept(self, text: str, surface: str, start: int, body: bool) -> Division | None:
        """The division ``text[start:]``'s name stands for, if it stands as a place there."""
        official = surface in self.gaz.by_name
        if body and not official and text[max(0, start - 2) : start] != "美丽":
            return None  # in the body a short name counts only in 美丽XX (美丽龙江)
        d = self.pick(self.gaz.lookup(surface))
        if d is None or not stands_alone(text, start, start + len(surface), self.cut):
            return None
        if self._ambiguous(surface, d) and (not official or (body and not self._in_context(d))):
            return None  # 资源 never; 资源县 in the body only with 桂林/广西 named too
        return d

    def in_title(self, title: str) -> tuple[Division, str] | None:
        """The first place the title names (full name, or an unambiguous short name)."""
        for surface, start in self.gaz.mentions(title):
            d = self._accept(title, surface, start, body=False)
            if d is not None:
                return d, surface
        return None

    def in_body(self) -> tuple[Division, str] | None:
        """The place the body speaks of most, with the counts as evidence; never a county.

        The text must speak of itself as a province (全省, 我省 …: the places are counted for the
        province they lie in) or a city (全市, 本市 …: counted as they are); the winner must be named
        at least twice and more often than any other.
        """
        counts: Counter = Counter()
        surfaces: dict[str, Counter] = {}
        for surface, start in self.gaz.mentions(self.head):
            d = self._accept(self.head, surface, start, body=True)
            if d is not None:
                counts[d] += 1
                surfaces.setdefault(d.code, Counter())[surface] += 1
        if not counts:
            return None
        province_doc = self.level_votes["province"] > self.level_votes["prefecture"]
        if not max(self.level_votes["province"], self.level_votes["prefecture"]):
            return None  # a text that never says 我省/全市 is no province's or city's own
        scores: Counter = Counter()
        for d, n in counts.items():
            scores[self.gaz.province_of(d) if province_doc else d] += n
        (best, n), *rest = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0].code))
        if n < 2 or (rest and rest[0][1] >= n) or best.level == "county":
            return None
        named: Counter[Division] = Counter()
        for d in counts:
            if (self.gaz.province_of(d) if province_doc else d) == best:
                named.update(surfaces[d.code])
        evidence = ", ".join(f"{s} ×{k}" for s, k in sorted(named.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
        return best, evidence


def apply_manifest(meta: DocMeta, entry: dict, gaz: Gazetteer | None = None) -> list[str]:
    """Override inferred metadata with manifest values; evidence says "manifest".

    A manifest region without its code and level takes them from the gazetteer ``gaz`` when its
    name is one division's (全国: national); the subject region follows it unless given.

    Returns:
        warnings for the values that were ignored (see :func:`check_manifest_entry`).
    """
    entry, warnings = check_manifest_entry(entry)
    if "title" in entry:
        meta.title = entry["title"]
        meta.evidence["title"] = "manifest"
    if "issuer" in entry:
        meta.issuers = [s.strip() for s in entry["issuer"].replace(";", "；").split("；") if s.strip()]
        meta.evidence["issuer"] = meta.rules["issuer"] = "manifest"
    if "region" in entry:
        _manifest_region(meta, entry, gaz)
    for key in ("region_code", "admin_level", "doc_number"):
        if key in entry:
            setattr(meta, key, entry[key])
    if "subject_region" in entry:
        named = gaz.by_name.get(entry["subject_region"], []) if gaz is not None else []
        meta.subject_region = entry["subject_region"]
        meta.subject_region_code = named[0].code if len(named) == 1 else None
    if "publish_date" in entry:
        meta.publish_date = dt.date.fromisoformat(entry["publish_date"])
        meta.evidence["date"] = "manifest"
    for key in ("plan_start_year", "plan_end_year", "base_year"):
        if key in entry:
            setattr(meta, key, int(entry[key]))
    return warnings


def _manifest_region(meta: DocMeta, entry: dict, gaz: Gazetteer | None) -> None:
    region = entry["region"]
    meta.region = region
    meta.evidence["region"] = meta.rules["region"] = "manifest"
    meta.region_code = meta.admin_level = None
    if region == NATIONAL_REGION:
        meta.admin_level = "national"
    elif gaz is not None and len(gaz.by_name.get(region, [])) == 1:
        d = gaz.by_name[region][0]
        meta.region_code, meta.admin_level = d.code, d.level
    meta.subject_region, meta.subject_region_code = region, meta.region_code
