"""Document metadata: title, issuers, document number, dates and the plan period.

Every value comes with an evidence string quoting the text it was taken from (or
"manifest" when ``corpus/manifest.csv`` gave it).  The plan period is what implied target
years resolve against, so it is read from the document, never from the clock.

A document headed by a central body (国务院, 中共中央, a ministry: ``patterns/national_issuers.yaml``)
is national: admin level ``national``, region :data:`NATIONAL_REGION` (全国) and no region code
(GB/T 2260 has none for the whole country).  The addressees of a notice (各省、自治区、直辖市人民政府)
are never its issuers.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import regex

from ..model import Document
from ..patterns import Patterns


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
_DOC_NUMBER = regex.compile(r"^\s*(?P<n>[\p{Han}]{1,8}\s?〔\d{4}〕\d{1,4}号)\s*$", regex.M)
_DATE = regex.compile(r"^\s*(?P<y>20\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日\s*$", regex.M)
_PERIOD_RANGE = regex.compile(r"(?P<a>20\d{2})\s*[-—–~至到]\s*(?P<b>20\d{2})年")
_BASE_YEAR = regex.compile(r"以(?P<y>20\d{2})年为(?:规划)?基准年|基准年(?:为|是)(?P<y2>20\d{2})年")
NATIONAL_REGION = "全国"
# a national document names its issuing bodies in its first lines
_HEAD_LINES = 8
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
        for pat, where in ((_TITLE_LINE, head[:300]), (_TITLE_QUOTED, head)):
            for m in pat.finditer(where):
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

    national = national_issuers(text, patterns.national_issuers)
    if national:
        meta.issuers, line = national
        meta.region, meta.region_code, meta.admin_level = NATIONAL_REGION, None, "national"
        meta.evidence["issuer"] = meta.evidence["region"] = line
    else:
        meta.issuers = local_issuers(head, patterns)
        if meta.issuers:
            meta.evidence["issuer"] = "、".join(meta.issuers)

    m = _DOC_NUMBER.search(head)
    if m:
        meta.doc_number = m.group("n").replace(" ", "")
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
    infer_region(meta, text, patterns)
    return meta


def national_issuers(text: str, names: Sequence[str]) -> tuple[list[str], str] | None:
    """Central bodies heading one of the first lines (or signing alone on one), and that line.

    >>> national_issuers("中共中央 国务院关于全面推进美丽中国建设的意见\\n（2023年12月27日）", ["中共中央", "国务院"])
    (['中共中央', '国务院'], '中共中央 国务院关于全面推进美丽中国建设的意见')
    """
    heading = regex.compile(r"^\s*(?P<names>\L<n>(?:[\s、，,]*\L<n>)*)\s*(?:关于|印发|$)", n=names)
    lines = [ln.strip() for ln in text[:3000].split("\n") if ln.strip()][:_HEAD_LINES]
    for line in lines:
        m = heading.match(line)
        if m:
            found = regex.findall(r"\L<n>", m.group("names"), n=names)
            return list(dict.fromkeys(found)), line
    return None


def local_issuers(head: str, patterns: Patterns) -> list[str]:
    """Local Party committees and governments named in ``head`` (at most three).

    A name must hold a real place: "直辖市人民政府" in "各省、自治区、直辖市人民政府" addresses a
    notice to every municipality and issues nothing.
    """
    from ..context.gazetteer import load_gazetteer

    gaz = load_gazetteer(str(patterns.folder / "region_aliases.yaml"))
    issuers: list[str] = []
    for m in _ISSUER.finditer(head):
        name = m.group(0)
        if name in issuers or name.endswith(("办公厅", "办公室")):
            continue
        if not any(True for _ in gaz.mentions(_issuer_place(name))):
            continue
        issuers.append(name)
        if len(issuers) >= 3:
            break
    return issuers


# self-references that tell the level of the issuing government
_SELF_LEVEL = {
    "province": regex.compile(r"我省|全省|本省|省委|省政府|省人民政府"),
    "prefecture": regex.compile(r"我市|全市|本市|市委|市政府|市人民政府"),
    "county": regex.compile(r"我县|全县|本县|县委|县政府|县人民政府|我区|全区|我市|全市|市委|市政府"),
}
_PARTY_GOV = regex.compile(r"(?:省|市|县|区)委、(?:省|市|县|区)政府|(?:省|市|县|区)委(?:和|及)(?:省|市|县|区)政府")


def _issuer_place(issuer: str) -> str:
    m = regex.fullmatch(r"中共(.+?)委", issuer) or regex.fullmatch(r"(.+?)人民政府(?:办公厅|办公室)?", issuer)
    return m.group(1) if m else ""


def infer_region(meta: DocMeta, text: str, patterns: Patterns) -> None:
    """Set region, region_code and admin_level (and issuers when none is printed).

    A national document (admin level already ``national``) keeps what it has.
    """
    from ..context.gazetteer import load_gazetteer

    if meta.admin_level == "national":
        return
    gaz = load_gazetteer(str(patterns.folder / "region_aliases.yaml"))
    head = text[:20000]
    level_votes = {lvl: len(rx.findall(head)) for lvl, rx in _SELF_LEVEL.items()}

    def pick(cands):
        if not cands:
            return None
        # prefer the level the text refers to itself as (我省 -> province, 全市 -> prefecture)
        return max(cands, key=lambda d: (level_votes.get(d.level, 0), d.level == "province"))

    found, evidence = None, None
    for issuer in meta.issuers:
        place = _issuer_place(issuer)
        cand = pick(gaz.lookup(place))
        if cand:
            found, evidence = cand, issuer
            break
    if found is None and meta.evidence.get("title") != "file name":
        for surface, _pos in gaz.mentions(meta.title):
            cand = pick(gaz.lookup(surface))
            if cand:
                found, evidence = cand, meta.title
                break
    if found is None:
        counts: dict[str, int] = {}
        for surface, _pos in gaz.mentions(head):
            counts[surface] = counts.get(surface, 0) + 1
        scored = []
        for surface, n in counts.items():
            cand = pick(gaz.lookup(surface))
            if cand:
                scored.append((n * (1 + level_votes.get(cand.level, 0)), surface, cand))
        if scored:
            _score, surface, found = max(scored, key=lambda t: (t[0], t[1]))
            pos = head.find(surface)
            evidence = head[max(0, pos - 15): pos + len(surface) + 15].replace("\n", " ")
    if found is None:
        return
    meta.region, meta.region_code, meta.admin_level = found.name, found.code, found.level
    meta.evidence.setdefault("region", evidence or found.name)
    if not meta.issuers:
        issuers = [f"{found.name}人民政府"]
        m = _PARTY_GOV.search(head)
        if m:
            issuers.insert(0, f"中共{found.name}委")
        meta.issuers = issuers
        meta.evidence["issuer"] = f"inferred from region {found.name}" + (f" and “{m.group(0)}”" if m else "")


def read_manifest(corpus: Path) -> dict[str, dict]:
    """``corpus/manifest.csv`` rows keyed by doc_id (empty values ignored), in any text encoding.

    Raises:
        ValueError: the file cannot be decoded or has no ``doc_id`` column.
    """
    path = corpus / "manifest.csv"
    if not path.is_file():
        return {}
    from ..readers.text import decode_bytes

    text, _enc = decode_bytes(path.read_bytes(), require_han=False)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "doc_id" not in [f.strip() for f in reader.fieldnames]:
        raise ValueError("manifest.csv has no doc_id column")
    out: dict[str, dict] = {}
    for row in reader:
        row = {(k or "").strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
        if row.get("doc_id"):
            out[row["doc_id"]] = {k: v for k, v in row.items() if k and v not in (None, "")}
    return out


MANIFEST_FIELDS = ("doc_id", "title", "issuer", "region", "region_code", "admin_level", "doc_number",
                   "publish_date", "plan_start_year", "plan_end_year", "base_year")
_ADMIN_LEVELS = ("national", "province", "prefecture", "county")


def _check_year(v: str) -> None:
    if not (v.isdigit() and 1949 <= int(v) <= 2100):
        raise ValueError("not a year")


def _check_date(v: str) -> None:
    dt.date.fromisoformat(v)


def _check_code(v: str) -> None:
    if not regex.fullmatch(r"\d{6}", v):
        raise ValueError("not a six-digit GB/T 2260 code")


def _check_level(v: str) -> None:
    if v not in _ADMIN_LEVELS:
        raise ValueError(f"not one of {', '.join(_ADMIN_LEVELS)}")


_MANIFEST_CHECKS = {"publish_date": _check_date, "plan_start_year": _check_year, "plan_end_year": _check_year,
                    "base_year": _check_year, "region_code": _check_code, "admin_level": _check_level}


def check_manifest_entry(entry: dict) -> tuple[dict, list[str]]:
    """Keep the valid fields of a manifest row; a bad value is a warning on that field, not an error.

    >>> check_manifest_entry({"doc_id": "a", "publish_date": "2024-13-45", "base_year": "2020"})
    ({'doc_id': 'a', 'base_year': '2020'}, ["manifest publish_date '2024-13-45' ignored: month must be in 1..12"])
    """
    clean, warnings = {}, []
    for key, value in entry.items():
        if key not in MANIFEST_FIELDS:
            continue      # unknown columns are reported once for the whole file by the batch run
        check = _MANIFEST_CHECKS.get(key)
        try:
            if check:
                check(str(value).strip())
        except ValueError as exc:
            warnings.append(f"manifest {key} {value!r} ignored: {exc}")
            continue
        clean[key] = value
    start, end = clean.get("plan_start_year"), clean.get("plan_end_year")
    if start and end and int(start) > int(end):
        warnings.append(f"manifest plan years {start}-{end} ignored: start after end")
        del clean["plan_start_year"], clean["plan_end_year"]
    return clean, warnings


def apply_manifest(meta: DocMeta, entry: dict) -> list[str]:
    """Override inferred metadata with manifest values; evidence says "manifest".

    Returns:
        warnings for the values that were ignored (see :func:`check_manifest_entry`).
    """
    entry, warnings = check_manifest_entry(entry)
    if "title" in entry:
        meta.title = entry["title"]; meta.evidence["title"] = "manifest"
    if "issuer" in entry:
        meta.issuers = [s.strip() for s in entry["issuer"].replace(";", "；").split("；") if s.strip()]
        meta.evidence["issuer"] = "manifest"
    for key in ("region", "region_code", "admin_level", "doc_number"):
        if key in entry:
            setattr(meta, key, entry[key])
            if key == "region":
                meta.evidence["region"] = "manifest"
    if "publish_date" in entry:
        meta.publish_date = dt.date.fromisoformat(entry["publish_date"]); meta.evidence["date"] = "manifest"
    for key in ("plan_start_year", "plan_end_year", "base_year"):
        if key in entry:
            setattr(meta, key, int(entry[key]))
    return warnings
