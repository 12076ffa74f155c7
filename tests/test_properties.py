"""Property-based tests of the text, number and table stages (tests/properties.py); a modest number of
examples here, the long run is bench/fuzz.py."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import properties as p

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(p.cell_text, st.booleans(), st.booleans(), st.sampled_from(["万元", "元", "亿元", "件"]))
def test_parse_cell_never_escapes(text: str, money: bool, signed: bool, unit: str) -> None:
    p.check_parse_cell(text, money, signed, unit)


@FAST
@given(p.printed_numbers())
def test_printed_numbers_round_trip(printed: tuple[str, int]) -> None:
    p.check_number_round_trip(printed)


@FAST
@given(p.numbers)
def test_signed_numbers_round_trip(n: int) -> None:
    p.check_signed_round_trip(n)


@FAST
@given(st.text(alphabet=p._ALPHABET) | st.text())
def test_arbitrary_text_never_escapes(text: str) -> None:
    p.check_text_never_escapes(text)


@FAST
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_escape(data: bytes) -> None:
    p.check_bytes_never_escape(data)


@SLOW
@given(p.mutated_reports())
def test_mutated_reports_never_escape(text: str) -> None:
    p.check_text_never_escapes(text)


@SLOW
@given(p.truths)
def test_generated_reports_round_trip(truth: dict[str, Any]) -> None:
    p.check_truth_round_trips(truth)


def test_header_words_then_prose_end() -> None:
    """Found by bench/fuzz.py: section 四's header words run into prose; the text reader looped forever."""
    p.check_text_never_escapes(
        "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经多元化解读；健全依申请公开办理工作机制，"
        "加强法律审核；定期组织业务培训，不断提升政务公开工作队伍能力和水平。"
    )
