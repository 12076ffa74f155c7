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

from .batch.atomic import write_atomic
from .errors import ExitCode, ExtractorError, InputMissingError
from .limits import DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_PIXELS
from .output.formats import Format, format_of

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

    from .version import __version__

    try:
        import pytesseract

        tesseract = str(pytesseract.get_tesseract_version())
    except Exception:  # the binary is optional for text PDFs
        tesseract = "not installed"
    from .ocr.rapid import rapid_version

    return {
        "extractor": __version__,
        "pdfplumber": pdfplumber.__version__,
        "tesseract": tesseract,
        "rapidocr": rapid_version() or "not installed",
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
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the JSON here, not to stdout; an existing folder: one <file>[#n].json per report.",
        ),
    ] = None,
    threshold: Threshold = 0.8,
    password: Password = None,
    compact: Annotated[bool, typer.Option("--compact", help="One line of JSON, no indentation.")] = False,
    max_pixels: MaxPixels = DEFAULT_MAX_PIXELS,
) -> None:
    """Extract one report to JSON (stdout, or -o OUT.json); a compilation (several reports in one
    file) gives a JSON array, or one file per report with -o FOLDER."""
    from .pipeline import Settings, extract_all

    if file.is_dir():
        raise InputMissingError(
            f"{file}: is a folder; to extract every report in it, run: extractor batch {file} -o OUT_FOLDER"
        )
    settings = Settings(review_threshold=threshold, password=password, max_pixels=max_pixels)
    reports = extract_all(file, settings)
    indent = None if compact else 2
    if output is not None and output.is_dir():
        for n, report in enumerate(reports, 1):
            name = file.name if len(reports) == 1 else f"{file.name}#{n}"
            write_atomic(output / f"{name}.json", report.to_json(indent=indent) + "\n")
        return
    if len(reports) == 1:
        text = reports[0].to_json(indent=indent) + "\n"
    else:
        text = json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=indent) + "\n"
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
    from .output.debug import dump_stage

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
    from .batch.progress import progress_for
    from .batch.run import Engine, LocalEngine, run_batch
    from .batch.storage import location
    from .errors import BatchFailedError, InterruptedRunError, UsageError
    from .pipeline import Settings

    chosen: Engine = LocalEngine()
    if engine is EngineName.ray:
        from .batch.ray_engine import RayEngine

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
    for warning in run.dropped:
        typer.echo(f"warning: {warning}", err=True)
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
    serve: Annotated[
        bool,
        typer.Option("--serve", help="Review in the browser: a local app that records decisions."),
    ] = False,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="With --serve: print the address, do not open a browser.")
    ] = False,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="With --serve: the port (default: any free one).")
    ] = 0,
    reviewer: Annotated[
        str | None,
        typer.Option("--reviewer", help="With --serve: who decides (default: the OS user)."),
    ] = None,
) -> None:
    """List every flagged field and failed relation, most doubtful first; --html for a page with crops,
    --serve to decide them in the browser (decisions go to corrections.jsonl)."""
    from rich.console import Console

    from .output.outputs import read_outputs
    from .output.review import collect, print_table, render_html
    from .output.review_queue import apply_outputs, batch_folder

    if serve:
        from .output.review_app import serve as run_app
        from .output.review_queue import ReviewSession

        run_app(ReviewSession(target, reviewer, source), port=port, open_browser=not no_browser)
        return
    from .batch.crosscheck import cross_checks, print_checks, render_checks

    outputs = apply_outputs(read_outputs(target), None, batch_folder(target))
    reviews = collect(outputs)
    across = cross_checks((o.file, o.data) for o in outputs.reports)
    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160)
    print_table(reviews, outputs, console)
    print_checks(across, console)
    if html is not None:
        write_atomic(html, render_html(reviews, outputs, source, render_checks(across)))
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
    readings_only: Annotated[
        bool,
        typer.Option("--readings-only", help="The machine's readings, without the decisions of review."),
    ] = False,
) -> None:
    """Export a batch for other systems: long CSV/JSONL/Parquet, a wide CSV, or SQLite. A person's
    decisions (corrections.jsonl) are applied: cells say `verified` person or machine."""
    from .output.export import export as run
    from .output.outputs import read_outputs
    from .output.review_queue import apply_outputs, batch_folder

    chosen = format_of(to, fmt)
    outputs = read_outputs(target)
    outputs = apply_outputs(outputs, None, None if readings_only else batch_folder(target))
    n = run(outputs, to, chosen)
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
