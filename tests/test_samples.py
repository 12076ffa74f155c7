"""End to end on the bundled samples (made by samples/generate.py): every truth cell exact, none flagged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor import extract
from extractor.model import json_schema

from .conftest import SAMPLES
from .truth import differences, source_failures, truth_source_failures

jsonschema = pytest.importorskip("jsonschema")

# Every kind of input the samples come in: text PDFs, web pages, Word files.
SAMPLE_KINDS = {".pdf": "pdf-text", ".html": "html", ".docx": "docx"}
SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in SAMPLE_KINDS and Path(f"{p}.json").exists())


def test_there_are_samples() -> None:
    assert len([p for p in SAMPLE_FILES if p.suffix == ".pdf"]) >= 5
    assert {p.suffix for p in SAMPLE_FILES} == set(SAMPLE_KINDS)


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_sample_matches_truth(sample: Path) -> None:
    truth = json.loads(Path(f"{sample}.json").read_text(encoding="utf-8"))
    report = extract(sample)
    assert report.source.kind == SAMPLE_KINDS[sample.suffix]
    if sample.suffix != ".pdf":  # no geometry: page and bbox are null (the contract)
        tables = (report.proactive, report.requests, report.review_litigation)
        cells = [cell for table in tables for row in table.values() for cell in row.values()]
        assert cells and all(c.page is None and c.bbox is None for c in cells)
    assert differences(report, truth) == []
    assert source_failures(report) == truth_source_failures(truth)
    assert [c.id for c in report.checks if not c.passed and c.cause == "reading"] == []
    assert report.needs_review == []
    for key in ("title", "published"):
        if key in truth["report"]:
            assert getattr(report.report, key) == truth["report"][key]
    jsonschema.validate(json.loads(report.to_json()), json_schema())
