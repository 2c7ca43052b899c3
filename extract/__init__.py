"""plan-extract: quantified commitments from Chinese government plan documents.

Public surface: :func:`extract_folder`, :func:`extract_file`, :func:`extract_text` and
:func:`read_output` (pandas DataFrames with the Parquet contract's columns and types),
:func:`comparison_table` / :func:`wide_table` (targets across plans), :func:`load_patterns`,
and the ``plan-extract`` command.
"""
__version__ = "0.1.0"

from .api import explain_text, extract_file, extract_folder, extract_text, read_output  # noqa: E402
from .outputs.compare import comparison_table, wide_table  # noqa: E402
from .patterns import PatternError, load_patterns  # noqa: E402
from .readers import ReadError  # noqa: E402
from .settings import SettingsError  # noqa: E402

__all__ = ["extract_folder", "extract_file", "extract_text", "explain_text", "read_output", "comparison_table", "wide_table",
           "load_patterns", "PatternError", "ReadError", "SettingsError", "__version__"]
