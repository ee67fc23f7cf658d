# What the course repository's Makefile and the student copy's share (each includes it, after
# setting INSTALL, what `pip install` puts into .venv): the environment, Jupyter's settings
# kept inside the project, the student's JupyterLab, and `make help`.

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

help: ## Show this help
	@echo "The minitorch course. Targets:"
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
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
	$(VENV)/bin/python -m pip install $(INSTALL)
	touch $@
