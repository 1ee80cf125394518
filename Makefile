# The two everyday commands: `make run` (the main job, on SQLite) and `make test`;
# `make demo` walks the sample year on a virtual clock.
# Both create .venv and install the project with its test tools on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run demo test test-load lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

install: $(BIN)/.installed

# the web app and the scheduler on plancycle-sample.db, filled with the Chachoengsao
# sample on first use; prints the address and sign-in tokens (Ctrl-C stops)
run: install
	$(BIN)/plancycle --db sqlite:///plancycle-sample.db up --sample

demo: install
	$(BIN)/plancycle --lang en demo

# make test: the suite on JOBS worker processes (pytest-xdist; one per core by default, each
# with its own PostgreSQL database), then the few tests that assert a wall-clock bound, alone.
JOBS ?= auto

test: lint
	$(BIN)/pytest -n $(JOBS) --dist loadgroup -m "not timed"
	$(BIN)/pytest -m timed

# the load test's harness on a small store alone (part of make test too; the full run:
# python -m bench.load)
test-load: install
	$(BIN)/pytest -m load

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/typecheck.py

bench: install
	$(BIN)/python -m bench.cycle_start
	$(BIN)/python -m bench.sweep
	$(BIN)/python -m bench.web

clean:
	rm -rf $(VENV) plancycle-sample* plancycle-demo* plancycle-sim* .pytest_cache
