# Two commands for a newcomer: `make demo` (install + run on the seeds) and `make test`.
PYTHON ?= python3
SEED ?= seeds/003_5c5bdc2152d9c680.txt
STATECOUNCIL ?= ../shared/corpus/statecouncil.jsonl

.PHONY: install browser demo test evaluate bench

install:
	$(PYTHON) -m pip install -q -e '.[test]'

# Debian's chromium for the browser test (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium could not be installed: the browser test will be skipped"; }

demo: install
	fzreport classify $(SEED)
	fzreport summarise $(SEED) --max-sentences 5
	fzreport audit $(SEED)
	fzreport batch seeds/ --out out/demo --workers 2 --format jsonl,csv,html
	fzreport archive build out/demo

test: install browser
	ruff check .
	ruff format --check .
	$(PYTHON) -m pytest

evaluate: install
	fzreport evaluate
	fzreport evaluate --corpus $(STATECOUNCIL) --min-year 1992 --folds 5

bench: install
	$(PYTHON) benchmarks/bench_core.py
	$(PYTHON) benchmarks/bench_http.py
	$(PYTHON) benchmarks/bench_batch.py
	$(PYTHON) benchmarks/bench_start.py
	$(PYTHON) benchmarks/bench_archive.py
