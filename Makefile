# Two commands for a newcomer: `make demo` (install + run on the seeds) and `make test`.
PYTHON ?= python3
SEED ?= seeds/003_5c5bdc2152d9c680.txt

.PHONY: install demo test lint bench evaluate

install:
	$(PYTHON) -m pip install -q -e '.[test]'

demo: install
	fzreport classify $(SEED)
	fzreport summarise $(SEED) --max-sentences 5
	fzreport batch seeds/ --out out/demo --workers 2

test: install
	ruff check . && ruff format --check .
	$(PYTHON) -m pytest

evaluate: install
	fzreport evaluate
	fzreport evaluate --corpus ../shared/corpus/statecouncil.jsonl --min-year 1992 --folds 5

bench: install
	$(PYTHON) benchmarks/bench_core.py
