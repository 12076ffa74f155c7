"""Choosing among the splits of glued digits with the column relations and the narrative."""

from __future__ import annotations

from extractor.document import CellKind, GluedPart, Line, TableCell
from extractor.ingest.glued import split_run
from extractor.model import APPLICANTS, REVIEW_PARTS, Cell
from extractor.numbers import parse_cell
from extractor.validate.checks import Tables, run_checks
from extractor.validate.resolve import Fact, narrative_facts, resolve_glued

COLUMNS = (*APPLICANTS, "total")
REQUEST_ROW = [((0, 1, 2, 3, 4, 5), 6)]
REVIEW_ROW = [((0, 1, 2, 3), 4), ((5, 6, 7, 8), 9), ((10, 11, 12, 13), 14)]
BLOCKS = ("review", "litigation_direct", "litigation_after_review")


def _cell(text: str) -> Cell:
    return Cell(value=parse_cell(text).value, raw=text, confidence=1.0, page=None, bbox=None)


def _glued(
    tables: Tables,
    sources: dict[str, TableCell],
    table: str,
    paths: list[tuple[str, str]],
    raw: str,
    sums: list,
) -> None:
    """A glued run placed at `paths`: its table cells (first split) and the contract cells built from them."""
    run = split_run(raw, [CellKind()] * len(paths), sums)
    for i, (row, col) in enumerate(paths):
        cell = TableCell(0, i, run.splits[0][i], glued=GluedPart(run, i))
        sources[f"{table}.{row}.{col}"] = cell
        tables.setdefault(table, {}).setdefault(row, {})[col] = _cell(cell.text)


def _requests(rows: dict[str, list[int]]) -> Tables:
    return {
        "requests": {
            row: {c: _cell(str(v)) for c, v in zip(COLUMNS, vals, strict=True)} for row, vals in rows.items()
        }
    }


def _glued_rows(received: list[int], runs: dict[str, str]) -> tuple[Tables, dict[str, TableCell]]:
    """Requests received new (the total too, none carried) and the rows `runs` names glued."""
    tables = _requests(
        {"new_received": received, "carried_over": [0] * 7, "total": received, "carried_forward": [0] * 7}
    )
    sources: dict[str, TableCell] = {}
    for row, raw in runs.items():
        _glued(tables, sources, "requests", [(row, c) for c in COLUMNS], raw, REQUEST_ROW)
    return tables, sources


def test_column_relations_decide_between_the_splits_of_a_row() -> None:
    # "270020130" is 2,7,0,0,20,1,30 or 27,0,0,2,0,1,30: the columns' totals allow only the second.
    tables = _requests(
        {
            "new_received": [29, 0, 0, 2, 0, 1, 32],
            "carried_over": [0] * 7,
            "partially_granted": [2, 0, 0, 0, 0, 0, 2],
            "total": [29, 0, 0, 2, 0, 1, 32],
            "carried_forward": [0] * 7,
        }
    )
    sources: dict[str, TableCell] = {}
    _glued(tables, sources, "requests", [("granted", c) for c in COLUMNS], "270020130", REQUEST_ROW)
    assert resolve_glued(tables, sources, []) == []
    cells = [sources[f"requests.granted.{c}"] for c in COLUMNS]
    assert [c.text for c in cells] == ["27", "0", "0", "2", "0", "1", "30"]
    assert all(c.confidence == 1.0 for c in cells)
    assert "the only split that satisfies the row and column relations" in cells[0].notes[0]


def test_undecided_cells_are_flagged_with_the_alternatives_named() -> None:
    # No other row constrains the columns: both splits satisfy every relation.
    tables: Tables = {"requests": {}}
    sources: dict[str, TableCell] = {}
    _glued(tables, sources, "requests", [("granted", c) for c in COLUMNS], "270020130", REQUEST_ROW)
    warnings = resolve_glued(tables, sources, [])
    assert warnings == ["glued digits '270020130' split 2 ways; cells flagged"]
    natural = sources["requests.granted.natural_person"]
    assert natural.confidence < 0.8
    assert "also read as" in natural.notes[0]
    # The cells both splits agree on (科研机构 0, 其他 1, 总计 30) are sure.
    for col in ("research", "other_org", "total"):
        assert sources[f"requests.granted.{col}"].confidence == 1.0


