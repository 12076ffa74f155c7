"""Section 三 reconstruction from physical tables (JSON fixtures), without any PDF."""

from __future__ import annotations

from extractor.reconstruct.requests import reconstruct_requests
from extractor.validate.checks import run_checks

from .conftest import fixture, table_from_fixture


def _rows(name: str) -> list[tuple[object, int]]:
    tables = [table_from_fixture(p, page=n + 1) for n, p in enumerate(fixture(name)["parts"])]
    return [(t, r) for t in tables for r in range(t.n_rows)]


def test_split_across_pages_with_typos_and_wrapped_labels() -> None:
    grid = reconstruct_requests(_rows("requests_2021_split_across_pages.json"))  # type: ignore[arg-type]
    assert grid is not None
    cells = grid.cells
    assert grid.variant == "split"
    assert len(cells) == 25 and all(len(row) == 7 for row in cells.values())
    # The label typo "2.其他法律行政止公开" still lands on its row.
    assert cells["denied_law_prohibited"]["natural_person"].value == 1
    # The group label broken across the page ("（四）无" / "法提供") does not shift the rows.
    assert cells["unavailable_needs_creation"]["total"].value == 2
    assert cells["other_overdue_correction"]["total"].value == 3
    assert cells["other_misc"]["total"].value == 1
    assert cells["carried_forward"]["natural_person"].value == 3
    assert all(c.confidence == 1.0 for row in cells.values() for c in row.values())
    assert any("stitched" in w for w in grid.warnings)
    checks = run_checks({"requests": cells}, 0.8)
    assert [c.id for _, c in checks if not c.passed] == []


def test_single_other_row_and_blank_cells() -> None:
    data = fixture("requests_2021_split_across_pages.json")
    part2 = data["parts"][1]
    # Make it the hybrid: one （六）其他处理 row spanning both label columns.
    other_rows = sorted(
        {c[0] for c in part2["cells"] if c[4].startswith(("1、申请人", "2、申请人", "3、其他"))}
    )
    keep = [c for c in part2["cells"] if c[0] not in other_rows[1:] and not c[4].startswith("（六）")]
    for c in keep:
        if c[0] == other_rows[0] and c[1] == 2:
            c[1], c[3], c[4] = 1, 2, "（六）其他处理"
        if c[0] == other_rows[0] and c[1] == 4:
            c[4] = ""  # a blank cell: null, never 0
    part2 = {**part2, "cells": keep}
    tables = [table_from_fixture(data["parts"][0], 1), table_from_fixture(part2, 2)]
    grid = reconstruct_requests([(t, r) for t in tables for r in range(t.n_rows)])
    assert grid is not None
    assert grid.variant == "single"
    assert "other" in grid.cells and "other_misc" not in grid.cells
    blank = grid.cells["other"]["commercial"]
    assert (blank.value, blank.raw) == (None, "")
    assert grid.cells["other"]["natural_person"].value == 3


def test_unreadable_label_is_placed_by_order_and_flagged() -> None:
    data = fixture("requests_2021_split_across_pages.json")
    for c in data["parts"][0]["cells"]:
        if c[4] == "4.保护第三方合法权益":
            c[4] = "##########"
    tables = [table_from_fixture(p, n + 1) for n, p in enumerate(data["parts"])]
    grid = reconstruct_requests([(t, r) for t in tables for r in range(t.n_rows)])
    assert grid is not None
    cell = grid.cells["denied_third_party"]["natural_person"]
    assert cell.value == 2
    assert cell.confidence < 0.8
    assert any("loosely" in r for r in cell.reasons)
    # Its neighbours are untouched.
    assert grid.cells["denied_internal_affairs"]["natural_person"].confidence == 1.0
