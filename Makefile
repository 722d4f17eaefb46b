# The README's two commands: `make plan` and `make test`. Each sets up .venv when missing.
# `make plan` installs only what planning needs (pip shows its progress: the two Pulumi
# provider SDKs are large); `make test` adds the test, lint and AWS-preview tools.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.utflytt-runtime
TESTING := $(VENV)/.utflytt-test

.PHONY: plan test lint bench golden clean

$(RUNTIME): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e .
	touch $(RUNTIME)

$(TESTING): $(RUNTIME)
	$(BIN)/python -m pip install -e '.[test,aws]'
	touch $(TESTING)

plan: $(RUNTIME)
	$(BIN)/utflytt plan

test: $(TESTING)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

lint: $(TESTING)
	$(BIN)/ruff check app migration waves stacks exit_plan tests bench examples setup.py
	$(BIN)/ruff format --check app migration waves stacks exit_plan tests bench examples setup.py
	$(BIN)/mypy

bench: $(TESTING)
	$(BIN)/python bench/catalog.py
	$(BIN)/python bench/waves.py
	$(BIN)/python bench/cost.py
	$(BIN)/python bench/preview.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/stages.py
	$(BIN)/python bench/exitplan.py

golden: $(TESTING)
	$(BIN)/python -m tests.golden_exit_plan --regenerate

clean:
	rm -rf build .pytest_cache .mypy_cache
