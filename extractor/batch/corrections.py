"""A person's decisions about cells, kept apart from the extractor's readings and applied on top.

`corrections.jsonl` beside a batch's outputs holds one decision a line (the output contract,
"Additions"): `{sha256, path, read, value, action, by, at, note}`, `action` one of `accept` (the
reading is right), `correct` (the value is `value`), `blank` (the cell is blank). A decision is keyed
by its source file's sha256 and the cell's path, so it survives a rerun of `batch` (the same file
gives the same key) and no longer applies once the file is replaced. The file is an audit trail:
lines are only added, the last line of a key wins, and it is rewritten whole at every decision.

A report of a compilation (several reports in one file share its sha256) is told apart by `part`,
its `source.part`: a decision about it carries `part` too (the key is sha256, part and path); the
field is left out of the line for a file of one report.

`apply(data, decisions)` applies the decisions of one report to its JSON: the decided values, then
the report's relations again (`validate.run_checks`). A relation that now holds, ties a decided cell
and has a single doubtful cell left clears that cell's doubt: the relation fixes its value, so a
correction shrinks the review queue by more than the cell decided. A doubtful 0 or blank is never
cleared so: a relation counts a blank as 0 and cannot tell which the page shows.
"""

from __future__ import annotations

import copy
import getpass
import json
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ..errors import UsageError
from ..model import Cell, Report, cell_at
from ..validate.checks import Tables, run_checks
from .atomic import write_atomic

NAME = "corrections.jsonl"
DROPPED = "corrections-dropped.jsonl"
"""Decisions on a source that changed or went: kept here, so no one's work is lost without trace."""

Action = Literal["accept", "correct", "blank"]
ACTIONS: tuple[Action, ...] = ("accept", "correct", "blank")
Number = int | float


@dataclass(frozen=True)
class Decision:
    """What a person decided about one cell of one source file."""

    sha256: str
    path: str
    """The cell, e.g. requests.granted.total."""
    read: Number | None
    """The value the extractor gave when the person decided."""
    value: Number | None
    """The value decided; null for a blank cell."""
    action: Action
    by: str
    at: str
    """ISO time."""
    note: str = ""
    part: int | None = None
    """Of a compilation: which report of the source file (its `source.part`); None for one report."""

    @property
    def source(self) -> str:
        """The report the decision is about: the source's sha256, with `#part` for a compilation's."""
        return self.sha256 if self.part is None else f"{self.sha256}#{self.part}"

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.path


def source_key(source: dict[str, Any]) -> str:
    """A report's `Decision.source`, from its JSON's `source`."""
    sha: str = source["sha256"]
    part = source.get("part")
    return sha if part is None else f"{sha}#{part}"


