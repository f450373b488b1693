# Quickstart: `make demo` and `make test`; both build .venv from scratch when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-nightly test lint bench bench-quick clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
	  echo "drift needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing)." \
	       "Run e.g. 'make clean && make PYTHON=python3.11 $(MAKECMDGOALS)'."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@echo "drift diff on the bundled netra-staging world (exit code 2 means drift was found)"
	@$(BIN)/drift diff --project netra-staging --emulator --read-secret-digests --format table; \
	  code=$$?; \
	  if [ $$code -eq 2 ]; then \
	    echo "drift exited with 2: drift was found, which is what the demo world is built to show."; \
	  else echo "drift exited with $$code (0: no drift, 1: an error or something not checked)."; \
	  exit $$code; fi

demo-nightly: $(STAMP)
	@$(BIN)/python scripts/demo_nightly.py

# The whole tree is formatted with `ruff format`; checked here so it stays formatted.
FORMATTED := drift tests bench scripts

test: $(STAMP)
	@bash scripts/ensure-chromium.sh
	$(BIN)/ruff check drift tests bench scripts
	$(BIN)/ruff format --check $(FORMATTED)
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check drift tests bench scripts
	$(BIN)/ruff format --check $(FORMATTED)
	$(BIN)/mypy

# The scaling table of issue 13 (bench/README.md): about 12 minutes; bench-quick about 1.
bench: $(STAMP)
	$(BIN)/python bench/scale.py

bench-quick: $(STAMP)
	$(BIN)/python bench/scale.py --quick

clean:
	rm -rf $(VENV) build *.egg-info
