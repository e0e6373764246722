# Kandidatmonitor: `make run` serves the demo, `make test` runs every test, `make bench` measures.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/demo.duckdb
PORT ?= 5006
# The demo replays an exam morning: today at 09:20 (Oslo), running on from there.
# `make run NOW="2026-11-22 10:50"` picks another moment; `make run NOW=` uses the real clock.
NOW ?= $(shell TZ=Europe/Oslo date +%F) 09:20
NOW_ARG = $(if $(strip $(NOW)),--now "$(NOW)",)

# Python >= 3.12: the first suitable interpreter on PATH (pyenv shims honour .python-version).
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 python3; do \
  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
  then echo $$p; break; fi; done)

.PHONY: run run-postgres test docs bench demo-national clean chromium postgresql openssl

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (e.g. pyenv install 3.12)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/kandidatmonitor demo --size small --db $(DB) --seed 1 --if-stale $(NOW_ARG)
	$(BIN)/kandidatmonitor serve --db $(DB) --port $(PORT) $(NOW_ARG)

# The same demo on PostgreSQL with WORKERS processes on one port. Without PG_URL a local
# cluster is started under data/pg (it keeps running; `kandidatmonitor local-postgres --stop`).
WORKERS ?= 2
run-postgres: $(BIN)/.installed postgresql
	@url="$${PG_URL:-$$($(BIN)/kandidatmonitor local-postgres --dir data/pg)}" && \
	  echo "PostgreSQL: $$url" && \
	  $(BIN)/kandidatmonitor demo --size small --db "$$url" --seed 1 --if-stale $(NOW_ARG) && \
	  $(BIN)/kandidatmonitor serve --db "$$url" --workers $(WORKERS) --port $(PORT) $(NOW_ARG)

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Debian's PostgreSQL for the tests that run the services on it (the fixtures start their own
# throwaway server; nothing is left running).
postgresql:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq postgresql >/dev/null; }

# openssl makes the certificate of the test that serves HTTPS.
openssl:
	@command -v openssl >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq openssl >/dev/null; }

# The tests' npm packages, from the npm registry on the machine's Node.js: the OpenID Connect
# provider of the staff sign-in test (panva/oidc-provider) and axe-core for the accessibility
# tests (WCAG 2.1 AA).
OIDC = tests/oidc/node_modules/.installed
AXE = tests/a11y/node_modules/.installed
tests/%/node_modules/.installed: tests/%/package.json tests/%/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	cd tests/$* && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: $(BIN)/.installed chromium postgresql openssl $(OIDC) $(AXE)
	$(BIN)/python -m pytest

# The user guide's screenshots (dashboard/guide/bilder), taken of the demo in Chromium. `make
# test` takes them too (tests/ui/test_guide.py), so the guide never shows an older product.
docs: $(BIN)/.installed chromium
	$(BIN)/python -m pytest tests/ui/test_guide.py

# Benchmarks print figures (JSON, also in bench/results/); they assert nothing. PostgreSQL runs
# on a local cluster under data/pg-bench, left running (`kandidatmonitor local-postgres
# --dir data/pg-bench --stop`).
bench: $(BIN)/.installed chromium postgresql
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.live
	$(BIN)/python -m bench.live --wire --sessions 50 200
	$(BIN)/python -m bench.live --wire --sessions 500 --spread 50 5 60
	@url="$$($(BIN)/kandidatmonitor local-postgres --dir data/pg-bench --database national)" && \
	  $(BIN)/python -m bench.run --db "$$url" && $(BIN)/python -m bench.live --db "$$url" && \
	  $(BIN)/python -m bench.live --db "$$url" --workers 2 --wire --sessions 500 --spread 50 5 60
	$(BIN)/python -m bench.overview
	$(BIN)/python -m bench.files
	$(BIN)/python -m bench.candidates --compare
	$(BIN)/python -m bench.register_import

clean:
	rm -rf $(VENV) data/*.duckdb data/*.duckdb.wal .pytest_cache .hypothesis
