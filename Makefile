# The two commands of a fresh machine: `make up` (the main job) and `make test` (everything, every test).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

WEB := web
WEB_STAMP := $(WEB)/node_modules/.installed
WEB_BUNDLE := $(WEB)/dist/manifest.json

.PHONY: install web up test unit check down stack

$(STAMP): pyproject.toml
	tools/ensure-prereqs.sh
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) $(WEB_BUNDLE)

# The browser side: npm installs exactly the lockfile's packages, esbuild builds the hashed bundles the
# public and admin apps serve.
$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

$(WEB_BUNDLE): $(WEB_STAMP) $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) $(WEB)/build.mjs
	cd $(WEB) && npm run --silent build

## web: build the widgets and the operations page
web: $(WEB_BUNDLE)

## up: bring the stack up, migrate and run every R-Stat process until Ctrl-C
up: $(STAMP) $(WEB_BUNDLE)
	$(BIN)/rstat up

## stack: start the local PostgreSQL, Kafka and ClickHouse only
stack: $(STAMP)
	$(BIN)/rstat stack up

## check: lint and type-check
check: $(STAMP) $(WEB_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	cd $(WEB) && npm run --silent lint

## unit: the unit tests alone (no services, well under a minute)
unit: $(STAMP) $(WEB_STAMP)
	$(BIN)/pytest tests/unit
	cd $(WEB) && npm test --silent

## test: install, start the real services, lint, type-check and run every test
test: stack check $(WEB_BUNDLE)
	cd $(WEB) && npm test --silent
	$(BIN)/pytest

## down: stop the local services (data is kept under .rstat/)
down:
	$(BIN)/rstat stack down
