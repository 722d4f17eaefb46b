# The README's two commands: `make plan` and `make test`. Each sets up .venv when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.utflytt-installed

.PHONY: plan test lint bench golden clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

plan: $(STAMP)
	$(BIN)/utflytt plan

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

lint: $(STAMP)
	$(BIN)/ruff check app migration waves stacks exit_plan tests bench
	$(BIN)/ruff format --check app migration waves stacks exit_plan tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/catalog.py
	$(BIN)/python bench/waves.py
	$(BIN)/python bench/cost.py
	$(BIN)/python bench/preview.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/stages.py

golden: $(STAMP)
	$(BIN)/python -m tests.golden_exit_plan --regenerate

clean:
	rm -rf build .pytest_cache .mypy_cache
