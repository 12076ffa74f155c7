"""Cell boxes to a grid with spans: the merged header of table 三 as a table finder reports it."""

from __future__ import annotations

from extractor.grid import cluster, table_from_boxes

from .conftest import fixture


def test_cluster_merges_close_values() -> None:
    assert cluster([10.0, 10.8, 50.0, 49.5, 90.0], 2.0) == [10.4, 49.75, 90.0]


def test_spans_from_boxes() -> None:
    data = fixture("grid_merged_header.json")
    chars = [(t, x, y) for t, x, y in data["chars"]]
    table = table_from_boxes(
        [tuple(b) for b in data["boxes"]],
        chars,
        item_center=lambda ch: (ch[1], ch[2]),
        join=lambda cs: "".join(c[0] for c in cs),
        page=3,
    )
    assert table is not None
    assert (table.n_rows, table.n_cols) == (3, 4)
    corner = table.at(0, 0)
    assert corner is not None and (corner.rowspan, corner.colspan, corner.text) == (2, 2, "角")
    assert table.at(1, 1) is corner
    group = table.at(0, 2)
    assert group is not None and (group.colspan, group.text) == (2, "申请人情况")
    assert [c.text for c in table.row_cells(1)] == ["角", "自然人", "其他"]
    assert [c.text for c in table.row_cells(2)] == ["一", "二", "3", "4"]
    assert table.col_x is not None and table.col_at_x(table.col_x[2] + 1) == 2
