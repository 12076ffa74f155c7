"""What a batch remembers in its output folder, so that a second run redoes only what is not current.

`OUTDIR/.extractor-batch.jsonl` holds one JSON line per finished input: its relative path (and
where it was), the source's sha256, the extractor version and the settings it ran with, and its
summary row. Lines are appended as inputs finish, so an interrupted run keeps what it did; a line
cut short by a crash is ignored; the last line of a file wins. At the end of a run the file is
rewritten with one line per current input.

An input is current when its hash, the version and the settings are the same and, for a success,
its output JSON is still there. A failure is current too (a broken file stays broken), except one
stopped by the time limit when the new limit is longer.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError
from .atomic import write_atomic

NAME = ".extractor-batch.jsonl"


@dataclass(frozen=True)
class Entry:
    file: str
    """The input's path relative to the batch folder, with '/'."""
    sha256: str
    version: str
    threshold: float
    timeout: float | None
    failure: str | None
    """How it failed ('error', 'timeout', 'crash'), None when it did not."""
    row: dict[str, Any]
    """Its line of summary.csv."""
    source: str = ""
    """The absolute path the input had when it was read (review finds the pages to crop there)."""
    parts: list[dict[str, Any]] = field(default_factory=list)
    """For a compilation (several reports in the file): the summary line of each report, in order."""
    stamp: str = ""
    """An object in storage: its ETag (or generation) and size when listed; "" for a local file."""

    def current(
        self,
        sha256: str,
        version: str,
        threshold: float,
        timeout: float | None,
        output: Path | str,
        exists: Callable[[Path | str], bool] | None = None,
    ) -> bool:
        """Whether the input's output is up to date; `exists` tells whether an output is there (a
        URL's object in storage: the storage layer passes its own check)."""
        if (self.sha256, self.version, self.threshold) != (sha256, version, threshold):
            return False
        if self.failure is None:
            return exists(output) if exists is not None else Path(output).is_file()
        if self.failure == "timeout":
            return timeout is not None and self.timeout is not None and timeout <= self.timeout
        return True


class Manifest:
    """The entries of one output folder; `record` appends at once, `compact` rewrites the file."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / NAME
        self.entries: dict[str, Entry] = {}
        self._log: IO[str] | None = None
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = Entry(**json.loads(line))
                except (ValueError, TypeError):
                    continue  # a line cut short, or from another version of this file
                self.entries[entry.file] = entry

    def record(self, entry: Entry) -> None:
        self.entries[entry.file] = entry
        try:
            if self._log is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._log = self.path.open("a", encoding="utf-8")
            self._log.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
            self._log.flush()
        except OSError as e:  # a full disk: the outputs written so far stay whole
            raise OutputError(
                f"{self.path}: cannot record the batch's progress ({e.strerror}); free some space or "
                "choose another -o, then rerun: finished outputs are kept"
            ) from e

    def compact(self, keep: set[str]) -> None:
        """Rewrite the file with the entries of `keep` only (the inputs found this run)."""
        self.close()
        lines = [
            json.dumps(asdict(e), ensure_ascii=False) for f, e in sorted(self.entries.items()) if f in keep
        ]
        write_atomic(self.path, "".join(line + "\n" for line in lines))

    def close(self) -> None:
        if self._log is not None:
            log, self._log = self._log, None
            with contextlib.suppress(OSError):  # what it could not write, record said already
                log.close()
