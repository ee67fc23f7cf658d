# The minitorch course. `make lab` and `make test` are the whole set-up on a fresh machine:
# the first target run creates .venv and installs the project into it; later runs reinstall
# only when pyproject.toml has changed.

# What `pip install` puts into .venv here: the course, editable, with the tools to develop it.
INSTALL = -e ".[dev]"
include autograder/templates/student/common.mk

.PHONY: help lab instructor test test-fast lint clean bench

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
	pytest -n 2 --dist loadgroup --durations=25

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
