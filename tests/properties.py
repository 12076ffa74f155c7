"""Properties of the text, number and table stages, shared by the test suite (modest example counts,
tests/test_properties.py) and the long fuzz run (bench/fuzz.py).

Each `check_*` function takes one generated input and asserts its property: the extraction of a
generated report round-trips its truth, and for arbitrary or mutated inputs nothing escapes but the
project's own errors (`ExtractorError`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from extractor.document import Document
from extractor.errors import ExtractorError
from extractor.ingest.text import decode
from extractor.ingest.text_tables import read_units
from extractor.ingest.text_units import units
from extractor.model import Report
from extractor.numbers import header_money_unit, parse_cell
from extractor.pipeline import Settings, document_to_report
from extractor.text import label_key, ordinal, similarity, squash
from samples.render_text import STYLES
from samples.truth import make_truth

PATH = Path("fuzzed.txt")

# Characters reports are made of, so that generated text reaches past the first checks.
_ALPHABET = (
    "0123456789,.+-−－ 　\t\n|万元亿件个条次（）()：:/—–-"
    "一二三四五六七八九十本年新增申请人情况合计总计政府信息公开"
)
cell_text = st.one_of(st.text(), st.text(alphabet=_ALPHABET, max_size=24))
numbers = st.integers(min_value=-(10**12), max_value=10**12)


@st.composite
def printed_numbers(draw: st.DrawFn) -> tuple[str, int]:
    """A count as reports print it: plain, with thousands separators, with a unit, with spaces."""
    n = draw(st.integers(min_value=0, max_value=10**9))
    text = f"{n:,}" if draw(st.booleans()) else str(n)
    if draw(st.booleans()):
        text += draw(st.sampled_from(["件", "个", "条", "次"]))
    pad = draw(st.sampled_from(["", " ", "　", "\t"]))
    return pad + text + pad, n


truths = st.builds(
    make_truth,
    seed=st.integers(min_value=0, max_value=10**6),
    template=st.sampled_from(["2019", "2021", "hybrid"]),
    scale=st.sampled_from(["small", "medium", "large"]),
)


@st.composite
def mutated_reports(draw: st.DrawFn) -> str:
    """A rendered report with random damage: cuts, insertions, deleted, repeated or swapped lines."""
    truth = draw(
        st.builds(make_truth, seed=st.integers(0, 10**6), template=st.sampled_from(["2019", "2021"]))
    )
    text = STYLES[draw(st.sampled_from(sorted(STYLES)))](truth)
    for _ in range(draw(st.integers(1, 6))):
        lines = text.split("\n")
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        op = draw(st.sampled_from(["cut", "insert", "delete", "repeat", "swap", "truncate", "chars"]))
        if op == "cut":
            a = draw(st.integers(0, len(text)))
            text = text[:a] + text[a + draw(st.integers(0, 200)) :]
        elif op == "insert":
            a = draw(st.integers(0, len(text)))
            text = text[:a] + draw(cell_text) + text[a:]
        elif op == "delete":
            text = "\n".join(lines[:i] + lines[i + 1 :])
        elif op == "repeat":
            j = draw(st.integers(i, len(lines)))
            text = "\n".join(lines[:j] + lines[i:j] + lines[j:])
        elif op == "swap":
            j = draw(st.integers(0, max(len(lines) - 1, 0)))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        else:
            text = "\n".join([*lines[:i], draw(cell_text), *lines[i:]])
    return text


# --- the properties -------------------------------------------------------------------------------


def check_parse_cell(text: str, money: bool, signed: bool, unit: str) -> None:
    reading = parse_cell(text, money=money, signed=signed, unit=unit)
    assert reading.ok or reading.value is None
    if reading.value is not None:
        assert isinstance(reading.value, int | float)
    header_money_unit(text)
    squash(text), label_key(text), ordinal(text), similarity(text, unit)


def check_number_round_trip(printed: tuple[str, int]) -> None:
    text, n = printed
    reading = parse_cell(text)
    assert reading.ok and reading.value == n, (text, reading)


def check_signed_round_trip(n: int) -> None:
    text = f"+{n}" if n > 0 else str(n)
    assert parse_cell(text, signed=True).value == n
    money = parse_cell(f"{abs(n)}元", money=True).value
    assert money is not None and abs(money - abs(n) / 10000) <= 1e-9 * max(1.0, abs(n) / 10000)


def _report(text: str) -> Report | None:
    """The text stages end to end on `text`; None when the project's own error refuses it."""
    try:
        doc: Document = read_units(PATH, units(text))
        return document_to_report(doc, Settings(), sha256="")
    except ExtractorError:
        return None


def check_text_never_escapes(text: str) -> None:
    _report(text)


def check_bytes_never_escape(data: bytes) -> None:
    try:
        text = decode(data, PATH)
    except ExtractorError:
        return
    _report(text)


def check_truth_round_trips(truth: dict[str, Any]) -> None:
    """A generated report, printed as Markdown, reads back to its truth: every cell, exactly."""
    report = _report(STYLES["markdown"](truth))
    assert report is not None
    for key in ("agency", "year", "template"):
        assert getattr(report.report, key) == truth["report"][key]
    for table in ("proactive", "requests", "review_litigation"):
        got = getattr(report, table)
        for row, cols in truth[table].items():
            for col, value in cols.items():
                cell = got.get(row, {}).get(col)
                assert cell is not None and cell.value == value, f"{table}.{row}.{col}: {cell} != {value}"
