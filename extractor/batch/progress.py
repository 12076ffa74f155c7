"""How a batch shows its progress, always on stderr: a bar with counts and time left on a terminal,
one plain line per input otherwise (a log, a CI job). A failed input is always named with its reason."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TextIO

from .run import Progress, Row


def progress_for(stream: TextIO | None = None) -> Progress:
    stream = stream or sys.stderr
    return BarProgress(stream) if stream.isatty() else LineProgress(stream)


def _counts(counts: Counter[str]) -> str:
    return ", ".join(f"{counts[s]} {s}" for s in ("ok", "partial", "failed"))


class LineProgress:
    """`[3/20] ok a/b.pdf (0.12 s)`; `[4/20] failed c.pdf (0.01 s): the file is empty; fetch it again`."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.total = self.done = 0

    def start(self, total: int, skipped: int) -> None:
        self.total = total
        print(f"batch: {total} to read, {skipped} current from an earlier run", file=self.stream, flush=True)

    def advance(self, row: Row) -> None:
        self.done += 1
        line = f"[{self.done}/{self.total}] {row.status} {row.file} ({row.seconds:.2f} s)"
        print(line + (f": {row.error}" if row.error else ""), file=self.stream, flush=True)

    def stop(self) -> None:
        pass


class BarProgress:
    """rich's progress bar: done/total, the counts by status, elapsed time and time left."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        self.console = Console(file=stream)
        self.bar = Bar(
            TextColumn("batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
            # No refresh thread, no redirected streams: the batch forks its workers from this
            # process, which is safe only while it runs one thread. The bar is redrawn at each input.
            auto_refresh=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.counts: Counter[str] = Counter()
        self.task = self.bar.add_task("batch", total=0, counts=_counts(self.counts))

    def start(self, total: int, skipped: int) -> None:
        if skipped:
            self.console.print(f"batch: {skipped} current from an earlier run, skipped")
        self.bar.update(self.task, total=total)
        self.bar.start()
        self.bar.refresh()

    def advance(self, row: Row) -> None:
        self.counts[row.status] += 1
        if row.status == "failed":
            from rich.markup import escape

            self.console.print(f"[red]failed[/red] {escape(row.file)}: {escape(row.error)}", highlight=False)
        self.bar.update(self.task, advance=1, counts=_counts(self.counts))
        self.bar.refresh()

    def stop(self) -> None:
        self.bar.stop()
