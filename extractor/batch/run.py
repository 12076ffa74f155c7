"""Many reports at once.

`extract_many(paths)` is the Python API: reports are read in parallel worker processes, each under an
optional time limit, and every input ends as a `Result` with a status (`ok`, `partial`, `failed`),
its Report when there is one, and its errors; a failure never stops the others.

`run_batch(folder, outdir)` is what `extractor batch` does: every report file under the folder
becomes `outdir/<relative path>.json` (written atomically by the worker that read it), inputs whose
output is current are skipped (`manifest.py`), and `outdir/summary.csv` gets one line per input.

A compilation (汇编: several reports in one file) gives one Result per report, and in a batch one
output per report, `<relative path>#<n>.json`, each with its own line of summary.csv.

The folders may be URLs of object storage (`storage.py`).

Where the files are read is an `Engine`: worker processes on this machine (`LocalEngine`, the
default) or tasks on a Ray cluster (`ray_engine.RayEngine`); the batch logic above is the same.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from functools import partial
from glob import escape as glob_escape
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from ..errors import ExtractorError, InputMissingError, OutputError
from ..ingest.kinds import SUFFIXES
from ..limits import DEFAULT_MAX_MEMORY_MB
from ..model import Report, Status
from ..pipeline import Settings, extract_all
from ..workers import Outcome, Pool
from . import storage
from .manifest import Entry

Reader = Callable[[Path, Settings], "Report | list[Report]"]
"""What reads one file: `extractor.extract_all` (every report of a compilation) or `extract`, or a
stand-in (tests inject slow or crashing ones)."""

SUMMARY = "summary.csv"


@dataclass
class Result:
    """What became of one input of `extract_many`."""

    path: Path
    status: Status
    """ok; partial when a table or section was not found; failed when there is no Report."""
    report: Report | None
    errors: list[str] = field(default_factory=list)
    """Why it failed, or what is missing from a partial report."""
    seconds: float = 0.0
    part: int | None = None
    """Of a compilation: which of its reports this is (1-based); None for a file of one report."""


@dataclass
class Row:
    """One line of summary.csv."""

    file: str
    status: Status
    kind: str = ""
    template: str = ""
    agency: str = ""
    year: int | None = None
    pages: int | None = None
    seconds: float = 0.0
    cells_flagged: int = 0
    checks_failed: int = 0
    error: str = ""

    @classmethod
    def of(cls, file: str, result: Result) -> Row:
        row = cls(
            file=file, status=result.status, seconds=round(result.seconds, 3), error="; ".join(result.errors)
        )
        if result.report is not None:
            r = result.report
            row.kind, row.pages = r.source.kind, r.source.pages
            row.template, row.agency, row.year = r.report.template or "", r.report.agency or "", r.report.year
            row.cells_flagged = len(r.needs_review)
            row.checks_failed = sum(1 for c in r.checks if not c.passed)
        return row


class Runner(Protocol):
    """Runs `fn` on tasks: `with engine.pool(...) as pool: for outcome in pool.run(tasks): ...`.

    An Outcome per task, in the order they finish; leaving the `with` block stops what is left."""

    def __enter__(self) -> Runner: ...
    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def run(self, tasks: Iterable[Any]) -> Iterator[Outcome[Any, Any]]: ...


class Engine(Protocol):
    """Where a batch's files are read. `jobs`: files at once (None: the engine's default); `tasks`:
    how many there are; `timeout`: seconds at most a file, then it fails as `timeout`."""

    def pool(
        self, fn: Callable[[Any], Any], jobs: int | None, tasks: int, timeout: float | None
    ) -> Runner: ...


@dataclass(frozen=True)
class LocalEngine:
    """Worker processes on this machine (`workers.Pool`), one per core by default."""

    def pool(self, fn: Callable[[Any], Any], jobs: int | None, tasks: int, timeout: float | None) -> Runner:
        return Pool(fn, jobs=min(jobs or default_jobs(), max(tasks, 1)), timeout=timeout)


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def extract_many(
    paths: Iterable[str | Path],
    settings: Settings | None = None,
    *,
    jobs: int | None = None,
    timeout: float | None = None,
    max_memory: int | None = DEFAULT_MAX_MEMORY_MB,
    read: Reader = extract_all,
    engine: Engine | None = None,
) -> Iterator[Result]:
    """Extract every file in worker processes; yield a Result per report, in the order the files
    finish (a file that fails: one Result; a compilation: one per report, `part` 1, 2, …).

    `jobs` workers (default: one per core); `timeout` seconds at most a file, after which its worker
    is killed and the file fails; `max_memory` MB of address space a worker may use, beyond which
    the file fails (None: no limit); `engine`: where (default: processes here; `RayEngine()` for a
    Ray cluster, whose workers must see the same paths). Use under `if __name__ == "__main__":`.
    """
    files = [Path(p) for p in paths]
    fn = partial(_extract_one, settings=settings or Settings(), read=read, max_memory=max_memory)
    with (engine or LocalEngine()).pool(fn, jobs, len(files), timeout) as pool:
        for outcome in pool.run(files):
            if outcome.value is not None:
                yield from outcome.value
            else:
                yield _failed(outcome.task, outcome, timeout)


def _limit_memory(max_memory: int | None) -> None:
    """Cap this worker's address space at `max_memory` MB (RLIMIT_AS; where the platform has it)."""
    if not max_memory:
        return
    try:
        import resource

        limit = max_memory * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not Linux, or not allowed
        pass


