# The front door: `make run` serves the explorer, `make test` proves it works.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-stamp

.PHONY: setup run test bench lint format clean

setup: $(STAMP)

# Re-installs only when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: setup
	$(BIN)/python -m app

# pytest exits 5 when it ran no test: that fails here too.
test: setup
	$(BIN)/python -m pytest -q
	node --test tests/js/

bench: setup
	$(BIN)/python tests/bench/run.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check engine app tests
	$(BIN)/mypy engine app

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format engine app tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis artifacts
