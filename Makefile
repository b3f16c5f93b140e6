# Two commands get a newcomer going: `make demo` and `make test`.
# Both build .venv from nothing with the Python 3.11+ found on PATH.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test

.PHONY: demo test lint typecheck pytest bench bench-smoke sample fixtures golden browser clean help

help:
	@echo "make demo     - create .venv, install intd, run it on the bundled sample data"
	@echo "make test     - install the test extras, run ruff, mypy and pytest"
	@echo "make bench    - generate 1M placements + 200k participants and time intd against the floors"
	@echo "make browser  - install Debian's chromium for the HTML report test (needs root/apt)"
	@echo "make sample   - regenerate the bundled sample data"
	@echo "make fixtures - regenerate the office-file test fixtures (tests/fixtures/office)"
	@echo "make golden   - regenerate the golden output files (tests/golden); review the diff"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "intd needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TESTSTAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP) $@

demo: $(STAMP)
	$(BIN)/intd demo

test: $(TESTSTAMP) lint typecheck pytest

lint: $(TESTSTAMP)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench

typecheck: $(TESTSTAMP)
	$(BIN)/mypy

pytest: $(TESTSTAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

sample: $(STAMP)
	$(BIN)/python scripts/make_sample.py --out src/intdrammen/data/sample

fixtures: $(TESTSTAMP)
	for script in tests/fixtures/office/make_*.py; do $(BIN)/python $$script || exit 1; done

# The exact output of progress, report, explain, imports and import for the data set in
# tests/fixtures/golden, rewritten from what intd prints now; files no case makes are
# removed. Then read `git diff tests/golden` before committing it.
golden: $(TESTSTAMP)
	INTD_UPDATE_GOLDEN=1 $(BIN)/pytest -q -p no:cacheprovider tests/test_golden.py
	$(BIN)/pytest -q -p no:cacheprovider tests/test_golden.py
	@git status --short -- tests/golden || true

browser:
	apt-get update -qq && apt-get install -y -qq chromium

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
