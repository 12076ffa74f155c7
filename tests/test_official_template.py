"""End to end on the official 2021 Word template, filled in and exported to PDF by LibreOffice.

The template (../shared/corpus/templates/2021-official-template.docx) is the one agencies type their
report into: merged cells (gridSpan / vMerge), full-width spaces in some empty cells, WPS styles.
For each case a ``samples.truth`` truth is typed into it (``samples.fill_template``), the file is
exported to PDF (``samples.export.docx_to_pdf``) and the extraction must match the truth exactly:
every cell, no correct cell flagged, the report's template, year and agency.

Skipped when the template is not beside the checkout or LibreOffice is not installed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from extractor import extract
from samples.export import ToolMissingError, docx_to_pdf, find_soffice
from samples.fill_template import fill_template
from samples.truth import make_truth

from .conftest import CORPUS
from .truth import differences, source_failures, truth_source_failures

TEMPLATE = CORPUS / "templates" / "2021-official-template.docx"

# case id -> (seed, make_truth options)
CASES: dict[str, tuple[int, dict[str, Any]]] = {
    "seed1": (1, {}),
    "seed2-blank-and-dash-zeros": (2, {"blank_zero_rate": 0.3, "dash_zero_rate": 0.2}),
    "seed3-large-variant-headings-wrong-total": (
        3,
        {"scale": "large", "heading_variants": True, "source_failure": "request_total"},
    ),
}


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Every case filled in and exported: case id -> (PDF, truth)."""
    if not TEMPLATE.is_file():
        pytest.skip(f"the official template is not beside this checkout ({TEMPLATE.name}): skipped")
    try:
        find_soffice()
    except ToolMissingError as exc:
        pytest.skip(f"LibreOffice (soffice / libreoffice) is not on PATH: {exc}")
    out = tmp_path_factory.mktemp("official-template")
    truths: dict[str, dict[str, Any]] = {}
    for case, (seed, options) in CASES.items():
        truths[case] = make_truth(seed, "2021", file=f"{case}.pdf", **options)
        fill_template(TEMPLATE, truths[case], out / f"{case}.docx")
    # One LibreOffice per file, with its own profile: run side by side.
    with ThreadPoolExecutor(max_workers=len(CASES)) as pool:
        pdfs = list(pool.map(lambda case: docx_to_pdf(out / f"{case}.docx", out), CASES))
    return {case: (pdf, truths[case]) for case, pdf in zip(CASES, pdfs, strict=True)}


@pytest.mark.corpus
@pytest.mark.parametrize("case", list(CASES))
def test_official_template_matches_truth(filled: dict[str, tuple[Path, dict[str, Any]]], case: str) -> None:
    pdf, truth = filled[case]
    report = extract(pdf)
    assert differences(report, truth) == []
    assert report.report.template == "2021"
    assert report.report.year == truth["report"]["year"]
    assert report.report.agency == truth["report"]["agency"]
    # The deliberately wrong total (if any) is the document's fault, and nothing is a reading error.
    assert source_failures(report) == truth_source_failures(truth)
    assert [c.id for c in report.checks if not c.passed and c.cause == "reading"] == []