def decision(
    sha256: str,
    path: str,
    read: Number | None,
    action: str,
    value: Number | str | None = None,
    by: str | None = None,
    note: str = "",
    part: int | None = None,
) -> Decision:
    """A Decision, checked: `correct` needs a number, `accept` takes the reading, `blank` is null."""
    if action not in ACTIONS:
        raise UsageError(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")
    if action == "accept":
        decided = read
    elif action == "blank":
        decided = None
    else:
        decided = parse_number(value)
    at = datetime.now(UTC).isoformat(timespec="seconds")
    return Decision(sha256, path, read, decided, action, by or reviewer(), at, note, part)


def parse_number(value: Number | str | None) -> Number:
    """A typed number ("1,234", "25.1", "-3") as int or float; anything else is refused."""
    if isinstance(value, bool) or value is None:
        raise UsageError("a correction needs a number: type it, or mark the cell blank")
    if isinstance(value, int | float):
        return value
    text = value.strip().replace(",", "").replace("，", "")
    try:
        number = float(text)
    except ValueError:
        raise UsageError(f"{value!r} is not a number: type digits (a decimal point for money)") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise UsageError(f"{value!r} is not a number: type digits (a decimal point for money)")
    return int(number) if "." not in text and "e" not in text.lower() else number


def reviewer() -> str:
    """The OS user, the default reviewer's name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a container's environment
        return "unknown"


class Corrections:
    """The decisions of one output folder: read at start, written whole at every new one."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / NAME
        self._lines: list[str] = []
        self.decisions: dict[tuple[str, str], Decision] = {}
        self._by_source: dict[str, dict[str, Decision]] | None = None  # built when first asked
        self._lock = threading.Lock()
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                found = _parse(line)
                if found is not None:
                    self._lines.append(line)
                    self.decisions[found.key] = found

    def for_source(self, sha256: str) -> dict[str, Decision]:
        """Path → the decision in force, for one report: its source file's sha256, or the
        `source_key` of a compilation's report."""
        if self._by_source is None:
            self._by_source = {}
            for (sha, path), d in self.decisions.items():
                self._by_source.setdefault(sha, {})[path] = d
        return dict(self._by_source.get(sha256, {}))

    def record(self, decision: Decision) -> None:
        """Add a decision (it replaces an earlier one of the same cell); the file is rewritten at once."""
        with self._lock:
            fields = asdict(decision)
            if fields["part"] is None:
                del fields["part"]  # the contract's line, for a file of one report
            line = json.dumps(fields, ensure_ascii=False)
            write_atomic(self.path, "".join(f"{x}\n" for x in [*self._lines, line]))
            self._lines.append(line)
            self.decisions[decision.key] = decision
            self._by_source = None

    def drop(self, keep: set[str]) -> list[Decision]:
        """Remove the decisions whose source is not in `keep` (sha256s); return them (in force only).

        Their lines move to corrections-dropped.jsonl beside."""
        with self._lock:
            gone = [d for d in self.decisions.values() if d.sha256 not in keep]
            if not gone:
                return []
            stay: list[str] = []
            moved: list[str] = []
            for line in self._lines:
                found = _parse(line)
                (stay if found is not None and found.sha256 in keep else moved).append(line)
            dropped = self.path.parent / DROPPED
            before = dropped.read_text(encoding="utf-8") if dropped.is_file() else ""
            write_atomic(dropped, before + "".join(f"{x}\n" for x in moved))
            write_atomic(self.path, "".join(f"{x}\n" for x in stay))
            self._lines = stay
            self.decisions = {k: d for k, d in self.decisions.items() if d.sha256 in keep}
            self._by_source = None
            return gone


def _parse(line: str) -> Decision | None:
    try:
        data = json.loads(line)
        found = Decision(**data)
    except (ValueError, TypeError):
        return None  # a line cut short, or not a decision
    return found if found.action in ACTIONS else None


def read_decisions(folder: Path) -> list[Decision]:
    """The decisions in force in an output folder (the last of each cell)."""
    return list(Corrections(folder).decisions.values())


# --- applying them ----------------------------------------------------------------------------------

TABLES = ("proactive", "requests", "review_litigation")
CERTAIN = 0.98
"""As `ocr.options.CERTAIN`: readings of OCR under this are doubtful for the relations."""


@dataclass
class Applied:
    """A report's JSON with its decisions applied."""

    data: dict[str, Any]
    """The report: decided values, checks run again, `needs_review` without what no longer is in
    doubt; every cell has `verified` (person or machine), corrected ones `corrected_from`."""
    decided: dict[str, Decision] = field(default_factory=dict)
    """Path → the decision applied."""
    cleared: dict[str, str] = field(default_factory=dict)
    """Path → the relation whose holding cleared the cell's doubt."""
    unused: list[Decision] = field(default_factory=list)
    """Decisions about cells this report does not have."""

    @property
    def queue(self) -> list[str]:
        """The paths still in doubt, least sure first."""
        return [item["path"] for item in self.data.get("needs_review", [])]


def apply(
    data: dict[str, Any],
    decisions: dict[str, Decision] | Iterable[Decision],
    threshold: float = 0.8,
) -> Applied:
    """`data` (a report's JSON, not changed) with `decisions` applied; see the module's docstring.

    `decisions` for other source files are ignored."""
    sha = source_key(data["source"])
    given = decisions.values() if isinstance(decisions, dict) else decisions
    mine = {d.path: d for d in given if d.source == sha}
    out = copy.deepcopy(data)
    applied = Applied(out)
    for table in TABLES:
        for rows in (out.get(table) or {}).values():
            for cell in rows.values():
                cell["verified"] = "machine"
    for path, d in mine.items():
        cell = cell_at(out, path)
        if cell is None:
            applied.unused.append(d)
            continue
        if d.value != cell["value"]:
            cell["corrected_from"] = cell["value"]
        cell["value"] = d.value
        cell["verified"] = "person"
        cell["reasons"] = [*cell.get("reasons", []), f"{d.action} by {d.by} at {d.at}"]
        applied.decided[path] = d
    if not applied.decided:
        return applied
    doubtful = {item["path"] for item in out.get("needs_review", [])} - set(applied.decided)
    ocr = bool(out["source"].get("ocr"))
    tables = _tables(out, set(applied.decided))
    pairs = run_checks(tables, threshold, doubt_below=CERTAIN if ocr else None)
    certain = set(applied.decided)
    changed = True
    while changed:  # a cleared cell may leave another relation with one doubtful cell
        changed = False
        for _, check in pairs:
            left = [p for p in check.cells if p in doubtful]
            if check.passed and len(left) == 1 and certain & set(check.cells):
                cell = cell_at(out, left[0])
                if cell is None or not cell.get("value"):
                    continue  # relations count a blank as 0: they cannot tell which the page shows
                doubtful.discard(left[0])
                certain.add(left[0])
                applied.cleared[left[0]] = check.id
                changed = True
    for path, check_id in applied.cleared.items():
        cell = cell_at(out, path)
        if cell is not None:
            cell["reasons"] = [*cell.get("reasons", []), f"{check_id} holds after a person's decision"]
    out["checks"] = [asdict(check) for _, check in pairs]
    out["needs_review"] = [item for item in out.get("needs_review", []) if item["path"] in doubtful]
    for item in out["needs_review"]:
        item["reasons"] = cell_at(out, item["path"])["reasons"]  # type: ignore[index]
    return applied


def apply_report(report: Report, decisions: dict[str, Decision] | Iterable[Decision]) -> Applied:
    """`apply` on a Report (as `extract` returns it)."""
    return apply(report.to_dict(), decisions)


def readings_only(data: dict[str, Any]) -> Applied:
    """The machine's readings, marked as such (what `export --readings-only` writes)."""
    return apply(data, [])


def _tables(data: dict[str, Any], decided: set[str]) -> Tables:
    """The report's cells as the validator takes them; a decided cell is certain."""
    tables: Tables = {}
    for table in TABLES:
        tables[table] = {}
        for row, columns in (data.get(table) or {}).items():
            tables[table][row] = {}
            for column, c in columns.items():
                sure = 1.0 if f"{table}.{row}.{column}" in decided else c["confidence"]
                tables[table][row][column] = Cell(c["value"], c["raw"], sure, c.get("page"), c.get("bbox"))
    return tables
