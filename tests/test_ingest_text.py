"""Plain text and Markdown: decoding, sniffing, headings cut out of flattened lines, tables rebuilt
from spaced, glued and shredded text (small fixtures in tests/fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor import extract
from extractor.errors import UnsupportedInputError
from extractor.ingest import sniff
from extractor.ingest.text import read_text
from extractor.ingest.text_tables import find_leaves, find_trigger, label_pieces, orphan_leaves, tokens
from extractor.ingest.text_units import split_headings, units

from .conftest import FIXTURES

SPACED = FIXTURES / "text_spaced_2019.txt"
GLUED = FIXTURES / "text_glued_2021.txt"
SHREDDED = FIXTURES / "text_shredded_2021.md"


def _values(table: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    return {row: {col: cell.value for col, cell in cols.items()} for row, cols in table.items()}  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------ reading and sniffing


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(SPACED.read_text(encoding="utf-8").encode(codec))
    assert sniff(path) == "text"
    doc = read_text(path)
    assert doc.kind == "text" and doc.n_pages is None
    assert doc.lines()[0].text == "2020年临江县文化局政府信息公开工作年度报告"
    assert len(doc.tables()) == 3


def test_sniffing(tmp_path: Path) -> None:
    md = tmp_path / "report.md"
    md.write_text("# 报告\n\n| a | 1 |\n", encoding="utf-8")
    assert sniff(md) == "text"
    page = tmp_path / "page.txt"
    page.write_text("<html><body><p>2020年报告</p></body></html>", encoding="utf-8")
    assert sniff(page) == "html"  # a web page saved as .txt goes to the HTML reader
    binary = tmp_path / "data.txt"
    binary.write_bytes(b"\x00\x01\x02binary\xff\xfe")
    with pytest.raises(UnsupportedInputError):
        sniff(binary)
    cut = tmp_path / "cut.docx"
    cut.write_text("not really a word file", encoding="utf-8")
    with pytest.raises(UnsupportedInputError, match="Word"):
        sniff(cut)  # the name's claim counts before plain text


# ------------------------------------------------------------------------------ lines and tokens


def test_headings_cut_out_of_flattened_lines() -> None:
    line = "联系。一、总体情况2019年，我区推进公开。二、主动公开政府信息情况 第二十条第（一）项"
    assert split_headings(line) == [
        ("联系。", False),
        ("一、总体情况", True),
        ("2019年，我区推进公开。", False),
        ("二、主动公开政府信息情况", True),
        ("第二十条第（一）项", False),
    ]
    # A table's last digits or a unit before a heading; a row label that is no heading.
    glued = "总计23四、结转下年度继续办理0000000四、政府信息公开行政复议、行政诉讼情况行政复议"
    assert [t for t, h in split_headings(glued) if h] == ["四、政府信息公开行政复议、行政诉讼情况"]
    assert [t for t, h in split_headings("采购总金额32.52元三、收到和处理政府信息公开申请情况（本列")] == [
        "采购总金额32.52元",
        "三、收到和处理政府信息公开申请情况",
        "（本列",
    ]
    assert [t for t, h in split_headings("表二：主动公开政府信息情况") if h] == []  # names a table


def test_tokens() -> None:
    # The digit before "." and a Han character is the next label's numbering.
    toks = tokens("8.属于行政查询事项00000002.其他法律")
    assert [(t.type, t.text) for t in toks] == [
        ("han", "8.属于行政查询事项"),
        ("values", "0000000"),
        ("han", "2.其他法律"),
    ]
    # A mark inside a header word is the word's; spaces inside a run are kept.
    toks = tokens("信息内容上一年项目数量本年增/减处理决定数量行政许可396 0181第二十条第（六）项")
    assert [t.type for t in toks] == ["han", "values", "caption"]
    assert toks[1].text == "396 0181"


def test_labels_and_triggers() -> None:
    assert label_pieces("三、本年度办理结果（四）无法提供1.本机关不掌握相关政府信息") == [
        "三、本年度办理结果",
        "（四）无法提供",
        "1.本机关不掌握相关政府信息",
    ]
    assert find_trigger("（本列数据的勾稽关系为：…）申请人情况") == (0, "requests")
    assert find_trigger("前文。行政复议行政诉讼结果维持") == (3, "review")
    assert find_trigger("第二十条第（一）项信息内容") == (0, "proactive")
    assert find_trigger("全年办理行政复议3起，行政诉讼2起。") is None


def test_header_leaves_lost_or_shredded() -> None:
    # A character lost from 自然人 (the vertical header cell came out as 然 / 人).
    found = find_leaves(
        "申请人情况然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他", "requests"
    )
    assert found["natural_person"] == "然人" and len(found) == 7
    # A converter cut the leaves column by column: their characters are still in order.
    shredded = "申请人情况自然人总计商业企科研机社会公法律服其他表三：业构益组织务机构"
    assert set(find_leaves(shredded, "requests")) == {
        "natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total",
    }  # fmt: skip
    # 其他 inside 法人或其他组织 is not the 其他 column.
    assert "other_org" not in find_leaves("自然人法人或其他组织总计", "requests")


def test_orphan_leaves() -> None:
    block = ["（三）不", "予公开", "5.属于三类内部事务信", "息", "1.本机关不掌握相关政", "府信息"]
    assert orphan_leaves(block) == ["5.属于三类内部事务信息", "1.本机关不掌握相关政府信息"]
    # （二） is a leaf of its own, not the group of the "2." after it.
    assert orphan_leaves(
        ["（二）部分公开（区分处理的，只", "计这一情形）", "2.其他法律行政法规禁止公开"]
    ) == [
        "（二）部分公开（区分处理的，只计这一情形）",
        "2.其他法律行政法规禁止公开",
    ]


# ------------------------------------------------------------------------------ tables


def test_spaced_text_tables() -> None:
    doc = read_text(SPACED)
    proactive, requests, review = doc.tables()
    assert all(c.bbox is None for t in doc.tables() for c in t.cells) and all(
        t.col_x is None for t in doc.tables()
    )
    header = [c.text for c in requests.row_cells(0) if c.col >= 3]
    assert header == ["然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    # "(三)不予" / "公开" / "1.属于国家秘密 0 …": the group label joined and set left of the leaf.
    row = next(
        r for r in range(requests.n_rows) if any(c.text == "1.属于国家秘密" for c in requests.row_cells(r))
    )
    assert [c.text for c in requests.row_cells(row)][:2] == ["(三)不予公开", "1.属于国家秘密"]
    assert review.n_rows == 3 and [c.text for c in review.row_cells(0)] == [
        "行政复议",
        "未经复议直接起诉",
        "复议后起诉",
    ]
    assert proactive.cells[0].text == "第二十条第(一)项"


def test_spaced_text_end_to_end() -> None:
    report = extract(SPACED)
    assert (report.report.agency, report.report.year, report.report.template) == (
        "临江县文化局",
        2020,
        "2019",
    )
    assert report.source.kind == "text" and report.source.pages is None
    p = _values(report.proactive)  # type: ignore[arg-type]
    assert p["licensing"] == {"previous": 12, "change": -3, "decisions": 40}
    assert p["coercion"] == {"previous": None, "change": None, "decisions": None}
    assert p["procurement"] == {"projects": 3, "amount": 25.1}
    assert report.proactive["procurement"]["amount"].raw == "251000元"
    r = _values(report.requests)  # type: ignore[arg-type]
    assert list(r["granted"].values()) == [2, 1, 0, 0, 0, 0, 3]
    assert "other" in r and "other_misc" not in r
    assert report.review_litigation["review"]["total"].value == 1
    assert report.needs_review == [] and all(c.passed for c in report.checks)
    cell = report.requests["total"]["total"]
    assert (cell.page, cell.bbox) == (None, None)


def test_glued_text_end_to_end() -> None:
    report = extract(GLUED)
    assert (report.report.agency, report.report.year, report.report.template) == ("临江区", 2023, "2021")
    r = _values(report.requests)  # type: ignore[arg-type]
    assert len(r) == 25
    # "4920 01052": the space the source kept is a boundary.
    assert list(r["new_received"].values()) == [49, 2, 0, 0, 1, 0, 52]
    # "220000022" and "111000012" split several ways; the column relations decide.
    assert list(r["granted"].values()) == [22, 0, 0, 0, 0, 0, 22]
    assert list(r["unavailable_not_held"].values()) == [11, 1, 0, 0, 0, 0, 12]
    assert "the only split that satisfies the row and column relations" in " ".join(
        report.requests["granted"]["natural_person"].reasons
    )
    # "00000002.其他…": the 2 is the next label's.
    assert list(r["denied_state_secret"].values()) == [0] * 7
    # Section 四: 17 digits, one split satisfies the three block sums.
    assert _values(report.review_litigation)["litigation_direct"] == dict(  # type: ignore[arg-type]
        upheld=10, corrected=0, other=0, pending=2, total=12
    )
    # Section 二: "124230" cannot be told from the text alone: flagged, never silently guessed.
    flagged = {item.path for item in report.needs_review}
    assert flagged == {f"proactive.normative_documents.{c}" for c in ("issued", "repealed", "in_force")}
    assert all("also read as" in i.reasons[-1] for i in report.needs_review)
    assert report.proactive["fees"]["amount"].value == 12.5
    assert all(c.passed for c in report.checks)
    assert report.sections.problems is not None and report.sections.problems.text.startswith("一是政策解读")


def test_shredded_markdown_end_to_end() -> None:
    report = extract(SHREDDED)
    assert (report.report.agency, report.report.year, report.report.template) == ("临江区科委", 2023, "2021")
    r = _values(report.requests)  # type: ignore[arg-type]
    # Rows whose labels the converter wrote apart take them back in order.
    assert list(r["partially_granted"].values()) == [1, 1, 0, 0, 0, 0, 2]
    assert list(r["unavailable_not_held"].values()) == [1, 0, 0, 0, 0, 0, 1]
    # The blank 总计 stays blank, and the relations it breaks are the source's.
    assert r["carried_forward"]["total"] is None and report.requests["carried_forward"]["total"].raw == ""
    failed = {c.id: c.cause for c in report.checks if not c.passed}
    assert failed == {"requests.balance.total": "source", "requests.row_total.carried_forward": "source"}
    assert report.needs_review == []
    assert any("do not fill a row" in w for w in report.warnings)  # the stray "2"
    assert _values(report.proactive)["normative_documents"] == {"issued": 3, "repealed": 1, "in_force": 20}  # type: ignore[arg-type]
    assert report.proactive["licensing"]["decisions"].value == 15


def test_units_of_markdown() -> None:
    us = units("## 表二：x\n| 规章 | 0 |\n|---|---|\n\n正文")
    assert [(u.kind, u.text) for u in us] == [
        ("text", "表二：x"),
        ("md", "规章 0"),
        ("blank", ""),
        ("text", "正文"),
    ]
