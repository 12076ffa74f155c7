"""extractor: government information-disclosure annual reports (政府信息公开工作年度报告) to checked JSON.

>>> from extractor import extract
>>> report = extract("report.pdf")
>>> report.requests["new_received"]["total"].value
>>> from extractor import extract_all
>>> reports = extract_all("compilation.pdf")  # every report of a file (汇编: several)

>>> from extractor import extract_many
>>> for result in extract_many(paths, jobs=2):  # worker processes; Results as files finish
...     result.path, result.status, result.report, result.errors
"""

from __future__ import annotations

from typing import Any

from . import forksafe
from .errors import ExitCode, ExtractorError
from .model import Report
from .pipeline import Settings, extract, extract_all
from .version import __version__

forksafe.install()  # a caller's forked processes can use the extractor's OCR (see forksafe)

__all__ = [
    "ExitCode",
    "ExtractorError",
    "Report",
    "Result",
    "Settings",
    "__version__",
    "extract",
    "extract_all",
    "extract_many",
]


def __getattr__(name: str) -> Any:
    """`extract_many` and `Result` load the batch machinery only when asked for (a single extraction
    starts faster without it)."""
    if name in ("extract_many", "Result"):
        from .batch import run as batch

        return getattr(batch, name)
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")
