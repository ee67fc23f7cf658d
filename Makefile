# The minitorch course. `make lab` and `make test` are the whole set-up on a fresh machine:
# the first target run creates .venv and installs the project into it; later runs reinstall
# only when pyproject.toml has changed.

PYTHON ?= python3
VENV = .venv
STAMP = $(VENV)/.installed
# Extra arguments for `jupyter lab`, e.g. make lab LAB_ARGS="--port=8890"
LAB_ARGS ?=

# Every recipe (and everything it starts) finds the venv's tools first. nbgrader needs this:
# creating a gradebook runs the `alembic` executable by name.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# No display on Linux (a server, a container, SSH): don't try to open a browser, which could
# start a text-mode one in the terminal. Jupyter prints the URL to open either way.
ifeq ($(shell uname -s),Linux)
ifeq ($(DISPLAY)$(WAYLAND_DISPLAY),)
HEADLESS_ARGS = --no-browser
endif
endif

# Jupyter refuses to start as root (containers, CI) unless told that it is meant.
ifeq ($(shell id -u),0)
ROOT_ARGS = --allow-root
endif

.DEFAULT_GOAL := help
.PHONY: help lab test test-fast lint clean

help: ## Show this help
	@echo "The minitorch course. Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@if [ ! -x $(VENV)/bin/python ]; then \
		$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: $(PYTHON) is older than Python 3.11; run: make PYTHON=python3.11 ..." >&2; exit 1; }; \
		echo "$(PYTHON) -m venv $(VENV)"; $(PYTHON) -m venv $(VENV); \
	fi
	@$(VENV)/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: $(VENV) uses a Python older than 3.11; remove it (rm -rf $(VENV)) and re-run" >&2; exit 1; }
	$(VENV)/bin/python -m pip install --upgrade pip
	$(VENV)/bin/python -m pip install -e ".[dev]"
	touch $@

lab: $(STAMP) ## Open the course in JupyterLab (LAB_ARGS="..." passes options to jupyter lab)
	jupyter lab --notebook-dir=course $(HEADLESS_ARGS) $(ROOT_ARGS) $(LAB_ARGS)

test: $(STAMP) ## Lint, then run every test (2 workers)
	ruff check .
	pytest -n 2

test-fast: $(STAMP) ## Lint, then run the tests not marked slow
	ruff check .
	pytest -m "not slow"

lint: $(STAMP) ## Lint with ruff
	ruff check .

clean: ## Remove caches and build output (keeps .venv: rm -rf .venv to rebuild it)
	rm -rf .pytest_cache .ruff_cache .hypothesis .numba_cache build dist
	find . -path ./$(VENV) -prune -o \
		\( -name __pycache__ -o -name '*.egg-info' -o -name .ipynb_checkpoints \) \
		-type d -print -exec rm -rf {} +
