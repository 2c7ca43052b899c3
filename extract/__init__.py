"""plan-extract: quantified commitments from Chinese government plan documents.

Public surface: :func:`extract_file`, :func:`extract_text`, :func:`load_patterns` and the
``plan-extract`` command.
"""
__version__ = "0.1.0"

from .patterns import PatternError, load_patterns  # noqa: E402
from .pipeline import extract_file, extract_text  # noqa: E402

__all__ = ["extract_file", "extract_text", "load_patterns", "PatternError", "__version__"]
