"""The rule core stays readable and fails loudly.

- no function of the rule core (prose/, tables/, quantity.py, context/years.py) is over 50 logical
  lines (statements, counted by the tokenizer, so the formatter's line breaks inside a call don't count);
- an error inside a decision step reaches the caller in strict mode (the tests' mode), so a
  negative case cannot pass because a broken rule gave nothing;
- extraction never raises on any string, and every span slices its sentence (hypothesis).
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import extract.prose.decide as decide
from extract.pipeline import rows_from_text

CORE = [
    Path(decide.__file__).parent,
    Path(decide.__file__).parents[1] / "tables",
    Path(decide.__file__).parents[1] / "quantity.py",
    Path(decide.__file__).parents[1] / "context" / "years.py",
]


def _functions():
    for root in CORE:
        for f in [root] if root.is_file() else sorted(root.rglob("*.py")):
            source = f.read_text(encoding="utf-8")
            ends = [
                t.start[0] for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.NEWLINE
            ]
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f.name, node.name, sum(1 for line in ends if node.lineno <= line <= node.end_lineno)


def test_no_rule_core_function_is_over_50_logical_lines():
    long = [(f, name, n) for f, name, n in _functions() if n > 50]
    assert not long, long


def test_an_error_in_a_decision_step_reaches_the_caller(monkeypatch):
    def broken(lex, c, b):
        raise RuntimeError("rule bug")

    monkeypatch.setattr(decide, "STEPS", [broken] + decide.STEPS)
    with pytest.raises(RuntimeError, match="rule bug"):
        # a negative case: with the error swallowed it would "pass" by giving no row
        rows_from_text(
            "截至2020年底，全市森林覆盖率为43.6%。", manifest={"plan_start_year": 2021, "plan_end_year": 2025}
        )


_PIECES = st.sampled_from(
    [
        "到2025年，",
        "森林覆盖率",
        "达到",
        "46%",
        "以上",
        "；",
        "。",
        "（",
        "）",
        "、",
        "分别",
        "3座",
        "新建",
        "沈阳市",
        "1.5万吨/日",
        "较2020年",
        "下降",
        "“十四五”",
        "其中",
        "等",
        "\n",
        "专栏1",
        "\t",
        "100",
        "不低于",
        "左右",
        "一座",
        "[",
        "]",
        "PM2.5",
        " ",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, min_size=1, max_size=30).map("".join) | st.text(max_size=80))
def test_extraction_never_raises_and_spans_slice_their_sentence(text):
    try:
        rows = rows_from_text(text, manifest={"plan_start_year": 2021, "plan_end_year": 2025})
    except Exception as exc:  # noqa: BLE001
        assert type(exc).__name__ == "ReadError", exc  # only "no Chinese text found"
        return
    for r in rows:
        s = r["sentence"]
        assert r["value_text"] in s
        for key, field in (("indicator_span", "indicator"), ("value_span", "value_text")):
            span = r[key]
            if span is not None:
                assert s[span["start"] : span["end"]] == r[field], (key, r)
