"""Which glued cells a relation that still fails may have misread (validate/glued_doubt.py)."""

from __future__ import annotations

import pytest

from extractor.document import CellKind
from extractor.ingest.glued import split_run
from extractor.model import APPLICANTS
from extractor.validate import glued_doubt
from extractor.validate.glued_doubt import Glued, doubts

COLUMNS = (*APPLICANTS, "total")
ROW = [((0, 1, 2, 3, 4, 5), 6)]
# 一 and 总计 of section 三 printed as plain text; 予以公开 glued: "171100180109".
PLAIN = dict(zip(COLUMNS, (171, 10, 0, 1, 8, 0, 190), strict=True))


def _relations() -> list[tuple[str, dict[str, int]]]:
    rels = [
        (f"requests.outcomes.{c}", {f"requests.granted.{c}": 1, f"requests.total.{c}": -1}) for c in COLUMNS
    ]
    row = {f"requests.granted.{c}": 1 for c in APPLICANTS} | {"requests.granted.total": -1}
    return [*rels, ("requests.row_total.granted", row)]


def _case(chosen: tuple[str, ...]) -> tuple[list[Glued], dict[str, float]]:
    run = split_run("171100180109", [CellKind()] * 7, ROW)
    paths = {i: f"requests.granted.{c}" for i, c in enumerate(COLUMNS)}
    value = {f"requests.total.{c}": float(v) for c, v in PLAIN.items()}
    value |= {paths[i]: float(t or 0) for i, t in enumerate(chosen)}
    return [Glued(run, chosen, paths)], value


def test_a_spurious_split_is_in_doubt_where_the_printed_reading_differs() -> None:
    # The row's own split satisfies the row and breaks five columns; the digits as printed break
    # the row and satisfy those columns: a better reading, so the cells it changes are in doubt.
    # 科研机构 0 and 总计 109 read the same either way: not in doubt.
    runs, value = _case(("17", "11", "0", "0", "1", "80", "109"))
    found = doubts(runs, _relations(), value)
    assert set(found) == {0}
    doubt = found[0]
    assert doubt.cells == {0, 1, 3, 4, 5}
    assert ("171", "10", "0", "1", "8", "0", "109") in doubt.readings
    assert doubt.gain == 4  # five columns mended, the row's relation broken
    assert "requests.outcomes.natural_person" in doubt.failing


def test_cells_the_holding_relations_confirm_are_not_in_doubt() -> None:
    # Read as printed, the row and the total column fail (the agency's wrong 总计). Every other
    # reading of the digits changes a part, which its holding column confirms: nothing is in doubt,
    # and the failing relations are the document's own.
    runs, value = _case(("171", "10", "0", "1", "8", "0", "109"))
    assert glued_doubt.failing(_relations(), value) == {
        "requests.outcomes.total",
        "requests.row_total.granted",
    }
    assert doubts(runs, _relations(), value) == {}


def test_a_relation_that_holds_only_because_of_chosen_splits_confirms_nothing_alone() -> None:
    # A glued cell in no relation but the failing ones is not confirmed: both readings of 法律服务机构
    # and 其他 ("10" beside a blank, or "1" beside "0") fail as many relations.
    run = split_run("70001017", [CellKind()] * 7, ROW)
    chosen = ("7", "0", "0", "0", "10", "", "17")
    paths = {i: f"requests.granted.{c}" for i, c in enumerate(COLUMNS)}
    totals = dict(zip(COLUMNS, (7, 0, 0, 0, 1, 0, 8), strict=True))
    value = {f"requests.total.{c}": float(v) for c, v in totals.items()}
    value |= {paths[i]: float(t or 0) for i, t in enumerate(chosen)}
    found = doubts([Glued(run, chosen, paths)], _relations(), value)
    assert found[0].cells == {4, 5}
    assert ("7", "0", "0", "0", "1", "0", "17") in found[0].readings


def test_readings_too_many_to_weigh_leave_every_tied_cell_in_doubt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(glued_doubt, "STEPS", 3)
    runs, value = _case(("17", "11", "0", "0", "1", "80", "109"))
    doubt = doubts(runs, _relations(), value)[0]
    assert doubt.readings == []
    # Every cell a failing relation holds (科研机构's column holds: it is not tied).
    assert doubt.cells == {0, 1, 3, 4, 5, 6}


def test_a_blank_the_digits_do_not_need_is_an_assumption() -> None:
    # Section 四 printed 0/91/0/91/0 (行政复议's total 0, wrong), 0/51/51/0/102, 0/0/20/26/46. With a
    # blank cell (which leaves no trace) the digits also read 0/91/0/9/100, (blank)/51/51/0/102, …:
    # every block adds up. But the blank is an assumption, as good as the source's one broken block:
    # the cells the two readings disagree on are in doubt, though no relation fails.
    blocks = ("review", "litigation_direct", "litigation_after_review")
    parts = ("upheld", "corrected", "other", "pending", "total")
    paths = {
        i: f"review_litigation.{b}.{p}" for i, (b, p) in enumerate((b, p) for b in blocks for p in parts)
    }
    sums = [((0, 1, 2, 3), 4), ((5, 6, 7, 8), 9), ((10, 11, 12, 13), 14)]
    run = split_run("091091005151010200202646", [CellKind()] * 15, sums)
    chosen = ("0", "91", "0", "9", "100", "", "51", "51", "0", "102", "0", "0", "20", "26", "46")
    assert chosen in run.splits
    rels = [
        (f"review_litigation.{b}", {paths[5 * n + i]: 1 for i in range(4)} | {paths[5 * n + 4]: -1})
        for n, b in enumerate(blocks)
    ]
    value = {paths[i]: float(t or 0) for i, t in enumerate(chosen)}
    assert glued_doubt.failing(rels, value) == set()
    doubt = doubts([Glued(run, chosen, paths)], rels, value)[0]
    assert (
        "0",
        "91",
        "0",
        "91",
        "0",
        "0",
        "51",
        "51",
        "0",
        "102",
        "0",
        "0",
        "20",
        "26",
        "46",
    ) in doubt.readings
    assert {3, 4, 5} <= doubt.cells  # 尚未审结 and 总计 of 行政复议; the blank
    assert not doubt.cells & set(range(10, 15))  # 复议后起诉 reads the same either way
