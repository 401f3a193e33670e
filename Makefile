# make demo   - play the seed walkthrough scenario and write walkthrough.html, a page that steps through it
# make test   - run the test suite
# make conformance / make conformance-record - compare with / re-record the real Docker 20.10
# Both create .venv (python3 -m venv) and install the project into it on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test conformance conformance-record clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,viz]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m simulator play --html walkthrough.html examples/seed-walkthrough/walkthrough.txt
	@echo "Open $(CURDIR)/walkthrough.html in a browser to step through it (arrow keys move)."

test: $(STAMP)
	$(PY) -m pytest -q

# The simulator against the recordings and against a private real Docker 20.10 engine started
# for the run (root, docker.io, docker-registry, busybox-static; else the real side skips).
conformance: $(STAMP)
	$(PY) -m pytest -q tests/test_conformance.py

# Re-record the real Docker 20.10 transcripts, three scenarios at a time, each on a fresh engine.
conformance-record:
	$(PYTHON) tests/conformance/record.py -j 3 tests/conformance/scenarios/*/scenario.txt

clean:
	rm -rf $(VENV) .simulator .pytest_cache .hypothesis
