# Amparo: `make run` sets up everything and runs the main job; `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export AMPARO_HOME ?= $(CURDIR)/amparo-data

.PHONY: install run test lint pytest services i18n bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

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

clean:
	rm -rf $(VENV) amparo-data .pytest_cache .mypy_cache .ruff_cache
