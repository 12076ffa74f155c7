"""The formats `extractor export` writes, and the file extensions that name them (kept apart from
`export.py` so that the command line can offer them without loading the writers)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from ..errors import UsageError


class Format(StrEnum):
    csv = "csv"
    """The long form: one row per cell."""
    jsonl = "jsonl"
    """The long form, one JSON object a line."""
    csv_wide = "csv-wide"
    """The request grid of section 三, one row per report."""
    sqlite = "sqlite"
    """Tables reports, cells, checks; a view `long`."""
    parquet = "parquet"
    """The long form (needs pyarrow)."""


SUFFIXES = {
    ".csv": Format.csv,
    ".jsonl": Format.jsonl,
    ".ndjson": Format.jsonl,
    ".sqlite": Format.sqlite,
    ".sqlite3": Format.sqlite,
    ".db": Format.sqlite,
    ".parquet": Format.parquet,
}


def format_of(path: Path, given: Format | None = None) -> Format:
    """The format asked for, else the one the file's extension names."""
    if given is not None:
        return given
    found = SUFFIXES.get(path.suffix.lower())
    if found is None:
        known = ", ".join(sorted(SUFFIXES))
        raise UsageError(f"{path}: cannot tell the format from the extension (known: {known}); add --format")
    return found
