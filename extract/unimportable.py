"""Start-up speed: hide a package from ``import`` for a moment (never used for correctness).

Some libraries import a heavy package only to ask whether it is there (pyarrow asks for pandas
and numpy, jieba for ``pkg_resources``).  Inside :func:`unimportable` that question finds the
package absent, and the library goes on without it.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator


class _Hide:
    """A ``sys.meta_path`` finder saying ``package`` (and its submodules) cannot be imported."""

    def __init__(self, package: str, why: str):
        self.package, self.why = package, why

    def find_spec(self, name, path=None, target=None):
        if name == self.package or name.startswith(self.package + "."):
            raise ImportError(self.why)
        return None


@contextmanager
def unimportable(package: str, why: str) -> Iterator[None]:
    """While inside, ``import package`` raises ImportError (a package already loaded stays loaded)."""
    finder = _Hide(package, why)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
