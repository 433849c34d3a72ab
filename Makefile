# Amparo: `make run` sets up everything and runs the main job; `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export AMPARO_HOME ?= $(CURDIR)/amparo-data

EXTRAS := dev,campaigns

.PHONY: install run test lint pytest bench startup-bench clean constraints upgrade-deps

# constraints.txt pins every dependency to the version the tests last passed with, so a fresh
# machine gets those versions (and the committed models load as tested).
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[$(EXTRAS)]'
	touch $(STAMP)

install: $(STAMP)

# Moving to newer versions, deliberately: `make upgrade-deps` rebuilds .venv with the newest
# versions pyproject.toml allows and rewrites constraints.txt from it; then `make test`, and
# commit constraints.txt only if everything passes. (`make constraints` alone re-freezes the
# current .venv, e.g. after adding a dependency to pyproject.toml and `make install`.)
upgrade-deps:
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[$(EXTRAS)]'
	$(MAKE) constraints
	touch $(STAMP)

constraints:
	{ echo "# Versions the tests passed with; used by 'make install' (pip install -c)."; \
	  echo "# Written by 'make constraints' from .venv ($$($(BIN)/python -V)); to update: make upgrade-deps."; \
	  $(BIN)/pip freeze --exclude-editable | grep -v -i '^amparo[= ]'; } > constraints.txt

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

startup-bench: install
	$(BIN)/python benchmarks/startup_bench.py

clean:
	rm -rf $(VENV) amparo-data .pytest_cache .mypy_cache .ruff_cache
