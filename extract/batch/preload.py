"""Imported by the fork server before it forks any worker: the shipped rules and the jieba
dictionary are loaded there once, and every worker starts with them (copy-on-write) instead of
loading them again (~0.7 s of CPU each).  Only pure-Python state is built here; each worker
still runs ``tasks.warm_up`` for what must be its own (Parquet's allocator, another
``--patterns`` folder).
"""
from __future__ import annotations


def _load_shipped_rules() -> None:
    from ..patterns import load_patterns
    from ..pipeline import rules_for, tables_for

    patterns = load_patterns()
    rules = rules_for(patterns)
    tables_for(patterns)
    list(rules.lex.tokenizer.cut("森林覆盖率"))
    list(rules.lex.pos_tokenizer.cut("森林覆盖率"))


try:
    _load_shipped_rules()
except Exception:  # noqa: BLE001 - preloading is only a speed-up; the worker loads what it needs
    pass
