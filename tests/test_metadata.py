from __future__ import annotations

from pathlib import Path

import pytest

from extractor.document import Document, Line, Page
from extractor.locate.metadata import parse_date, read_metadata


def _doc(lines: list[str]) -> Document:
    return Document(
        path=Path("x.pdf"),
        kind="pdf-text",
        pages=[Page(1, lines=[Line(t, 1, float(i)) for i, t in enumerate(lines)])],
    )


@pytest.mark.parametrize(
    ("lines", "agency", "year"),
    [
        (["淮安市人民政府", "2024 年政府信息公开工作年度报告", "本报告由…"], "淮安市人民政府", 2024),
        (
            ["2022年江州市临江区政府信息公开工作年度报告", "本报告由江州市临江区人民政府办公室编制。"],
            "江州市临江区人民政府",
            2022,
        ),
        (["某某县交通运输局2021年度政府信息公开工作年度报告"], "某某县交通运输局", 2021),
        (["2020年大竹县商务局政府信息公开工作年度报告", "来源:县商务局"], "大竹县商务局", 2020),
    ],
)
def test_title_agency_year(lines: list[str], agency: str, year: int) -> None:
    meta = read_metadata(_doc(lines), None)
    assert (meta.agency, meta.year) == (agency, year)


def test_published_dates() -> None:
    assert parse_date("2024年1月20日") == "2024-01-20"
    assert parse_date("二〇二四年一月二十日") == "2024-01-20"
    assert parse_date("2024年13月1日") is None
    meta = read_metadata(
        _doc(["某区人民政府2023年政府信息公开工作年度报告", "正文", "某区人民政府", "2024年1月31日"]), None
    )
    assert meta.published == "2024-01-31"
    meta = read_metadata(
        _doc(["某区人民政府2023年政府信息公开工作年度报告", "发布时间：2024-01-19 来源：区政府办"]), None
    )
    assert meta.published == "2024-01-19"
    assert read_metadata(_doc(["某区人民政府2023年政府信息公开工作年度报告", "正文"]), None).published is None


def test_title_misread_in_one_character_is_caught_by_the_body() -> None:
    lines = [
        "洪译区人民政府",
        "2023年政府信息公开工作年度报告",
        "本报告由淮安市洪泽区人民政府办公室编制。",
        "洪泽区人民政府坚持…",
    ]
    meta = read_metadata(_doc(lines), None)
    assert meta.agency == "洪泽区人民政府"
    assert meta.title == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert meta.warnings and "洪译区" in meta.warnings[0]
    # A title the body never names again is kept as read.
    assert (
        read_metadata(_doc(["某某县商务局2020年政府信息公开工作年度报告", "我局认真贯彻…"]), None).warnings
        == []
    )


def test_one_reading_against_one_keeps_the_title() -> None:
    meta = read_metadata(_doc(["洪泽区人民政府2023年政府信息公开工作年度报告", "洪译区人民政府坚持…"]), None)
    assert meta.agency == "洪泽区人民政府"
    assert meta.warnings and "once" in meta.warnings[0]
