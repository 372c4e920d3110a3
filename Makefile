# The two commands a newcomer needs: `make run` and `make test`. Both set up what they need.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
TSTAMP  := $(VENV)/.test-installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
CHROMIUM := /usr/bin/chromium
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

# Debian's chromium for PNG export (kaleido) and the browser tests; apt needs root (or sudo).
$(CHROMIUM):
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium

# Debian's node + npm, then the real vendor clients the server tests drive (package-lock.json).
NPM     := /usr/bin/npm
$(NPM):
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq nodejs npm

node_modules/.package-lock.json: package-lock.json | $(NPM)
	$(NPM) ci --no-audit --no-fund --silent

test: $(TSTAMP) $(CHROMIUM) node_modules/.package-lock.json
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
