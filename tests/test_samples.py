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

SAMPLE_PDFS = sorted(p for p in SAMPLES.glob("*.pdf") if Path(f"{p}.json").exists())


def test_there_are_samples() -> None:
    assert len(SAMPLE_PDFS) >= 5


@pytest.mark.parametrize("pdf", SAMPLE_PDFS, ids=[p.name for p in SAMPLE_PDFS])
def test_sample_matches_truth(pdf: Path) -> None:
    truth = json.loads(Path(f"{pdf}.json").read_text(encoding="utf-8"))
    report = extract(pdf)
    assert differences(report, truth) == []
    assert source_failures(report) == truth_source_failures(truth)
    assert [c.id for c in report.checks if not c.passed and c.cause == "reading"] == []
    assert report.needs_review == []
    for key in ("title", "published"):
        if key in truth["report"]:
            assert getattr(report.report, key) == truth["report"][key]
    jsonschema.validate(json.loads(report.to_json()), json_schema())
