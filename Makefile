# The two commands a new machine needs: `make demo` and `make test`. Both set everything up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
DEMO_DB := var/demo.db
PYTEST_WORKERS ?= 2

.PHONY: demo test test-fast bench lint install serve clean docs

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

## make demo: build the demo company into the embedded database and run the main report
demo: install
	$(BIN)/onstrategy --database-url sqlite:///$(DEMO_DB) demo run --out var/demo

## make test: the whole suite on SQLite and PostgreSQL, browser tests in headless Chromium
test: install
	scripts/chromium.sh
	@url=$$(scripts/postgres.sh | tail -n 1) && \
	ONSTRATEGY_TEST_POSTGRES_URL=$$url ONSTRATEGY_REQUIRE_POSTGRES=1 \
	ONSTRATEGY_REQUIRE_BROWSER=1 \
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

## make test-fast: SQLite only, no browser (for quick local loops)
test-fast: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q -m "not browser"

## make bench: every claim in benchmarks/, each as a ratio against a baseline run beside it
bench: install
	@url=$$(scripts/postgres.sh | tail -n 1) && \
	ONSTRATEGY_TEST_POSTGRES_URL=$$url $(BIN)/python benchmarks/run_all.py

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

serve: install
	$(BIN)/onstrategy --database-url sqlite:///$(DEMO_DB) --strategy var/demo/strategy.yaml serve

clean:
	rm -rf var .pytest_cache .ruff_cache .mypy_cache

## make docs: regenerate the references that are built from the code
docs: install
	$(BIN)/python -m typer onstrategy.cli.main utils docs --name onstrategy --output docs/cli.md
	$(BIN)/onstrategy strategy schema --write
