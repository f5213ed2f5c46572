# The two commands of README.md: `make run` and `make test`.
# Everything else here is what they need on a fresh machine.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
PYTEST_ARGS ?=
# pytest-xdist workers: the suite waits on servers, workers and browsers more than on the 2 cores.
TEST_WORKERS ?= 3
# make quick leaves out the tests that wait on browsers, servers and Celery workers: one xdist worker per core.
QUICK_WORKERS ?= 2
TEST_SERVERS := $(BIN)/python -m portal.embedded --data .data/test --no-fsync --
# Bytecode caches kept: without them every pytest worker compiles the code and rewrites the
# asserts of every test module and pytest plugin again (seconds of CPU per worker and per run).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test quick lint

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(RUNTIME_STAMP) $@

## Run the portal: web on http://127.0.0.1:8000, a Celery worker and beat.
run: $(RUNTIME_STAMP)
	$(BIN)/python -m portal.embedded -- bin/serve

## Run the whole test suite on real PostgreSQL, Redis, Celery and Chromium.
test: $(DEV_STAMP)
	bin/ensure-chromium
	$(TEST_SERVERS) bin/check -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# In make quick, Schemathesis' pytest plugin is not loaded: its import costs every worker time, and its only
# test module is slow.
## The edit loop: every test but the browser, integration and slow ones, few Hypothesis examples, test databases kept.
quick: $(DEV_STAMP)
	HYPOTHESIS_PROFILE=dev $(TEST_SERVERS) bin/check -n $(QUICK_WORKERS) --dist loadfile --reuse-db -p no:schemathesis \
		-m "not browser and not integration and not slow" $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
