# Two commands for a newcomer: `make demo` (install + run on the seeds) and `make test`.
PYTHON ?= python3
SEED ?= seeds/003_5c5bdc2152d9c680.txt
STATECOUNCIL ?= ../shared/corpus/statecouncil.jsonl

.PHONY: install browser office fonts demo test evaluate bench

install:
	$(PYTHON) -m pip install -q -e '.[test]'

# Debian's chromium for the browser test (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium could not be installed: the browser test will be skipped"; }

# Debian's LibreOffice (headless, no GUI) reads .doc/.wps; antiword is the .doc fallback.
# Without recommends: about 51 packages, 264 MB installed.
office:
	@{ command -v soffice && command -v antiword \
	   && test -e /usr/lib/libreoffice/program/libsclo.so; } >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui antiword >/dev/null) \
	  || echo "LibreOffice could not be installed: the .doc/.wps and office-file tests will be skipped"; }

# A Chinese font, for the scans the OCR tests print and the PDFs LibreOffice renders.
fonts:
	@test -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends fonts-noto-cjk >/dev/null) \
	  || echo "fonts-noto-cjk could not be installed: the OCR tests will be skipped"; }

demo: install
	fzreport classify $(SEED)
	fzreport summarise $(SEED) --max-sentences 5
	fzreport audit $(SEED)
	rm -rf out/demo out/demo-round
	$(PYTHON) benchmarks/make_round.py out/demo-round --half tune --seeds
	fzreport batch out/demo-round/inbox --out out/demo --roster out/demo-round/roster.xlsx \
	  --workers 2 --format jsonl,csv,html
	fzreport archive build out/demo
	fzreport export out/demo --format xlsx
	fzreport report out/demo --out out/demo/通报.docx --per-body out/demo/反馈意见

test: install browser office fonts
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
	@if [ -n "$(COUNTRY)" ]; then $(PYTHON) benchmarks/bench_archive.py --reports 100000; \
	else echo "bench: the 100,000-report archive run is left out (make bench COUNTRY=1 runs it)"; fi
