# make run  — create .venv, install, start the app (demo data when the database is empty)
# make test — the whole suite (unit, golden, AppTest, real browser; SKIP_BROWSER=1 skips the browser)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
# the reading child's native .xlsx scanner (analytics/ingest/_xlsxscan.c; docs/ingest.md §8)
SCANNER := analytics/ingest/_xlsxscan$(shell $(PYTHON) -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")

.PHONY: run test bench demo templates clean

$(SCANNER): analytics/ingest/_xlsxscan.c $(VENV)/.installed
	$(CC) -O2 -Wall -pthread -shared -fPIC -I"$$($(PY) -c "import sysconfig; print(sysconfig.get_paths()['include'])")" -o $@ $<

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

run: $(VENV)/.installed $(SCANNER)
	$(PY) -m analytics demo --if-empty
	@$(PY) -m analytics users first-admin-hint
	$(PY) -m ui.serve --server.address 127.0.0.1 --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: $(VENV)/.installed $(SCANNER)
	$(PY) -m pytest -n 2 --dist loadfile --ignore=tests/browser   # two workers, a test file each
	$(PY) -m pytest tests/browser                                 # the real browser, one at a time

bench: $(VENV)/.installed $(SCANNER)
	$(PY) -m bench --big-rows 1000000

templates: $(VENV)/.installed
	$(PY) -m analytics templates data/templates

clean:
	rm -rf $(VENV) .pytest_cache tests/browser/screenshots $(SCANNER)
