# Quickstart: `make demo` and `make test`; both build .venv from scratch when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@echo "drift diff on the bundled netra-staging world (exit code 2 means drift was found)"
	$(BIN)/drift diff --project netra-staging --emulator --read-secret-digests --format table; \
	  code=$$?; echo "drift exited with $$code"; exit $$code

test: $(STAMP)
	$(BIN)/ruff check drift tests bench
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check drift tests bench

bench: $(STAMP)
	$(BIN)/python bench/scan.py

clean:
	rm -rf $(VENV) build *.egg-info
