# Two commands for a newcomer: `make run` (install, seed a demo, serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test lint bench messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

## Install, create a demo case and serve on http://127.0.0.1:5000 (SQLite, local keys, mail to the console).
run: install
	REFCHECK_BASE_URL=http://$(HOST):$(PORT) $(BIN)/flask --app refcheck demo
	REFCHECK_BASE_URL=http://$(HOST):$(PORT) $(BIN)/flask --app refcheck run --host $(HOST) --port $(PORT)

## Lint (ruff), check types (mypy over refcheck/), scan the code (bandit) and the dependencies (pip-audit), then run the whole suite on SQLite,
## and again on PostgreSQL when REFCHECK_TEST_DATABASE_URL is set. pytest repeats the scans' lines at its end.
CHECKS_SUMMARY := test-artifacts/checks-summary.txt
test: install-test
	$(BIN)/ruff check refcheck tests wsgi.py .ci/checks.py
	$(BIN)/mypy
	$(BIN)/python .ci/checks.py --summary $(CHECKS_SUMMARY)
	env -u REFCHECK_TEST_DATABASE_URL REFCHECK_CHECKS_SUMMARY=$(CHECKS_SUMMARY) $(BIN)/pytest
	@if [ -n "$$REFCHECK_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL"; REFCHECK_CHECKS_SUMMARY=$(CHECKS_SUMMARY) $(BIN)/pytest; \
	else echo "REFCHECK_TEST_DATABASE_URL is not set: PostgreSQL run skipped."; fi

## Benchmarks (not tests): referees under load over gunicorn on SQLite and PostgreSQL, the report, 100,000
## cases, encryption, the JSON API. Prints a table; `make bench ARGS=--save` writes benchmarks/RESULTS.md.
bench: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m benchmarks $(ARGS)

## After changing marked words: extract them again and add the new ones to each language's .po (untranslated,
## for a translator to fill in; tests/test_translations.py fails until they are). `make install` compiles them.
messages: $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location --omit-header -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d refcheck/translations --no-fuzzy-matching --ignore-obsolete --width 110
	rm messages.pot
