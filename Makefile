# The front door: make test | lint | type | docs | bench | e2e | schema | demo
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: dev test lint type docs bench e2e schema demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

dev: $(STAMP)

## Install the test dependencies and run the whole default suite (no internet).
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check px tests fixtures bench migrations
	$(BIN)/ruff format --check px tests fixtures bench migrations
	$(BIN)/lint-imports

type: $(STAMP)
	$(BIN)/mypy

docs: $(STAMP)
	$(BIN)/argparse-manpage --module px.cli.parser --function build_parser \
		--prog px --project-name px --url https://px.invalid --output docs/px.1

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

## Checks against the real PyPI: not part of `make test`.
e2e: $(STAMP)
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

schema: $(STAMP)
	$(BIN)/python -m px.store.schema_dump > schema/schema.sql

## Install px from this checkout and run it on the bundled sample (needs PyPI).
demo:
	$(PYTHON) -m venv .venv-demo
	.venv-demo/bin/python -m pip install --quiet .
	cd sample_px_app && PX_HOME=$(CURDIR)/.px-demo-store ../.venv-demo/bin/px install
	cd sample_px_app && PX_HOME=$(CURDIR)/.px-demo-store ../.venv-demo/bin/px run sample-px-app "flask>=3" 3.0.2
	cd sample_px_app && PX_HOME=$(CURDIR)/.px-demo-store ../.venv-demo/bin/px test -q
	cd sample_px_app && PX_HOME=$(CURDIR)/.px-demo-store ../.venv-demo/bin/px query "SELECT name, version, filename FROM px_generation_wheels WHERE number = (SELECT max(number) FROM px_generations) ORDER BY name"

clean:
	rm -rf $(VENV) .venv-demo .px-demo-store build dist
