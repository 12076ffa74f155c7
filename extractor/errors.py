"""One error hierarchy: each error carries its exit code and a message that says what to do."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented exit codes of the `extractor` command."""

    OK = 0
    INTERNAL = 1  # a bug: please report it with the input file
    USAGE = 2  # bad command-line usage (typer/click's own code)
    INPUT_MISSING = 3  # the input file does not exist or cannot be read
    INPUT_UNSUPPORTED = 4  # not a kind of file the extractor reads, or a damaged one
    NOT_A_REPORT = 5  # readable, but holds no annual report the extractor can find
    OUTPUT_FAILED = 6  # the output could not be written
    BATCH_FAILED = 7  # a batch ran to its end, but some inputs failed (see summary.csv)
    DEPENDENCY_MISSING = 8  # an optional dependency is not installed (pyarrow for Parquet)
    PASSWORD_REQUIRED = 9  # the PDF is encrypted with a password: give it with --password
    INPUT_TOO_LARGE = 10  # over a limit (pixels of an image), or out of memory: raise the limit or shrink it
    INTERRUPTED = 130  # interrupted (Ctrl-C): finished outputs are kept; rerun to finish


class ExtractorError(Exception):
    """Base of the extractor's own errors."""

    exit_code: ExitCode = ExitCode.INTERNAL


class InputMissingError(ExtractorError, FileNotFoundError):
    exit_code = ExitCode.INPUT_MISSING


class UnsupportedInputError(ExtractorError, ValueError):
    exit_code = ExitCode.INPUT_UNSUPPORTED


class NotAReportError(ExtractorError, ValueError):
    exit_code = ExitCode.NOT_A_REPORT


class PasswordRequiredError(ExtractorError, PermissionError):
    """A PDF that opens only with its user password, and none or a wrong one was given."""

    exit_code = ExitCode.PASSWORD_REQUIRED


class InputTooLargeError(ExtractorError, ValueError):
    """An input over a configured limit (an image's pixels), refused before it is decoded."""

    exit_code = ExitCode.INPUT_TOO_LARGE


class OutputError(ExtractorError, OSError):
    exit_code = ExitCode.OUTPUT_FAILED


class UsageError(ExtractorError, ValueError):
    """Bad usage the command line's own parser cannot see (an unknown export format)."""

    exit_code = ExitCode.USAGE


class BatchFailedError(ExtractorError):
    exit_code = ExitCode.BATCH_FAILED


class DependencyMissingError(ExtractorError, ImportError):
    exit_code = ExitCode.DEPENDENCY_MISSING


class WorkerStartError(ExtractorError, RuntimeError):
    """Worker processes that could not start (out of processes or memory): never a wait for them."""

    exit_code = ExitCode.INTERNAL


class InterruptedRunError(ExtractorError):
    """A run stopped by Ctrl-C (not a KeyboardInterrupt itself: click would turn that into Abort)."""

    exit_code = ExitCode.INTERRUPTED
