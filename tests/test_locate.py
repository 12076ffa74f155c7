"""Section headings: spaces inside, half-width brackets, wrapped headings, variant wordings."""

from __future__ import annotations

from pathlib import Path

from extractor.document import Document, Line, Page
from extractor.locate.sections import line_width, locate_sections, section_text
from extractor.vocabulary import is_furniture

from .conftest import fixture


def _doc(pages: list[list[str]]) -> Document:
    return Document(
        path=Path("x.pdf"),
        kind="pdf-text",
        pages=[
            Page(number=n + 1, lines=[Line(text=t, page=n + 1, y=float(i)) for i, t in enumerate(lines)])
            for n, lines in enumerate(pages)
        ],
    )


def test_headings_with_variants() -> None:
    doc = _doc(fixture("headings_variants.json")["pages"])
    located = locate_sections(doc)
    assert list(located) == ["overview", "proactive", "requests", "review_litigation", "problems", "other"]
    assert located["overview"].heading == "一、总体情况"
    # Wrapped over two lines.
    assert located["requests"].heading == "三、收到和处理政府信息公开申请情况"
    assert located["review_litigation"].heading.startswith("四、因政府信息公开工作被申请行政复议")
    assert located["problems"].heading == "五、政府信息公开工作存在的主要问题及改进情况"
    assert located["other"].pages == [2]
    text = section_text(located["overview"].lines, line_width(doc))
    assert "- 1 -" not in text and text.startswith("本年度")


def test_a_table_row_is_not_a_heading() -> None:
    doc = _doc(
        [["一、总体情况", "正文。", "四、结转下年度继续办理 0 0 0", "四、政府信息公开行政复议、行政诉讼情况"]]
    )
    located = locate_sections(doc)
    assert located["review_litigation"].start == (1, 3.0)


def test_furniture() -> None:
    for text in ("- 3 -", "—12—", "第 3 页 共 6 页", "3/6", " 7 "):
        assert is_furniture(text)
    assert not is_furniture("2023年")


def test_renumbered_outline_keeps_every_section() -> None:
    """A narrative heading that reads like section 三 comes before the renumbered table sections:
    the in-order run with the most sections wins, not the first match."""
    doc = _doc(
        [
            [
                "一、总体情况",
                "全年收到申请34件。",
                "四、政府信息公开申请情况",
                "所有申请均已办理。",
                "一、主动公开政府信息情况",
                "第二十条第（五）项",
                "二、收到和处理政府信息公开申请情况",
                "申请人情况",
                "三、政府信息公开行政复议、行政诉讼情况",
                "行政复议行政诉讼",
                "五、其他需要报告的事项",
                "无。",
            ]
        ]
    )
    located = locate_sections(doc)
    assert [(k, s.heading) for k, s in located.items()] == [
        ("overview", "一、总体情况"),
        ("proactive", "一、主动公开政府信息情况"),
        ("requests", "二、收到和处理政府信息公开申请情况"),
        ("review_litigation", "三、政府信息公开行政复议、行政诉讼情况"),
        ("other", "五、其他需要报告的事项"),
    ]
