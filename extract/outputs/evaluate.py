"""Score commitments against gold JSONL annotations (the rules of ../shared/gold/SPEC.md).

A prediction matches a gold record when the document, target year and value (or range)
agree after unit normalisation and the indicator shares at least half of the gold
indicator's characters; each gold record matches once.  The figures printed by
:func:`format_report` are the ones the reference scorer (``tools/score.py``) prints, and a
test checks that both agree on the demo output.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from pathlib import Path

# unit spelling -> canonical base unit (same table as the reference scorer)
_UNIT_ALIASES = {
    "％": "%",
    "percent": "%",
    "百分比": "%",
    "微克/立方米": "μg/m³",
    "微克／立方米": "μg/m³",
    "μg/m3": "μg/m³",
    "ug/m3": "μg/m³",
    "µg/m³": "μg/m³",
    "µg/m3": "μg/m³",
    "μg/m^3": "μg/m³",
    "ug/m³": "μg/m³",
    "平方公里": "km²",
    "平方千米": "km²",
    "km2": "km²",
    "km^2": "km²",
    "万平方公里": "万km²",
    "万平方千米": "万km²",
    "亿立方米": "亿m³",
    "亿m3": "亿m³",
    "万立方米": "万m³",
    "万m3": "万m³",
    "立方米": "m³",
    "m3": "m³",
    "g/kg": "克/千克",
    "克／千克": "克/千克",
    "百分点": "个百分点",
    "pp": "个百分点",
    "个百分点": "个百分点",
    "mw": "兆瓦",
    "MW": "兆瓦",
    "kw": "千瓦",
    "KW": "千瓦",
    "kW": "千瓦",
    "hm²": "公顷",
    "hm2": "公顷",
    "t": "吨",
    "起/每万枚": "起/万枚",
    "无": "",
    "-": "",
    "—": "",
    "none": "",
    "None": "",
    "平方米": "m²",
    "m2": "m²",
    "m^2": "m²",
    "㎡": "m²",
    "公斤": "千克",
    "kg": "千克",
    "吨/km²·月": "吨/(月·km²)",
    "吨/平方公里·月": "吨/(月·km²)",
    "吨/月·平方公里": "吨/(月·km²)",
    "吨/(月·平方公里)": "吨/(月·km²)",
    "吨/(km²·月)": "吨/(月·km²)",
    "t/(km²·月)": "吨/(月·km²)",
    "吨/月·km²": "吨/(月·km²)",
    "吨/(平方公里·月)": "吨/(月·km²)",
}
_PREFIX = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}
_NO_PREFIX_SPLIT = {"千克", "千米", "千瓦", "百分点", "万枚", "千瓦时"}
FIELDS = ("comparator", "change", "cumulative", "strive", "binding", "baseline_value", "year_source")


def norm_unit(unit) -> tuple[str, float]:
    """``(base unit, multiplier)`` so that value * multiplier is in base units."""
    if unit is None or (isinstance(unit, float) and math.isnan(unit)):
        return "", 1.0
    u = str(unit).strip().replace(" ", "").replace("／", "/").replace("（", "(").replace("）", ")")
    u = _UNIT_ALIASES.get(u, u)
    mult = 1.0
    if len(u) > 1 and u[0] in _PREFIX and u not in _NO_PREFIX_SPLIT and u[1:] not in ("分点",):
        rest = _UNIT_ALIASES.get(u[1:], u[1:])
        if rest not in ("", "%"):
            mult, u = _PREFIX[u[0]], rest
    return u, mult


def _num(x):
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _year(r):
    y = r.get("year")
    try:
        return None if y is None or (isinstance(y, float) and math.isnan(y)) else int(y)
    except (TypeError, ValueError):
        return None


def value_key(rec) -> tuple | None:
    """The value of a record in base units (a range as its two bounds)."""
    base, mult = norm_unit(rec.get("unit"))
    v = _num(rec.get("value"))
    if v is not None:
        return (base, round(v * mult, 6), None)
    lo, hi = _num(rec.get("value_min")), _num(rec.get("value_max"))
    if lo is None and hi is None:
        return None
    return (base, None if lo is None else round(lo * mult, 6), None if hi is None else round(hi * mult, 6))


def overlap(gold_ind: str | None, pred_ind: str | None) -> float:
    """Share of the gold indicator's characters found in the predicted one."""
    g, p = Counter(str(gold_ind or "")), Counter(str(pred_ind or ""))
    if not g:
        return 0.0
    return sum(min(c, p[ch]) for ch, c in g.items()) / sum(g.values())


