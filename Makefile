# geomap: two commands do all set-up on a fresh machine.
#   make run   — create .venv, install geomap, map the seed story into outputs/
#   make test  — create .venv, install geomap with test tools, run the tests
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SEED    = seeds/osh-2010-06-12.txt

.PHONY: run test chromium lint bench data assets ner clean lock min-versions

$(BIN)/geomap: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

run: $(BIN)/geomap
	$(BIN)/geomap map $(SEED) -o outputs/

test: $(BIN)/geomap chromium
	$(BIN)/python -m pytest

# Browser tests drive Debian's Chromium (never a browser downloaded by a test tool).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium; }

lint: $(BIN)/geomap
	$(BIN)/ruff check geomap tests bench
	$(BIN)/ruff format --check geomap tests bench
	$(BIN)/mypy

bench: $(BIN)/geomap
	$(BIN)/python bench/bench_gazetteer.py
	$(BIN)/python bench/bench_geoparse.py
	$(BIN)/python bench/bench_events.py
	$(BIN)/python bench/bench_webmap.py

data: $(BIN)/geomap
	$(BIN)/pip install --quiet -e '.[build]'
	$(BIN)/geomap data build --out data

assets: $(BIN)/geomap
	$(BIN)/python -m geomap.assets

ner: $(BIN)/geomap
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-ner.txt

# The declared lower bounds still work: a venv with the oldest versions pyproject.toml allows
# (.ci/min-versions.txt), the API, export, CLI, ingest and both renderers' tests. Deprecation
# warnings of old releases beside new ones are shown, not failures.
MIN_VENV = .venv-min
MIN_TESTS = tests/test_api.py tests/test_export.py tests/test_cli.py tests/test_ingest.py tests/test_staticmap.py tests/test_webmap.py
min-versions:
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/pip install --quiet --upgrade pip
	$(MIN_VENV)/bin/pip install --quiet -c .ci/min-versions.txt -e '.[dev]'
	$(MIN_VENV)/bin/python -m pytest -q -p no:cacheprovider -W default $(MIN_TESTS)

clean:
	rm -rf $(VENV) $(MIN_VENV) build *.egg-info

# Pin what the venv holds now as the tested set (after changing dependencies in pyproject.toml).
lock: $(BIN)/geomap
	{ echo "# Tested versions of every package geomap and its test tools install (pip constraints)."; \
	  echo "# The app and CI install with: pip install -c requirements.lock -e '.[dev]'. Regenerate: make lock."; \
	  $(BIN)/pip freeze --exclude-editable | grep -v '^geomap'; } > requirements.lock