def test_the_narrative_breaks_a_tie_the_relations_leave() -> None:
    # Both splits satisfy the three block sums; "行政复议11起" tells them apart.
    paths = [(b, p) for b in BLOCKS for p in (*REVIEW_PARTS, "total")]
    raw = "00011110020201012"
    assert len(split_run(raw, [CellKind()] * 15, REVIEW_ROW).splits) == 2
    tables: Tables = {}
    sources: dict[str, TableCell] = {}
    _glued(tables, sources, "review_litigation", paths, raw, REVIEW_ROW)
    facts = [Fact(("review_litigation.review.total",), 11, "行政复议11起")]
    assert resolve_glued(tables, sources, facts) == []
    review = [sources[f"review_litigation.review.{p}"].text for p in (*REVIEW_PARTS, "total")]
    assert review == ["0", "0", "0", "11", "11"]
    assert "the numbers the narrative states" in sources["review_litigation.review.total"].notes[0]
    # Without the fact the run stays open, its differing cells flagged.
    tables, sources = {}, {}
    _glued(tables, sources, "review_litigation", paths, raw, REVIEW_ROW)
    resolve_glued(tables, sources, [])
    assert sources["review_litigation.review.total"].confidence < 0.8


def test_section_two_runs_are_flagged_in_the_preferred_order() -> None:
    tables: Tables = {"proactive": {}}
    sources: dict[str, TableCell] = {}
    run = split_run("898989", [CellKind()] * 3)
    for i, col in enumerate(("new_made", "new_published", "total_published")):
        cell = TableCell(0, i, run.splits[0][i], glued=GluedPart(run, i))
        sources[f"proactive.normative_documents.{col}"] = cell
        tables["proactive"].setdefault("normative_documents", {})[col] = _cell(cell.text)
    resolve_glued(tables, sources, [])
    cells = [
        sources[f"proactive.normative_documents.{c}"]
        for c in ("new_made", "new_published", "total_published")
    ]
    # The even split comes first; nothing within a year decides, so every cell stays flagged.
    assert [c.text for c in cells] == ["89", "89", "89"]
    assert all(c.confidence < 0.8 and "also read as" in c.notes[0] for c in cells)


def test_narrative_facts() -> None:
    lines = [
        Line("本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。", 1, 1.0),
        Line("全年办理行政复议3起，行政诉讼12起。", 1, 2.0),
        Line("一、本年新收政府信息公开申请数量 640020470", 1, 3.0, in_table=True),
    ]
    facts = {f.paths: f.value for f in narrative_facts(lines)}
    assert facts[("requests.new_received.total",)] == 70
    assert facts[("requests.total.total",)] == 69
    assert facts[("requests.carried_forward.total",)] == 1
    assert facts[("review_litigation.review.total",)] == 3
    assert (
        facts[
            ("review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total")
        ]
        == 12
    )
    # Two different numbers for one fact: no fact.
    two = [Line("收到申请5件。", 1, 1.0), Line("收到申请6件。", 1, 2.0)]
    assert all(f.paths != ("requests.new_received.total",) for f in narrative_facts(two))


def _contract(tables: Tables, sources: dict[str, TableCell]) -> Tables:
    """The contract's cells rebuilt from the decided table cells, as the pipeline does."""
    out: Tables = {}
    for path, cell in sources.items():
        table, row, col = path.split(".")
        built = Cell(
            value=parse_cell(cell.text).value, raw=cell.text, confidence=cell.confidence, page=None, bbox=None
        )
        out.setdefault(table, {}).setdefault(row, {})[col] = built
    for table, rows in tables.items():
        for row, cols in rows.items():
            for col, cell in cols.items():
                out.setdefault(table, {}).setdefault(row, {}).setdefault(col, cell)
    return out


def _causes(tables: Tables) -> dict[str, str | None]:
    return {c.id: c.cause for _, c in run_checks(tables, 0.8) if not c.passed}


