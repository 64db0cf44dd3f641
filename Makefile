# Two commands on a fresh clone: `make run` and `make test`.
# Both create .venv on first use and reinstall only when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ARGS ?=

.PHONY: run test bench bench-sync stress i18n lint wheel clean demo

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "docassist needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/docassist $(ARGS)

demo: $(STAMP)
	$(BIN)/docassist demo $(ARGS)

test: $(STAMP)
	$(BIN)/python -m ruff check src tests tools
	$(BIN)/python -m ruff format --check src tests tools
	$(BIN)/python -m mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python tools/bench.py $(ARGS)

bench-sync: $(STAMP)
	$(BIN)/python tools/bench_sync.py $(ARGS)

stress: $(STAMP)
	$(BIN)/python tools/stress.py $(ARGS)

i18n: $(STAMP)
	$(BIN)/python tools/i18n.py

lint: $(STAMP)
	$(BIN)/python -m ruff check src tests tools
	$(BIN)/python -m ruff format --check src tests tools

wheel: $(STAMP)
	rm -rf dist
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache
