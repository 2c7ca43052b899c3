# Two entry points for a fresh machine: `make demo` and `make test` (both run `make setup`).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
GOLD   ?= ../shared/gold
# the tested versions of every dependency; `make constraints` regenerates it
LOCK   := constraints.txt

.PHONY: setup sync demo test test-fast check format eval rejection-shares notebooks constraints clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[test]"
	touch $@

# Put every package back at its locked version (what the lock test asks for after a stray
# `pip install`): `make setup` does nothing once .venv is installed.  Installs the extras of the
# lock too (test, notebooks, dask).
sync: setup
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[test,notebooks,dask]"

demo: setup
	$(BIN)/plan-extract run corpus -o output

# the whole suite, in parallel worker processes (pytest-xdist)
test: setup
	$(BIN)/python -m pytest -n auto

# the quick lane while working: everything but the tests marked slow (batch workers, Dask,
# hostile files, notebooks, the browser, the real PDFs)
test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

# lint (ruff) and types (mypy, on extract/); CI runs this before the tests
check: setup
	$(BIN)/ruff check extract tests benchmarks tools
	$(BIN)/ruff format --check extract tests benchmarks tools
	$(BIN)/mypy

# the formatter (ruff format, configured in pyproject.toml); not part of `check` yet
format: setup
	$(BIN)/ruff format extract tests benchmarks tools

# accuracy on each gold folder beside this checkout: run, then score (the figures in README.md)
SHARED := ../shared
eval: setup
	@echo "== $(GOLD) (demo corpus)"
	@$(BIN)/plan-extract run corpus -o output -q >/dev/null
	@$(BIN)/plan-extract eval -o output --gold $(GOLD) | sed -n '1p;$$p'
	@echo "== $(SHARED)/gold-pdf ($(SHARED)/corpus-pdf)"
	@$(BIN)/plan-extract run $(SHARED)/corpus-pdf -o output-pdf -q >/dev/null
	@$(BIN)/plan-extract eval -o output-pdf --gold $(SHARED)/gold-pdf | sed -n '1p;$$p'

# how often each decision step turns down a gold target (ranks the likely misses): re-measure
# after changing the rules
rejection-shares: setup
	$(BIN)/python -m extract.outputs.evaluate corpus $(GOLD) $(SHARED)/corpus-pdf $(SHARED)/gold-pdf > patterns/rejection_shares.yaml.new
	mv patterns/rejection_shares.yaml.new patterns/rejection_shares.yaml

# Jupyter Lab on notebooks/ (the [notebooks] extra, same locked versions)
notebooks: setup
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[test,notebooks]"
	$(BIN)/jupyter lab notebooks/

# Regenerate $(LOCK): the newest versions pyproject.toml allows, installed in a scratch venv,
# kept only if the whole test suite passes with them (this is also the check on the newest
# pandas/pyarrow).  Needs the network; run it after changing dependencies.
SCRATCH := .venv-constraints
constraints:
	rm -rf $(SCRATCH)
	$(PYTHON) -m venv $(SCRATCH)
	$(SCRATCH)/bin/python -m pip install --quiet --upgrade pip
	$(SCRATCH)/bin/python -m pip install --quiet -e ".[test,notebooks,dask]"
	PLAN_EXTRACT_UNLOCKED=1 $(SCRATCH)/bin/python -m pytest -q -p no:cacheprovider
	{ echo "# Tested versions of every dependency, installed by 'make setup' (pip -c)."; \
	  echo "# Regenerate with 'make constraints' (newest allowed by pyproject.toml, kept if the tests pass)."; \
	  echo "# Python $$($(SCRATCH)/bin/python -c 'import platform; print(platform.python_version())'), $$(date -u +%Y-%m-%d)"; \
	  $(SCRATCH)/bin/python -m pip freeze --exclude-editable | LC_ALL=C sort -f; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf $(SCRATCH)

clean:
	rm -rf output output-pdf .pytest_cache
