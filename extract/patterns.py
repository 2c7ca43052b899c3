"""Load and validate the rule files in ``patterns/``.

The folder ships inside the package (``extract/patterns`` in the wheel, ``patterns/`` in a
checkout) and any other folder with the same files can be passed instead.  Every file is
checked on load; a bad file raises :class:`PatternError` naming the file and the key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import regex
import yaml


class PatternError(ValueError):
    """A rule file is missing or malformed (message names the file and key)."""


def default_patterns_dir() -> Path:
    """The ``patterns/`` folder: inside the installed package, or at the checkout root."""
    here = Path(__file__).resolve().parent
    for cand in (here / "patterns", here.parent / "patterns"):
        if (cand / "units.yaml").is_file():
            return cand
    raise PatternError(f"no patterns folder found next to {here}")


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A YAML loader that rejects duplicate keys (they silently overwrite otherwise).

    Built on libyaml's parser when PyYAML has it (ten times faster than the pure-Python one).
    """


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise PatternError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _load_yaml(path: Path):
    if not path.is_file():
        raise PatternError(f"{path}: file missing")
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except PatternError as exc:
        raise PatternError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise PatternError(f"{path}: invalid YAML: {exc}") from None


_COMPARATORS = {"=", ">=", "<=", ">", "<", "~"}



