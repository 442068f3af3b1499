# The two commands a new user needs: `make demo` and `make test`. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LS_VENV := .venv-labelstudio
LS_VERSION := 1.23.2
DEMO := build/demo

.PHONY: demo test docs test-datasets-floor check-install lint format install labelstudio chromium screenshots bench-corpus bench-push bench-pull bench-validate bench-span-edges bench-release bench-publish bench-conll bench-scale bench-tiny-files bench-suggest bench-audit clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,ray,docs]'
	touch $@

install: $(BIN)/.installed

# Label Studio lives in its own environment so that its pins never constrain ours.
$(LS_VENV)/.installed:
	$(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/pip install --quiet --upgrade pip
	$(LS_VENV)/bin/pip install --quiet 'label-studio==$(LS_VERSION)'
	touch $@

labelstudio: $(LS_VENV)/.installed

# The browser tests drive Debian's Chromium (Playwright's own browser download needs a network
# that CI does not have); installed when missing, as root, with no prompt.
chromium:
	@command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# The whole pipeline on the bundled sample: corpus -> Label Studio -> validate -> release ->
# load. In CI (CI=true), or if Label Studio cannot be installed or started, the demo goes on
# offline with the bundled export; the local server is left running (`akhbar studio down`).
DEMO_OFFLINE := $(if $(filter true 1,$(CI)),--offline)

demo: install
	$(if $(DEMO_OFFLINE),,-$(MAKE) --no-print-directory labelstudio)
	rm -rf $(DEMO)
	$(BIN)/akhbar demo --out $(DEMO) $(DEMO_OFFLINE)

test: install labelstudio chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory docs
	$(BIN)/python -m pytest

# The documentation site, built strictly into build/site (a broken link, a page missing from the
# nav or an unknown anchor fails); its reference pages are generated from the code. `make test`
# builds it too (tests/docs/test_docs_site.py) and runs every example of its pages.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# The release tests again with the oldest `datasets` pyproject.toml declares (beside the newest,
# which `make test` uses): releases must build and load, and the card's examples work, on both.
DATASETS_FLOOR := $(shell sed -n 's/.*"datasets>=\([0-9.]*\)".*/\1/p' pyproject.toml)
FLOOR_VENV := .venv-datasets-floor
RELEASE_TESTS := tests/release tests/annotation/test_import_conll_splits.py

$(FLOOR_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/pip install --quiet --upgrade pip
	$(FLOOR_VENV)/bin/pip install --quiet -e '.[test]' 'datasets==$(DATASETS_FLOOR)'
	touch $@

test-datasets-floor: $(FLOOR_VENV)/.installed
	$(FLOOR_VENV)/bin/python -c "import datasets; assert datasets.__version__ == '$(DATASETS_FLOOR)', datasets.__version__; print('datasets', datasets.__version__)"
	$(FLOOR_VENV)/bin/python -m pytest -q $(RELEASE_TESTS)

# The README's picture of an annotated task, retaken by the browser test from the bundled sample.
screenshots: install labelstudio chromium
	AKHBAR_SCREENSHOTS=docs $(BIN)/python -m pytest -q tests/labelstudio/test_browser_annotator.py -k screenshot

# What a user gets from a plain `pip install .` (no extras) in a fresh venv: only `akhbar` at
# the top of site-packages, and the offline demo runs to the end.
PLAIN := build/plain-install
check-install:
	rm -rf $(PLAIN)
	$(PYTHON) -m venv $(PLAIN)/venv
	$(PLAIN)/venv/bin/pip install --quiet --upgrade pip
	$(PLAIN)/venv/bin/pip install --quiet .
	$(PLAIN)/venv/bin/python -I -c "import importlib.metadata as m; top = {str(f).split('/')[0] for f in m.files('akhbar') if not str(f).startswith(('akhbar-', '../'))}; assert top == {'akhbar'}, top; print('installed top-level names:', sorted(top))"
	cd $(PLAIN) && $(CURDIR)/$(PLAIN)/venv/bin/akhbar demo --offline --out demo
	cd $(PLAIN) && $(CURDIR)/$(PLAIN)/venv/bin/akhbar annotate config --taxonomy wojood > /dev/null && echo "bundled taxonomy found by name: wojood"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-corpus: install
	$(BIN)/python benchmarks/bench_corpus.py

bench-push: install labelstudio
	$(BIN)/python benchmarks/bench_push.py

bench-pull: install labelstudio
	$(BIN)/python benchmarks/bench_pull.py

bench-validate: install
	$(BIN)/python benchmarks/bench_validate.py

bench-span-edges: install
	$(BIN)/python benchmarks/bench_span_edges.py

bench-release: install
	$(BIN)/python benchmarks/bench_release.py

bench-publish: install
	$(BIN)/python benchmarks/bench_publish.py

bench-agreement: install
	$(BIN)/python benchmarks/bench_agreement.py

bench-scale: install
	$(BIN)/python benchmarks/bench_scale.py

bench-tiny-files: install
	$(BIN)/python benchmarks/bench_tiny_files.py

bench-conll: install
	$(BIN)/python benchmarks/bench_conll.py

bench-suggest: install
	$(BIN)/python benchmarks/bench_suggest.py

bench-audit: install
	$(BIN)/python benchmarks/bench_audit.py

clean:
	rm -rf build $(VENV) $(LS_VENV) $(FLOOR_VENV) .pytest_cache .ruff_cache
