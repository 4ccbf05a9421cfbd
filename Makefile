# Leadership Compact — the two commands are `make run` and `make test`; everything else is theirs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# E-mails sent by tasks link here; `make run PORT=8203` links to 8203 unless SITE_URL is set.
SITE_URL ?= http://127.0.0.1:$(PORT)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint typecheck check assets migrate demo bench soak screenshots worker clean lock upgrade

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the lock changes. Exactly the versions tested, each checked against its hash
# (requirements/test.txt holds the runtime's and the tests'); the project itself adds nothing more.
$(VENV)/.installed: requirements/test.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

# The lock files, from pyproject.toml. pip-compile keeps every pin already in a lock that still
# fits, so `make lock` after adding a dependency changes only what it must; `make upgrade` takes
# every package to its newest release within pyproject's ranges. Run the tests after either.
PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(LOCK_ARGS)

$(BIN)/pip-compile: | $(BIN)/python
	$(BIN)/pip install --quiet 'pip-tools>=7.4'

## make lock: refresh requirements/base.txt (runtime) and requirements/test.txt (runtime and tests) after pyproject.toml changes
lock: | $(BIN)/pip-compile
	$(PIP_COMPILE) -o requirements/base.txt pyproject.toml
	$(PIP_COMPILE) --extra test -o requirements/test.txt pyproject.toml

## make upgrade: every locked package at its newest release that pyproject.toml allows; then run make test
upgrade: LOCK_ARGS = --upgrade
upgrade: lock

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/build/app.css: node_modules/.installed $(wildcard static/scss/*.scss) scripts/copy-frontend-assets.mjs
	npm run --silent build

assets: static/build/app.css

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

## make run: set everything up and serve the demo on http://127.0.0.1:$(PORT)
run: export SITE_URL := $(SITE_URL)
run: $(VENV)/.installed assets demo
	@echo ""
	@echo "Serving on http://127.0.0.1:$(PORT)  (tasks run in-process; e-mails print here)"
	@# Without Celery beat, a second process opens and closes rounds on schedule.
	@$(BIN)/python manage.py advance_rounds --every 30 & scheduler=$$!; \
	  trap "kill $$scheduler 2>/dev/null" EXIT INT TERM; \
	  DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Tests run in parallel, one process per core and one more (a browser test's process waits while
# Chromium draws, and the extra one keeps every core busy), unless a shared Redis is configured:
# the tests flush the cache and start real Celery workers on one broker, which parallel runs would
# share. A worker that runs out of tests takes some from a busy one (worksteal).
PYTEST_WORKERS ?= $(if $(CELERY_BROKER_URL),0,$(shell echo $$(( $$(nproc) + 1 ))))

## make test: install what the tests need and run them all (the slowest ten are listed at the end)
test: $(VENV)/.installed assets
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=10 $(PYTEST_ARGS)

## make lint: ruff's rules and its formatting (CI fails on either; `ruff format .` mends the second)
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make typecheck: mypy with django-stubs; strict on every services and selectors module
typecheck: $(VENV)/.installed
	$(BIN)/mypy .

check: $(VENV)/.installed
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

# Consumes every queue (pdf, mail, celery); production runs a worker per queue (docs/operations.md).
worker: $(VENV)/.installed
	$(BIN)/celery -A config worker --loglevel=info --concurrency=2

## make bench: national scale and ten times that on PostgreSQL (DATABASE_URL); prints the table.
## BENCH_ARGS="--profile round-page" profiles one page instead; "--scales national --seconds 5" is quicker
bench: $(VENV)/.installed
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

## make soak: five minutes of reads, votes and signatures at 16 connections on PostgreSQL (DATABASE_URL) and Redis; fails on a 5xx, a lost or doubled vote or signature, or memory growth over 10 %
soak: $(VENV)/.installed
	$(BIN)/python -m benchmarks.soak $(SOAK_ARGS)

## make screenshots: the public compact, a round, the signatories list and a round's results, desktop and phone
screenshots: $(VENV)/.installed assets
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) node_modules static/build staticfiles db.sqlite3
