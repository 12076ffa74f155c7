"""Tables without ruling lines in text PDFs (extractor/ingest/unruled.py): random truths drawn with no
rules at all (samples/render_pdf.py, `Style.rules=False`), and the official Word template with its
borders removed, exported by LibreOffice. Every cell exact or flagged, none wrong and unflagged; the
ruled renderings of the same truths are untouched by the new reader."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from extractor import extract
from extractor.ingest.unruled import VLine, Word, _cells, read_lines
from extractor.model import Report
from samples.export import ToolMissingError, docx_to_pdf, find_soffice
from samples.fill_template import fill_template
from samples.render_pdf import make_style, render_pdf
from samples.truth import make_truth

from .conftest import CORPUS
from .truth import differences

TABLES = ("proactive", "requests", "review_litigation")
UNRULED = "tables without ruling lines"


def cells_of(report: Report, truth: dict[str, Any]) -> dict[str, list[str]]:
    """Every truth cell sorted: exact, flagged (right or wrong), wrong and unflagged, missing."""
    flagged = {i.path for i in report.needs_review}
    out: dict[str, list[str]] = {"exact": [], "flagged": [], "wrong": [], "missing": []}
    for table in TABLES:
        got = getattr(report, table)
        for row, cols in truth[table].items():
            for col, value in cols.items():
                path = f"{table}.{row}.{col}"
                cell = got.get(row, {}).get(col)
                if cell is None:
                    out["missing"].append(path)
                elif path in flagged:
                    out["flagged"].append(path)
                elif cell.value != value:
                    out["wrong"].append(f"{path}: got {cell.value!r}, truth {value!r}")
                else:
                    out["exact"].append(path)
    return out


CASES: list[tuple[int, str, dict[str, Any]]] = [
    (1, "2021", {}),
    (2, "2019", {"money_in_yuan": True, "plus_sign_changes": True}),
    (3, "hybrid", {"scale": "large"}),
    (4, "2021", {"blank_zero_rate": 0.3, "dash_zero_rate": 0.2}),
    (5, "2019", {"blank_zero_rate": 0.3, "scale": "small"}),
    (6, "2021", {"scale": "large", "source_failure": "request_total"}),
    (7, "hybrid", {"dash_zero_rate": 0.2, "source_failure": "review_total"}),
    (8, "2021", {"scale": "medium", "heading_variants": True}),
    (9, "2019", {"scale": "large", "dash_zero_rate": 0.2}),
    (10, "2021", {"blank_zero_rate": 0.3, "scale": "small"}),
]


@pytest.mark.parametrize(("seed", "template", "options"), CASES)
def test_unruled_pdf_every_cell_exact(
    tmp_path: Path, seed: int, template: str, options: dict[str, Any]
) -> None:
    truth = make_truth(seed, template, **options)  # type: ignore[arg-type]
    pdf = tmp_path / "report.pdf"
    render_pdf(truth, pdf, make_style(seed, rules=False))
    report = extract(pdf)
    got = cells_of(report, truth)
    assert got["wrong"] == [] and got["missing"] == [] and got["flagged"] == []
    assert any(UNRULED in w for w in report.warnings)
    assert report.report.template == truth["report"]["template"]


@pytest.mark.parametrize("seed", [1, 4, 6])
def test_ruled_pdf_is_not_read_as_unruled(tmp_path: Path, seed: int) -> None:
    truth = make_truth(seed, "2021")
    pdf = tmp_path / "report.pdf"
    render_pdf(truth, pdf, make_style(seed))
    report = extract(pdf)
    assert differences(report, truth) == []
    assert not any(UNRULED in w for w in report.warnings)


def _line(page: int, top: float, words: list[tuple[str, float]]) -> VLine:
    return VLine(page, [Word(t, x, x + 5.0 * len(t), top, top + 10.0, 10.0) for t, x in words])


def test_a_number_between_two_columns_is_flagged() -> None:
    columns = ([100.0, 140.0, 180.0], "left")
    warnings: list[str] = []
    sure = _cells(
        _line(1, 50, [("label", 10.0), ("3", 101.0), ("4", 139.0), ("5", 181.0)]),
        columns,
        60.0,
        "x",
        warnings,
    )
    assert [c.text for c in sure] == ["3", "4", "5"] and all(c.confidence == 1.0 for c in sure)
    doubt = _cells(_line(1, 70, [("7", 118.0)]), columns, 60.0, "x", warnings)
    assert doubt[0].text == "7" and doubt[0].confidence < 0.8 and doubt[0].notes
    both = _cells(_line(1, 90, [("1", 100.0), ("2", 108.0)]), columns, 60.0, "x", warnings)
    assert both[0].text == "1" and both[0].confidence < 0.8
    assert any("'2' not placed" in w for w in warnings)


def test_a_table_split_by_a_page_is_one_table_per_page() -> None:
    header = [
        _line(
            1,
            10,
            [("信息内容", 10.0), ("本年制发件数", 100.0), ("本年废止件数", 160.0), ("现行有效件数", 220.0)],
        )
    ]
    lines = [
        _line(1, 5, [("第二十条第（一）项", 60.0)]),
        *header,
        _line(1, 30, [("规章", 10.0), ("1", 115.0), ("2", 175.0), ("3", 235.0)]),
        _line(1, 800, [("-", 140.0), ("2", 145.0), ("-", 150.0)]),
        _line(2, 40, [("规范性文件", 10.0), ("4", 115.0), ("6", 235.0)]),
    ]
    reading = read_lines(lines)
    assert [t.page for t in reading.tables] == [1, 2]
    second = reading.tables[1]
    assert [c.text for c in second.row_cells(0)] == ["规范性文件", "4", "", "6"]
    assert second.row_y == [40.0]


# --- the official Word template, borders removed ------------------------------------------------

TEMPLATE = CORPUS / "templates" / "2021-official-template.docx"
OFFICIAL: dict[str, tuple[int, dict[str, Any]]] = {
    "seed1": (1, {}),
    "seed2-blank-and-dash-zeros": (2, {"blank_zero_rate": 0.3, "dash_zero_rate": 0.2}),
    "seed3-large-wrong-total": (3, {"scale": "large", "source_failure": "request_total"}),
}


@pytest.fixture(scope="module")
def official(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    if not TEMPLATE.is_file():
        pytest.skip(f"the official template is not beside this checkout ({TEMPLATE.name}): skipped")
    try:
        find_soffice()
    except ToolMissingError as exc:
        pytest.skip(f"LibreOffice (soffice / libreoffice) is not on PATH: {exc}")
    out = tmp_path_factory.mktemp("official-unruled")
    truths = {}
    for case, (seed, options) in OFFICIAL.items():
        truths[case] = make_truth(seed, "2021", file=f"{case}.pdf", **options)
        fill_template(TEMPLATE, truths[case], out / f"{case}.docx", borders=False)
    with ThreadPoolExecutor(max_workers=len(OFFICIAL)) as pool:
        pdfs = list(pool.map(lambda case: docx_to_pdf(out / f"{case}.docx", out), OFFICIAL))
    return {case: (pdf, truths[case]) for case, pdf in zip(OFFICIAL, pdfs, strict=True)}


@pytest.mark.corpus
@pytest.mark.parametrize("case", list(OFFICIAL))
def test_official_template_without_borders(
    official: dict[str, tuple[Path, dict[str, Any]]], case: str
) -> None:
    pdf, truth = official[case]
    report = extract(pdf)
    assert differences(report, truth) == []
    assert any(UNRULED in w for w in report.warnings)
