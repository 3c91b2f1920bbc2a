# The course's two commands: `make lab` opens it, `make test` checks all of it.
# Both set up a virtual environment in .venv first (once, and again when pyproject.toml changes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

# Notebook folders that nbval re-runs (those that exist).
NOTEBOOK_DIRS := $(wildcard notebooks exercises solutions)

.PHONY: setup lab lint test unit notebooks bench bench-grading nbgrader site clean

setup: $(READY)

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	touch $(READY)

lab: setup
	$(BIN)/python -m nanograd.course.lab $(ARGS)

# The notebooks' expect() checks raise here instead of printing a note (NANOGRAD_STRICT=1): a committed
# notebook whose text and outputs disagree fails, while a student's edits in the Lab only get a note.
STRICT := NANOGRAD_STRICT=1

# The linters first (ruff; import-linter holds the imports to the ladder of stages), then the unit
# tests and every notebook in one pytest run (one summary line).
test: lint
	$(STRICT) $(BIN)/python -m pytest tests $(NOTEBOOK_DIRS) --nbval --nbval-current-env --nbval-sanitize-with nbval-sanitize.cfg

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

unit: setup
	$(BIN)/python -m pytest tests

notebooks: setup
	$(STRICT) $(BIN)/python -m pytest $(NOTEBOOK_DIRS) --nbval --nbval-current-env --nbval-sanitize-with nbval-sanitize.cfg

bench: setup
	$(BIN)/python benchmarks/bench.py

# The course as a static website in _site/ (JupyterLite, Python in the browser): the build's own packages
# (the `site` extra), then tools/build_site.py, which needs npm. Serve it with any static server, e.g.
# `python3 -m http.server -d _site`. `make test` then opens it in chromium too (tests/test_site.py).
SITE_READY := $(VENV)/.site-ready

$(SITE_READY): $(READY) pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench,site]'
	touch $(SITE_READY)

site: $(SITE_READY)
	$(BIN)/python tools/build_site.py


# Notebooks per minute that `python -m nanograd.course.grade` grades at -j 1 and at -j 2 (a few minutes).
bench-grading: setup
	$(BIN)/python benchmarks/grading.py

# nbgrader 0.9.6 in a venv of its own (it pins jupyterlab < 5 and notebook < 8), with the course installed in it:
# tests/test_grade_nbgrader.py grades the exercises with it. Made again when pyproject.toml changes.
NBGRADER_VENV := .nbgrader-venv
NBGRADER_VERSION := 0.9.6

nbgrader: $(NBGRADER_VENV)/.ready

$(NBGRADER_VENV)/.ready: pyproject.toml
	rm -rf $(NBGRADER_VENV)
	$(PYTHON) -m venv $(NBGRADER_VENV)
	$(NBGRADER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "nbgrader==$(NBGRADER_VERSION)" -e .
	touch $@

clean:
	rm -rf $(VENV) $(NBGRADER_VENV) _site build/site site/node_modules
