"""A second, independent engine: RapidOCR's text recogniser (PP-OCR, run by onnxruntime).

Tesseract's readings of a cell agree with each other too easily (one model, the same crop); a
recogniser trained apart, on other data, is a reading that fails in other ways. It reads one line
of text (a cell crop: grayscale, white margin) with the recognition model alone: no text
detection and no angle classifier, since the crop is one line, upright.

Its output is tesseract's TSV, so `parse_tsv` reads it unchanged: one word row (level 5) with the
whole image as the box and the recogniser's score (the mean of its characters' probabilities)
× 100 as the confidence, or no row when it reads nothing. A `chars` row after it holds each
character's probability × 100 (`char_confidences`): the mean hides one doubtful digit in a long
number, the lowest does not.

The model is the one the `rapidocr` wheel ships (PP-OCRv6 small, Chinese, Latin letters and
digits); it is given to rapidocr by its path, so nothing is ever downloaded.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import threading
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DependencyMissingError
from .arrays import Image
from .engine import Engine, EngineError, Request, TesseractEngine, engine_messages, tesseract_version

RAPID = Request("rapid", 7)  # one line of text, read by the recogniser
INSTALL_HINT = "pip install 'rapidocr>=3.10,<4' onnxruntime"
MODEL = "PP-OCRv6_rec_small.onnx"  # in rapidocr/models/ of the wheel


def rapid_version() -> str | None:
    """The installed rapidocr's version, None when it or onnxruntime is missing."""
    try:
        version = importlib.metadata.version("rapidocr")
        importlib.metadata.version("onnxruntime")
    except importlib.metadata.PackageNotFoundError:
        return None
    return version


def model_path() -> Path:
    """The recognition model inside the installed rapidocr (found without importing it)."""
    spec = importlib.util.find_spec("rapidocr") if rapid_version() else None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "models" / MODEL
        if path.is_file():
            return path
    raise DependencyMissingError(
        f"this file needs OCR, and rapidocr (with its {MODEL} model) or onnxruntime is not "
        f"installed: {INSTALL_HINT}"
    )


@cache
def _recogniser() -> Any:
    """rapidocr set to recognise only, on the bundled model, one thread: loaded once a process."""
    path = model_path()
    try:
        import onnxruntime
        from rapidocr import RapidOCR
    except ImportError as e:
        missing = f"this file needs OCR, and {e.name} did not load"
        raise DependencyMissingError(f"{missing}: {INSTALL_HINT}") from e

    onnxruntime.set_default_logger_severity(4)  # fatal only: onnxruntime writes to stderr itself
    log = logging.getLogger("RapidOCR")  # rapidocr's own logger writes to stderr
    log.handlers.clear()
    log.addHandler(logging.NullHandler())
    log.propagate = False
    return RapidOCR(
        params={
            "Global.use_det": False,
            "Global.use_cls": False,
            "Global.use_preprocess_img": False,  # the recogniser scales the line to its height
            "Global.log_level": "critical",
            "Rec.model_path": str(path),
            # Lines are padded to this width at least (rapidocr's default, 320, is PaddleOCR's): a
            # cell's number is far narrower, and the padding was half the time (bench/rapid.py:
            # 54 → 28 ms a crop, the same numbers read).
            "Rec.rec_img_shape": [3, 48, 160],
            # Page workers run one per core; more threads in a worker only fight them.
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
    )


_lock = threading.Lock()  # each call sets its options on the one shared rapidocr object


class RapidEngine:
    """RapidOCR's recogniser for `lang == "rapid"` requests (psm and whitelist are not used)."""

    def __init__(self) -> None:
        model_path()  # missing: the install command now, not at the first cell
        self.version = rapid_version() or ""
        self.name = f"rapidocr {self.version}"

    def read(self, image: Image, request: Request) -> str:
        if request.lang != RAPID.lang:
            raise EngineError(f"rapidocr reads only {RAPID.lang!r} requests, not {request.lang!r}")
        img = np.ascontiguousarray(image, dtype=np.uint8)
        if img.ndim != 2 or img.shape[0] < 1 or img.shape[1] < 1:
            raise EngineError(f"not a grayscale image: shape {img.shape}")
        recogniser = _recogniser()
        try:
            with _lock:
                result = recogniser(img, use_det=False, use_cls=False, use_rec=True, return_word_box=True)
        except Exception as e:  # onnxruntime's and rapidocr's own errors: this image failed
            raise EngineError(f"rapidocr failed: {type(e).__name__}: {e}") from e
        return _tsv(result, img.shape[1], img.shape[0])


def _tsv(result: Any, width: int, height: int) -> str:
    """The recogniser's reading as a word row and a `chars` row ("" when it read nothing)."""
    texts, scores = getattr(result, "txts", None), getattr(result, "scores", None)
    if not texts or not scores:
        return ""
    raw = str(texts[0])
    text = " ".join(raw.split())  # no tab or newline inside a TSV field
    if not text:
        return ""
    word = f"5\t1\t1\t1\t1\t1\t0\t0\t{width}\t{height}\t{float(scores[0]) * 100:.2f}\t{text}"
    words = getattr(result, "word_results", None) or [None]
    confs = list(getattr(words[0], "confs", None) or [])
    if len(confs) != len(raw):  # one probability a character read, or none to give
        return word
    kept = [c for ch, c in zip(raw, confs, strict=True) if not ch.isspace()]
    return word + "\nchars\t" + "\t".join(f"{float(c) * 100:.2f}" for c in kept)


def char_confidences(raw: str) -> list[float]:
    """The probability × 100 of each character (spaces left out) of a rapid reading, from its
    `chars` row ([] without one)."""
    for row in raw.splitlines():
        if row.startswith("chars\t"):
            return [float(v) for v in row.split("\t")[1:]]
    return []


def engine_name() -> str:
    """The default engine's name as `source.ocr` gives it, without loading either."""
    tesseract, rapid = tesseract_version(), rapid_version()
    return f"tesseract {tesseract or ''}".strip() + " + " + f"rapidocr {rapid or ''}".strip()


class DefaultEngine:
    """The default engine: `lang == "rapid"` requests to RapidOCR's recogniser, the rest to
    tesseract."""

    def __init__(self, tesseract: Engine | None = None, rapid: Engine | None = None) -> None:
        self.tesseract = tesseract if tesseract is not None else TesseractEngine()
        self.rapid = rapid if rapid is not None else RapidEngine()
        self.name = f"{self.tesseract.name} + {self.rapid.name}"

    def read(self, image: Image, request: Request) -> str:
        engine = self.rapid if request.lang == RAPID.lang else self.tesseract
        return engine.read(image, request)

    def messages(self) -> list[str]:
        return engine_messages(self.tesseract)

    def close(self) -> None:
        close = getattr(self.tesseract, "close", None)
        if close is not None:
            close()


def check_rapid() -> None:
    """Raise DependencyMissingError (with the pip command) unless rapidocr, onnxruntime and the
    model are installed (without loading the model)."""
    model_path()
