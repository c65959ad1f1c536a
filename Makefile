# Two entry points: `make run` starts the app, `make test` runs every test.
# Both create .venv and install what is needed on the first call.
VENV ?= .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-quick test-busy lint chromium servers

$(INSTALLED): pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

run: $(INSTALLED)
	$(PYTHON) -m streamlit run app.py

# Browser tests drive Debian's Chromium; Playwright's own browser download is not used.
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

# The store and replica tests start Debian's PostgreSQL and nginx themselves, from temporary
# folders on 127.0.0.1 (tests/postgres_server.py, tests/test_replicas.py).
servers:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && [ -x /usr/sbin/nginx ] || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q postgresql nginx; }

lint: $(INSTALLED)
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

# Two test processes (pytest-xdist), each taking whole modules, so a module's server and
# trained fixtures start once; TEST_JOBS=0 runs everything in this one process. The 30
# slowest tests are listed at the end, to see where the time goes.
TEST_JOBS ?= 2

test: $(INSTALLED) chromium servers lint
	$(PYTHON) -m pytest -n $(TEST_JOBS) --dist loadfile --durations=30

# The loop to run while you work: every test but those that drive Chromium or train for
# long (markers "browser" and "slow").
test-quick: $(INSTALLED)
	$(PYTHON) -m pytest -n $(TEST_JOBS) --dist loadfile -q -m "not browser and not slow"

# The suite while stress-ng keeps every core busy, RUNS times in a row (docs/TESTING.md):
# a test that races fails here long before it fails in CI. Stops at the first failed run.
RUNS ?= 3

test-busy: $(INSTALLED) chromium servers
	@command -v stress-ng >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q stress-ng; }
	@stress-ng --cpu 0 --timeout 6h --quiet & stress=$$!; trap 'kill $$stress' EXIT; \
	for run in $$(seq $(RUNS)); do \
		echo "== busy run $$run of $(RUNS)"; \
		$(PYTHON) -m pytest -n $(TEST_JOBS) --dist loadfile -q || { echo "== busy run $$run failed"; exit 1; }; \
	done
