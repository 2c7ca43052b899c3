"""plan-extract: quantified commitments from Chinese government plan documents.

Public surface: :func:`extract_folder`, :func:`extract_file`, :func:`extract_text`,
:func:`explain_text`, :func:`explain_file` and :func:`read_output` (pandas DataFrames with the
Parquet contract's columns and types), :func:`comparison_table` / :func:`wide_table` (targets
across plans), :func:`ladder` (targets passed down from province to city to county),
:func:`load_patterns`, and the ``plan-extract`` command.
"""

__version__ = "0.1.0"

# public name -> module holding it; imported on first use, so ``plan-extract`` (and a re-run with
# nothing to do) does not pay for pandas and the rules before it needs them (PEP 562)
_EXPORTS = {
    "extract_folder": ".api",
    "extract_file": ".api",
    "extract_text": ".api",
    "explain_text": ".api",
    "explain_file": ".api",
    "read_output": ".api",
    "comparison_table": ".outputs.compare",
    "wide_table": ".outputs.compare",
    "ladder": ".outputs.ladder",
    "load_patterns": ".patterns",
    "PatternError": ".patterns",
    "ReadError": ".readers",
    "SettingsError": ".settings",
}

__all__ = [
    "extract_folder",
    "extract_file",
    "extract_text",
    "explain_text",
    "explain_file",
    "read_output",
    "comparison_table",
    "wide_table",
    "ladder",
    "load_patterns",
    "PatternError",
    "ReadError",
    "SettingsError",
    "__version__",
]


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
