# Two entry points for a fresh machine: `make demo` and `make test` (both run `make setup`).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
GOLD   ?= ../shared/gold

.PHONY: setup demo test eval clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

demo: setup
	$(BIN)/plan-extract run corpus -o output

test: setup
	$(BIN)/python -m pytest

eval: setup
	$(BIN)/plan-extract eval --gold $(GOLD) -o output

clean:
	rm -rf output .pytest_cache
