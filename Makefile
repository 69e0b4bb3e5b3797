# Cairn developer tasks. `make install` sets up .venv; every other target uses it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXTRAS ?= dev,mlflow,ray,slack,aws,vault,feast,s3,gcp,azure,postgresql,mysql,dashboard,airflow
PYTEST_ARGS ?=

.PHONY: install check lint format typecheck imports test test-fast test-slow bench demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python  ## create .venv and install Cairn with its dev tools
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"

lint:  ## ruff lint and format check
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples

format:
	$(BIN)/ruff format src tests bench examples
	$(BIN)/ruff check --fix src tests bench examples

typecheck:  ## mypy --strict on src/cairn
	$(BIN)/mypy

imports:  ## import-linter layer contracts
	$(BIN)/lint-imports

test: install  ## the whole test suite (parallel)
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

test-fast: install  ## everything but the slow tests
	$(BIN)/python -m pytest -n auto -m "not slow" $(PYTEST_ARGS)

test-slow: install
	$(BIN)/python -m pytest -n auto -m slow $(PYTEST_ARGS)

check: install lint typecheck imports  ## all checks: ruff, mypy, import-linter, pytest
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

bench: install  ## benchmarks; figures go to docs/performance.md
	$(BIN)/python bench/run_all.py

demo: install  ## the main job: the quickstart pipeline on the default local stack
	$(BIN)/python examples/quickstart/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
