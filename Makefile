# Halyard: `make run` to start, `make test` to test. Everything installs from the lock files.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test lint fmt bench bench-inprocess install install-dev migrate demo messages openapi clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements/main.lock pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements/main.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/halyard compiletranslations
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed
	$(BIN)/halyard compiletranslations
install-dev: $(VENV)/.installed-dev node_modules/.installed
	$(BIN)/halyard compiletranslations

migrate: install
	$(BIN)/halyard migrate

demo: migrate
	$(BIN)/halyard demo

## Set up everything, create the demo workspace, and serve Halyard with its background worker.
run: demo
	$(BIN)/halyard collectstatic --noinput -v0
	$(BIN)/halyard serve --host $(HOST) --port $(PORT)

## Run the whole suite (SQLite; and PostgreSQL, Redis and the browser where present).
test: install-dev
	$(BIN)/python -m halyard.testrun

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy halyard config
	HALYARD_TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run

fmt: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Compile translations after editing halyard/locale/*/LC_MESSAGES/django.po.
messages: install-dev
	$(BIN)/python manage.py makemessages -l vi -l zh_Hans -l zh_Hant -l fa --no-obsolete --ignore "*/tests/*" --ignore "*/migrations/*" --ignore ".venv/*" --ignore "node_modules/*" --ignore "var/*" --ignore "e2e/*" --ignore "bench/*"
	$(BIN)/halyard compiletranslations

## Refresh the committed OpenAPI snapshot after reviewing an API change.
openapi: install-dev
	HALYARD_TESTING=1 $(BIN)/python manage.py spectacular --format openapi-json --file docs/openapi.json

## Benchmarks over HTTP against gunicorn (bench/README.md); not part of `make test`.
bench: install-dev
	$(BIN)/python -m bench.suite

## The same pages timed in-process through Django's test client (no server, no network).
bench-inprocess: install-dev
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) node_modules
