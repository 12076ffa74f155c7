"""Glued digits split back into cells: by well-formedness and the row's own relations."""

from __future__ import annotations

from extractor.document import CellKind
from extractor.ingest.glued import MAX_SPLITS, readings, split_run, well_formed

COUNT = CellKind()
SIGNED = CellKind(signed=True)
MONEY = CellKind(money=True)
# Section 三: 总计 (cell 6) is the sum of the six applicant columns.
REQUEST_ROW = [((0, 1, 2, 3, 4, 5), 6)]
# Section 四: each block of five sums its first four into its 总计.
REVIEW_ROW = [((0, 1, 2, 3), 4), ((5, 6, 7, 8), 9), ((10, 11, 12, 13), 14)]


def _splits(
    raw: str, kinds: list[CellKind], sums: list[tuple[tuple[int, ...], int]]
) -> list[tuple[int | None, ...]]:
    """The splits as numbers, None for a blank cell."""
    return [tuple(int(x) if x else None for x in s) for s in split_run(raw, kinds, sums).splits]


def test_unique_row_splits() -> None:
    assert _splits("21710000218", [COUNT] * 7, REQUEST_ROW) == [(217, 1, 0, 0, 0, 0, 218)]
    assert _splits("15130000154", [COUNT] * 7, REQUEST_ROW) == [(151, 3, 0, 0, 0, 0, 154)]


def test_spaces_the_source_kept_are_boundaries() -> None:
    assert _splits("200 000121", [COUNT] * 7, REQUEST_ROW) == [(20, 0, 0, 0, 0, 1, 21)]
    assert _splits("23 0 00 0 023", [COUNT] * 7, REQUEST_ROW) == [(23, 0, 0, 0, 0, 0, 23)]
    assert _splits("500000 5", [COUNT] * 7, REQUEST_ROW) == [(5, 0, 0, 0, 0, 0, 5)]


def test_ambiguous_rows_keep_every_split_the_row_allows() -> None:
    run = split_run("270020130", [COUNT] * 7, REQUEST_ROW)
    assert run.ambiguous and run.fits_row and run.checked
    assert [tuple(map(int, s)) for s in run.splits] == [(2, 7, 0, 0, 20, 1, 30), (27, 0, 0, 2, 0, 1, 30)]
    # The cells all splits agree on are sure; the others are not.
    assert [run.differs(i) for i in range(7)] == [True, True, False, True, True, False, False]
    assert _splits("220000022", [COUNT] * 7, REQUEST_ROW) == [
        (2, 20, 0, 0, 0, 0, 22),
        (22, 0, 0, 0, 0, 0, 22),
    ]


def test_no_leading_zeros() -> None:
    assert _splits("000", [COUNT] * 3, []) == [(0, 0, 0)]
    assert _splits("0000000", [COUNT] * 7, REQUEST_ROW) == [(0,) * 7]
    assert split_run("01", [COUNT], []).splits == []


def test_review_digit_runs_split_by_the_block_sums() -> None:
    # 15 digits for 15 cells: one digit each.
    assert _splits("110024001510102", [COUNT] * 15, REVIEW_ROW) == [
        (1, 1, 0, 0, 2, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2)
    ]
    # 17 digits: exactly one split satisfies the three block sums.
    assert _splits("10203120001200000", [COUNT] * 15, REVIEW_ROW) == [
        (1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0)
    ]
    assert _splits("25380363300630003", [COUNT] * 15, REVIEW_ROW) == [
        (25, 3, 8, 0, 36, 3, 3, 0, 0, 6, 3, 0, 0, 0, 3)
    ]


def test_negative_change_glued_to_its_neighbours() -> None:
    run = split_run("2648-18538", [COUNT, SIGNED, COUNT])
    # The dash is the change's sign, never a cell of its own; every place it may end is kept.
    assert run.splits == [
        ("2648", "-1", "8538"),
        ("2648", "-18", "538"),
        ("2648", "-185", "38"),
        ("2648", "-1853", "8"),
        ("2648", "-18538", ""),  # or the last cell blank
    ]
    # A count column takes no sign.
    assert split_run("2648-18538", [COUNT] * 3).splits == []


def test_money_keeps_its_unit_and_decimals() -> None:
    run = split_run("13575394432.52元", [COUNT, MONEY])
    assert ("135", "75394432.52元") in run.splits
    assert all(s[1].endswith("元") for s in run.splits)
    assert split_run("24252.311082", [MONEY]).splits == [("24252.311082",)]
    assert split_run("1.5", [COUNT]).splits == []  # a count has no decimals


def test_a_row_that_breaks_its_relation_keeps_its_well_formed_splits_flagged() -> None:
    run = split_run("1000002", [COUNT] * 7, REQUEST_ROW)
    assert not run.fits_row
    assert run.splits == [("1", "0", "0", "0", "0", "0", "2")]


def test_too_few_digits_cannot_fill_a_row() -> None:
    assert split_run("1", [COUNT] * 7, REQUEST_ROW).splits == []
    assert split_run("1 2", [COUNT], []).splits == []  # more separated cells than columns