def _extract_one(path: Path, settings: Settings, read: Reader, max_memory: int | None = None) -> list[Result]:
    """One Result per report the file holds (one for a failure)."""
    start = time.perf_counter()
    _limit_memory(max_memory)
    try:
        reports = read(path, settings)
    except ExtractorError as e:
        return [Result(path, "failed", None, [_reason(str(e), path)], time.perf_counter() - start)]
    except MemoryError:
        message = (
            f"needed more memory than the limit of {max_memory} MB a file and was stopped; "
            "give it more (--max-memory) or check the file"
            if max_memory
            else "ran out of memory; free some, or run fewer jobs (-j)"
        )
        return [Result(path, "failed", None, [message], time.perf_counter() - start)]
    except Exception as e:
        message = f"internal error: {type(e).__name__}: {e}; run `extractor -v extract` on it and report it"
        return [Result(path, "failed", None, [message], time.perf_counter() - start)]
    if not isinstance(reports, list):
        reports = [reports]
    seconds = (time.perf_counter() - start) / len(reports)
    results = []
    for n, report in enumerate(reports, 1):
        missing = [
            w for w in report.warnings if w.endswith("table not found") or w.startswith("compilation:")
        ]
        errors = missing if report.status != "ok" else []
        results.append(Result(path, report.status, report, errors, seconds, n if len(reports) > 1 else None))
    return results


def _failed(path: Path, outcome: Outcome[Any, Any], timeout: float | None) -> Result:
    if outcome.kind == "timeout":
        message = (
            f"took longer than {timeout:g} s and was stopped; give it more time (--timeout) or check the file"
        )
    elif outcome.kind == "crash":
        message = (
            f"{outcome.message} while reading it; if memory ran short, run fewer jobs (-j) or lower "
            "--max-memory so that the file fails cleanly, else report it with the file"
        )
    else:
        message = f"internal error: {outcome.message}; report it with the file"
    return Result(path, "failed", None, [message], outcome.seconds)


def _reason(message: str, path: Path) -> str:
    """An error's message without the path it starts with (the summary names the file already)."""
    prefix = f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


# --- a folder into an output folder -------------------------------------------------------------


class Progress(Protocol):
    """What `run_batch` tells while it works (the command line draws a bar or writes lines)."""

    def start(self, total: int, skipped: int) -> None: ...
    def advance(self, row: Row) -> None: ...
    def stop(self) -> None: ...


class _Silent:
    def start(self, total: int, skipped: int) -> None:
        pass

    def advance(self, row: Row) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass
class BatchRun:
    """What a batch did: a row per input found (done now or current from before)."""

    rows: list[Row]
    fresh: set[str]
    """The inputs read in this run (relative paths)."""
    skipped: int
    """Inputs whose output was current, not read again."""
    seconds: float
    interrupted: bool = False
    """Stopped by Ctrl-C: the rows hold what finished; a second run does the rest."""
    dropped: list[str] = field(default_factory=list)
    """Warnings: reviewed files that changed, whose decisions no longer apply."""

    @property
    def done(self) -> int:
        """How many inputs were read in this run."""
        return len(self.fresh)

    @property
    def counts(self) -> Counter[str]:
        return Counter(row.status for row in self.rows)

    @property
    def failed(self) -> list[Row]:
        return [row for row in self.rows if row.status == "failed"]


def find_inputs(folder: Path, exclude: Path | None = None) -> list[Path]:
    """Every report file under `folder` (by suffix), hidden files and folders and `exclude` left out."""
    if not folder.is_dir():
        raise InputMissingError(
            f"{folder}: not a folder; give the folder that holds the reports "
            "(one file: `extractor extract FILE`)"
        )
    skip = exclude.resolve() if exclude is not None else None
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if any(part.startswith((".", "~$")) for part in rel.parts) or path.suffix.lower() not in SUFFIXES:
            continue
        if skip is not None and path.resolve().is_relative_to(skip):
            continue
        if path.is_file():
            found.append(path)
    return sorted(found)


