# Amparo: `make run` sets up everything and runs the main job; `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export AMPARO_HOME ?= $(CURDIR)/amparo-data

EXTRAS := dev,campaigns

.PHONY: install run test lint pytest services i18n bench startup-bench clean constraints \
	upgrade-deps

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

# The main job: build the demo workspace (a fictional defender's exports, imported and
# analysed), then serve the web application on http://127.0.0.1:8000 with a printed demo
# sign-in. Plain HTTP on loopback, so the cookies are not marked Secure here.
run: install
	$(BIN)/amparo demo
	AMPARO_COOKIE_SECURE=0 $(BIN)/amparo serve --demo-login --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check amparo tests benchmarks scripts
	$(BIN)/mypy

pytest: install
	$(BIN)/python -m pytest

# PostgreSQL running, Debian's chromium installed (idempotent, quick when already done).
services:
	bash scripts/ensure-services.sh

test: services lint pytest

# Refresh the translation template and catalogues after changing strings of the web pages;
# then translate the new entries in amparo/web/locale/*/LC_MESSAGES/messages.po.
i18n: install
	$(BIN)/pybabel extract -F amparo/web/babel.cfg -k N_ --no-location --sort-output \
	  --project Amparo -o amparo/web/locale/messages.pot .
	$(BIN)/pybabel update -i amparo/web/locale/messages.pot -d amparo/web/locale -D messages \
	  --no-fuzzy-matching --width 100 --ignore-pot-creation-date

bench: install
	$(BIN)/python benchmarks/import_bench.py

startup-bench: install
	$(BIN)/python benchmarks/startup_bench.py

clean:
	rm -rf $(VENV) amparo-data .pytest_cache .mypy_cache .ruff_cache
