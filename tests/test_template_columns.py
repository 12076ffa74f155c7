"""Section 三's columns when the header cannot be read: template positions, confirmed by relations."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from extractor import extract
from extractor.reconstruct.requests import RequestGrid, reconstruct_requests
from extractor.reconstruct.rows import Part
from extractor.reconstruct.template_columns import UNCONFIRMED, fill_columns
from extractor.validate.checks import run_checks

from .conftest import fixture, table_from_fixture
from .test_scans import replay, score

HEADER_ROWS = 3  # rows 0-2 of the fixture's first part are the header
KEYS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total")


def _grid(data: dict[str, Any]) -> RequestGrid:
    tables = [table_from_fixture(p, n + 1) for n, p in enumerate(data["parts"])]
    grid = reconstruct_requests([(t, r) for t in tables for r in range(t.n_rows)])
    assert grid is not None
    return grid


def _smudged(data: dict[str, Any], words: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The fixture with header cells read as nothing (all of them, or those holding `words`)."""
    data = copy.deepcopy(data)
    for c in data["parts"][0]["cells"]:
        if c[0] < HEADER_ROWS and (words is None or any(w in c[4] for w in words)):
            c[4] = ""
    return data


def _values(grid: RequestGrid) -> dict[str, dict[str, Any]]:
    return {row: {col: cell.value for col, cell in cols.items()} for row, cols in grid.cells.items()}


def test_a_lost_total_header_is_placed_and_confirmed() -> None:
    data = fixture("requests_2021_split_across_pages.json")
    clean = _grid(data)
    grid = _grid(_smudged(data, ("总计",)))
    assert _values(grid) == _values(clean)
    assert all(set(row) == set(KEYS) for row in grid.cells.values())
    # Every row adds up, so no cell of the placed column is in doubt.
    totals = [row["total"] for row in grid.cells.values()]
    assert all(c.confidence == 1.0 for c in totals)
    assert all(any("placed by the template" in r for r in c.reasons) for c in totals)
    assert any("total placed at the template's positions" in w for w in grid.warnings)
    assert not any("columns not found" in w for w in grid.warnings)
    assert [c.id for _, c in run_checks({"requests": grid.cells}, 0.8) if not c.passed] == []


def test_a_header_read_as_nothing_gives_every_column_from_the_template() -> None:
    data = fixture("requests_2021_split_across_pages.json")
    clean = _grid(data)
    grid = _grid(_smudged(data))
    assert _values(grid) == _values(clean)
    # The continuation on the next page inherits the placed columns.
    assert grid.cells["carried_forward"]["natural_person"].value == 3
    assert all(c.confidence == 1.0 for row in grid.cells.values() for c in row.values())


def test_a_placed_cell_no_relation_confirms_is_flagged() -> None:
    data = _smudged(fixture("requests_2021_split_across_pages.json"), ("总计",))
    for c in data["parts"][0]["cells"]:
        if c[0] == 5 and c[1] == 9:  # （一）予以公开's 总计, 22 in the source
            c[4] = "27"
    grid = _grid(data)
    wrong = grid.cells["granted"]["total"]
    assert wrong.value == 27 and wrong.confidence <= UNCONFIRMED
    assert any("no relation confirms" in r for r in wrong.reasons)
    # The other cells of the placed column still add up along their rows.
    others = [row["total"] for key, row in grid.cells.items() if key != "granted"]
    assert all(c.confidence == 1.0 for c in others)
    # Cells of columns the header named are not touched by the placement.
    assert grid.cells["granted"]["natural_person"].confidence == 1.0
    assert any("not confirmed by any relation" in w for w in grid.warnings)


def test_no_placement_when_the_values_do_not_fit_the_template() -> None:
    data = fixture("requests_2021_split_across_pages.json")
    table = table_from_fixture(data["parts"][0], 1)
    part = Part(table, list(range(table.n_rows)))
    # Six value positions (the 总计 column dropped): nothing is placed.
    six = copy.deepcopy(data["parts"][0])
    six["cells"] = [c for c in six["cells"] if c[1] != 9]
    short = table_from_fixture(six, 1)
    assert fill_columns(Part(short, list(range(short.n_rows))), {"natural_person": [3]}) is None
    # A header that names a column away from its template place: no guessing.
    assert fill_columns(part, {"total": [3]}) is None
    # Named where the template has it: the others are placed.
    placed = fill_columns(part, {"natural_person": [3]})
    assert placed is not None
    assert placed.columns["total"] == [9] and placed.columns["commercial"] == [4]
    assert "natural_person" not in placed.keys


# --- the corpus's reports, printed and scanned with the request header smudged ----------------------

CORPUS_SMUDGED = {"001_hongzequ_2023.pdf": 0.985, "003_huaianshi_2024.pdf": 0.995}  # report → share exact


def _smudged_scan(source: Path, out: Path) -> None:
    """`source` (a text PDF) printed and scanned at 200 dpi with its request header smudged."""
    import numpy as np
    import pypdfium2 as pdfium

    from samples.scan import _image_page, header_boxes, jpeg, smudge

    src, pdf = pdfium.PdfDocument(str(source)), pdfium.PdfDocument.new()
    try:
        for i in range(len(src)):
            image = np.array(src[i].render(scale=200 / 72, grayscale=True).to_numpy(), dtype=np.uint8)
            image = image[:, :, 0] if image.ndim == 3 else image
            boxes = header_boxes(source, i)
            _image_page(pdf, jpeg(smudge(image, boxes, 200) if boxes else image, 60), src[i].get_size(), i)
        pdf.save(str(out))
    finally:
        src.close()
        pdf.close()


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(CORPUS_SMUDGED))
def test_corpus_report_with_a_smudged_request_header(corpus: Path, tmp_path: Path, name: str) -> None:
    """Real reports (never seen as samples) whose request header OCR cannot read: every column is
    placed by the template, no cell is wrong and unflagged; the few flagged are digit misreads."""
    path = tmp_path / name.replace(".pdf", "_smudged_header.pdf")
    _smudged_scan(corpus / "docs" / name, path)
    report = extract(path, replay(path.name))
    truth = json.loads((corpus / "gt" / f"{name}.json").read_text("utf-8"))
    n, wrong_flagged, wrong_unflagged = score(report, truth)
    assert wrong_unflagged == [] and n - len(wrong_flagged) >= CORPUS_SMUDGED[name] * n, wrong_flagged
    assert all(len(row) == 7 for row in report.requests.values())
    assert any("the header named no column" in w for w in report.warnings)