def test_a_row_printed_against_its_own_total_reads_as_printed() -> None:
    # The agency printed 171/10/0/1/8/0 beside a wrong 总计 109. The only split the row allows,
    # 17/11/0/0/1/80/109, is spurious: its columns fail. Read as printed, the row breaks only its
    # own relation and the total column, which hold none of its cells in doubt: the document's
    # inconsistency, reported as such, with no cell flagged.
    tables, sources = _glued_rows([171, 10, 0, 1, 8, 0, 190], {"granted": "171100180109"})
    assert sources["requests.granted.natural_person"].text == "17"  # the row's own split, first
    assert resolve_glued(tables, sources, []) == []
    cells = [sources[f"requests.granted.{c}"] for c in COLUMNS]
    assert [c.text for c in cells] == ["171", "10", "0", "1", "8", "0", "109"]
    assert all(c.confidence == 1.0 for c in cells)
    assert "breaks the row's own relation" in cells[0].notes[0]
    assert _causes(_contract(tables, sources)) == {
        "requests.outcomes.total": "source",
        "requests.row_total.granted": "source",
    }


def test_a_spurious_split_a_wrong_total_allows_stays_flagged() -> None:
    # The agency printed 7/0/0/0/1/0 beside a wrong 总计 17 ("70001017"). Read 7/0/0/0/10/(blank)/17
    # the row adds up and the 法律服务机构 column fails; read as printed the row fails: as many
    # relations fail either way, so the text cannot tell them apart. The cells the two readings
    # disagree on are flagged, the others (and the row decided by the columns) are not.
    tables, sources = _glued_rows(
        [24, 8, 0, 0, 2, 0, 34], {"granted": "70001017", "partially_granted": "178001026"}
    )
    resolve_glued(tables, sources, [])
    granted = {c: sources[f"requests.granted.{c}"] for c in COLUMNS}
    doubtful = {c for c, cell in granted.items() if cell.confidence < 0.8}
    assert doubtful == {"legal_service", "other_org"}
    # The spurious reading is shown first (it satisfies the row), the printed one named beside it.
    assert [granted[c].text for c in ("legal_service", "other_org")] == ["10", ""]
    assert "also read as 7/0/0/0/1/0/17" in granted["legal_service"].notes[0]
    partial = [sources[f"requests.partially_granted.{c}"] for c in COLUMNS]
    assert [c.text for c in partial] == ["17", "8", "0", "0", "1", "0", "26"]
    assert all(c.confidence == 1.0 for c in partial)


def test_a_broken_row_does_not_bend_the_others() -> None:
    # 予以公开 prints 24/9/1/0/1/0 beside a wrong 总计 53; the one split its row allows, 2/49/1/0/1/0/53,
    # is spurious. 部分公开 "225103031" reads 22/5/1/0/3/0/31 or otherwise. Searching only the splits
    # the rows allow bends 部分公开 to make up the columns around the spurious reading; with the
    # broken row read as printed, every column holds and each row has one reading.
    tables, sources = _glued_rows(
        [46, 14, 2, 0, 4, 0, 66], {"granted": "249101053", "partially_granted": "225103031"}
    )
    assert len(split_run("225103031", [CellKind()] * 7, REQUEST_ROW).splits) > 1
    resolve_glued(tables, sources, [])
    for row, want in (
        ("granted", ["24", "9", "1", "0", "1", "0", "53"]),
        ("partially_granted", ["22", "5", "1", "0", "3", "0", "31"]),
    ):
        cells = [sources[f"requests.{row}.{c}"] for c in COLUMNS]
        assert [c.text for c in cells] == want, row
        assert all(c.confidence == 1.0 for c in cells), row
    assert _causes(_contract(tables, sources)) == {
        "requests.outcomes.total": "source",
        "requests.row_total.granted": "source",
    }


def test_a_block_printed_with_a_wrong_total_flags_only_that_block() -> None:
    # Section 四: 行政复议 prints 总计 0 beside 158 and 11. Its four parts cannot be split from the
    # digits alone; the two other blocks, which add up, are decided.
    paths = [(b, p) for b in BLOCKS for p in (*REVIEW_PARTS, "total")]
    tables: Tables = {}
    sources: dict[str, TableCell] = {}
    _glued(tables, sources, "review_litigation", paths, "0015811048240072060612", REVIEW_ROW)
    resolve_glued(tables, sources, [])
    flagged = {p for p in sources if sources[p].confidence < 0.8}
    assert flagged and all(p.startswith("review_litigation.review.") for p in flagged)
    for block in BLOCKS[1:]:
        assert [sources[f"review_litigation.{block}.{p}"].text for p in (*REVIEW_PARTS, "total")] in (
            ["48", "24", "0", "0", "72"],
            ["0", "6", "0", "6", "12"],
        )
