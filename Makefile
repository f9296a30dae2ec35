# Miel — the two commands are `make run` (site with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint lint-js lint-fix worker beat messages bench prod backup restore

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

## DJANGO_DEBUG defaults to false in miel/settings.py (production guards on); the development
## targets below turn debug on themselves unless the caller set it.
run worker beat messages lint lint-fix backup restore: export DJANGO_DEBUG ?= true

## Start the site on the embedded default (SQLite, in-memory channels, eager Celery) with demo data.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## Run the linters, then the whole test suite (SQLite by default; PostgreSQL + Redis when
## DATABASE_URL / REDIS_URL are set). CI runs this.
test: install lint
	$(BIN)/pytest

## Python style (ruff), formatting (ruff format), templates (djlint, lint only), types (mypy +
## django-stubs, which imports the settings), the app layers (import-linter) and backward-
## incompatible migrations (django-migration-linter, scripts/lint_migrations.py); config in
## pyproject.toml.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	$(BIN)/mypy
	$(BIN)/lint-imports
	env -u DATABASE_URL -u DATABASE_REPLICA_URLS $(BIN)/python scripts/lint_migrations.py
	@$(MAKE) --no-print-directory lint-js

## The browser code (static/js, ES modules where they share lib/http.js) with Biome, pinned in
## package.json / package-lock.json (npm ci into node_modules/, no build step). Without npm a
## developer's `make lint` says so and goes on; CI (CI=true) has npm and always runs it.
lint-js:
	@if command -v npm >/dev/null 2>&1; then \
	  [ node_modules/.installed -nt package-lock.json ] || { npm ci --no-audit --no-fund --silent && touch node_modules/.installed; }; \
	  node_modules/.bin/biome lint --error-on-warnings; \
	elif [ -n "$$CI" ]; then echo "npm is needed for the JavaScript lint" >&2; exit 1; \
	else echo "npm not found: skipping the JavaScript lint (Biome)"; fi

## After merging branches: format, apply ruff's safe fixes and drop the `type: ignore` comments
## mypy reports as unused; then `make lint` shows what is left to fix by hand.
lint-fix: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/mypy | $(BIN)/python scripts/strip_unused_type_ignores.py
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A miel worker --loglevel=INFO

beat: install
	$(BIN)/celery -A miel beat --loglevel=INFO

messages: install
	$(BIN)/python manage.py makemessages -l he --ignore=.venv --ignore=staticfiles --ignore=media --ignore="tests/*" --ignore="bench/*" --no-location --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

## rules §16 benchmark on PostgreSQL + Redis (docs/performance.md): seeds BENCH_MEMBERS (100 000)
## members into BENCH_DB (miel_bench, dropped and recreated), serves them with uvicorn and
## measures every scenario with wrk (installed with apt-get when missing and run as root).
bench: install
	$(BIN)/python bench/run.py

## Issue 21: the production topology on this machine (README "Production"): nginx on PROD_PORT
## (8080) in front of WEB_SERVERS (2) gunicorn and WS_SERVERS (2) uvicorn servers, a Celery
## worker and beat, PgBouncer between them and DATABASE_URL's PostgreSQL, REDIS_URL's Redis;
## migrate and collectstatic first, then honcho in the foreground (Ctrl-C stops everything).
prod: install
	$(BIN)/python deploy/prod.py

## Issue 21: back up PostgreSQL (pg_dump, custom format) and the media folders (or the bucket
## listing when media is on Cloudinary / S3) into BACKUP_DIR/miel-<time>/; restore one (BACKUP=
## a folder, default the newest) into DATABASE_URL (or RESTORE_DATABASE_URL, which must exist).
backup: install
	$(BIN)/python manage.py backup

restore: install
	$(BIN)/python manage.py restore $(BACKUP) $(if $(RESTORE_DATABASE_URL),--database-url "$(RESTORE_DATABASE_URL)")