def load_gold(gold_dir: Path) -> list[dict]:
    """All gold records of a folder of ``*.jsonl`` files."""
    recs = []
    for f in sorted(Path(gold_dir).glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                r["_doc"] = Path(r.get("doc") or f.stem).stem
                recs.append(r)
    return recs


def load_pred(path: Path) -> list[dict]:
    """Commitment rows of a Parquet file; rows of class "qualitative" (no number) are outside the gold's scope."""
    import pyarrow.parquet as pq

    rows = [r for r in pq.read_table(path).to_pylist() if r.get("class") != "qualitative"]
    for r in rows:
        doc = r.get("doc_id") or Path(str(r.get("source_path", ""))).stem
        r["_doc"] = Path(str(doc)).stem
    return rows


def match(gold: list[dict], pred: list[dict], min_overlap: float = 0.5) -> list[tuple[int, int]]:
    """Greedy one-to-one matching: sure gold records first, then best indicator overlap."""
    by_key = defaultdict(list)
    for j, p in enumerate(pred):
        by_key[(p["_doc"], _year(p), value_key(p))].append(j)
    pairs = []
    for i, g in enumerate(gold):
        for j in by_key.get((g["_doc"], _year(g), value_key(g)), []):
            ov = overlap(g.get("indicator"), pred[j].get("indicator"))
            if ov >= min_overlap:
                pairs.append((ov, i, j))
    # sure gold records first, so an unsure record never takes the only prediction a sure one needs;
    # among equal overlaps, the prediction from the same source (text/table) and the nearest page or line
    pairs.sort(
        key=lambda t: (
            bool(gold[t[1]].get("unsure")),
            -t[0],
            _source_differs(gold[t[1]], pred[t[2]]),
            _distance(gold[t[1]], pred[t[2]]),
        )
    )
    gi_used, pj_used, matched = set(), set(), []
    for _ov, i, j in pairs:
        if i not in gi_used and j not in pj_used:
            gi_used.add(i)
            pj_used.add(j)
            matched.append((i, j))
    return matched


def _source_differs(g, p) -> bool:
    return (g.get("source") or "text") != (p.get("source") or "text")


def _distance(g, p) -> float:
    """Pages apart (PDF gold) or lines apart (text gold); 0 where either side lacks the position."""
    for key in ("page", "line"):
        a, b = g.get(key), p.get(key)
        try:
            if a is not None and b is not None and not (isinstance(b, float) and math.isnan(b)):
                return abs(float(a) - float(b))
        except (TypeError, ValueError):
            pass
    return 0.0


def flag_counts(pred: list[dict], matched_pred: set[int]) -> dict[str, dict[str, int]]:
    """Per plausibility flag, how many matched and unmatched predictions carry it ({} for outputs
    without a ``flags`` column).  A flag that fires mostly on matched rows is noise."""
    from ..flags import FLAG_IDS

    if not any("flags" in p for p in pred):
        return {}
    counts = {f: {"matched": 0, "unmatched": 0} for f in FLAG_IDS}
    for j, p in enumerate(pred):
        for f in p.get("flags") or []:
            counts.setdefault(f, {"matched": 0, "unmatched": 0})["matched" if j in matched_pred else "unmatched"] += 1
    return counts


def _prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _same(field, g, p):
    gv, pv = g.get(field), p.get(field)
    if field in ("cumulative", "strive"):
        return bool(gv) == bool(pv)
    if field == "baseline_value":
        a, b = _num(gv), _num(pv)
        return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-6)
    if gv in (None, "") and pv in (None, ""):
        return True
    return str(gv) == str(pv)