def output_path(outdir: storage.Location, rel: str, part: int | None = None) -> storage.Location:
    """Where one report of an input goes: `<rel>.json`, or `<rel>#<n>.json` for the n-th report of
    a compilation."""
    return storage.join(outdir, f"{rel}.json" if part is None else f"{rel}#{part}.json")


def run_batch(
    folder: storage.Location,
    outdir: storage.Location,
    settings: Settings | None = None,
    *,
    jobs: int | None = None,
    timeout: float | None = None,
    max_memory: int | None = DEFAULT_MAX_MEMORY_MB,
    force: bool = False,
    progress: Progress | None = None,
    read: Reader = extract_all,
    engine: Engine | None = None,
) -> BatchRun:
    """Extract every report under `folder` into `outdir`; skip what is current unless `force`.

    Either may be a URL (`s3://bucket/prefix`); `engine` says where the files are read."""
    from ..version import __version__ as version

    settings = settings or Settings()
    progress = progress or _Silent()
    inputs: list[storage.Location]
    stamps: dict[str, str] = {}  # objects in storage: their ETag and size, when listed
    if isinstance(folder, Path):
        folder = folder.resolve()
        inputs = list(find_inputs(folder, exclude=outdir if isinstance(outdir, Path) else None))
    else:
        stamps = storage.find(folder, SUFFIXES, exclude=outdir)
        inputs = list(stamps)
    if not inputs:
        raise InputMissingError(
            f"{folder}: no report files in it (looked for {' '.join(SUFFIXES)}); check the folder"
        )
    try:
        if isinstance(outdir, Path):  # object storage has no folders to make
            outdir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{outdir}: cannot make the output folder ({e.strerror}); choose another -o") from e
    manifest = storage.open_manifest(outdir)
    before = {e.sha256: f for f, e in manifest.entries.items()}  # what reviewed decisions were made on
    rels = {path: storage.relative(path, folder) for path in inputs}
    rows: dict[str, list[Row]] = {}
    todo: list[tuple[storage.Location, storage.Location, str]] = []
    for path, rel in rels.items():
        entry = manifest.entries.get(rel)
        output = output_path(outdir, rel)
        row = _row(entry.row) if entry is not None else None
        parts = [_row(values) for values in entry.parts] if entry is not None else []
        first = output_path(outdir, rel, 1) if parts else output
        if (
            not force
            and row is not None
            and entry is not None
            and None not in parts
            and entry.current(
                _hash(path, entry, stamps), version, settings.review_threshold, timeout, first, storage.exists
            )
        ):
            rows[rel] = [r for r in parts if r is not None] or [row]
        else:
            todo.append((path, output, rel))
    todo.sort(key=lambda task: -_size(task[0]))  # largest first: the last busy worker finishes sooner

    progress.start(len(todo), len(rows))
    start = time.perf_counter()
    fresh: set[str] = set()
    interrupted = False
    fn = partial(_extract_to, settings=settings, read=read, max_memory=max_memory)
    try:
        with (engine or LocalEngine()).pool(fn, jobs, len(todo), timeout) as pool:
            for outcome in pool.run(todo):
                path, output, rel = outcome.task
                if outcome.value is not None:
                    done, sha256 = outcome.value
                else:
                    done, sha256 = [Row.of(rel, _failed(Path(str(path)), outcome, timeout))], _sha256(path)
                row = done[0]
                failure = None
                if row.status == "failed":
                    _remove_outputs(output)  # outputs from an older version of the file
                    failure = "error" if outcome.kind == "done" else outcome.kind
                manifest.record(
                    Entry(
                        rel,
                        sha256,
                        version,
                        settings.review_threshold,
                        timeout,
                        failure,
                        asdict(row),
                        str(path),
                        [asdict(r) for r in done] if len(done) > 1 else [],
                        stamps.get(str(path), ""),
                    )
                )
                rows[rel] = done
                fresh.add(rel)
                progress.advance(_input_row(rel, done))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.stop()
        manifest.compact(keep=set(rels.values()))
        if isinstance(outdir, Path):  # object storage has no temporary files: an output is one request
            _remove_leftovers(outdir)
    ordered = [row for rel in sorted(rows) for row in rows[rel]]
    dropped: list[str] = []
    extra: dict[str, dict[str, Any]] | None = None
    if isinstance(outdir, Path):  # a person's decisions and the checks across reports: local outputs
        from .crosscheck import drop_stale_decisions, summary_columns

        current = {manifest.entries[rel].sha256 for rel in rels.values() if rel in manifest.entries}
        dropped = drop_stale_decisions(outdir, current, before)
        extra = summary_columns(outdir, [row.file for row in ordered if row.status != "failed"])
    write_summary(storage.join(outdir, SUMMARY), ordered, extra)
    run = BatchRun(ordered, fresh, len(rels) - len(todo), time.perf_counter() - start, interrupted)
    run.dropped = dropped
    return run


