"""Load and validate the rule files in ``patterns/`` into one typed, frozen :class:`Patterns`.

The folder ships inside the package (``extract/patterns`` in the wheel, ``patterns/`` in a
checkout) and any other folder with the same files can be passed instead.  Every file has a
small validator in :data:`RULE_FILES`, built from the checks below (a word list, a mapping, a
record of named keys …): every key the code reads is checked on load, a key the validator does
not know is refused (a misspelt key would otherwise be silently ignored), and a bad file raises
:class:`PatternError` naming the file and the key.  The indicator catalogue is built here too.

To add a key to a file, add it to that file's table (``LEXICON_WORD_LISTS`` for a word list of
``lexicon.yaml``, ``YEARS`` for ``years.yaml`` …); to add a file, add its validator to
:data:`RULE_FILES` and a field to :class:`Patterns`.

Compiled forms of the rules (the prose rules, the table reader) are built once per
:class:`Patterns` and kept on it (:meth:`Patterns.compiled`), never in caches keyed by ``id()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, NoReturn, TypedDict, TypeVar

import regex
import yaml

from .catalogue import Indicator, IndicatorCatalogue


class PatternError(ValueError):
    """A rule file is missing or malformed (message names the file and key)."""


def default_patterns_dir() -> Path:
    """The ``patterns/`` folder: inside the installed package, or at the checkout root."""
    here = Path(__file__).resolve().parent
    for cand in (here / "patterns", here.parent / "patterns"):
        if (cand / "units.yaml").is_file():
            return cand
    raise PatternError(f"no patterns folder found next to {here}")


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
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


def _load_yaml(path: Path) -> Any:
    if not path.is_file():
        raise PatternError(f"{path}: file missing")
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except PatternError as exc:
        raise PatternError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise PatternError(f"{path}: invalid YAML: {exc}") from None


def alternation(words) -> str:
    """A regex alternation of literal words, longest first (so the longest word wins)."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))


# --- checks: each takes the parsed value and where it is ("lexicon.yaml: target_verbs") and
# returns the value to keep, or raises PatternError -----------------------------------------

Check = Callable[[Any, str], Any]


def _fail(where: str, message: str) -> NoReturn:
    raise PatternError(f"{where}: {message}")


def _at(where: str, key: object) -> str:
    """The place of ``key`` inside ``where``: "file.yaml: a.b"."""
    return f"{where}: {key}" if where.endswith(".yaml") else f"{where}.{key}"


