"""extractor: government information-disclosure annual reports (政府信息公开工作年度报告) to checked JSON.

>>> from extractor import extract
>>> report = extract("report.pdf")
>>> report.requests["new_received"]["total"].value
"""

from __future__ import annotations

from .errors import ExitCode, ExtractorError
from .model import Report
from .pipeline import Settings, extract

__version__ = "0.1.0"
__all__ = ["ExitCode", "ExtractorError", "Report", "Settings", "__version__", "extract"]
