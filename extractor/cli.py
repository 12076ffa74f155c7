"""The `extractor` command: a thin layer over the Python API. stdout carries only data."""

from __future__ import annotations

import json
import platform
import sys
import traceback
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .atomic import write_atomic
from .errors import ExitCode, ExtractorError
from .formats import Format, format_of
from .limits import DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_PIXELS

app = typer.Typer(
    name="extractor",
    help="Turn 政府信息公开工作年度报告 (PDF, web page, Word) into checked, structured JSON.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state: dict[str, bool] = {"verbose": False}


def versions() -> dict[str, str]:
    import pdfplumber

    from . import __version__

    try:
        import pytesseract

        tesseract = str(pytesseract.get_tesseract_version())
    except Exception:  # the binary is optional for text PDFs
        tesseract = "not installed"
    return {
        "extractor": __version__,
        "pdfplumber": pdfplumber.__version__,
        "tesseract": tesseract,
        "python": platform.python_version(),
    }


def _version(value: bool) -> None:
    if value:
        for name, version in versions().items():
            typer.echo(f"{name} {version}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the versions and exit.")
    ] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Show tracebacks on errors.")] = False,
) -> None:
    _state["verbose"] = verbose


Threshold = Annotated[
    float,
    typer.Option("--threshold", min=0.0, max=1.0, help="Cells under this confidence go to needs_review."),
]
Password = Annotated[str | None, typer.Option("--password", help="Password of an encrypted PDF.")]
MaxPixels = Annotated[
    int,
    typer.Option(
        "--max-pixels",
        min=1,
        help="Refuse an image (or skip a PDF page to OCR) above this many pixels: bombs, giant scans.",
    ),
]
Outputs = Annotated[
    Path, typer.Argument(help="A batch's output folder (`extractor batch -o`), or one report's JSON.")
]


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="The report: a text PDF, a web page or a Word file.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the JSON here, not to stdout.")
    ] = None,
    threshold: Threshold = 0.8,
    password: Password = None,
    compact: Annotated[bool, typer.Option("--compact", help="One line of JSON, no indentation.")] = False,
    max_pixels: MaxPixels = DEFAULT_MAX_PIXELS,
) -> None:
    """Extract one report to JSON (stdout, or -o OUT.json)."""
    from .pipeline import Settings
    from .pipeline import extract as run

    report = run(file, Settings(review_threshold=threshold, password=password, max_pixels=max_pixels))
    text = report.to_json(indent=None if compact else 2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the output."""
    from .model import json_schema

    sys.stdout.write(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n")


class Stage(StrEnum):
    sections = "sections"
    tables = "tables"
    grid = "grid"


@app.command()
def debug(
    file: Annotated[Path, typer.Argument(help="The report.")],
    stage: Annotated[
        Stage, typer.Option("--stage", help="Which intermediate stage to dump.")
    ] = Stage.sections,
    password: Password = None,
) -> None:
    """Dump an intermediate stage as JSON: located sections, physical tables, or the grid with spans."""
    from .debug import dump_stage

    sys.stdout.write(json.dumps(dump_stage(file, stage.value, password), ensure_ascii=False, indent=2) + "\n")


class EngineName(StrEnum):
    local = "local"
    ray = "ray"


@app.command()
def batch(
    folder: Annotated[
        str,
        typer.Argument(help="The folder of reports, or a URL (s3://bucket/prefix); searched recursively."),
    ],
    output: Annotated[
        str,
        typer.Option(
            "-o",
            "--output",
            help="The output folder or URL: <relative path>.json per input, summary.csv.",
        ),
    ],
    jobs: Annotated[
        int | None,
        typer.Option(
            "-j",
            "--jobs",
            min=1,
            help="Worker processes (default: one per core); with --engine ray, files in flight "
            "(default: twice the cluster's CPUs).",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0, help="Seconds at most per file, then it fails; 0: no limit.")
    ] = 300,
    force: Annotated[
        bool, typer.Option("--force", help="Redo every input, also those whose output is current.")
    ] = False,
    max_memory: Annotated[
        int,
        typer.Option(
            "--max-memory", min=0, help="MB of memory at most per worker, then the file fails; 0: no limit."
        ),
    ] = DEFAULT_MAX_MEMORY_MB,
    threshold: Threshold = 0.8,
    password: Password = None,
    max_pixels: MaxPixels = DEFAULT_MAX_PIXELS,
    engine: Annotated[
        EngineName,
        typer.Option("--engine", help="local: processes on this machine; ray: tasks on a Ray cluster."),
    ] = EngineName.local,
    address: Annotated[
        str | None,
        typer.Option(
            "--address",
            help="With --engine ray: auto, HOST:PORT or ray://HOST:PORT of the cluster (default: Ray here).",
        ),
    ] = None,
) -> None:
    """Extract every report under FOLDER into -o OUTDIR in parallel; a rerun redoes only what changed."""
    from .batch import Engine, LocalEngine, run_batch
    from .errors import BatchFailedError, InterruptedRunError, UsageError
    from .pipeline import Settings
    from .progress import progress_for
    from .storage import location

    chosen: Engine = LocalEngine()
    if engine is EngineName.ray:
        from .ray_engine import RayEngine

        chosen = RayEngine(address)
    elif address is not None:
        raise UsageError("--address names a Ray cluster: add --engine ray")
    run = run_batch(
        location(folder),
        location(output),
        Settings(review_threshold=threshold, password=password, max_pixels=max_pixels),
        jobs=jobs,
        timeout=timeout or None,
        max_memory=max_memory or None,
        force=force,
        progress=progress_for(sys.stderr),
        engine=chosen,
    )
    for row in run.failed:
        if row.file not in run.fresh:  # failed in an earlier run, and the file has not changed since
            typer.echo(f"failed (unchanged since an earlier run) {row.file}: {row.error}", err=True)
    counts = run.counts
    typer.echo(
        f"batch: {len(run.rows)} inputs: {counts['ok']} ok, {counts['partial']} partial, "
        f"{counts['failed']} failed ({run.done} read now, {run.skipped} current from before) "
        f"in {run.seconds:.1f} s; summary in {output.rstrip('/')}/summary.csv",
        err=True,
    )
    if run.interrupted:
        raise InterruptedRunError(
            f"interrupted: the {run.done} inputs finished are kept; rerun the same command to do the rest"
        )
    if run.failed:
        raise BatchFailedError(
            f"{len(run.failed)} of {len(run.rows)} inputs failed (reasons above and in summary.csv); "
            "fix or remove them and rerun: the others will not be read again"
        )


@app.command()
def review(
    target: Outputs,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Also write a self-contained page with crops of the source pages."),
    ] = None,
    source: Annotated[
        Path | None,
        typer.Option("--source", help="Where the source files are, if they moved since the batch."),
    ] = None,
) -> None:
    """List every flagged field and failed relation, most doubtful first; --html for a page with crops."""
    from rich.console import Console

    from .outputs import read_outputs
    from .review import collect, print_table, render_html

    outputs = read_outputs(target)
    reviews = collect(outputs)
    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160)
    print_table(reviews, outputs, console)
    if html is not None:
        write_atomic(html, render_html(reviews, outputs, source))
        typer.echo(f"review page written to {html}", err=True)


@app.command("export")
def export_(
    target: Outputs,
    to: Annotated[Path, typer.Option("--to", help="The file to write; its extension names the format.")],
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format", help="csv, jsonl, parquet (one row per cell), csv-wide (one row per report), sqlite."
        ),
    ] = None,
) -> None:
    """Export a batch for other systems: long CSV/JSONL/Parquet, a wide CSV, or SQLite."""
    from .export import export as run
    from .outputs import read_outputs

    chosen = format_of(to, fmt)
    n = run(read_outputs(target), to, chosen)
    typer.echo(f"{n} rows written to {to} ({chosen.value})", err=True)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (documented in `ExitCode`)."""
    try:
        app(args=argv, standalone_mode=False, prog_name="extractor")
    except ExtractorError as e:
        _fail(e, str(e), e.exit_code)
        return int(e.exit_code)
    except typer.Exit as e:
        return int(e.exit_code)
    except MemoryError as e:
        message = "ran out of memory reading the input; free some memory, or split the file"
        _fail(e, message, ExitCode.INPUT_TOO_LARGE)
        return int(ExitCode.INPUT_TOO_LARGE)
    except typer.Abort:
        typer.echo("extractor: interrupted; rerun the command", err=True)
        return int(ExitCode.INTERRUPTED)
    except Exception as e:  # click's usage errors carry their own code
        code = getattr(e, "exit_code", None)
        if code is not None and hasattr(e, "show"):
            e.show()
            return int(code)
        _fail(e, f"internal error: {type(e).__name__}: {e}; rerun with -v and report it", ExitCode.INTERNAL)
        return int(ExitCode.INTERNAL)
    return int(ExitCode.OK)


def _fail(e: BaseException, message: str, code: Any) -> None:
    if _state["verbose"]:
        traceback.print_exception(e)
    typer.echo(f"extractor: error: {message}", err=True)
    del code
