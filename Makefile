# Two commands do all the set-up: `make demo` (run the extractor on the bundled samples) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SAMPLES := $(wildcard samples/reports/*.pdf samples/reports/*.html samples/reports/*.docx)

.PHONY: setup system demo test lint bench samples clean

# What the tests need beyond Python, as Debian packages: tesseract with its Chinese, English and
# orientation models; the CJK fonts the sample generator draws with (and fontconfig to find them);
# Chromium for the review page; LibreOffice for the official Word template's export.
APT_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng tesseract-ocr-osd \
	fontconfig fonts-wqy-zenhei fonts-wqy-microhei fonts-arphic-uming fonts-arphic-ukai \
	chromium libreoffice-writer-nogui
# What the benchmarks need beyond that: ocrmypdf makes scans searchable (bench/searchable.py) as
# scanner software does. No test and not the demo use it.
BENCH_APT_PACKAGES := ocrmypdf

$(BIN)/extractor: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/extractor

# Installs the missing system packages when it can (root, or sudo without a password); otherwise
# names them and the command that installs them, and the tests that need them skip or fail.
system:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q 'ok installed' || echo "$$p"; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then sudo=; \
	elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then sudo=sudo; \
	else echo "missing system packages:" $$missing "(apt-get install" $$missing")"; exit 0; fi; \
	echo "installing system packages:" $$missing; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null

demo: setup
	@mkdir -p demo-out
	@for f in $(SAMPLES); do \
		$(BIN)/extractor extract "$$f" -o "demo-out/$$(basename "$$f").json" || exit $$?; \
	done
	@$(BIN)/python -m samples.summary demo-out/*.json

test: setup system
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check extractor tests samples bench
	$(BIN)/mypy extractor

# Every benchmark script (a script is a file of bench/ with a main guard; the rest are its helpers).
BENCHES = $(shell grep -l '^if __name__ == "__main__"' bench/*.py)

bench: setup system
	@$(MAKE) --no-print-directory system APT_PACKAGES="$(BENCH_APT_PACKAGES)"
	@for f in $(BENCHES); do echo "== $$f"; $(BIN)/python "$$f" || exit $$?; done

samples: setup
	$(BIN)/python -m samples.generate
	$(BIN)/python -m samples.legacy
	$(BIN)/python -m samples.compilations

clean:
	rm -rf demo-out .pytest_cache .mypy_cache .ruff_cache
