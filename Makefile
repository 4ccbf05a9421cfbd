# Leadership Compact — the two commands are `make run` and `make test`; everything else is theirs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# E-mails sent by tasks link here; `make run PORT=8203` links to 8203 unless SITE_URL is set.
SITE_URL ?= http://127.0.0.1:$(PORT)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint typecheck check assets migrate demo bench soak screenshots worker clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

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

## make test: install what the tests need and run them all
test: $(VENV)/.installed assets
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .

## make typecheck: mypy with django-stubs; strict on every services and selectors module
typecheck: $(VENV)/.installed
	$(BIN)/mypy .

check: $(VENV)/.installed
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

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

## make screenshots: the public compact, a round and the signatories list, desktop and phone
screenshots: $(VENV)/.installed assets
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) node_modules static/build staticfiles db.sqlite3