def score(gold: list[dict], pred: list[dict], docs: set[str] | None = None) -> dict:
    """Precision, recall, F1, core recall, per-document and secondary-field figures."""
    if docs:
        gold = [g for g in gold if g["_doc"] in docs]
        pred = [p for p in pred if p["_doc"] in docs]
    matched = match(gold, pred)
    mg = {i for i, _ in matched}
    mp = {j for _, j in matched}
    unsure_hit = {j for i, j in matched if gold[i].get("unsure")}
    tp = sum(1 for i in mg if not gold[i].get("unsure"))
    fn = sum(1 for i, g in enumerate(gold) if i not in mg and not g.get("unsure"))
    fp = sum(1 for j in range(len(pred)) if j not in mp)
    core = [
        i
        for i, g in enumerate(gold)
        if g.get("class", "indicator") == "indicator" and g.get("year_source") == "explicit" and not g.get("unsure")
    ]
    core_r = sum(1 for i in core if i in mg) / len(core) if core else 0.0
    field_acc = {
        f: (sum(1 for i, j in matched if _same(f, gold[i], pred[j])) / len(matched) if matched else 0.0) for f in FIELDS
    }
    per_doc = {}
    for d in sorted({g["_doc"] for g in gold} | {p["_doc"] for p in pred}):
        gi = [i for i, g in enumerate(gold) if g["_doc"] == d]
        pj = [j for j, p in enumerate(pred) if p["_doc"] == d]
        dtp = sum(1 for i in gi if i in mg and not gold[i].get("unsure"))
        dfn = sum(1 for i in gi if i not in mg and not gold[i].get("unsure"))
        dfp = sum(1 for j in pj if j not in mp)
        per_doc[d] = dict(zip(("precision", "recall", "f1"), _prf(dtp, dfp, dfn)), tp=dtp, fp=dfp, fn=dfn)
    g_ind = [i for i, g in enumerate(gold) if g.get("class", "indicator") == "indicator" and not g.get("unsure")]
    p_ind = [j for j, p in enumerate(pred) if (p.get("class") or "indicator") == "indicator"]
    itp_r = sum(1 for i in g_ind if i in mg)
    itp_p = sum(1 for j in p_ind if j in mp and j not in unsure_hit)
    ifp = sum(1 for j in p_ind if j not in mp)
    ind = {"precision": itp_p / (itp_p + ifp) if itp_p + ifp else 0.0, "recall": itp_r / len(g_ind) if g_ind else 0.0}
    ind["f1"] = (
        2 * ind["precision"] * ind["recall"] / (ind["precision"] + ind["recall"])
        if ind["precision"] + ind["recall"]
        else 0.0
    )
    p, r, f = _prf(tp, fp, fn)
    return {
        "precision": p,
        "recall": r,
        "f1": f,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "core_recall": core_r,
        "core_n": len(core),
        "gold_n": len(gold),
        "pred_n": len(pred),
        "unsure_matched": len(unsure_hit),
        "indicator_class": ind,
        "field_accuracy": field_acc,
        "per_doc": per_doc,
        "flags": flag_counts(pred, mp),
        "_misses": [gold[i] for i in range(len(gold)) if i not in mg and not gold[i].get("unsure")],
        "_false_pos": [pred[j] for j in range(len(pred)) if j not in mp],
        "_matched": [(gold[i], pred[j]) for i, j in matched],
    }


VERDICTS = ("correct", "wrong", "missing")
# the columns of a verdicts CSV (written by the audit page's export button)
VERDICT_COLUMNS = (
    "verdict",
    "commitment_id",
    "doc_id",
    "indicator",
    "year",
    "year_source",
    "value",
    "value_min",
    "value_max",
    "unit",
    "comparator",
    "change",
    "cumulative",
    "strive",
    "binding",
    "baseline_value",
    "source",
    "class",
    "page",
    "line",
    "sentence",
    "note",
)


class VerdictError(ValueError):
    """A verdicts file cannot be read (the message names the line)."""


def _csv_value(kind: str, text: str, where: str):
    text = (text or "").strip()
    if not text:
        return None
    try:
        if kind == "int":
            return int(float(text))
        if kind == "float":
            return float(text)
    except ValueError:
        raise VerdictError(f"{where}: {text!r} is not a number") from None
    if kind == "bool":
        return text.lower() in ("true", "1", "yes")
    return text


_VERDICT_KINDS = {
    "year": "int",
    "value": "float",
    "value_min": "float",
    "value_max": "float",
    "baseline_value": "float",
    "page": "int",
    "line": "int",
    "cumulative": "bool",
    "strive": "bool",
}


