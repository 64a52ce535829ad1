# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv when it is missing or stale and install the project into it.
# `make test` runs everything (CI runs it); `make quick` runs the tests not marked slow (no browser,
# real terminal, real voice, killed process or simulation) for the inner loop.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test quick lint typecheck unit bench clean

# Some shells and containers set PYTHONDONTWRITEBYTECODE: then every process the suite starts
# compiles the project again, and each test worker rewrites every test module's asserts again
# (collection took 10.9 s a worker instead of 5.5 s). Bytecode goes to ignored __pycache__ folders.
unexport PYTHONDONTWRITEBYTECODE

# Stale when pyproject.toml changed since the last install, or when the venv's interpreter is gone.
$(STAMP): pyproject.toml
	@if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
		rm -rf $(VENV); $(PYTHON) -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/solemate serve

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# Test processes in parallel (pytest-xdist); JOBS=0 runs the suite in this process alone.
JOBS ?= 2

unit: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist worksteal $(PYTEST_ARGS)

quick: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist worksteal -m "not slow" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