def text(value: Any, where: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value:
        _fail(where, f"expected a non-empty string, got {value!r}")
    return value


def name(value: Any, where: str) -> str:
    """A name of two characters or more."""
    if not isinstance(value, str) or len(value.strip()) < 2:
        _fail(where, f"entry {value!r} is not a name")
    return value


def any_text(value: Any, where: str) -> str:
    """A string, maybe empty."""
    if not isinstance(value, str):
        _fail(where, f"expected a string, got {value!r}")
    return value


def integer(value: Any, where: str) -> int:
    """A whole number (not a boolean)."""
    if not isinstance(value, int) or isinstance(value, bool):
        _fail(where, f"needs an integer, got {value!r}")
    return value


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        _fail(where, f"needs true or false, got {value!r}")
    return value


def optional_boolean(value: Any, where: str) -> bool | None:
    """true, false or null."""
    if value is not None and not isinstance(value, bool):
        _fail(where, f"needs true, false or null, got {value!r}")
    return value


def year(value: Any, where: str) -> int:
    if integer(value, where) < 1949 or value > 2100:
        _fail(where, f"{value} is not a plan year")
    return value


def regex_text(value: Any, where: str) -> str:
    """A regular expression (checked by compiling it as the code does; kept as text)."""
    try:
        regex.compile(value)
    except (regex.error, TypeError) as exc:
        _fail(where, f"bad regex {value!r}: {exc}")
    return value


def compiled_regex(flags: int = 0) -> Check:
    """A regular expression, compiled with ``flags``."""

    def check(value: Any, where: str) -> regex.Pattern:
        try:
            return regex.compile(value, flags)
        except (regex.error, TypeError) as exc:
            _fail(where, f"bad regex {value!r}: {exc}")

    return check


def one_of(*choices: str) -> Check:
    def check(value: Any, where: str) -> str:
        if value not in choices:
            _fail(where, f"{value!r} is not one of {', '.join(choices)}")
        return value

    return check


@dataclass(frozen=True)
class ListOf:
    """A list of ``item``; an entry with an ``id`` is named by it in messages (``before.broken``)."""

    item: Check
    nonempty: bool = True

    def __call__(self, value: Any, where: str) -> list:
        if not isinstance(value, list) or (self.nonempty and not value):
            _fail(where, "needs a non-empty list" if self.nonempty else "needs a list")
        out = []
        for i, entry in enumerate(value):
            label = entry.get("id") if isinstance(entry, dict) else None
            out.append(self.item(entry, _at(where, label) if isinstance(label, str) else f"{where}[{i}]"))
        return out


#: a non-empty list of words (what most of lexicon.yaml is)
words = ListOf(text)


@dataclass(frozen=True)
class MappingOf:
    """A mapping whose keys are data (unit surfaces, period names …)."""

    key: Check
    value: Check
    nonempty: bool = True

    def __call__(self, spec: Any, where: str) -> dict:
        if spec is None and not self.nonempty:
            return {}
        if not isinstance(spec, dict) or (self.nonempty and not spec):
            _fail(where, "needs a non-empty mapping" if self.nonempty else "needs a mapping")
        return {self.key(k, _at(where, k)): self.value(v, _at(where, k)) for k, v in spec.items()}


@dataclass(frozen=True)
class Record:
    """A mapping of named keys: every required key present, no key the code does not read.

    ``then(result, where)`` checks what involves several keys.
    """

    required: dict[str, Check]
    optional: dict[str, Check] = field(default_factory=dict)
    then: Callable[[dict, str], None] | None = None

    def __call__(self, spec: Any, where: str) -> dict:
        if not isinstance(spec, dict):
            _fail(f"{where}: <root>" if where.endswith(".yaml") else where, "expected a mapping")
        unknown = sorted(str(k) for k in spec if k not in self.required and k not in self.optional)
        if unknown:
            _fail(
                _at(where, unknown[0]),
                "unknown key (a misspelling? a new key needs a line in the file's validator, extract/patterns.py)",
            )
        out = {}
        for key, check in self.required.items():
            if key not in spec:
                _fail(_at(where, key), "missing")
            out[key] = check(spec[key], _at(where, key))
        for key, check in self.optional.items():
            if key in spec:
                out[key] = check(spec[key], _at(where, key))
        if self.then is not None:
            self.then(out, where)
        return out


# --- the files ------------------------------------------------------------------------------

UNIT_KINDS = (
    "percent",
    "concentration",
    "area",
    "volume",
    "mass",
    "energy",
    "count",
    "length",
    "time",
    "ratio",
    "rating",
    "money",
    "other",
)
COMPARATORS = ("=", ">=", "<=", ">", "<", "~")


class UnitSpec(TypedDict):
    unit: str  # the normalised spelling
    kind: str  # one of UNIT_KINDS


class Period(TypedDict):
    start: int
    end: int


def _period_order(spec: dict, where: str) -> None:
    if spec["start"] > spec["end"]:
        _fail(where, "needs integer start <= end")


def _private_use(value: Any, where: str) -> str:
    if not (isinstance(value, str) and len(value) == 1 and regex.match(r"\p{Co}", value)):
        _fail(where, "key must be one private-use character")
    return value


def _one_character(value: Any, where: str) -> str:
    if not (isinstance(value, str) and len(value) == 1):
        _fail(where, "needs one character")
    return value


def share(value: Any, where: str) -> float:
    """A number from 0 to 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        _fail(where, f"needs a share from 0 to 1, got {value!r}")
    return float(value)


def _targets_among_rejected(spec: dict, where: str) -> None:
    if spec["targets"] > spec["rejected"]:
        _fail(where, "targets cannot outnumber the quantities rejected")


def _roles_in_order(spec: dict, where: str) -> None:
    missing = [r for r in spec["order"] if r not in spec["roles"]]
    if missing:
        _fail(_at(where, "order"), f"must list roles defined under 'roles' ({missing[0]!r} is not)")


#: lexicon.yaml: the word lists the prose and table rules read (each a non-empty list of words)
LEXICON_WORD_LISTS = (
    "target_verbs",
    "project_verbs",
    "subject_prefixes",
    "strive_words",
    "cumulative_words",
    "background_sections",
    "indicator_heads",
    "weak_target_verbs",
    "threshold_comparators",
    "indicator_trailing_words",
    "scope_prefixes",
    "enumeration_ends",
    "shared_heads",
    "area_words",
    "routine_actions",
    "count_place_nouns",
    "listed_place_ends",
    "framing_verbs",
    "generic_project_verbs",
    "noun_phrase_stop_tags",
    "noun_phrase_modifier_tags",
    "light_verbs",
    "noun_joiners",
    "facility_ends",
    "place_word_ends",
    "distributive_words",
    "per_unit_before_jun",
    "chinese_count_classifiers",
    "name_after_classifier",
    "abstract_objects",
    "definition_verbs",
    "routine_units",
    "money_indicator_heads",
    "selection_verbs",
    "forecast_words",
    "share_words",
)
LEXICON = Record({**{key: words for key in LEXICON_WORD_LISTS}, "measure_words": MappingOf(one_of(*UNIT_KINDS), text)})

#: years.yaml: the words that make a year a target, past result, baseline or date
YEARS = Record(
    {
        "before": Record({kind: words for kind in ("target", "until", "past", "baseline")}),
        "after": Record(
            {"target": words, "past": words, "baseline": words, "date": ListOf(regex_text)},
            optional={"neutral": words, "attribute": words},
        ),
        "past_horizon_years": integer,
        "period_past_horizon_years": integer,
        "past_markers": ListOf(regex_text),
        "baseline_references": words,
        "period_openers": words,
        "status_after": ListOf(regex_text),
    }
)

EXCLUSION = Record(
    {"id": text, "pattern": compiled_regex(regex.V1)},
    optional={"unless_kinds": ListOf(one_of(*UNIT_KINDS)), "note": any_text},
)

TABLE_HEADERS = Record(
    {
        "roles": MappingOf(text, Record({"words": words}, optional={"exact": boolean, "not": words})),
        "order": ListOf(text),
        "binding_values": MappingOf(text, text),
        "footnote_marks": regex_text,
        "note_starts": words,
    },
    optional={"review_captions": words},
    then=_roles_in_order,
)

INDICATOR = Record(
    {
        "id": text,
        "zh": text,
        "en": text,
        "category": text,
        "units": ListOf(any_text, nonempty=False),
        "higher_is_better": optional_boolean,
        "patterns": ListOf(compiled_regex()),
    }
)
_INDICATOR_ID = regex.compile(r"^[a-z]+\.[a-z0-9_]+$")


def _fill_numerals(mark: str, numerals: dict) -> str:
    return mark.replace("{cn}", numerals["cn"]).replace("{d}", numerals["d"])


def _expand_numbering(spec: dict, where: str) -> None:
    for group in ("styles", "items"):
        for name, mark in spec[group].items():
            try:
                regex.compile(_fill_numerals(mark, spec["numerals"]))
            except regex.error as exc:
                _fail(f"{where}: {group}.{name}", f"bad mark {mark!r}: {exc}")


NUMBERING = Record(
    {
        "numerals": Record({"cn": regex_text, "d": regex_text}),
        "styles": MappingOf(text, text),
        "items": MappingOf(text, text),
    },
    then=_expand_numbering,
)


def _numbering_table(spec: dict) -> dict[str, str]:
    """Every mark of numbering.yaml by name, numerals filled in; ``_styles`` lists the heading styles."""
    marks = {
        name: _fill_numerals(mark, spec["numerals"])
        for group in ("styles", "items")
        for name, mark in spec[group].items()
    }
    marks["_styles"] = " ".join(spec["styles"])
    return marks


def one_line(value: Any, where: str) -> str:
    """A non-empty string on one line (an explanation shown in a table cell or a tooltip)."""
    if "\n" in text(value, where).strip():
        _fail(where, "needs a one-line explanation")
    return value


#: the plausibility flags (extract/flags.py), in the order rows list them; flags.yaml explains each
FLAG_IDS = ("direction", "range", "unit", "conflict", "restated_primary")

FLAGS = Record(
    {
        "flags": Record({f: one_line for f in FLAG_IDS}),
        "sub_scope_words": words,
        "horizon_years": ListOf(year),
    }
)


@dataclass(frozen=True)
class QualitativePhrase:
    """A target wording without a number (qualitative.yaml ``phrases``)."""

    id: str
    pattern: regex.Pattern
    indicator: str  # where the thing promised is named: "before" | "around"


QUALITATIVE = Record(
    {
        "phrases": ListOf(Record({"id": text, "pattern": compiled_regex(), "indicator": one_of("before", "around")})),
        "vague_subjects": ListOf(text, nonempty=False),
        "table_cells": ListOf(compiled_regex()),
    }
)


#: every rule file and its validator (file name -> check of the parsed YAML)
RULE_FILES: dict[str, Check] = {
    "units.yaml": MappingOf(text, Record({"unit": any_text, "kind": one_of(*UNIT_KINDS)})),
    "comparators.yaml": Record(
        {"before": MappingOf(text, one_of(*COMPARATORS)), "after": MappingOf(text, one_of(*COMPARATORS))},
        optional={"between": MappingOf(text, one_of(*COMPARATORS), nonempty=False)},
    ),
    "change_verbs.yaml": Record(
        {k: words for k in ("decrease_by", "increase_by", "level_particles", "reduction_amounts", "starting_points")}
    ),
    "periods.yaml": MappingOf(text, Record({"start": year, "end": year}, then=_period_order), nonempty=False),
    "lexicon.yaml": LEXICON,
    "exclusions.yaml": Record(
        {"before": ListOf(EXCLUSION, nonempty=False), "after": ListOf(EXCLUSION, nonempty=False)}
    ),
    "table_headers.yaml": TABLE_HEADERS,
    "indicators.yaml": Record({"indicators": ListOf(INDICATOR)}),
    "national_issuers.yaml": Record({"names": ListOf(name)}),
    "glyphs.yaml": Record({"private_use": MappingOf(_private_use, any_text, nonempty=False)}),
    "years.yaml": YEARS,
    "region_aliases.yaml": MappingOf(name, name, nonempty=False),
    "ambiguous_places.yaml": Record({"names": MappingOf(name, any_text)}),
    "doc_number_prefixes.yaml": Record(
        {"national": MappingOf(text, text), "provinces": MappingOf(_one_character, ListOf(name))}
    ),
    "numbering.yaml": NUMBERING,
    "flags.yaml": FLAGS,
    "qualitative.yaml": QUALITATIVE,
    "rejection_shares.yaml": Record(
        {
            "min_share": share,
            "steps": MappingOf(
                text, Record({"rejected": integer, "targets": integer}, then=_targets_among_rejected), nonempty=False
            ),
        },
        optional={"measured_on": ListOf(text)},
    ),
}


def _catalogue(spec: dict) -> IndicatorCatalogue:
    """The indicator catalogue of a checked ``indicators.yaml`` (ids unique and well formed)."""
    seen: set[str] = set()
    entries = []
    for i, e in enumerate(spec["indicators"]):
        where = f"indicators.yaml: indicators[{i}]"
        if not _INDICATOR_ID.match(e["id"]):
            _fail(where, f"id {e['id']!r} is not of the form category.name (ASCII)")
        if e["id"] in seen:
            _fail(where, f"duplicate id {e['id']!r}")
        seen.add(e["id"])
        entries.append(
            Indicator(
                e["id"], e["zh"], e["en"], e["category"], tuple(e["units"]), e["higher_is_better"], tuple(e["patterns"])
            )
        )
    return IndicatorCatalogue(entries)


def _check_across(data: dict[str, Any]) -> None:
    """What ties two files together: every unit kind named elsewhere is a kind of units.yaml."""
    kinds = {spec["kind"] for spec in data["units.yaml"].values()}
    for kind in data["lexicon.yaml"]["measure_words"]:
        if kind not in kinds:
            _fail("lexicon.yaml: measure_words", f"no unit of kind {kind!r} in units.yaml")
    for side in ("before", "after"):
        for entry in data["exclusions.yaml"][side]:
            for kind in entry.get("unless_kinds", ()):
                if kind not in kinds:
                    _fail(
                        f"exclusions.yaml: {side}.{entry['id']}.unless_kinds", f"no unit of kind {kind!r} in units.yaml"
                    )


# --- the rules, loaded ----------------------------------------------------------------------

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Patterns:
    """All rule data, validated; one object per folder and process (treat it as read-only)."""

    folder: Path
    units: dict[str, UnitSpec]  # surface -> {unit, kind}
    comparators_before: dict[str, str]  # word -> comparator
    comparators_after: dict[str, str]
    comparators_between: dict[str, str]
    change_verbs: dict[str, list[str]]
    periods: dict[str, Period]  # 十四五 -> {start, end}
    lexicon: dict[str, Any]  # word lists (and measure_words)
    exclusions_before: tuple[tuple[str, regex.Pattern], ...]
    exclusions_after: tuple[tuple[str, regex.Pattern], ...]
    exclusion_unless: dict[str, frozenset[str]]  # exclusion id -> unit kinds it spares
    glyphs: dict[str, str]  # private-use character -> text
    years: dict[str, Any]
    table_headers: dict[str, Any]
    national_issuers: tuple[str, ...]  # longest first
    region_aliases: dict[str, str]  # customary name -> official name
    ambiguous_places: frozenset[str]  # place names that are also common words
    doc_number_prefixes: dict[str, dict]  # national / provinces: who a number's prefix stands for
    numbering: dict[str, str]  # numbering mark name -> regex (text/numbering.py)
    catalogue: IndicatorCatalogue
    rejection_shares: dict[str, float]  # decision step -> share of its rejections that were targets
    min_rejection_share: float  # a likely miss needs at least this share
    flag_explanations: dict[str, str]  # flags.yaml: flag id -> one line, in FLAG_IDS order
    sub_scope_words: tuple[str, ...]  # flags.yaml: words naming a part of the area (乡镇)
    horizon_years: frozenset[int]  # flags.yaml: years plans look to beyond their period
    qualitative_phrases: tuple[QualitativePhrase, ...]  # qualitative.yaml: target words in running text
    qualitative_cells: tuple[regex.Pattern, ...]  # qualitative.yaml: target cells without a number
    vague_subjects: frozenset[str]  # qualitative.yaml: subjects that name nothing alone
    _compiled: dict = field(default_factory=dict, init=False, repr=False)

    def words(self, name: str) -> list[str]:
        """A word list of lexicon.yaml, longest first."""
        return sorted(self.lexicon[name], key=len, reverse=True)

    def compiled(self, build: Callable[[Patterns], T]) -> T:
        """``build(self)``, made once and kept with these rules (compiled prose rules, table reader …).

        ``build`` must be a module-level function or class (it is the key).
        """
        if build not in self._compiled:
            self._compiled[build] = build(self)
        return self._compiled[build]


def load_patterns(folder: str | Path | None = None) -> Patterns:
    """Load every rule file from ``folder`` (default: the shipped ``patterns/``), once per process.

    Raises:
        PatternError: a file is missing, or a key is missing, unknown or malformed.
    """
    return _load_cached(str(Path(folder).resolve()) if folder else str(default_patterns_dir()))


@lru_cache(maxsize=8)
def _load_cached(folder_str: str) -> Patterns:
    folder = Path(folder_str)
    data = {file: check(_load_yaml(folder / file), file) for file, check in RULE_FILES.items()}
    _check_across(data)
    cmp, exc = data["comparators.yaml"], data["exclusions.yaml"]
    return Patterns(
        folder=folder,
        units=data["units.yaml"],
        comparators_before=cmp["before"],
        comparators_after=cmp["after"],
        comparators_between=cmp.get("between", {}),
        change_verbs=data["change_verbs.yaml"],
        periods=data["periods.yaml"],
        lexicon=data["lexicon.yaml"],
        exclusions_before=tuple((e["id"], e["pattern"]) for e in exc["before"]),
        exclusions_after=tuple((e["id"], e["pattern"]) for e in exc["after"]),
        exclusion_unless={
            e["id"]: frozenset(e["unless_kinds"])
            for side in ("before", "after")
            for e in exc[side]
            if e.get("unless_kinds")
        },
        glyphs=data["glyphs.yaml"]["private_use"],
        years=data["years.yaml"],
        table_headers=data["table_headers.yaml"],
        national_issuers=tuple(sorted(set(data["national_issuers.yaml"]["names"]), key=len, reverse=True)),
        region_aliases=data["region_aliases.yaml"],
        ambiguous_places=frozenset(data["ambiguous_places.yaml"]["names"]),
        doc_number_prefixes=data["doc_number_prefixes.yaml"],
        numbering=_numbering_table(data["numbering.yaml"]),
        catalogue=_catalogue(data["indicators.yaml"]),
        rejection_shares={
            step: c["targets"] / c["rejected"] if c["rejected"] else 0.0
            for step, c in data["rejection_shares.yaml"]["steps"].items()
        },
        min_rejection_share=data["rejection_shares.yaml"]["min_share"],
        flag_explanations={f: data["flags.yaml"]["flags"][f] for f in FLAG_IDS},
        sub_scope_words=tuple(data["flags.yaml"]["sub_scope_words"]),
        horizon_years=frozenset(data["flags.yaml"]["horizon_years"]),
        qualitative_phrases=tuple(QualitativePhrase(**e) for e in data["qualitative.yaml"]["phrases"]),
        qualitative_cells=tuple(data["qualitative.yaml"]["table_cells"]),
        vague_subjects=frozenset(data["qualitative.yaml"]["vague_subjects"]),
    )