def load_verdicts(path: Path) -> list[dict]:
    """Reviewer verdicts exported from the audit page, one dict per CSV row.

    ``correct`` rows are extracted commitments a reviewer confirmed, ``wrong`` rows ones
    they rejected, ``missing`` rows targets the extraction missed (indicator, year and
    value typed by the reviewer).  Rows with an empty verdict (a checklist not yet filled
    in) are skipped.

    Raises:
        VerdictError: not a verdicts CSV, an unknown verdict, a missing field or a bad number.
    """
    import csv

    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing_cols = [c for c in ("verdict", "commitment_id", "doc_id") if c not in (reader.fieldnames or [])]
        if missing_cols:
            raise VerdictError(f"{Path(path).name}: not a verdicts CSV (no {', '.join(missing_cols)} column)")
        out = []
        for n, row in enumerate(reader, start=2):
            where = f"{Path(path).name} line {n}"
            if not (row.get("verdict") or "").strip():
                continue  # a checklist row nobody has reviewed yet
            rec = {
                k: _csv_value(_VERDICT_KINDS.get(k, "str"), row.get(k) or "", f"{where}: {k}") for k in VERDICT_COLUMNS
            }
            rec["verdict"] = rec["verdict"].lower()
            if rec["verdict"] not in VERDICTS:
                raise VerdictError(f"{where}: verdict {rec['verdict']!r} is not one of {', '.join(VERDICTS)}")
            if not rec["doc_id"]:
                raise VerdictError(f"{where}: no doc_id")
            if rec["verdict"] in ("correct", "wrong") and not rec["commitment_id"]:
                raise VerdictError(f"{where}: a {rec['verdict']} verdict needs the commitment_id")
            if rec["verdict"] == "missing" and (not rec["indicator"] or value_key(rec) is None):
                raise VerdictError(f"{where}: a missing target needs an indicator and a value")
            out.append(rec)
    return out


def verdict_gold(verdicts: list[dict]) -> list[dict]:
    """Gold records from verdicts: confirmed commitments and targets the reviewer found missing."""
    recs = []
    for v in verdicts:
        if v["verdict"] == "wrong" or v.get("class") == "qualitative":
            continue  # a row without a number is outside the gold's scope
        rec = {k: v[k] for k in VERDICT_COLUMNS if k not in ("verdict", "note")}
        rec.update(doc=v["doc_id"], quote=v["sentence"], note=v["note"], unsure=False, _doc=Path(v["doc_id"]).stem)
        recs.append(rec)
    return recs


def evaluate(
    pred_path: Path,
    gold_dir: Path | None = None,
    source: str | None = None,
    docs: list[str] | None = None,
    extra_gold: list[dict] | tuple = (),
) -> dict:
    """Load, filter (documents with gold only; one source) and score.

    ``extra_gold`` holds reviewer verdicts (:func:`load_verdicts`): confirmed and missing
    targets join the gold records (unless a gold file already holds them).  In a document
    with no gold file, only the commitments that got a verdict are scored, so a partly
    reviewed document is not charged for what nobody looked at.
    """
    gold = load_gold(gold_dir) if gold_dir else []
    pred = load_pred(pred_path)
    gold_docs = {g["_doc"] for g in gold}
    extra = verdict_gold(list(extra_gold))
    duplicates = {i for i, _j in match(extra, gold)}
    gold += [r for i, r in enumerate(extra) if i not in duplicates]
    reviewed = {v["commitment_id"] for v in extra_gold if v["commitment_id"]}
    verdict_docs = {Path(v["doc_id"]).stem for v in extra_gold} - gold_docs
    pred = [
        p for p in pred if p["_doc"] in gold_docs or (p["_doc"] in verdict_docs and p.get("commitment_id") in reviewed)
    ]
    if source:
        gold = [g for g in gold if (g.get("source") or "text") == source]
        pred = [p for p in pred if (p.get("source") or "text") == source]
    return score(gold, pred, set(docs) if docs else None)


def format_report(res: dict, show: int = 0) -> str:
    """The report, line for line as the reference scorer prints it, with one ``flag`` line per
    plausibility flag (matched and unmatched predictions carrying it) before the summary line."""
    lines = [f"gold {res['gold_n']}  predicted {res['pred_n']}  tp {res['tp']}  fp {res['fp']}  fn {res['fn']}"]
    for d, m in res["per_doc"].items():
        lines.append(
            f"  {d:28s} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}"
            f"  (tp {m['tp']} fp {m['fp']} fn {m['fn']})"
        )
    lines.append(
        "field accuracy on matched pairs: " + ", ".join(f"{k} {v:.3f}" for k, v in res["field_accuracy"].items())
    )
    for g in res["_misses"][:show]:
        lines.append(
            f"MISS {g['_doc']}:{g.get('line')} {g.get('year')} {g.get('indicator')} "
            f"{g.get('value', g.get('value_min'))}{g.get('unit') or ''} | {g.get('quote')}"
        )
    for p in res["_false_pos"][:show]:
        sent = str(p.get("sentence") or "")[:80]
        lines.append(
            f"FP   {p['_doc']} {p.get('year')} {p.get('indicator')} "
            f"{p.get('value', p.get('value_min'))}{p.get('unit') or ''} | {sent}"
        )
    for flag, n in (res.get("flags") or {}).items():
        lines.append(f"flag {flag:18s} matched {n['matched']:4d}  unmatched {n['unmatched']:4d}")
    ic = res["indicator_class"]
    lines.append(
        f"P {res['precision']:.3f} R {res['recall']:.3f} F1 {res['f1']:.3f} core-R {res['core_recall']:.3f}"
        f" | indicator-class P {ic['precision']:.3f} R {ic['recall']:.3f} F1 {ic['f1']:.3f}"
    )
    return "\n".join(lines)


