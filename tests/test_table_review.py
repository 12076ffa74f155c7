"""Section 四: the two-level header on one page, the values on the next; blanks stay null."""

from __future__ import annotations

from extractor.reconstruct.review import reconstruct_review

from .conftest import fixture, table_from_fixture


def test_header_then_values_on_the_next_page() -> None:
    tables = [
        table_from_fixture(p, page=n + 1)
        for n, p in enumerate(fixture("review_header_then_values.json")["parts"])
    ]
    result = reconstruct_review([(t, r) for t in tables for r in range(t.n_rows)])
    assert result is not None
    got = {b: {k: c.value for k, c in row.items()} for b, row in result.cells.items()}
    assert got == {
        "review": {"upheld": 5, "corrected": None, "other": None, "pending": 2, "total": 7},
        "litigation_direct": {"upheld": 8, "corrected": None, "other": None, "pending": 1, "total": 9},
        "litigation_after_review": {
            "upheld": None,
            "corrected": None,
            "other": None,
            "pending": None,
            "total": None,
        },
    }
    assert all(c.confidence == 1.0 for row in result.cells.values() for c in row.values())
    assert result.warnings == []
