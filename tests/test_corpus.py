"""End to end on the shared corpus's text PDFs: every ground-truth cell exact, no correct cell flagged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor import extract
from extractor.model import json_schema

from .conftest import CORPUS
from .truth import differences, source_failures, truth_source_failures

jsonschema = pytest.importorskip("jsonschema")


def _text_pdfs() -> list[object]:
    docs = sorted(p for p in (CORPUS / "docs").glob("*.pdf") if (CORPUS / "gt" / f"{p.name}.json").exists())
    if not docs:
        return [
            pytest.param(None, marks=pytest.mark.skip(reason="the shared corpus is not beside this checkout"))
        ]
    return [pytest.param(p, id=p.name) for p in docs]


@pytest.mark.corpus
@pytest.mark.parametrize("doc", _text_pdfs())
def test_text_pdf_matches_ground_truth(doc: Path) -> None:
    truth = json.loads((CORPUS / "gt" / f"{doc.name}.json").read_text(encoding="utf-8"))
    report = extract(doc)
    assert differences(report, truth) == []
    assert report.source.kind == "pdf-text"
    # Relations the document itself breaks are reported as such, and only those.
    assert source_failures(report) == truth_source_failures(truth)
    assert all(c.cause != "reading" for c in report.checks)
    jsonschema.validate(json.loads(report.to_json()), json_schema())


@pytest.mark.corpus
def test_source_inconsistency_keeps_confidence(corpus: Path) -> None:
    """001 prints 行政复议 总计 0 beside 10 and 1: a source error, and the cells keep full confidence."""
    report = extract(corpus / "docs" / "001_hongzequ_2023.pdf")
    failed = {c.id: c for c in report.checks if not c.passed}
    assert failed["review_litigation.review"].cause == "source"
    assert failed["review_litigation.review"].expected == 11
    assert failed["review_litigation.review"].actual == 0
    for leaf in ("upheld", "corrected", "total"):
        assert report.review_litigation["review"][leaf].confidence == 1.0
    assert any("source inconsistency" in w for w in report.warnings)


@pytest.mark.corpus
def test_sections_and_furniture(corpus: Path) -> None:
    report = extract(corpus / "docs" / "003_huaianshi_2024.pdf")
    s = report.sections
    assert s.overview is not None and s.overview.heading == "一、总体情况"
    assert s.other is not None and "3940元" in s.other.text
    assert s.problems is not None and s.problems.pages == [5, 6]
    for section in (s.overview, s.problems, s.other):
        assert "- 2 -" not in section.text and "-5-" not in section.text
    # The request table breaks across pages 4–5 inside the label （四）无 / 法提供.
    cell = report.requests["unavailable_needs_creation"]["natural_person"]
    assert (cell.value, cell.page) == (11, 5)
    assert report.requests["unavailable_not_held"]["total"].page == 4
