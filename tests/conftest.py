"""Shared fixtures: the demo corpus, one pipeline run over it, the shared gold if present."""

from __future__ import annotations

from pathlib import Path

import os

import pytest

# rule errors fail the tests instead of being logged and skipped (extract.prose.extract.strict)
os.environ["PLAN_EXTRACT_STRICT"] = "1"

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def corpus_files() -> list[Path]:
    files = sorted(CORPUS.glob("*.txt"))
    assert len(files) == 5, "the demo corpus holds the five seed plans"
    return files


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory) -> Path:
    """Run the CLI once on the demo corpus; returns the output folder."""
    from extract.cli import main

    out = tmp_path_factory.mktemp("demo_out")
    assert main(["run", str(CORPUS), "-o", str(out), "--jobs", "2", "-q"]) == 0
    return out


@pytest.fixture(scope="session")
def gold_dir() -> Path:
    gold = SHARED / "gold"
    if not gold.is_dir():
        pytest.skip("../shared/gold is not beside this checkout")
    return gold
