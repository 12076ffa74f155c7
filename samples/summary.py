"""Print a table of extraction results (used by `make demo`): one line per output JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table


def main(paths: list[str]) -> int:
    table = Table(title="extractor on the bundled samples")
    for column in (
        "file",
        "agency",
        "year",
        "template",
        "cells",
        "flagged",
        "relations failed (source/reading)",
    ):
        table.add_column(column, overflow="fold")
    for path in paths:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
        cells = sum(
            len(row) for t in ("proactive", "requests", "review_litigation") for row in report[t].values()
        )
        failed = [c for c in report["checks"] if not c["passed"]]
        source = sum(1 for c in failed if c["cause"] == "source")
        table.add_row(
            report["source"]["file"],
            report["report"]["agency"] or "?",
            str(report["report"]["year"]),
            str(report["report"]["template"]),
            str(cells),
            str(len(report["needs_review"])),
            f"{len(failed)} ({source}/{len(failed) - source})",
        )
    Console().print(table)
    print(f"JSON written next to each name in {Path(paths[0]).parent}/" if paths else "no outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
