# `make demo` and `make test` create .venv themselves; they need only Python 3.10+.
PYTHON ?= python3
VENV := .venv
READY := $(VENV)/.installed

.PHONY: demo test sync lint clean

$(READY): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

TEMPLATE ?= image-classification
# pytest-xdist processes for `make test`; each template's conformance run stays in one of them
TEST_WORKERS ?= 2

demo: $(READY)  ## bake TEMPLATE into a temporary folder, train on its sample data, print the metric
	$(VENV)/bin/python tools/demo.py $(TEMPLATE)

test: $(READY)  ## every test: shared code, baking through every entry point, the conformance suite
	$(VENV)/bin/python tools/sync_shared.py --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

sync: $(READY)  ## place the shared code into every template (per-file links)
	$(VENV)/bin/python tools/sync_shared.py

clean:
	rm -rf $(VENV) .pytest_cache
