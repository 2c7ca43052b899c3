"""`plan-extract eval` agrees with the reference scorer; rule files validate on load."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from extract.cli import main
from extract.patterns import PatternError, default_patterns_dir, load_patterns

from .conftest import SHARED


@pytest.mark.parametrize(
    "extra", [[], ["--source", "text"], ["--source", "table"], ["--docs", "001_6d0bac9ba866fd51", "--show", "5"]]
)
def test_eval_prints_what_the_reference_scorer_prints(demo_output, gold_dir, capsys, extra):
    scorer = SHARED / "tools" / "score.py"
    if not scorer.is_file():
        pytest.skip("reference scorer not present")
    pred = demo_output / "commitments.parquet"
    ref = subprocess.run(
        [sys.executable, str(scorer), "--pred", str(pred), "--gold", str(gold_dir), *extra],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert main(["eval", "--gold", str(gold_dir), "--pred", str(pred), *extra]) == 0
    ours = capsys.readouterr().out.strip().splitlines()
    flags = [line for line in ours if line.startswith("flag ")]
    assert [line for line in ours if not line.startswith("flag ")] == ref.strip().splitlines()
    # one line per plausibility flag, just before the summary line
    assert [line.split()[1] for line in flags] == ["direction", "range", "unit", "conflict", "restated_primary"]
    assert ours[-6:-1] == flags


def test_every_shipped_rule_file_loads():
    p = load_patterns()
    assert p.units["微克/立方米"]["unit"] == "μg/m³"
    assert p.comparators_after["左右"] == "~"
    assert p.periods["十四五"]["end"] == 2025


@pytest.mark.parametrize(
    "file,text,fragment",
    [
        ("comparators.yaml", "before: {不低于: '=>'}\nafter: {}\n", "before.不低于"),
        ("units.yaml", "'%': {unit: '%', kind: percent}\n'%': {unit: '%', kind: percent}\n", "duplicate key"),
        ("exclusions.yaml", "before: [{id: broken, pattern: '(['}]\nafter: []\n", "before.broken"),
        ("lexicon.yaml", "target_verbs: []\n", "target_verbs"),
    ],
)
def test_a_bad_rule_file_fails_naming_file_and_key(tmp_path, file, text, fragment):
    folder = tmp_path / "patterns"
    shutil.copytree(default_patterns_dir(), folder)
    (folder / file).write_text(text, encoding="utf-8")
    with pytest.raises(PatternError) as info:
        load_patterns(folder)
    assert file in str(info.value) and fragment in str(info.value)
