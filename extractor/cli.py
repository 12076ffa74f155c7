"""The `extractor` command: a thin layer over the Python API. stdout carries only data."""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import traceback
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .errors import ExitCode, ExtractorError, OutputError

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


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, so a crash never leaves half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        raise OutputError(f"{path}: cannot write the output ({e.strerror}); choose a writable place") from e


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="The report: a text PDF, a web page or a Word file.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the JSON here, not to stdout.")
    ] = None,
    threshold: Threshold = 0.8,
    password: Password = None,
    compact: Annotated[bool, typer.Option("--compact", help="One line of JSON, no indentation.")] = False,
) -> None:
    """Extract one report to JSON (stdout, or -o OUT.json)."""
    from .pipeline import Settings
    from .pipeline import extract as run

    report = run(file, Settings(review_threshold=threshold, password=password))
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


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (documented in `ExitCode`)."""
    try:
        app(args=argv, standalone_mode=False, prog_name="extractor")
    except ExtractorError as e:
        _fail(e, str(e), e.exit_code)
        return int(e.exit_code)
    except typer.Exit as e:
        return int(e.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return int(ExitCode.INTERNAL)
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
