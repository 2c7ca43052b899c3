"""Every Python snippet of README.md runs, as written, from a checkout with a run's output."""
from __future__ import annotations

import re

import pytest

from .conftest import CORPUS, ROOT

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_the_readme_has_python_snippets():
    assert len(BLOCKS) >= 2 and any("read_parquet" in b for b in BLOCKS) and any("extract_folder" in b for b in BLOCKS)


@pytest.mark.parametrize("code", [pytest.param(b, marks=[pytest.mark.slow] if "extract_folder" in b else [],
                                               id=f"block{i}") for i, b in enumerate(BLOCKS)])
def test_a_readme_snippet_runs(code, demo_output, tmp_path, monkeypatch):
    (tmp_path / "output").symlink_to(demo_output)
    (tmp_path / "corpus").symlink_to(CORPUS)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)       # the README's own code
    for name in ("c", "commitments", "primary", "table"):
        if name in namespace:
            assert len(namespace[name]) > 0, name