def test_a_25_row_table_stays_within_the_search_bounds() -> None:
    # Speed is measured in bench/ (timings in tests fail on a busy machine); here, every row of a
    # 25-row table stays inside the search bounds: a row too long to search is cut off and marked.
    rows = ["30015300614311930015", "2200003252", "15130000154", "14710000148", *["0000000"] * 21]
    runs = [split_run(raw, [COUNT] * 7, REQUEST_ROW) for raw in rows]
    assert all(0 < len(run.splits) <= MAX_SPLITS for run in runs)
    assert [run.truncated for run in runs[:4]] == [True, False, False, False]
    assert all(run.splits == [("0",) * 7] for run in runs[4:])


def test_well_formed() -> None:
    assert well_formed("79万元") and well_formed("0") and well_formed("-3") and well_formed("/")
    assert well_formed("1,234", COUNT)
    assert not well_formed("03", COUNT) and not well_formed("-3", COUNT) and not well_formed("规章")


def test_marks_glued_between_numbers() -> None:
    # "/" and "—" are cells of their own (counting as nothing in the row's sum).
    assert split_run("12—0/0—12", [COUNT] * 7, REQUEST_ROW).splits == [("12", "—", "0", "/", "0", "—", "12")]


def test_one_broken_block_leaves_the_others_decided() -> None:
    # Block 行政复议 prints a wrong total (0 beside 158 and 11): no split satisfies all three sums;
    # the splits that satisfy the other two agree on those blocks.
    run = split_run("0015811048240072060612", [COUNT] * 15, REVIEW_ROW)
    assert not run.fits_row and not run.truncated
    assert {s[5:] for s in run.splits} == {("48", "24", "0", "0", "72", "0", "6", "0", "6", "12")}
    assert ("0", "0", "158", "11", "0") in {s[:5] for s in run.splits}


def test_big_counts_split_within_the_search_bounds() -> None:
    # Large counts multiply the ways to cut a run; the row's relations must keep the search inside
    # its bounds (a run past them is flagged, not searched), whatever the machine's speed.
    run = split_run("226011784167178973025703", [COUNT] * 7, REQUEST_ROW)
    assert not run.truncated and len(run.splits) < 50
    assert ("22601", "1784", "167", "178", "973", "0", "25703") in run.splits


def test_a_blank_cell_leaves_no_trace() -> None:
    # The readings with one blank cell are as good as the others; the column relations choose.
    splits = _splits("640020470", [COUNT] * 7, REQUEST_ROW)
    assert splits[0] == (64, 0, 0, 2, 0, 4, 70)
    assert (None, 6, 40, 0, 20, 4, 70) in splits
    # A row with a blank cell is read back (the blank may be any of its zero columns).
    assert (12, None, 0, 0, 0, 0, 12) in _splits("12000012", [COUNT] * 7, REQUEST_ROW)
    # Section 二 has no relation: "122" for three columns may hide blanks, "000" may not.
    assert len(split_run("122", [COUNT] * 3).splits) > 1
    assert split_run("000", [COUNT] * 3).splits == [("0", "0", "0")]


def test_a_blank_total_beside_zero_parts() -> None:
    # A blank counts as 0 in the relations: a row of zeros with a blank total adds up, and the text
    # cannot tell which of its cells the source left blank.
    splits = _splits("000000", [COUNT] * 7, REQUEST_ROW)
    assert (0, 0, 0, 0, 0, 0, None) in splits and (None, 0, 0, 0, 0, 0, 0) in splits
    # Beside a part that is not 0, a blank total breaks the row: not a reading.
    assert all(s[6] is not None for s in _splits("12000012", [COUNT] * 7, REQUEST_ROW))


def test_a_marked_total_beside_zero_parts_satisfies_the_row() -> None:
    run = split_run("—00/00—", [COUNT] * 7, REQUEST_ROW)
    assert run.fits_row
    assert ("—", "0", "0", "/", "0", "0", "—") in run.splits


def test_marks_and_a_blank_in_one_row() -> None:
    # "0 | 0 | — | —— | (blank) | 0 | 0" printed "00——— 00": the marks count as nothing, and the
    # reading with the blank is found (it was missed when a mark took two characters).
    run = split_run("00——— 00", [COUNT] * 7, REQUEST_ROW)
    assert run.fits_row
    assert ("0", "0", "—", "——", "", "0", "0") in run.splits


def test_readings_that_break_the_row() -> None:
    # "171100180109": the agency printed 171/10/0/1/8/0 beside a wrong total 109. The row's relation
    # allows only spurious splits; `readings` lists the printed one, at the cost of the row's
    # relation, when the cells fit what the columns allow.
    row = (((0, 1), (1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, -1)), 1)
    exact = {i: (v, v, 1) for i, v in enumerate((171, 10, 0, 1, 8, 0))}
    found, cut = readings("171100180109", [COUNT] * 7, exact, [row], budget=1, blanks=0)
    assert not cut and found == [("171", "10", "0", "1", "8", "0", "109")]
    # With nothing to spend, only the splits the row allows.
    found, _ = readings("171100180109", [COUNT] * 7, {}, [row], budget=0, blanks=0)
    assert all(sum(int(x) for x in s[:6]) == int(s[6]) for s in found)
    assert ("17", "11", "0", "0", "1", "80", "109") in found
    # A blank cell counts as 0 and may be any cell, the total too.
    found, _ = readings("000000", [COUNT] * 7, {}, [row], budget=0, blanks=1)
    assert ("0", "0", "0", "0", "0", "0", "") in found and len(found) == 7
