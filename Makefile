# Amparo: `make run` sets up everything and runs the main job; `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export AMPARO_HOME ?= $(CURDIR)/amparo-data

.PHONY: install run test lint pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,campaigns]'
	touch $(STAMP)

install: $(STAMP)

# Until the web UI exists, the main job builds a demo workspace and shows what was imported.
run: install
	$(BIN)/amparo demo

lint: install
	$(BIN)/ruff check amparo tests benchmarks scripts
	$(BIN)/mypy

pytest: install
	$(BIN)/python -m pytest

test: lint pytest

bench: install
	$(BIN)/python benchmarks/import_bench.py

clean:
	rm -rf $(VENV) amparo-data .pytest_cache .mypy_cache .ruff_cache
