"""Rule files are checked on load: every key the code reads, in every file, by its validator.

The cases are made from the validators themselves (``extract.patterns.RULE_FILES``) walked
beside the shipped files: a key a validator requires is taken out and loading must fail naming
the file and the key; a key it allows to be absent is taken out and the rules must still run
on a real plan (so no code reads an optional key as if it were always there).
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from extract.patterns import RULE_FILES, ListOf, MappingOf, PatternError, Record, default_patterns_dir, load_patterns

from .conftest import CORPUS

SHIPPED = default_patterns_dir()
# a real plan with prose targets, boxes and a table of indicators: every rule gets to run
PLAN = (CORPUS / "004_ea1ad09170896d70.txt").read_text(encoding="utf-8")


def _key_cases():
    """(file, path to the mapping, key, required) for each key of each validator, once per key."""
    seen = set()

    def walk(check, data, path, schema):
        if isinstance(check, Record) and isinstance(data, dict):
            for keys, required in ((check.required, True), (check.optional, False)):
                for key, sub in keys.items():
                    if key in data and (schema, key) not in seen:
                        seen.add((schema, key))
                        yield path, key, required
                    if key in data:
                        yield from walk(sub, data[key], path + (key,), schema + (key,))
        elif isinstance(check, MappingOf) and isinstance(data, dict):
            for k, v in data.items():
                yield from walk(check.value, v, path + (k,), schema + ("*",))
        elif isinstance(check, ListOf) and isinstance(data, list):
            for i, v in enumerate(data):
                yield from walk(check.item, v, path + (i,), schema + ("*",))

    for file, check in RULE_FILES.items():
        seen.clear()  # once per key of each file (two files may share a key name)
        data = yaml.safe_load((SHIPPED / file).read_text(encoding="utf-8"))
        for path, key, required in walk(check, data, (), ()):
            yield pytest.param(file, path, key, required, id=f"{file}:{'.'.join(map(str, path + (key,)))}")


KEY_CASES = list(_key_cases())


def _without(tmp_path: Path, file: str, path: tuple, key: str) -> Path:
    folder = tmp_path / "patterns"
    shutil.copytree(SHIPPED, folder)
    data = yaml.safe_load((folder / file).read_text(encoding="utf-8"))
    node = data
    for step in path:
        node = node[step]
    del node[key]
    (folder / file).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def test_the_cases_cover_every_file_and_the_keys_the_rules_read():
    files = {c.values[0] for c in KEY_CASES}
    assert files == set(RULE_FILES) - {"region_aliases.yaml"}  # a mapping of names: no named keys
    keys = {(c.values[0], c.values[2]) for c in KEY_CASES}
    assert {
        ("lexicon.yaml", "routine_actions"),
        ("lexicon.yaml", "framing_verbs"),
        ("years.yaml", "past_markers"),
        ("table_headers.yaml", "binding_values"),
        ("units.yaml", "kind"),
        ("indicators.yaml", "units"),
    } <= keys


@pytest.mark.parametrize("file,path,key,required", [c for c in KEY_CASES if c.values[3]])
def test_a_missing_key_fails_on_load_naming_file_and_key(tmp_path, file, path, key, required):
    with pytest.raises(PatternError) as info:
        load_patterns(_without(tmp_path, file, path, key))
    assert str(info.value).startswith(file) and key in str(info.value) and "missing" in str(info.value)


@pytest.mark.parametrize("file,path,key,required", [c for c in KEY_CASES if not c.values[3]])
def test_an_optional_key_may_be_left_out(tmp_path, file, path, key, required):
    import extract

    folder = _without(tmp_path, file, path, key)
    load_patterns(folder)
    rows = extract.extract_text(PLAN, patterns=folder)
    assert len(rows) > 100


@pytest.mark.parametrize(
    "file,text,fragment",
    [
        ("lexicon.yaml", None, "lexicon.yaml: target_verb: unknown key"),  # a misspelt key
        ("region_aliases.yaml", "龙江: 黑龙江省\n鹤城: 7\n", "region_aliases.yaml: 鹤城"),
        ("region_aliases.yaml", "- 龙江\n", "region_aliases.yaml: needs a mapping"),
        ("units.yaml", "'%': {unit: '%', kind: percentage}\n", "units.yaml: %.kind: 'percentage' is not one of"),
        ("periods.yaml", "十四五: {start: 2025, end: 2021}\n", "periods.yaml: 十四五: needs integer start <= end"),
        ("years.yaml", None, "years.yaml: past_markers[0]: bad regex"),
        ("table_headers.yaml", None, "table_headers.yaml: order: must list roles"),
        ("indicators.yaml", None, "indicators.yaml: indicators.air.pm25_concentration.000 yuan: unknown key"),
    ],
    ids=[
        "misspelt-key",
        "alias-not-a-name",
        "aliases-not-a-mapping",
        "unknown-unit-kind",
        "period-backwards",
        "bad-past-marker",
        "order-names-no-role",
        "stray-key-in-catalogue-entry",
    ],
)
def test_a_malformed_rule_file_fails_naming_file_and_key(tmp_path, file, text, fragment):
    folder = tmp_path / "patterns"
    shutil.copytree(SHIPPED, folder)
    original = (folder / file).read_text(encoding="utf-8")
    if text is None:
        text = {
            "lexicon.yaml": original.replace("target_verbs:", "target_verb:", 1),
            "years.yaml": original.replace('  - "截至"\n', '  - "截至("\n', 1),
            "table_headers.yaml": original.replace("order: [serial,", "order: [serials,", 1),
            # an unquoted comma in a flow mapping makes a new key: the catalogue entry is refused
            "indicators.yaml": original.replace(
                "en: PM2.5 concentration,", "en: PM2.5 concentration per 1,000 yuan,", 1
            ),
        }[file]
        assert text != original
    (folder / file).write_text(text, encoding="utf-8")
    with pytest.raises(PatternError) as info:
        load_patterns(folder)
    assert fragment in str(info.value)


def test_a_unit_kind_named_in_another_file_must_exist(tmp_path):
    folder = tmp_path / "patterns"
    shutil.copytree(SHIPPED, folder)
    text = (folder / "units.yaml").read_text(encoding="utf-8")
    (folder / "units.yaml").write_text(text.replace("kind: length", "kind: other"), encoding="utf-8")
    with pytest.raises(PatternError, match="lexicon.yaml: measure_words: no unit of kind 'length'"):
        load_patterns(folder)


def test_patterns_are_frozen_loaded_once_and_carry_their_compiled_rules():
    from extract.pipeline import rules_for, tables_for

    p = load_patterns()
    assert load_patterns() is p and load_patterns(SHIPPED) is p
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.lexicon = {}  # type: ignore[misc]
    assert rules_for(p) is rules_for(p) and tables_for(p) is tables_for(p)
    assert p.catalogue.by_id["air.pm25_concentration"].units == ("μg/m³",)
    assert p.region_aliases["龙江"] == "黑龙江省"
    # another set of rules gets its own compiled rules, never the first one's
    other = dataclasses.replace(p, lexicon={**p.lexicon, "strive_words": ["务求"]})
    assert rules_for(other) is not rules_for(p)
    manifest = {"plan_start_year": 2021, "plan_end_year": 2025}
    from extract.pipeline import extract_document
    from extract.readers import document_from_text

    doc = document_from_text("到2025年，务求森林覆盖率达到46%。", "t")
    assert [r["strive"] for r in extract_document(doc, other, manifest).commitments] == [True]
    assert [r["strive"] for r in extract_document(doc, p, manifest).commitments] == [False]


def test_catalogue_and_patterns_import_no_cycle():
    code = "import sys, extract.catalogue; assert 'extract.patterns' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
    src = (Path(__file__).resolve().parents[1] / "extract").rglob("*.py")
    assert not [p.name for p in src if "id(patterns)" in p.read_text(encoding="utf-8")]


def test_a_run_validates_a_rule_folder_once_per_content(tmp_path, monkeypatch):
    """A run's check of ``--patterns`` remembers (in the user's cache folder) the contents found
    valid: the same content is not compiled again, a changed or new one is, and a bad one is
    refused every time."""
    from extract import settings

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    validated = []
    real = settings.check_patterns
    monkeypatch.setattr(settings, "check_patterns", lambda folder: validated.append(folder) or real(folder))
    first, same, changed, bad = (tmp_path / name for name in ("first", "same", "changed", "bad"))
    for folder in (first, same, changed, bad):
        shutil.copytree(default_patterns_dir(), folder)
    with (changed / "units.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# one more comment\n")
    (bad / "units.yaml").write_text('"%": {unit: "%", kind: nosuchkind}\n', encoding="utf-8")

    settings.check_patterns_for_run(first)
    settings.check_patterns_for_run(first)
    settings.check_patterns_for_run(same)
    assert validated == [first]
    settings.check_patterns_for_run(changed)
    assert validated == [first, changed]
    for _ in range(2):
        with pytest.raises(settings.SettingsError, match="units.yaml"):
            settings.check_patterns_for_run(bad)
    assert validated == [first, changed, bad, bad]
    assert (tmp_path / "cache" / "plan-extract" / "validated_patterns.json").is_file()
