"""Imported by the fork server before it forks any worker: the shipped rules, the jieba
tokenizers and pyarrow are loaded there once, and every worker starts with them (copy-on-write)
instead of loading them again.  Each worker still runs ``tasks.warm_up`` for what must be its
own (another ``--patterns`` folder); with the shipped rules that finds everything loaded.

pyarrow imports pandas (~0.2 s) the first time it turns a Python list into an array, only to
ask whether the list is a pandas object.  A worker never hands pyarrow a pandas object nor asks
for one, so the fork server lets that first question find no pandas: pyarrow then never imports
it in the server or its workers (the caller's process is not touched).
"""

from __future__ import annotations

import sys

from ..unimportable import unimportable


def _pyarrow_without_pandas() -> None:
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    with unimportable("pandas", "pandas is not loaded in the fork server"):
        pa.array([0])  # pyarrow's pandas check runs once, and remembers "absent"


def _load_shipped_rules() -> None:
    from .tasks import warm_up

    warm_up(None)


try:
    _pyarrow_without_pandas()
    _load_shipped_rules()
except Exception:  # noqa: BLE001 - preloading is only a speed-up; the worker loads what it needs
    pass
