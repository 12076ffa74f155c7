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
