# Two entry points for a fresh machine: `make demo` and `make test` (both run `make setup`).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
GOLD   ?= ../shared/gold
# the tested versions of every dependency; `make constraints` regenerates it
LOCK   := constraints.txt

.PHONY: setup demo test eval notebooks constraints clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[test]"
	touch $@

demo: setup
	$(BIN)/plan-extract run corpus -o output

test: setup
	$(BIN)/python -m pytest

eval: setup
	$(BIN)/plan-extract eval -o output --gold $(GOLD)

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
	$(SCRATCH)/bin/python -m pip install --quiet -e ".[test,notebooks]"
	PLAN_EXTRACT_UNLOCKED=1 $(SCRATCH)/bin/python -m pytest -q -p no:cacheprovider
	{ echo "# Tested versions of every dependency, installed by 'make setup' (pip -c)."; \
	  echo "# Regenerate with 'make constraints' (newest allowed by pyproject.toml, kept if the tests pass)."; \
	  echo "# Python $$($(SCRATCH)/bin/python -c 'import platform; print(platform.python_version())'), $$(date -u +%Y-%m-%d)"; \
	  $(SCRATCH)/bin/python -m pip freeze --exclude-editable | LC_ALL=C sort -f; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf $(SCRATCH)

clean:
	rm -rf output .pytest_cache