def alternation(words) -> str:
    """A regex alternation of literal words, longest first (so the longest word wins)."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))

@dataclass
class Patterns:
    """All rule data, validated."""

    folder: Path
    units: dict[str, dict]
    comparators_before: dict[str, str]
    comparators_after: dict[str, str]
    change_verbs: dict[str, list[str]]
    periods: dict[str, dict]
    lexicon: dict[str, list[str]]
    exclusions_before: list[tuple[str, regex.Pattern]]
    exclusions_after: list[tuple[str, regex.Pattern]]
    extra: dict = field(default_factory=dict)
    glyphs: dict[str, str] = field(default_factory=dict)
    comparators_between: dict[str, str] = field(default_factory=dict)
    years: dict = field(default_factory=dict)

    def words(self, name: str) -> list[str]:
        """A word list of lexicon.yaml, longest first."""
        return sorted(self.lexicon[name], key=len, reverse=True)


def _require(cond: bool, path: Path, key: str, msg: str) -> None:
    if not cond:
        raise PatternError(f"{path.name}: {key}: {msg}")


def _glyphs(path: Path) -> dict[str, str]:
    """The glyph substitution table of ``glyphs.yaml`` (private-use character -> text)."""
    spec = _load_yaml(path)
    table = (spec or {}).get("private_use") if isinstance(spec, dict) else None
    _require(isinstance(table, dict), path, "private_use", "expected a mapping")
    for key, rep in table.items():
        _require(isinstance(key, str) and len(key) == 1 and bool(regex.match(r"\p{Co}", key)), path,
                 f"private_use.{key!r}", "key must be one private-use character")
        _require(isinstance(rep, str), path, f"private_use.{key!r}", "replacement must be a string")
    return dict(table)


def _years(path: Path) -> dict:
    """``years.yaml``: the words that make a year a target, past result, baseline or date."""
    spec = _load_yaml(path)
    _require(isinstance(spec, dict), path, "<root>", "expected a mapping")
    for side, kinds in (("before", ("target", "until", "past", "baseline")), ("after", ("target", "past", "baseline", "date"))):
        _require(isinstance(spec.get(side), dict), path, side, "expected a mapping of kinds")
        for kind in kinds:
            words = spec[side].get(kind)
            _require(isinstance(words, list) and all(isinstance(w, str) and w for w in words), path,
                     f"{side}.{kind}", "needs a list of words")
    for key in ("past_horizon_years", "period_past_horizon_years"):
        _require(isinstance(spec.get(key), int), path, key, "needs an integer")
    markers = spec.get("past_markers")
    _require(isinstance(markers, list) and markers, path, "past_markers", "needs a non-empty list")
    for m in markers:
        try:
            regex.compile(m)
        except (regex.error, TypeError) as exc:
            raise PatternError(f"{path.name}: past_markers: bad regex {m!r}: {exc}") from None
    return spec


def load_patterns(folder: str | Path | None = None) -> Patterns:
    """Load every rule file from ``folder`` (default: the shipped ``patterns/``).

    Raises:
        PatternError: a file is missing or a key is malformed.
    """
    return _load_cached(str(Path(folder).resolve()) if folder else str(default_patterns_dir()))


@lru_cache(maxsize=8)
def _load_cached(folder_str: str) -> Patterns:
    folder = Path(folder_str)
    units_p = folder / "units.yaml"
    units = _load_yaml(units_p)
    _require(isinstance(units, dict) and units, units_p, "<root>", "expected a mapping of surfaces")
    for surface, spec in units.items():
        _require(isinstance(spec, dict) and isinstance(spec.get("unit"), str), units_p, str(surface),
                 "needs a 'unit' string")
        _require(isinstance(spec.get("kind"), str), units_p, str(surface), "needs a 'kind' string")

    cmp_p = folder / "comparators.yaml"
    cmp = _load_yaml(cmp_p)
    for side in ("before", "after"):
        _require(isinstance(cmp, dict) and isinstance(cmp.get(side), dict), cmp_p, side, "missing mapping")
        for word, op in cmp[side].items():
            _require(op in _COMPARATORS, cmp_p, f"{side}.{word}", f"unknown comparator {op!r}")
    _require(isinstance(cmp.get("between", {}), dict), cmp_p, "between", "expected a mapping")
    for word, op in (cmp.get("between") or {}).items():
        _require(op in _COMPARATORS, cmp_p, f"between.{word}", f"unknown comparator {op!r}")

    chg_p = folder / "change_verbs.yaml"
    chg = _load_yaml(chg_p)
    for key in ("decrease_by", "increase_by", "level_particles", "reduction_amounts"):
        _require(isinstance(chg, dict) and isinstance(chg.get(key), list) and chg[key], chg_p, key,
                 "needs a non-empty list")

    per_p = folder / "periods.yaml"
    periods = _load_yaml(per_p)
    for name, spec in (periods or {}).items():
        _require(isinstance(spec, dict) and isinstance(spec.get("start"), int) and isinstance(spec.get("end"), int)
                 and spec["start"] <= spec["end"], per_p, str(name), "needs integer start <= end")

    lex_p = folder / "lexicon.yaml"
    lex = _load_yaml(lex_p)
    for key in ("target_verbs", "project_verbs", "subject_prefixes", "strive_words", "cumulative_words",
                "background_sections", "indicator_heads", "weak_target_verbs",
                "threshold_comparators", "indicator_trailing_words", "scope_prefixes", "enumeration_ends",
                "shared_heads", "area_words", "generic_project_verbs"):
        _require(isinstance(lex, dict) and isinstance(lex.get(key), list) and lex[key], lex_p, key,
                 "needs a non-empty list")
        for w in lex[key]:
            _require(isinstance(w, str) and w, lex_p, key, f"entry {w!r} is not a word")
    _require(isinstance(lex.get("measure_words"), dict), lex_p, "measure_words", "needs a mapping kind -> word")

    exc_p = folder / "exclusions.yaml"
    exc = _load_yaml(exc_p)
    compiled: dict[str, list] = {}
    extra: dict = {}
    for side in ("before", "after"):
        _require(isinstance(exc, dict) and isinstance(exc.get(side), list), exc_p, side, "needs a list")
        compiled[side] = []
        for entry in exc[side]:
            _require(isinstance(entry, dict) and "id" in entry and "pattern" in entry, exc_p, side,
                     f"entry {entry!r} needs id and pattern")
            try:
                compiled[side].append((entry["id"], regex.compile(entry["pattern"], regex.V1)))
                if entry.get("unless_kinds"):
                    _require(isinstance(entry["unless_kinds"], list), exc_p, f"{side}.{entry['id']}",
                             "unless_kinds must be a list of unit kinds")
                    extra.setdefault("exclusion_unless", {})[entry["id"]] = set(entry["unless_kinds"])
            except regex.error as e:
                raise PatternError(f"{exc_p.name}: {side}.{entry['id']}: bad regex: {e}") from None

    th_p = folder / "table_headers.yaml"
    th = _load_yaml(th_p)
    _require(isinstance(th, dict) and isinstance(th.get("roles"), dict), th_p, "roles", "missing mapping")
    _require(isinstance(th.get("order"), list) and set(th["order"]) <= set(th["roles"]), th_p, "order",
             "must list roles defined under 'roles'")
    for role, spec in th["roles"].items():
        _require(isinstance(spec, dict) and isinstance(spec.get("words"), list) and spec["words"], th_p,
                 f"roles.{role}", "needs a non-empty 'words' list")
    try:
        regex.compile(th.get("footnote_marks", ""))
    except (regex.error, TypeError) as exc:
        raise PatternError(f"{th_p.name}: footnote_marks: bad regex: {exc}") from None
    _require(isinstance(th.get("note_starts"), list), th_p, "note_starts", "needs a list")
    extra["table_headers"] = th
    extra["indicators"] = _load_yaml(folder / "indicators.yaml")
    extra["flags"] = _load_yaml(folder / "flags.yaml")
    extra["qualitative"] = _load_yaml(folder / "qualitative.yaml")
    ni_p = folder / "national_issuers.yaml"
    ni = _load_yaml(ni_p)
    _require(isinstance(ni, dict) and isinstance(ni.get("names"), list) and ni["names"], ni_p, "names",
             "needs a non-empty list")
    for name in ni["names"]:
        _require(isinstance(name, str) and len(name) >= 2, ni_p, "names", f"entry {name!r} is not a name")
    extra["national_issuers"] = sorted(set(ni["names"]), key=len, reverse=True)
    result = Patterns(folder, units, cmp["before"], cmp["after"], chg, periods or {}, lex,
                      compiled["before"], compiled["after"], extra, _glyphs(folder / "glyphs.yaml"),
                      dict(cmp.get("between") or {}), _years(folder / "years.yaml"))
    from .catalogue import IndicatorCatalogue

    from .flags import Plausibility

    from .prose.qualitative import QualitativeTargets

    Plausibility(result, IndicatorCatalogue(result))   # validates indicators.yaml and flags.yaml
    QualitativeTargets(result)                         # validates qualitative.yaml
    return result
