# Two commands do all the set-up: `make demo` (run the extractor on the bundled samples) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SAMPLES := $(wildcard samples/reports/*.pdf samples/reports/*.html samples/reports/*.docx)

.PHONY: setup demo test lint bench samples clean

$(BIN)/extractor: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/extractor

demo: setup
	@mkdir -p demo-out
	@for f in $(SAMPLES); do \
		$(BIN)/extractor extract "$$f" -o "demo-out/$$(basename "$$f").json" || exit $$?; \
	done
	@$(BIN)/python -m samples.summary demo-out/*.json

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check extractor tests samples bench
	$(BIN)/mypy extractor

bench: setup
	$(BIN)/python bench/text_pdf.py
	$(BIN)/python bench/html_docx.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/ray_batch.py

samples: setup
	$(BIN)/python -m samples.generate

clean:
	rm -rf demo-out .pytest_cache .mypy_cache .ruff_cache
