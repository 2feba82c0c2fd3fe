# The two commands of a fresh machine: `make up` (the main job) and `make test` (everything, every test).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install up test unit check down stack

$(STAMP): pyproject.toml
	tools/ensure-prereqs.sh
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## up: bring the stack up, migrate and run every R-Stat process until Ctrl-C
up: $(STAMP)
	$(BIN)/rstat up

## stack: start the local PostgreSQL, Kafka and ClickHouse only
stack: $(STAMP)
	$(BIN)/rstat stack up

## check: lint and type-check
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## unit: the unit tests alone (no services, well under a minute)
unit: $(STAMP)
	$(BIN)/pytest tests/unit

## test: install, start the real services, lint, type-check and run every test
test: stack check
	$(BIN)/pytest

## down: stop the local services (data is kept under .rstat/)
down:
	$(BIN)/rstat stack down
