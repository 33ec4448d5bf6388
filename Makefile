# Aftersales — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export AFTERSALES_VAR_DIR ?= $(CURDIR)/var

.PHONY: run start test install install-dev migrate demo lint typecheck format bench bench-quick bench-only clean messages api-fuzz

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 is required, found {sys.version.split()[0]}"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements/base.txt
	@touch $@

$(VENV)/.installed-dev: requirements/dev.txt requirements/base.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements/dev.txt
	@touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

migrate: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compile_translations
	$(PY) manage.py collectstatic --noinput --verbosity 0

demo: migrate
	$(PY) manage.py demo_data

## make run: install, then (scripts/run.sh) migrate the embedded SQLite database under ./var, load
## the demo data once, serve on http://HOST:PORT (127.0.0.1:8000) with gunicorn, the
## background worker and the scheduler, and print the address, the demo logins and the API key
## last. Logs go to var/log/ (warnings and errors; VERBOSE=1 or LOG_LEVEL=INFO for more).
## The demo is never loaded into a database holding data it did not make (it stops and says
## so); DEMO=0 make run is make start.
run: install
	@scripts/run.sh

## make start: the same without the demo data — a real company's database (DATABASE_URL, or the
## embedded one): install, migrate, compile translations, serve with the worker and the
## scheduler; the banner says how to create the first administrator (manage.py
## create_administrator) while there is none.
start: install
	@scripts/run.sh --no-demo

## make test: lint, type checks, the direction of imports (import-linter) and the whole suite on
## SQLite, then on PostgreSQL (+ Redis) when DATABASE_URL/REDIS_URL point at them (required when CI=true).
test: install-dev
	@scripts/test.sh

## make api-fuzz: schemathesis against the API's OpenAPI document with many more examples per
## operation than `make test` (nightly-style; API_FUZZ_EXAMPLES, default 300).
api-fuzz: install-dev
	API_FUZZ_EXAMPLES=$${API_FUZZ_EXAMPLES:-300} $(VENV)/bin/pytest tests/api/test_schema_fuzz.py -q

lint: install-dev
	$(VENV)/bin/ruff check src tests e2e conftest.py
	$(VENV)/bin/ruff format --check src tests e2e conftest.py
	PYTHONPATH=src:. $(VENV)/bin/lint-imports --no-cache --no-logo

format: install-dev
	$(VENV)/bin/ruff check --fix src tests e2e conftest.py
	$(VENV)/bin/ruff format src tests e2e conftest.py

typecheck: install-dev
	$(VENV)/bin/mypy

## make messages: refresh locale/*/django.po from the source strings (needs GNU gettext).
messages: install-dev
	@mkdir -p locale/zh_Hans/LC_MESSAGES
	$(PY) manage.py makemessages --locale zh_Hans --no-obsolete --add-location file \
	  --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'e2e/*' --ignore 'bench/*'
	$(PY) manage.py compile_translations

## make bench: the benchmark of docs/benchmarks.md at N tickets (default 100000; the 10 M variant is
## `make bench N=10000000`), RUNS runs each; installs wrk, h2load, pgbench when missing, creates and
## loads its own database aftersales_bench_n<N> (reused on reruns) and writes bench/results/.
## make bench-quick: the same at N=2000, one run, short durations (a smoke test of the harness).
N ?= 100000
RUNS ?= 3
bench: install
	@bench/bench.sh $(N) $(RUNS)
	@set -o pipefail; DATABASE_URL=postgres://$${PGUSER:-postgres}@$${PGHOST:-127.0.0.1}:$${PGPORT:-5432}/$${BENCH_DB:-aftersales_bench_n$(N)} \
	  $(PY) bench/quality.py --n $(N) --requests 200 --wide-requests 5 | tee bench/results/quality-n$(N)-$$(date -u +%Y%m%dT%H%M%SZ).json
	@set -o pipefail; DATABASE_URL=postgres://$${PGUSER:-postgres}@$${PGHOST:-127.0.0.1}:$${PGPORT:-5432}/$${BENCH_DB:-aftersales_bench_n$(N)} \
	  $(PY) bench/analytics_pages.py --n $(N) --requests 200 --legacy-sample 5000 --legacy-days 62 --synthetic-cells 3600,36000 | tee bench/results/analytics-n$(N)-$$(date -u +%Y%m%dT%H%M%SZ).json
	@$(PY) bench/analytics_synthetic.py --n $(N) --requests 200
	@set -o pipefail; DATABASE_URL=postgres://$${PGUSER:-postgres}@$${PGHOST:-127.0.0.1}:$${PGPORT:-5432}/$${BENCH_DB:-aftersales_bench_n$(N)} \
	  $(PY) bench/triage_intake.py --tickets 300 --rounds 3 | tee bench/results/triage-intake-$$(date -u +%Y%m%dT%H%M%SZ).json

bench-quick: install
	@bench/bench.sh $(if $(filter command line,$(origin N)),$(N),2000) 1 --quick

## make bench-only W=W2,W5: those workloads alone at N tickets, RUNS runs, without the ceilings
## (for working on one workload; the result is marked partial). W1, W2, W3 (zh and en), W4, W5.
bench-only: install
	@test -n "$(W)" || { echo "make bench-only: say which workloads, e.g. W=W2,W5" >&2; exit 2; }
	@bench/bench.sh $(N) $(RUNS) --only "$(W)" --no-ceilings

clean:
	rm -rf var/static var/test_*.sqlite3