# --- how often each decision step turns down a target (ranks the likely misses) -------------


def _numbers(text: str) -> set[float]:
    import regex

    out = set()
    for m in regex.finditer(r"\d+(?:\.\d+)?", text.replace(",", "")):
        out.add(round(float(m.group(0)), 6))
    return out


def rejection_counts(corpus: Path, gold_dir: Path, patterns=None) -> dict[str, list[int]]:
    """For each decision step, ``[quantities it turned down, of which gold targets]`` on one gold folder.

    Every document of ``corpus`` with a gold file is extracted (the rules of ``patterns``); a
    rejected quantity is a target when a gold record (not unsure) of its document has its value
    (or a bound) among the quantity's numbers, on the same page (PDF) or within a line (text).
    """
    from ..patterns import load_patterns
    from ..pipeline import extract_document
    from ..readers import read_document, supported

    rules = patterns or load_patterns()
    gold = [g for g in load_gold(gold_dir) if not g.get("unsure")]
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for g in gold:
        by_doc[g["_doc"]].append(g)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in sorted(Path(corpus).iterdir()):
        if not supported(path) or path.stem not in by_doc:
            continue
        result = extract_document(read_document(path, path.parent, rules), rules)
        for r in result.rejections:
            counts[r["rejected_by"]][0] += 1
            numbers = _numbers(r["quantity"])
            for g in by_doc[path.stem]:
                near = (
                    (g.get("page") == r["page"])
                    if r["page"] is not None
                    else (g.get("line") is not None and r["line"] is not None and abs(g["line"] - r["line"]) <= 1)
                )
                values = {
                    round(v, 6)
                    for v in (_num(g.get("value")), _num(g.get("value_min")), _num(g.get("value_max")))
                    if v is not None
                }
                if near and values & numbers:
                    counts[r["rejected_by"]][1] += 1
                    break
    return dict(counts)


def rejection_shares_yaml(pairs: list[tuple[Path, Path]], min_share: float = 0.02) -> str:
    """``patterns/rejection_shares.yaml`` measured on (corpus, gold folder) pairs."""
    total: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for corpus, gold_dir in pairs:
        for step, (n, hits) in rejection_counts(corpus, gold_dir).items():
            total[step][0] += n
            total[step][1] += hits
    lines = [
        "# How often the quantities each decision step turns down are targets after all: measured on the",
        "# gold folders (a rejected quantity whose number is a gold target's, on its page or line).  The",
        "# likely misses (likely_misses.parquet, the audit page) list the quantities turned down by a step",
        "# whose share is at least min_share, the most often wrong first; a step not listed here counts as",
        "# min_share.  Regenerate with `make rejection-shares` after the rules change.",
        "measured_on: [" + ", ".join(f"{Path(g).name}" for _c, g in pairs) + "]",
        f"min_share: {min_share}",
        "steps:",
    ]
    for step, (n, hits) in sorted(total.items(), key=lambda kv: (-kv[1][1] / kv[1][0], -kv[1][0], kv[0])):
        lines.append(f"  {step}: {{rejected: {n}, targets: {hits}}}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m extract.outputs.evaluate CORPUS GOLD [CORPUS GOLD …]
    import sys

    args = sys.argv[1:]
    if not args or len(args) % 2:
        sys.exit(
            "usage: python -m extract.outputs.evaluate CORPUS GOLD [CORPUS GOLD ...] > patterns/rejection_shares.yaml"
        )
    sys.stdout.write(rejection_shares_yaml([(Path(args[i]), Path(args[i + 1])) for i in range(0, len(args), 2)]))
