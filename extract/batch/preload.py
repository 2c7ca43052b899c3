"""Imported by the fork server before it forks any worker: the shipped rules, the jieba
tokenizers, pyarrow (and the pandas it loads on its first table) are loaded there once, and every
worker starts with them (copy-on-write) instead of loading them again.  Each worker still runs
``tasks.warm_up`` for what must be its own (another ``--patterns`` folder); with the shipped
rules that finds everything loaded.
"""
from __future__ import annotations


def _load_shipped_rules() -> None:
    from .tasks import warm_up

    warm_up(None)


try:
    _load_shipped_rules()
except Exception:  # noqa: BLE001 - preloading is only a speed-up; the worker loads what it needs
    pass
