# The minitorch course. `make lab` and `make test` are the whole set-up on a fresh machine:
# the first target run creates .venv and installs the project into it; later runs reinstall
# only when pyproject.toml has changed.

PYTHON ?= python3
VENV = .venv
STAMP = $(VENV)/.installed
# Extra arguments for `jupyter lab`, e.g. make lab LAB_ARGS="--port=8890"
LAB_ARGS ?=
# The student's folder that `make lab` serves (git-ignored): fetched assignments, the work in
# them, and the student's nbgrader_config.py. `make lab` never overwrites what is in it.
WORKSPACE ?= workspace
# The student id that make lab's submissions carry (default: your user name, or "student" as root).
STUDENT ?=
# Student-only JupyterLab settings: nbgrader's Assignments panel and Validate button, without the
# instructor's formgrader, course list and assignment editor.
STUDENT_LAB_CONFIG = $(CURDIR)/scripts/student-lab-config

# Jupyter's and IPython's settings, runtime files and caches (nbgrader's submission record
# included) stay inside the project, in the git-ignored .jupyter/, not in the home folder.
JUPYTER_HOME = $(CURDIR)/.jupyter
export JUPYTER_CONFIG_DIR ?= $(JUPYTER_HOME)/config
export JUPYTER_DATA_DIR ?= $(JUPYTER_HOME)/data
export JUPYTER_RUNTIME_DIR ?= $(JUPYTER_HOME)/runtime
export IPYTHONDIR ?= $(JUPYTER_HOME)/ipython
# IPython warns (on stderr) when the folder that holds IPYTHONDIR is missing.
MAKE_JUPYTER_HOME = @mkdir -p "$$(dirname "$$IPYTHONDIR")"

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
.PHONY: help lab instructor test test-fast lint clean bench

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

# The instructor's preview of the student copy: releases the course (autograder release, which
# also writes the student copy, course/student/), publishes it to nbgrader's local exchange,
# prepares the workspace, and serves it from the student copy's own environment
# (course/student/.venv: no reference package), as students will run it. The server runs in
# the workspace: nbgrader's Assignments panel and Validate read nbgrader_config.py from there.
lab: $(STAMP) ## Preview the student copy: release the course, serve the workspace in JupyterLab
	$(MAKE_JUPYTER_HOME)
	python scripts/student_workspace.py "$(WORKSPACE)" --student-venv $(if $(STUDENT),--student "$(STUDENT)")
	cd "$(WORKSPACE)" && \
		PATH="$(CURDIR)/course/student/.venv/bin:$$PATH" \
		JUPYTER_CONFIG_PATH="$(STUDENT_LAB_CONFIG)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		jupyter lab $(HEADLESS_ARGS) $(ROOT_ARGS) $(LAB_ARGS)

# The formgrader reads course/nbgrader_config.py from the server's working folder, likewise.
instructor: $(STAMP) ## Open the course source (course/) in JupyterLab with nbgrader's formgrader
	$(MAKE_JUPYTER_HOME)
	cd course && jupyter lab $(HEADLESS_ARGS) $(ROOT_ARGS) $(LAB_ARGS)

test: $(STAMP) ## Lint, then run every test (2 workers)
	$(MAKE_JUPYTER_HOME)
	ruff check .
	pytest -n 2

test-fast: $(STAMP) ## Lint, then run the tests not marked slow
	$(MAKE_JUPYTER_HOME)
	ruff check .
	pytest -m "not slow"

lint: $(STAMP) ## Lint with ruff
	ruff check .

# minitorch against NumPy and PyTorch (where installed), each script with its default settings:
# --threads is the number of cores (benchmarks/README.md lists the scripts and their options).
bench: $(STAMP) ## Run the benchmarks: matmul, elementwise, overhead, training, cold start (minutes)
	python benchmarks/matmul.py
	python benchmarks/elementwise.py
	python benchmarks/overhead.py
	python benchmarks/training.py
	python benchmarks/coldstart.py

clean: ## Remove caches and build output (keeps .venv and the student's workspace/)
	rm -rf .pytest_cache .ruff_cache .hypothesis .numba_cache build dist test-artifacts
	find . \( -path ./$(VENV) -o -path ./workspace \) -prune -o \
		\( -name __pycache__ -o -name '*.egg-info' -o -name .ipynb_checkpoints \) \
		-type d -print -exec rm -rf {} +
