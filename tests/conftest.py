"""Shared fixtures: the shared corpus beside the repository (skipped when absent) and table fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extractor.document import Table, TableCell

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLES = ROOT / "samples" / "reports"


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "gt").is_dir():
        pytest.skip(f"the shared corpus is not beside this checkout ({CORPUS.name} under ../shared): skipped")
    return CORPUS


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def table_from_fixture(data: dict[str, Any], page: int = 1, y0: float = 0.0) -> Table:
    """A Table from the compact fixture form: cells as [row, col, rowspan, colspan, text]."""
    cells = [TableCell(row=r, col=c, rowspan=rs, colspan=cs, text=t) for r, c, rs, cs, t in data["cells"]]
    return Table(
        page=page,
        n_rows=data["n_rows"],
        n_cols=data["n_cols"],
        cells=cells,
        row_y=[y0 + r for r in range(data["n_rows"])],
    )
