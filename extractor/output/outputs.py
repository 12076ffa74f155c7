"""Reading extraction outputs back: a batch's output folder, or one report's JSON.

`review` and `export` both start here. In a batch folder every `<relative path>.json` that holds a
report is one output (summary.csv, the manifest and hidden files are not); the manifest adds where
each source file was when it was read, and the inputs that failed (which have no JSON).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..batch.manifest import Entry, Manifest
from ..errors import InputMissingError, UnsupportedInputError


@dataclass
class Output:
    """One report as written: `file` names its input (relative path in a batch, else the file name)."""

    file: str
    path: Path
    data: dict[str, Any]
    source: Path | None = None
    """The source file as the batch found it (None when not known)."""

    @property
    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = self.data.get("report") or {}
        return meta


@dataclass
class Outputs:
    reports: list[Output]
    failed: list[Entry]
    """Inputs of the batch that failed (from its manifest): no JSON, but a reason."""


def read_outputs(target: Path) -> Outputs:
    """The reports under a batch's output folder, or in one JSON file."""
    if target.is_file():
        data = _load(target)
        if data is None:
            raise UnsupportedInputError(f"{target}: not a report written by extractor; give its JSON output")
        return Outputs([Output(data["source"]["file"], target, data)], [])
    if not target.is_dir():
        raise InputMissingError(f"{target}: no such folder or file; give a batch's output folder or a JSON")
    manifest = Manifest(target)
    reports = []
    for path in sorted(target.rglob("*.json")):
        rel = path.relative_to(target)
        if any(part.startswith(".") for part in rel.parts):
            continue
        data = _load(path)
        if data is None:
            continue
        file = rel.as_posix()[: -len(".json")]
        # One report of a compilation (`<file>#<n>`) has its input's entry.
        entry = manifest.entries.get(file) or manifest.entries.get(file.rpartition("#")[0])
        source = Path(entry.source) if entry is not None and entry.source else None
        reports.append(Output(file, path, data, source))
    failed = [e for f, e in sorted(manifest.entries.items()) if e.failure is not None]
    if not reports and not failed:
        raise InputMissingError(
            f"{target}: no extractor output in it; run `extractor batch DIR -o {target}` first"
        )
    return Outputs(reports, failed)


def _load(path: Path) -> dict[str, Any] | None:
    """The report in a JSON file, None when the file is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or "schema_version" not in data or "requests" not in data:
        return None
    return data
