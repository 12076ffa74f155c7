"""Section 二 reconstruction from physical tables (JSON fixtures)."""

from __future__ import annotations

from extractor.reconstruct.proactive import reconstruct_proactive

from .conftest import fixture, table_from_fixture


def _rows(name: str) -> list[tuple[object, int]]:
    tables = [table_from_fixture(p, page=n + 1) for n, p in enumerate(fixture(name)["parts"])]
    return [(t, r) for t in tables for r in range(t.n_rows)]


def test_2021_split_across_pages() -> None:
    result = reconstruct_proactive(_rows("proactive_2021_split.json"))  # type: ignore[arg-type]
    assert result is not None and result.template == "2021"
    cells = result.cells
    assert {k: {c: v.value for c, v in row.items()} for k, row in cells.items()} == {
        "regulations": {"issued": 2, "repealed": 0, "in_force": 14},
        "normative_documents": {"issued": 9, "repealed": None, "in_force": 70},
        "licensing": {"decisions": 1200345},
        "punishment": {"decisions": 3985},
        "coercion": {"decisions": None},
        "fees": {"amount": 96171.6},
    }
    assert cells["coercion"]["decisions"].raw == "/"
    assert cells["normative_documents"]["repealed"].raw == ""
    assert all(c.confidence == 1.0 for row in cells.values() for c in row.values())


def test_2019_signed_changes_and_money_in_yuan() -> None:
    result = reconstruct_proactive(_rows("proactive_2019.json"))  # type: ignore[arg-type]
    assert result is not None and result.template == "2019"
    cells = result.cells
    assert cells["regulations"]["total_published"].value == 3
    assert cells["licensing"]["change"].value == -2
    assert cells["other_services"]["change"].value == 3
    assert set(cells["fees"]) == {"previous", "change"}
    assert cells["procurement"]["amount"].value == 25.1
    assert cells["procurement"]["amount"].raw == "251000元"


def _relabelled(labels: dict[str, str]) -> list[tuple[object, int]]:
    """The 2021 fixture's rows with some row labels as OCR left them."""
    rows = _rows("proactive_2021_split.json")
    for table in {id(t): t for t, _ in rows}.values():
        for cell in table.cells:  # type: ignore[attr-defined]
            if cell.col == 0 and cell.text in labels:
                cell.text = labels[cell.text]
    return rows


def _values(result: object) -> dict[str, dict[str, object]]:
    return {k: {c: v.value for c, v in row.items()} for k, row in result.cells.items()}  # type: ignore[attr-defined]


def test_a_row_whose_label_ocr_could_not_read_is_placed_by_the_template_order_and_stays_flagged() -> None:
    for unread in ("", "38", "现"):
        result = reconstruct_proactive(_relabelled({"规章": unread}))  # type: ignore[arg-type]
        assert result is not None
        assert _values(result)["regulations"] == {"issued": 2, "repealed": 0, "in_force": 14}
        cell = result.cells["regulations"]["issued"]
        assert cell.confidence <= 0.3
        assert any("placed as regulations by the template's order" in r for r in cell.reasons)
        assert any("label not read" in w for w in result.warnings)
        assert result.cells["normative_documents"]["issued"].confidence == 1.0


def test_unread_labels_fill_the_template_rows_missing_between_their_neighbours() -> None:
    result = reconstruct_proactive(_relabelled({"规章": "", "规范性文件": "", "行政许可": ""}))  # type: ignore[arg-type]
    assert result is not None
    values = _values(result)
    assert values["regulations"] == {"issued": 2, "repealed": 0, "in_force": 14}
    assert values["normative_documents"] == {"issued": 9, "repealed": None, "in_force": 70}
    assert values["licensing"] == {"decisions": 1200345}  # other_services is not a 2021 row
    assert values["punishment"] == {"decisions": 3985}


def test_an_unread_label_with_no_single_place_is_left_out_with_a_warning() -> None:
    # The unread row stands before a row labelled 规章, the template's first: no row is left for it.
    result = reconstruct_proactive(_relabelled({"规章": "", "规范性文件": "规章"}))  # type: ignore[arg-type]
    assert result is not None
    assert _values(result)["regulations"] == {"issued": 9, "repealed": None, "in_force": 70}
    assert "normative_documents" not in result.cells
    assert any("was not placed: its label could not be read" in w for w in result.warnings)


def test_a_label_the_template_does_not_know_is_never_guessed() -> None:
    result = reconstruct_proactive(_relabelled({"规章": "地方性法规"}))  # type: ignore[arg-type]
    assert result is not None
    assert "regulations" not in result.cells
