"""Markdown as PDF-to-Markdown converters mangle it (samples/render_text.py `converter`): header
fragments under repeated `## 表三…` headings, rows split over two Markdown rows, cells pulled out of
their rows as free lines, blank cells dropped (rows with fewer cells than columns), labels written
apart from their rows, section 二's sub-tables as free lines. Random truths rendered with each
artefact, and with all of them at once, are read back: every cell exact or flagged, never wrong and
unflagged; a cell that cannot be placed is flagged or absent with a warning; and, when the source
breaks none of its relations, a cell is flagged only where the artefact left no reader able to place
it (`bench/unruled_text.undecidable`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from extractor import extract
from extractor.document import CellKind, GluedRun
from extractor.ingest.text import read_text
from extractor.ingest.text_repair import AMBIGUOUS, holds, join, pair_in_gaps, place, template_verdict
from samples.render_text import ARTEFACTS, Written, converter
from samples.truth import make_truth

from .test_unruled import cells_of

SEEDS = [(1, "2021", {}), (2, "2019", {"blank_zero_rate": 0.3}), (3, "hybrid", {"dash_zero_rate": 0.2})]
SEEDS += [(4, "2021", {"scale": "large"}), (5, "2019", {"scale": "small", "dash_zero_rate": 0.2})]
SEEDS += [(6, "2021", {"blank_zero_rate": 0.3, "source_failure": "request_total"})]


def _read(
    tmp_path: Path,
    truth: dict[str, Any],
    seed: int,
    artefacts: tuple[str, ...],
    log: list[Written] | None = None,
) -> Any:
    path = tmp_path / "report.md"
    path.write_text(converter(truth, seed, artefacts, log), encoding="utf-8")
    report = extract(path)
    for key in ("agency", "year", "template"):
        assert getattr(report.report, key) == truth["report"][key]
    return report


@pytest.mark.parametrize(("seed", "template", "options"), SEEDS)
@pytest.mark.parametrize("artefact", ARTEFACTS)
def test_each_artefact_exact_or_flagged(
    tmp_path: Path, seed: int, template: str, options: dict[str, Any], artefact: str
) -> None:
    from bench.unruled_text import undecidable

    truth = make_truth(seed, template, **options)  # type: ignore[arg-type]
    log: list[Written] = []
    got = cells_of(_read(tmp_path, truth, seed, (artefact,), log), truth)
    assert got["wrong"] == [] and got["missing"] == []
    if not truth["source_failures"]:
        # Flagged only where the artefact left no reader able to place the cell (a blank dropped
        # beside a 0, a cell written apart beside a blank): none for the other artefacts.
        assert set(got["flagged"]) <= undecidable(log)
    else:
        # A row whose printed total is wrong has no relation left: its cells, and those the column
        # relations tie to it, are flagged where the artefact moved them.
        total = sum(len(v) for v in got.values())
        share = 0.5 if artefact == "short_rows" else 0.2
        assert len(got["flagged"]) <= share * total, got["flagged"]


@pytest.mark.parametrize(("seed", "template", "options"), SEEDS)
def test_all_artefacts_never_wrong_unflagged(
    tmp_path: Path, seed: int, template: str, options: dict[str, Any]
) -> None:
    from bench.unruled_text import undecidable

    truth = make_truth(seed, template, **options)  # type: ignore[arg-type]
    log: list[Written] = []
    report = _read(tmp_path, truth, seed, ARTEFACTS, log)
    got = cells_of(report, truth)
    assert got["wrong"] == []
    for path in got["missing"]:  # absent only with a warning that names the row
        row = path.split(".")[1]
        assert any(row in w or "not found" in w for w in report.warnings), path
    if not truth["source_failures"]:
        assert got["missing"] == [] and set(got["flagged"]) <= undecidable(log)
    assert len(got["exact"]) >= 0.4 * sum(len(v) for v in got.values())


COUNTS = [CellKind()] * 7
ROW_TOTAL = [((0, 1, 2, 3, 4, 5), 6)]


def test_a_pulled_total_is_put_back_by_the_relation() -> None:
    placed = place(["209", "16", "1", "1", "10", "0"], COUNTS, ROW_TOTAL, pulled=["237"])
    assert placed is not None
    cells, decided = placed
    assert [c.text for c in cells] == ["209", "16", "1", "1", "10", "0", "237"] and decided
    assert all(c.confidence == 1.0 for c in cells)


def test_a_row_with_a_dropped_blank_is_flagged_not_shifted() -> None:
    placed = place(["5", "3", "2", "0", "0", "10"], COUNTS, ROW_TOTAL)
    assert placed is not None
    cells, decided = placed
    assert not decided
    assert cells[6].text == "10" and cells[6].confidence == 1.0  # every placement agrees
    assert all(c.confidence < 0.8 for c in cells[:6])  # the blank could be any of them
    assert all(c.glued is not None for c in cells)  # the column relations may still decide


def test_section_two_short_row_is_flagged(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "二、主动公开政府信息情况",
            "第二十条第（一）项",
            "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
            "|---|---|---|---|",
            "| 规章 | 5 | 3 |",
            "| 行政规范性文件 | 1 | 2 | 30 |",
            "三、收到和处理政府信息公开申请情况",
        ]
    )
    path = tmp_path / "r.md"
    path.write_text("某某市人民政府2024年政府信息公开工作年度报告\n" + text, encoding="utf-8")
    doc = read_text(path)
    table = doc.tables()[0]
    row = next(r for r in range(table.n_rows) if table.row_cells(r)[0].text == "规章")
    values = table.row_cells(row)[1:]
    assert [c.text for c in values if c.text] == ["5", "3"]
    assert all(c.confidence < 0.8 for c in values)  # which column is blank cannot be known
    full = next(r for r in range(table.n_rows) if table.row_cells(r)[0].text == "行政规范性文件")
    assert all(c.confidence == 1.0 for c in table.row_cells(full)[1:])


def test_split_row_halves_join_only_when_the_relation_holds() -> None:
    assert join(["12", "4", ""], ["0", "0", "0", "16"], COUNTS, ROW_TOTAL)
    assert not join(["12", "4", ""], ["0", "0", "0", "17"], COUNTS, ROW_TOTAL)
    assert not join(["0", "0", "0"], ["0", "0", "0", "0"], COUNTS, ROW_TOTAL)  # zeros fit any relation
    assert holds(["1", "", "/", "0", "0", "0", "1"], COUNTS, ROW_TOTAL)
    assert not holds(["1", "", "/", "0", "0", "0", ""], COUNTS, ROW_TOTAL)


def test_detached_labels_pair_between_labelled_rows() -> None:
    named = [
        None,
        "二、上年结转政府信息公开申请数量",
        None,
        "（二）部分公开",
        "1.属于国家秘密",
        None,
        "3.危及“三安全一稳定”",
    ]
    leaves = ["一、本年新收政府信息公开申请数量", "（一）予以公开", "2.其他法律行政法规禁止公开"]
    assert pair_in_gaps(named, leaves) == [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "（一）予以公开",
        "（二）部分公开",
        "1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
        "3.危及“三安全一稳定”",
    ]
    # One label missing in a gap of two rows: neither row takes a label by order alone.
    assert pair_in_gaps([None, None, "1.属于国家秘密"], ["（一）予以公开"]) == [None, None, "1.属于国家秘密"]


REQUEST_HEADER = [
    "三、收到和处理政府信息公开申请情况",
    "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） |  |  | 申请人情况 "
    "|  |  |  |  |  |  |",
    "|---|---|---|---|---|---|---|---|---|---|",
    "|  |  |  | 自然人 | 法人或其他组织 |  |  |  |  | 总计 |",
    "|  |  |  |  | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |  |",
]


def _request_rows(tmp_path: Path, lines: list[str]) -> list[tuple[str, list[str], list[float]]]:
    """The request table read from Markdown: (label, cell texts, confidences) per data row."""
    path = tmp_path / "r.md"
    text = "\n".join(
        ["某某市人民政府2024年政府信息公开工作年度报告", *REQUEST_HEADER, *lines, "五、存在的主要问题"]
    )
    path.write_text(text, encoding="utf-8")
    table = read_text(path).tables()[0]
    out = []
    for r in range(1, table.n_rows):
        cells = table.row_cells(r)
        values = [c for c in cells if c.col >= 3]
        label = "".join(c.text for c in cells if c.col < 3)
        out.append((label, [c.text for c in values], [c.confidence for c in values]))
    return out


def test_detached_labels_holding_header_words_stay_labels(tmp_path: Path) -> None:
    # "2.其他法律行政…" and the wrapped tail "，不计其他情形）" hold 其他, a column's name: still labels.
    rows = _request_rows(
        tmp_path,
        [
            "（二）部分公开（区分",
            "处理的，只计这一情形",
            "，不计其他情形）",
            "（三）不予公开1.属于国",
            "家秘密",
            "2.其他法律行政",
            "法规禁止公开",
            "| 一、本年新收政府信息公开申请数量 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |",
            "| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
            "| （一）予以公开 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
            "| 2 | 0 | 0 | 0 | 0 | 0 | 2 |",
            "| 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
            "| 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
            "| 3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        ],
    )
    labels = [label for label, _, _ in rows]
    assert labels[3:6] == [
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
    ]


def test_rows_of_zeros_split_in_two_are_joined_by_the_template(tmp_path: Path) -> None:
    # Two Markdown rows of zeros and blanks: any relation holds for the joined row, so the relation
    # cannot tell a split row from a short row before another; the template can: no row lies
    # between 2.其他法律… and 3.危及… (one row), one lies between 1.属于国家秘密 and 3.… (two rows).
    lines = [
        "| 一、本年新收政府信息公开申请数量 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |",
        "| 2.其他法律行政法规禁止公开 | 0 |  | 0 |",
        "| 0 |  | 0 | 0 |",
        "| 3.危及“三安全一稳定” | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
    ]
    rows = _request_rows(tmp_path, lines)
    assert len(rows) == 3
    assert rows[1][1] == ["0", "", "0", "0", "", "0", "0"] and min(rows[1][2]) == 1.0
    lines[1] = "| 1.属于国家秘密 | 0 |  | 0 |"
    rows = _request_rows(tmp_path, lines)
    assert len(rows) == 4  # the unlabelled row is 2.其他法律…'s, its label lost
    assert rows[1][0] == "1.属于国家秘密" and rows[2][0] == ""
    assert len(rows[2][1]) == 7 and max(rows[1][2]) < 0.8 and max(rows[2][2]) < 0.8


def test_halves_that_break_the_row_relation_are_never_joined(tmp_path: Path) -> None:
    # A short row (blanks dropped) before the first half of the next row, whose label a converter
    # wrote apart: the count fits, the relation does not (11+1+0+0+12+1 ≠ 0).
    rows = _request_rows(
        tmp_path,
        [
            "| （一）予以公开 | 11 | 1 | 0 | 0 | 12 |",
            "| 1 | 0 |",
            "| 1.属于国家秘密 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        ],
    )
    assert [x for x in rows[0][1] if x] == ["11", "1", "0", "0", "12"] and max(rows[0][2]) < 0.8


def test_halves_with_dropped_blanks_are_joined_by_the_relation(tmp_path: Path) -> None:
    # 289 + 23 + 11 = 323 over two Markdown rows, two blank cells dropped: one row; where the
    # blanks fall the row's relation cannot say (flagged), the total is sure.
    rows = _request_rows(
        tmp_path,
        [
            "| 5.属于三类内部事务信息 | 289 | 23 |",
            "| 11 | — | 323 |",
            "| 6.属于四类过程性信息 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        ],
    )
    assert len(rows) == 2
    assert [x for x in rows[0][1] if x] == ["289", "23", "11", "—", "323"]
    assert rows[0][1][-1] == "323" and rows[0][2][-1] == 1.0
    assert max(rows[0][2][:5]) < 0.8  # until the column relations place them


def test_template_verdict_counts_the_rows_between() -> None:
    # The rows as joined: 部分公开 lies between 予以公开 and 1.属于国家秘密. A row left for it: the
    # join stands; none left: the joined half was that row.
    assert template_verdict(["（一）予以公开", None, "（三）不予公开1.属于国家秘密"], 0) == "join"
    assert template_verdict(["（一）予以公开", "（三）不予公开1.属于国家秘密"], 0) == "apart"
    assert template_verdict(["5.要求行政机关确认或重新出具已获取信息", "（七）总计"], 0) == "apart"
    # The shape of （六） decides how many rows lie between: three sub-rows, or one.
    confirm, misc, total = "5.要求行政机关确认或重新出具已获取信息", "3.其他", "（七）总计"
    assert template_verdict([confirm, None, None, misc, total], 0) == "join"  # 3.其他: three sub-rows
    assert template_verdict([confirm, None, None, None, misc, total], 0) is None
    assert template_verdict([confirm, None, total], 0) == "join"  # one row, or three: not two
    assert template_verdict([confirm, None, None, total], 0) == "apart"  # three rows, not two
    assert template_verdict(["（六）其他处理", total], 0) == "join"
    assert template_verdict(["（一）予以公开", "不在模板中的行", None], 0) is None


def test_readings_that_differ_only_in_how_nothing_was_printed_agree() -> None:
    # "1 / 1" in four columns, a blank dropped: "/" and the blank may trade places, the values
    # (nothing either way) do not change: that cell is sure; where the first 1 goes is not.
    placed = place(["1", "/", "1"], [CellKind()] * 4, [((0, 1, 2), 3)])
    assert placed is not None
    cells, _ = placed
    assert [c.confidence for c in cells] == [AMBIGUOUS, AMBIGUOUS, 1.0, 1.0]
    run = GluedRun(raw="1 / 1", kinds=(CellKind(),) * 4, splits=[("1", "/", "", "1"), ("1", "", "/", "1")])
    assert not any(run.differs(i) for i in range(4))


def _tables(tmp_path: Path, lines: list[str]) -> list[Any]:
    path = tmp_path / "t.md"
    path.write_text("\n".join(["某某市人民政府2024年政府信息公开工作年度报告", *lines]), encoding="utf-8")
    return read_text(path).tables()


def test_section_three_starts_at_a_wrapped_label_or_a_row_of_numbers(tmp_path: Path) -> None:
    # The header shredded past reading, the first rows' labels wrapped and written apart: the table
    # starts at the first label's first line, and the rows take their labels back.
    tables = _tables(
        tmp_path,
        [
            "三、收到和处理政府信息公开申请情况",
            "一、本年新收政府信息公开",
            "申请数量",
            "| 5 | 0 | 0 | 0 | 0 | 0 | 5 |",
            "| 二、上年结转政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
            "四、政府信息公开行政复议、行政诉讼情况",
        ],
    )
    rows = [[c.text for c in tables[0].row_cells(r)] for r in range(tables[0].n_rows)]
    assert ["一、本年新收政府信息公开申请数量", "5", "0", "0", "0", "0", "0", "5"] in rows
    # Without the label line, a row of numbers alone in section 三 starts the table all the same.
    tables = _tables(
        tmp_path,
        [
            "三、收到和处理政府信息公开申请情况",
            "| 5 | 0 | 0 | 0 | 0 | 0 | 5 |",
            "| 二、上年结转政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        ],
    )
    assert tables and [c.text for c in tables[0].row_cells(1)] == ["5", "0", "0", "0", "0", "0", "5"]


def test_section_four_row_split_in_two_is_one_row(tmp_path: Path) -> None:
    # Header fragments no reader can place, then the one row of section 四 over two Markdown rows
    # (its second half all zeros: the relations alone could not tell; the template has one row).
    tables = _tables(
        tmp_path,
        [
            "四、政府信息公开行政复议、行政诉讼情况",
            "行政复行政诉",
            "议讼",
            "| 1 | 0 | 0 | 0 | 1 | 0 |",
            "| 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
            "五、存在的主要问题及改进情况",
        ],
    )
    table = tables[0]
    cells = table.row_cells(table.n_rows - 1)
    assert [c.text for c in cells] == ["1", "0", "0", "0", "1", *["0"] * 10]
    assert all(c.confidence == 1.0 for c in cells)


def test_converter_headings_inside_a_table_are_no_labels(tmp_path: Path) -> None:
    # "## 表三：…" before a piece of the table, right after detached label lines: neither the end of
    # the table nor the tail of the label before it. A wrapped line cut short ("…办理结") still
    # starts the table.
    tables = _tables(
        tmp_path,
        [
            "三、收到和处理政府信息公开申请情况",
            "三、本年度办理结",
            "果（一）予以公开",
            "| 一、本年新收政府信息公开申请数量 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |",
            "二、上年结转政府信息",
            "公开申请数量",
            "## 表三：收到和处理政府信息公开申请情况",
            "| 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
            "| 4 | 0 | 0 | 0 | 0 | 0 | 4 |",
            "| （二）部分公开（区分处理的，只计这一情形，不计其他情形） | 2 | 0 | 0 | 0 | 0 | 0 | 2 |",
            "四、政府信息公开行政复议、行政诉讼情况",
        ],
    )
    table = tables[0]
    labels = ["".join(c.text for c in table.row_cells(r) if c.col < 3) for r in range(table.n_rows)]
    assert labels[-3:-1] == ["二、上年结转政府信息公开申请数量", "（一）予以公开"]  # in the template's order


def test_label_text_between_two_rows_makes_the_second_a_row_of_its_own(tmp_path: Path) -> None:
    # A short row, then a label written apart, then an unlabelled row: the row of that label, never
    # the rest of the short one (a split row's halves come one after the other).
    rows = _request_rows(
        tmp_path,
        [
            "| 8.属于行政查询事项 | 0 | 0 | — |",
            "（四）无法提供1.本机关不掌握相关政府信息",
            "| — | 0 | / |",
            "| 2.没有现成信息需要另行制作 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        ],
    )
    assert [label for label, _, _ in rows] == [
        "8.属于行政查询事项",
        "1.本机关不掌握相关政府信息",
        "2.没有现成信息需要另行制作",
    ]
    assert [x for x in rows[0][1] if x] == ["0", "0", "—"]


def test_a_half_that_may_start_the_next_row_is_flagged(tmp_path: Path) -> None:
    # "0 —" may end 1.属于国家秘密's row or start the unlabelled row after it: the rows count the
    # same both ways, and zeros fit any relation. Flagged, not joined silently.
    rows = _request_rows(
        tmp_path,
        [
            "| 1.属于国家秘密 | — | 0 | 0 | 0 | 0 |",
            "| 0 | — |",
            "| 0 | — | 0 |  | 0 |",
            "| 3.危及“三安全一稳定” | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        ],
    )
    assert rows[0][0] == "1.属于国家秘密" and max(rows[0][2]) < 0.8


def test_a_narrative_number_against_a_reading_chosen_by_the_relations_flags_it(tmp_path: Path) -> None:
    # Section 四 printed with its review total wrong (0 for 14 + 0 + 14) and blank cells dropped:
    # shifting the values two columns satisfies every block's relation ("_ _ 14 0 14 | 0 5 1 0 6 |
    # _ 0 3 0 3"). The narrative's 行政复议28件 says the reading is not sure: flagged, not decided.
    text = "\n".join(
        [
            "某某市人民政府2024年政府信息公开工作年度报告",
            "一、总体情况",
            "本年度，本机关被申请行政复议28件，被提起行政诉讼9件。",
            "四、政府信息公开行政复议、行政诉讼情况",
            "| 行政复议 |  |  |  |  | 行政诉讼 |  |  |  |  |  |  |  |  |  |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
            "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 |  |  |  |  | 复议后起诉 |"
            "  |  |  |  |",
            "|  |  |  |  |  | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正"
            " | 其他结果 | 尚未审结 | 总计 |",
            "| 14 | 0 | 14 | 0 | 5 | 1 | 0 | 6 | 0 | 3 | 0 | 3 |",
            "五、存在的主要问题及改进情况",
            "无。",
        ]
    )
    path = tmp_path / "r.md"
    path.write_text(text, encoding="utf-8")
    report = extract(path)
    flagged = {i.path for i in report.needs_review}
    assert report.review_litigation["review"]["total"].value == 14  # the relations' choice…
    assert "review_litigation.review.total" in flagged  # …which the narrative contradicts
    assert {f"review_litigation.litigation_direct.{c}" for c in ("upheld", "corrected")} <= flagged


def test_the_converter_logs_each_row_as_written() -> None:
    # What the bench needs to count the cells no reader can place: each row's printed cells, the
    # cells written (blanks dropped or not) and a cell written apart; all of them, in order.
    truth = make_truth(2, "2019", blank_zero_rate=0.3)
    log: list[Written] = []
    text = converter(truth, 2, ARTEFACTS, log)
    assert text == converter(truth, 2, ARTEFACTS)  # logging draws nothing at random
    for row in log:
        printed, kept = [t for t in row.printed if t], [t for t in row.kept if t]
        if row.apart is None:
            assert kept == printed
        else:  # the row's first or last cell
            assert printed in ([row.apart, *kept], [*kept, row.apart])
    assert {p for row in log for p in row.paths} >= {
        f"requests.{r}.{c}" for r, cols in truth["requests"].items() for c in cols
    }


def test_the_bench_counts_a_blank_beside_a_zero_as_undecidable() -> None:
    from bench.unruled_text import undecidable

    paths = [f"requests.granted.{c}" for c in ("a", "b", "c", "d", "e", "f", "total")]
    # "3 _ 0 0 0 0 3" written without its blank: it may stand in any of the zeros' columns.
    lost = undecidable([Written(paths, ["3", "", "0", "0", "0", "0", "3"], ["3", "0", "0", "0", "0", "3"])])
    assert lost == set(paths[1:6])
    # "3 _ 2 0 0 0 5": the blank beside a 2 alone; the numbers would change: the relations decide.
    assert not undecidable(
        [Written(paths, ["3", "", "2", "1", "1", "1", "8"], ["3", "2", "1", "1", "1", "8"])]
    )