def _extract_to(
    task: tuple[storage.Location, storage.Location, str],
    settings: Settings,
    read: Reader,
    max_memory: int | None = None,
) -> tuple[list[Row], str]:
    """In a worker: read one file, write its JSON (one per report of a compilation), return the
    summary rows (one per report) and the file's hash."""
    source, output, rel = task
    try:
        with storage.local_copy(source) as path:  # a local path is itself; an object is fetched
            results = _extract_one(path, settings, read, max_memory)
            report = results[0].report
            sha256 = report.source.sha256 if report is not None else _sha256(path)
    except ExtractorError as e:
        return [Row.of(rel, Result(Path(rel), "failed", None, [str(e)]))], ""
    if results[0].report is not None:
        _remove_outputs(output)  # what an earlier version of the file gave (one report, or more)
    rows = []
    for result in results:
        name = rel if result.part is None else f"{rel}#{result.part}"
        if result.report is not None:
            try:
                storage.write(_part_output(output, result.part), result.report.to_json() + "\n")
            except ExtractorError as e:
                result = Result(path, "failed", None, [str(e)], result.seconds, result.part)
        rows.append(Row.of(name, result))
    return rows, sha256


def _part_output(output: storage.Location, part: int | None) -> storage.Location:
    """`<rel>.json`, or `<rel>#<n>.json` beside it for the n-th report of a compilation."""
    if part is None:
        return output
    if isinstance(output, Path):
        return output.with_name(f"{output.name[: -len('.json')]}#{part}.json")
    return f"{output[: -len('.json')]}#{part}.json"


def _input_row(rel: str, rows: list[Row]) -> Row:
    """What progress shows of one input: its row, or for a compilation one line for its reports."""
    if len(rows) == 1:
        return rows[0]
    statuses = {row.status for row in rows}
    status: Status = next(s for s in ("failed", "partial", "ok") if s in statuses)
    errors = "; ".join(f"#{n}: {row.error}" for n, row in enumerate(rows, 1) if row.error)
    return Row(
        f"{rel} ({len(rows)} reports: #1–#{len(rows)})",
        status,
        seconds=sum(r.seconds for r in rows),
        error=errors,
    )


def _remove_outputs(output: storage.Location) -> None:
    """The outputs of one input: `<rel>.json` and the `<rel>#<n>.json` of a compilation (in object
    storage, `<rel>.json` only)."""
    if not isinstance(output, Path):
        storage.remove(output)
        return
    output.unlink(missing_ok=True)
    stem = output.name[: -len(".json")]
    for part in output.parent.glob(f"{glob_escape(stem)}#*.json"):
        if part.name[len(stem) + 1 : -len(".json")].isdigit():
            part.unlink(missing_ok=True)


def _remove_leftovers(outdir: Path) -> None:
    """Temporary files of outputs whose worker was killed mid-write (time limit, Ctrl-C)."""
    for tmp in outdir.rglob(".*.json.*.tmp"):
        tmp.unlink(missing_ok=True)


def _row(values: dict[str, Any]) -> Row | None:
    """A summary row as the manifest keeps it; None when its fields are not this version's."""
    try:
        return Row(**values)
    except TypeError:
        return None


def _sha256(path: storage.Location) -> str:
    return storage.sha256(path)


def _hash(path: storage.Location, entry: Entry, stamps: dict[str, str]) -> str:
    """The input's hash: the one recorded when an object in storage is as it was then (its stamp is
    the same), so that a rerun does not download every input to hash it; else the bytes' hash."""
    stamp = stamps.get(str(path), "")
    return entry.sha256 if stamp and stamp == entry.stamp else _sha256(path)


def _size(path: storage.Location) -> int:
    return storage.size(path)


def write_summary(
    path: storage.Location, rows: list[Row], extra: dict[str, dict[str, Any]] | None = None
) -> None:
    """summary.csv: a header and a line per input (UTF-8 with a byte-order mark, for spreadsheets);
    `extra`: file → more columns (the checks across reports)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    more = list(dict.fromkeys(k for columns in (extra or {}).values() for k in columns))
    names = [f.name for f in fields(Row)]
    writer.writerow([*names, *more])
    for row in rows:
        values = {**asdict(row), **(extra or {}).get(row.file, {})}
        writer.writerow(["" if values.get(n) is None else values[n] for n in [*names, *more]])
    storage.write(path, "\ufeff" + buffer.getvalue())
