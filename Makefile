# The README's commands. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test install lock migrate demo lint format typecheck i18n bench bench-web bench-analysis bench-realtime bench-outcome screenshots clean

# Installs exactly what requirements.lock pins (every package with its hashes), then the project
# itself without dependencies: deployers audit the lock file (docs/deploy.md, pip-audit).
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## make lock: re-resolve requirements.lock from pyproject.toml (uv) after changing a dependency
lock:
	test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --quiet -o requirements.lock

migrate: install
	mkdir -p instance
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

## make run: create the virtualenv, install, migrate, load the demo, serve on http://127.0.0.1:5000
run: demo
	$(PY) wsgi.py

## make test: the whole suite on two processes (PostgreSQL / Redis / Chromium tests run when
## TEST_DATABASE_URL, TEST_REDIS_URL and a chromium binary are there, and skip with a reason
## otherwise); PYTEST_WORKERS=0 runs it in one process (docs/testing.md)
test: install
	$(PY) -m pytest -n $(or $(PYTEST_WORKERS),2) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install
	$(VENV)/bin/mypy

i18n: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l --no-location --sort-output -o app/translations/messages.pot .
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d app/translations

bench: bench-web bench-analysis

bench-web: install
	$(PY) bench/bench_web.py

## make bench-realtime: fan-out latency with 1,000 subscribers, the server on its own core (BENCH_DATABASE_URL=postgresql://… recommended)
bench-realtime: install
	$(PY) bench/bench_realtime.py --pin

## make bench-outcome: Polis import, an analysis run and the DOCX export (BENCH_DATABASE_URL=postgresql://… for PostgreSQL)
bench-outcome: install
	$(PY) bench/bench_outcome.py

bench-analysis: install
	$(PY) bench/bench_analysis_text.py
	$(PY) bench/bench_analysis_groups.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache
