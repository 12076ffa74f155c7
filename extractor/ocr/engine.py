"""OCR engines: one image in, the engine's raw output out, behind one small interface.

The OCR adapter has two steps (img2table's split): an engine turns an image into its raw output,
tesseract's TSV (the columns of `tesseract IMAGE out tsv`, pytesseract's `image_to_data`), and
`parse_tsv` normalises that into words with boxes and confidences. Tests put a recorded engine
(`RecordedEngine`: raw outputs keyed by a hash of the image and the request) or a fake one that
injects faults in the real engine's place.

`TesseractEngine` calls libtesseract through its C API (ctypes), so each language model is loaded
once per process and a cell costs milliseconds; pytesseract starts a tesseract process per call
(about 0.1 s, which for the 300 crops of a report is most of the budget).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..errors import DependencyMissingError, ExtractorError
from . import quiet
from .arrays import Image

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng"


class EngineError(ExtractorError, RuntimeError):
    """The engine failed on one image (a crash, a timeout, a missing recording)."""


@dataclass(frozen=True)
class Request:
    """What to read an image as: tesseract's language(s), page segmentation mode and whitelist."""

    lang: str
    psm: int
    whitelist: str = ""

    def key(self) -> str:
        return f"{self.lang}/psm{self.psm}/{self.whitelist}"


class Engine(Protocol):
    """Anything that reads an image. `name` goes into the report's `source.ocr`."""

    name: str

    def read(self, image: Image, request: Request) -> str:
        """The raw TSV for the image (tesseract's columns, header row optional)."""
        ...


@runtime_checkable
class Reports(Protocol):
    """An engine whose libraries say things while they read (leptonica's errors)."""

    def messages(self) -> list[str]:
        """What was said since the last call."""
        ...


def engine_messages(engine: Engine) -> list[str]:
    """What the engine's libraries said since the last call; [] for engines that say nothing."""
    return engine.messages() if isinstance(engine, Reports) else []


@dataclass
class Word:
    text: str
    conf: float  # 0–100, tesseract's word confidence
    box: tuple[int, int, int, int]  # x0, top, x1, bottom in the image read
    line: tuple[int, int, int]  # block, paragraph, line: words with the same key form a line


def parse_tsv(raw: str) -> list[Word]:
    """The words (level 5 rows) of a raw TSV output, in reading order."""
    words: list[Word] = []
    for row in raw.splitlines():
        parts = row.split("\t")
        if len(parts) < 12 or parts[0] != "5":
            continue
        text = "\t".join(parts[11:]).strip()
        if not text:
            continue
        left, top, width, height = (int(v) for v in parts[6:10])
        words.append(
            Word(
                text=text,
                conf=float(parts[10]),
                box=(left, top, left + width, top + height),
                line=(int(parts[2]), int(parts[3]), int(parts[4])),
            )
        )
    return words


def image_key(image: Image, request: Request) -> str:
    """The hash a recorded output is filed under: the pixels, their shape and the request."""
    h = hashlib.sha256()
    h.update(f"{image.shape}|{request.key()}|".encode())
    h.update(np.ascontiguousarray(image).tobytes())
    return h.hexdigest()[:24]


# --- tesseract through its C API ------------------------------------------------------------------


def _load_library() -> Any:
    # Before the library (and its OpenMP runtime, which reads the limit once, as it loads): OpenMP
    # threads fight the page workers for the cores, and a process forked after they started (page
    # workers) waits forever in its first parallel region.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    names = [ctypes.util.find_library("tesseract"), "libtesseract.so.5", "libtesseract.so.4"]
    for name in filter(None, names):
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    raise DependencyMissingError(f"this file needs OCR, and tesseract is not installed: {INSTALL_HINT}")


def _declare(lib: Any) -> None:
    vp, cp, i, fl = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_float
    signatures: dict[str, tuple[list[Any], Any]] = {
        "TessVersion": ([], cp),
        "TessBaseAPICreate": ([], vp),
        "TessBaseAPIInit3": ([vp, cp, cp], i),
        "TessBaseAPISetPageSegMode": ([vp, i], None),
        "TessBaseAPISetVariable": ([vp, cp, cp], i),
        "TessBaseAPISetImage": ([vp, vp, i, i, i, i], None),
        "TessBaseAPISetSourceResolution": ([vp, i], None),
        "TessBaseAPIGetTsvText": ([vp, i], vp),
        "TessBaseAPIDetectOrientationScript": (
            [vp, ctypes.POINTER(i), ctypes.POINTER(fl), ctypes.POINTER(cp), ctypes.POINTER(fl)],
            i,
        ),
        "TessDeleteText": ([vp], None),
        "TessBaseAPIClear": ([vp], None),
        "TessBaseAPIEnd": ([vp], None),
        "TessBaseAPIDelete": ([vp], None),
    }
    for name, (args, res) in signatures.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, res


class TesseractEngine:
    """libtesseract in this process: one handle per language, loaded on first use."""

    def __init__(self, dpi: int = 300) -> None:
        self._lib = _load_library()  # one OpenMP thread (see there)
        _declare(self._lib)
        quiet.capture(self._lib)  # leptonica's errors: kept for the page, never on stderr
        self.version = self._lib.TessVersion().decode()
        self.name = f"tesseract {self.version}"
        self.dpi = dpi
        self._handles: dict[str, int] = {}

    def _handle(self, lang: str) -> int:
        handle = self._handles.get(lang)
        if handle is None:
            handle = self._lib.TessBaseAPICreate()
            # Tesseract's own messages ("Empty page!!", "Estimating resolution as …") go to its
            # debug file, set before Init for what loading the model says.
            self._lib.TessBaseAPISetVariable(handle, b"debug_file", b"/dev/null")
            if self._lib.TessBaseAPIInit3(handle, None, lang.encode()) != 0:
                self._lib.TessBaseAPIDelete(handle)
                raise DependencyMissingError(
                    f"this file needs OCR, and tesseract's {lang!r} model is not installed: {INSTALL_HINT}"
                )
            self._lib.TessBaseAPISetVariable(handle, b"preserve_interword_spaces", b"1")
            self._lib.TessBaseAPISetVariable(handle, b"debug_file", b"/dev/null")  # and after it
            self._handles[lang] = handle
        return handle

    def read(self, image: Image, request: Request) -> str:
        lib = self._lib
        handle = self._handle(request.lang)
        img = np.ascontiguousarray(image, dtype=np.uint8)
        if img.ndim != 2 or img.shape[0] < 1 or img.shape[1] < 1:
            raise EngineError(f"not a grayscale image: shape {img.shape}")
        lib.TessBaseAPISetPageSegMode(handle, request.psm)
        lib.TessBaseAPISetVariable(handle, b"tessedit_char_whitelist", request.whitelist.encode())
        lib.TessBaseAPISetImage(handle, img.ctypes.data, img.shape[1], img.shape[0], 1, img.strides[0])
        lib.TessBaseAPISetSourceResolution(handle, self.dpi)
        if request.psm == 0:
            return self._orientation(handle)
        ptr = lib.TessBaseAPIGetTsvText(handle, 0)
        if not ptr:
            raise EngineError("tesseract returned no output")
        try:
            return str(ctypes.string_at(ptr).decode("utf-8", errors="replace"))
        finally:
            lib.TessDeleteText(ptr)
            lib.TessBaseAPIClear(handle)

    def _orientation(self, handle: int) -> str:
        """Orientation and script detection (`--psm 0`) as one line: `osd`, the degrees the page is
        turned counter-clockwise, the confidence, the script and its confidence (tab-separated)."""
        deg, conf = ctypes.c_int(0), ctypes.c_float(0.0)
        script, script_conf = ctypes.c_char_p(), ctypes.c_float(0.0)
        try:
            ok = self._lib.TessBaseAPIDetectOrientationScript(
                handle, ctypes.byref(deg), ctypes.byref(conf), ctypes.byref(script), ctypes.byref(script_conf)
            )
        finally:
            self._lib.TessBaseAPIClear(handle)
        if not ok:
            return ""  # too little text to tell: no answer, not an error
        name = (script.value or b"").decode(errors="replace")
        return f"osd\t{deg.value}\t{conf.value:.2f}\t{name}\t{script_conf.value:.2f}"

    def messages(self) -> list[str]:
        """Leptonica's messages since the last call (see `quiet`)."""
        return quiet.drain()

    def close(self) -> None:
        for handle in self._handles.values():
            self._lib.TessBaseAPIEnd(handle)
            self._lib.TessBaseAPIDelete(handle)
        self._handles.clear()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown: nothing left to free
            self.close()


def loaded_tesseract(langs: tuple[str, ...] = ("chi_sim", "eng")) -> TesseractEngine:
    """A TesseractEngine with the models loaded; DependencyMissingError (with the install command)
    unless libtesseract and the models load."""
    engine = TesseractEngine()
    try:
        for lang in langs:
            engine._handle(lang)
    except BaseException:
        engine.close()
        raise
    return engine


def check_tesseract(langs: tuple[str, ...] = ("chi_sim", "eng")) -> None:
    """Raise DependencyMissingError (with the install command) unless libtesseract and the models
    load."""
    loaded_tesseract(langs).close()


def tesseract_version() -> str | None:
    """The installed libtesseract's version, None when it is not installed."""
    try:
        lib = _load_library()
    except DependencyMissingError:
        return None
    lib.TessVersion.restype = ctypes.c_char_p
    return str(lib.TessVersion().decode())


# --- recorded outputs ------------------------------------------------------------------------------


class RecordedEngine:
    """Replays raw outputs recorded from a real engine, keyed by `image_key`.

    With `inner`, an image not yet recorded is read by it and its output kept in `records`, to be
    saved with `save_records` (the way recordings are made); without, it is an EngineError.
    """

    def __init__(self, records: dict[str, str], name: str, inner: Engine | None = None) -> None:
        self.records = records
        self.name = name
        self.inner = inner
        self.added: dict[str, str] = {}

    def read(self, image: Image, request: Request) -> str:
        key = image_key(image, request)
        raw = self.records.get(key)
        if raw is None:
            if self.inner is None:
                raise EngineError(
                    f"no recorded OCR output for this image ({key}, {request.key()}): record again "
                    "with EXTRACTOR_OCR_RECORD=1"
                )
            raw = self.inner.read(image, request)
            self.records[key] = raw
            self.added[key] = raw
        return raw

    def messages(self) -> list[str]:
        return engine_messages(self.inner) if self.inner is not None else []


def load_records(path: Path) -> tuple[str, dict[str, str]]:
    if not path.exists():
        return "tesseract (recorded)", {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return str(data["engine"]), dict(data["reads"])


def save_records(path: Path, engine: str, records: dict[str, str]) -> None:
    """Recordings as JSON, keeping of each output the word rows (the only ones `parse_tsv` reads),
    orientation answers and a rapid reading's character confidences."""
    path.parent.mkdir(parents=True, exist_ok=True)
    words = {
        key: "\n".join(r for r in raw.splitlines() if r.startswith(("5\t", "osd\t", "chars\t")))
        for key, raw in records.items()
    }
    data = {"engine": engine, "reads": dict(sorted(words.items()))}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


def added_records(engine: Engine) -> dict[str, str]:
    """Outputs an engine recorded during this run (empty for every other engine)."""
    return dict(engine.added) if isinstance(engine, RecordedEngine) else {}
