# Sniper — `make run` serves a replayed EDGAR day (or live EDGAR), `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared
REPLAY ?= $(SHARED)/edgar/atom
SPEED  ?= 60
PORT   ?= 8000
export SNIPER_CATALOG_PATH ?= $(abspath $(SHARED)/edgar/reference/company_tickers.json)
export SNIPER_DATABASE_URL ?= sqlite+aiosqlite:///./sniper.db
export SNIPER_WEBHOOK_ALLOW_NETWORKS ?= 127.0.0.1/32
# 13F demo (`make run` only, not the tests): the replay also serves the recorded 13F
# submissions and answers OpenFIGI from the recorded mappings (README "13F demo").
DEMO_13F  ?= $(abspath $(SHARED)/edgar/13f/full_submission)
DEMO_FIGI ?= $(abspath $(SHARED)/edgar/openfigi/zyuTony_13f_database/openfigi_results.csv)

.PHONY: install run test test-sqlite test-postgres lint bench bench-detection clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

run: install
	@if [ -z "$$SNIPER_EDGAR_USER_AGENT" ]; then \
	  echo "No SNIPER_EDGAR_USER_AGENT set: serving the REPLAY of $(REPLAY) (EDGAR, 2025-12-11/12) at $(SPEED)x on http://127.0.0.1:$(PORT)"; \
	else \
	  echo "SNIPER_EDGAR_USER_AGENT set: watching LIVE EDGAR on http://127.0.0.1:$(PORT)"; \
	fi
	@$(BIN)/sniper migrate 2>/dev/null
	@$(BIN)/sniper accounts create demo --plan paid --tokens 1000 2>/dev/null || true
	@key=$$($(BIN)/sniper keys create demo) && echo "demo account API key: $$key"
	@secret=$$($(BIN)/sniper webhooks secret demo) && echo "demo account webhook secret: $$secret"
	@if [ -z "$$SNIPER_EDGAR_USER_AGENT" ]; then \
	  export SNIPER_REPLAY_SUBMISSIONS_PATH="$${SNIPER_REPLAY_SUBMISSIONS_PATH-$(DEMO_13F)}"; \
	  export SNIPER_REPLAY_OPENFIGI_PATH="$${SNIPER_REPLAY_OPENFIGI_PATH-$(DEMO_FIGI)}"; \
	  exec $(BIN)/sniper serve --port $(PORT) --replay $(REPLAY) --speed $(SPEED); \
	else \
	  exec $(BIN)/sniper serve --port $(PORT); \
	fi

# With SNIPER_TEST_DATABASE_URL set, the SQLite and PostgreSQL runs go side by side (most tests
# wait on subprocesses and sockets); each run's output is printed whole when it ends. Every
# recipe line ends with what it ran, so make exits with that status (a failed run fails).
test: install
	@if [ -n "$$SNIPER_TEST_DATABASE_URL" ]; then \
	  $(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres; \
	else echo "SNIPER_TEST_DATABASE_URL not set: PostgreSQL run skipped"; \
	  $(MAKE) --no-print-directory test-sqlite; fi

test-sqlite:
	SNIPER_TEST_DATABASE_URL= $(BIN)/pytest -q

test-postgres:
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: install
	$(BIN)/python bench/run.py

bench-detection: install
	$(BIN)/python -m bench.bench_detection

clean:
	rm -rf $(VENV) sniper.db sniper.db-wal sniper.db-shm
