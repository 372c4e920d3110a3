# The two commands a newcomer needs: `make run` and `make test`. Both set up what they need.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
TSTAMP  := $(VENV)/.test-installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DATA    ?=
DATAOPT := $(if $(DATA),--data $(DATA),)

.PHONY: run test lint format bench sample clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TSTAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(STAMP)
	$(BIN)/workbench run $(DATAOPT)

test: $(TSTAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(TSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TSTAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(TSTAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
