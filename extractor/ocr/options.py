"""How OCR runs: which engine each worker builds, how many workers, how long a page may take.

Kept free of numpy and OpenCV so that the settings cost nothing to import when no page needs OCR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .engine import Engine

# The confidence of a number three readings by two models (eng twice, chi_sim) agree on: the
# surest an OCR reading gets. A relation that fails on readings this sure is the document's fault;
# under it, the reading may be (validation localises the suspect).
CERTAIN = 0.98


class EngineFactory(Protocol):
    """Builds the engine inside each worker process (so it must pickle)."""

    def __call__(self) -> Engine: ...


@dataclass(frozen=True)
class Tesseract:
    """The real engine (the default): libtesseract with the chi_sim and eng models, and RapidOCR's
    recogniser for the `rapid` requests."""

    def __call__(self) -> Engine:
        from .rapid import DefaultEngine

        return DefaultEngine()


@dataclass(frozen=True)
class Recorded:
    """Replays the raw outputs recorded in `path` (tests: fast and the same everywhere).

    With `record`, what is missing is read with the real engines and kept (the runner merges what
    the workers added and saves the file). With `fallback`, what is missing is read with them when
    they are installed, and not kept (pixels that differ on another machine still get read)."""

    path: str
    record: bool = False
    fallback: bool = False

    def __call__(self) -> Engine:
        from .engine import RecordedEngine, load_records, tesseract_version
        from .rapid import DefaultEngine, rapid_version

        name, records = load_records(Path(self.path))
        inner = None
        installed = tesseract_version() is not None and rapid_version() is not None
        if self.record or (self.fallback and installed):
            inner = DefaultEngine()
        return RecordedEngine(records, name if not self.record or inner is None else inner.name, inner)


@dataclass(frozen=True)
class OcrOptions:
    """`workers`: page processes (None: one per core, at most one per page; 1: in this process).
    `page_timeout`: seconds a page may take before it is given up with a warning."""

    engine: EngineFactory = field(default_factory=Tesseract)
    workers: int | None = None
    page_timeout: float = 300.0
