from __future__ import annotations

import pytest

from extractor.numbers import header_money_unit, parse_cell


@pytest.mark.parametrize(
    ("text", "kwargs", "value", "raw"),
    [
        ("3985758", {}, 3985758, "3985758"),
        (" 1 2 ", {}, 12, "12"),
        ("", {}, None, ""),
        ("/", {}, None, "/"),
        ("—", {}, None, "—"),
        ("无", {}, None, "无"),
        ("251000元", {"money": True}, 25.1, "251000元"),
        ("79万元", {"money": True}, 79, "79万元"),
        ("7730.28", {"money": True}, 7730.28, "7730.28"),
        ("96171.6", {"money": True, "unit": "万元"}, 96171.6, "96171.6"),
        ("5000", {"money": True, "unit": "元"}, 0.5, "5000"),
        ("-18538", {"signed": True}, -18538, "-18538"),
        ("+1036", {"signed": True}, 1036, "+1036"),
        ("1,234", {}, 1234, "1,234"),
        ("１２", {}, 12, "12"),
        ("12件", {}, 12, "12件"),
    ],
)
def test_parse_cell(text: str, kwargs: dict[str, object], value: object, raw: str) -> None:
    reading = parse_cell(text, **kwargs)  # type: ignore[arg-type]
    assert reading.ok
    assert reading.value == value and type(reading.value) is type(value)
    assert reading.raw == raw


@pytest.mark.parametrize(
    ("text", "kwargs"), [("1.5", {}), ("abc", {}), ("-3", {}), ("12米", {}), ("3美元", {"money": True})]
)
def test_parse_cell_refuses(text: str, kwargs: dict[str, object]) -> None:
    reading = parse_cell(text, **kwargs)  # type: ignore[arg-type]
    assert not reading.ok and reading.value is None and reading.note


def test_header_money_unit() -> None:
    assert header_money_unit("本年收费金额（单位：万元）") == "万元"
    assert header_money_unit("采购总金额（元）") == "元"
    assert header_money_unit("采购总金额") == "万元"
