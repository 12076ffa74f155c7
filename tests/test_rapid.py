"""The second engine (RapidOCR's recogniser behind the Engine interface) and the default engine
that routes to it: numbers read from drawn crops, its TSV, recordings, routing, no network, a
missing install; and tesseract's image library kept off the terminal."""

from __future__ import annotations

import ctypes
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from extractor.errors import DependencyMissingError
from extractor.ocr import quiet, rapid
from extractor.ocr.arrays import Image
from extractor.ocr.engine import (
    Request,
    TesseractEngine,
    added_records,
    engine_messages,
    load_records,
    parse_tsv,
    save_records,
)
from extractor.ocr.options import Recorded
from extractor.ocr.page import _engine_errors
from extractor.ocr.rapid import RAPID, DefaultEngine, RapidEngine, char_confidences
from extractor.ocr.read import NUMBER, _pad, _trim

from .conftest import ROOT


def _font() -> str:
    """WenQuanYi Zen Hei's file, as fontconfig finds it (the test skips without it)."""
    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig is not installed (apt-get install fontconfig fonts-wqy-zenhei)")
    out = subprocess.run(
        ["fc-match", "-f", "%{file}", "WenQuanYi Zen Hei"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if "wqy-zenhei" not in out or not Path(out).is_file():
        pytest.skip("the WenQuanYi Zen Hei font is not installed (apt-get install fonts-wqy-zenhei)")
    return out


def crop(text: str, size: int = 40) -> Image:
    """`text` drawn black on white, cut to its ink and given the margin cell crops have."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    font = ImageFont.truetype(_font(), size)
    page = PILImage.new("L", (size * (len(text) + 2), size * 3), 255)
    ImageDraw.Draw(page).text((size, size), text, font=font, fill=0)
    return _pad(_trim(np.asarray(page, dtype=np.uint8)))


@pytest.fixture(scope="module")
def engine() -> RapidEngine:
    return RapidEngine()


# --- the recogniser -------------------------------------------------------------------------------


@pytest.mark.rapid
@pytest.mark.parametrize("number", ["1234", "0", "96171.6", "3985758"])
def test_reads_a_drawn_number(engine: RapidEngine, number: str) -> None:
    image = crop(number)
    raw = engine.read(image, RAPID)
    (word,) = parse_tsv(raw)
    assert word.text == number
    assert word.conf >= 90
    assert word.box == (0, 0, image.shape[1], image.shape[0])  # the line is the whole crop
    confs = char_confidences(raw)
    assert len(confs) == len(number) and min(confs) >= 50


@pytest.mark.rapid
def test_reads_chinese(engine: RapidEngine) -> None:
    (word,) = parse_tsv(engine.read(crop("行政许可"), RAPID))
    assert word.text == "行政许可"


@pytest.mark.rapid
def test_a_blank_crop_reads_as_nothing(engine: RapidEngine) -> None:
    raw = engine.read(np.full((60, 120), 255, np.uint8), RAPID)
    assert raw == "" and parse_tsv(raw) == [] and char_confidences(raw) == []


def test_other_requests_and_images_are_refused() -> None:
    engine = RapidEngine()  # nothing loaded yet: the model loads at the first read
    from extractor.ocr.engine import EngineError

    with pytest.raises(EngineError, match="rapid"):
        engine.read(np.full((10, 10), 255, np.uint8), NUMBER)
    with pytest.raises(EngineError, match="grayscale"):
        engine.read(np.full((10, 10, 3), 255, np.uint8), RAPID)


def test_rows_of_a_reading() -> None:
    class Result:
        txts = ("12 3\t4",)
        scores = (0.9,)

        class Word:
            confs = (0.99, 0.98, 0.5, 0.97, 0.96, 0.95)

        word_results = (Word(),)

    raw = rapid._tsv(Result(), 80, 40)
    assert raw.splitlines()[0] == "5\t1\t1\t1\t1\t1\t0\t0\t80\t40\t90.00\t12 3 4"
    assert char_confidences(raw) == [99.0, 98.0, 97.0, 95.0]  # spaces left out
    assert [w.text for w in parse_tsv(raw)] == ["12 3 4"]


# --- offline, and quiet ---------------------------------------------------------------------------


@pytest.fixture
def fresh_model() -> Iterator[None]:
    """The model loaded again inside the test (it is loaded once a process)."""
    rapid._recogniser.cache_clear()
    yield
    rapid._recogniser.cache_clear()


@pytest.mark.rapid
def test_loads_and_reads_with_no_network(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], fresh_model: None
) -> None:
    """The model is the wheel's file, given by its path: loading it and reading connect nowhere,
    and nothing is written to the terminal (rapidocr's logger, onnxruntime's own)."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    (word,) = parse_tsv(RapidEngine().read(crop("2024"), RAPID))
    assert word.text == "2024"
    assert attempts == []
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert rapid.model_path().parent.parent.name == "rapidocr"


def test_a_missing_install_says_what_to_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rapid, "rapid_version", lambda: None)
    with pytest.raises(DependencyMissingError, match=r"pip install 'rapidocr"):
        RapidEngine()
    with pytest.raises(DependencyMissingError, match=r"pip install 'rapidocr"):
        rapid.check_rapid()


@pytest.mark.tesseract
def test_a_missing_install_stops_a_scan_before_its_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.ingest.scanned import _check_engine
    from extractor.ocr.options import OcrOptions

    _check_engine(OcrOptions())
    monkeypatch.setattr(rapid, "rapid_version", lambda: None)
    with pytest.raises(DependencyMissingError, match=r"pip install 'rapidocr>=3\.10,<4' onnxruntime"):
        _check_engine(OcrOptions())


# --- the default engine ---------------------------------------------------------------------------


class Fake:
    def __init__(self, name: str) -> None:
        self.name = name
        self.asked: list[str] = []

    def read(self, image: Image, request: Request) -> str:
        self.asked.append(request.lang)
        return f"5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\t{self.name}"


def test_the_default_engine_routes_by_language() -> None:
    tesseract, recogniser = Fake("tesseract 5.3.0"), Fake("rapidocr 3.10.0")
    engine = DefaultEngine(tesseract, recogniser)
    image = np.full((10, 10), 255, np.uint8)
    assert parse_tsv(engine.read(image, RAPID))[0].text == "rapidocr 3.10.0"
    assert parse_tsv(engine.read(image, NUMBER))[0].text == "tesseract 5.3.0"
    engine.read(image, Request("chi_sim", 7))
    assert recogniser.asked == ["rapid"] and tesseract.asked == ["eng", "chi_sim"]
    assert engine.name == "tesseract 5.3.0 + rapidocr 3.10.0"


@pytest.mark.tesseract
@pytest.mark.rapid
def test_the_default_engine_says_both_versions() -> None:
    engine = DefaultEngine()
    assert engine.name.startswith("tesseract 5.") and " + rapidocr 3." in engine.name
    assert rapid.engine_name() == engine.name


@pytest.mark.tesseract
@pytest.mark.rapid
def test_rapid_reads_are_recorded_and_replayed(tmp_path: Path) -> None:
    path = tmp_path / "reads.json"
    image = crop("731")
    recording = Recorded(str(path), record=True)()
    raw = recording.read(image, RAPID)
    digits = recording.read(image, NUMBER)
    assert "chars\t" in raw and parse_tsv(raw)[0].text == "731"
    save_records(path, recording.name, added_records(recording))
    name, records = load_records(path)
    assert " + rapidocr " in name and len(records) == 2
    replay = Recorded(str(path))()  # no engine behind it: only what was recorded
    assert replay.read(image, RAPID) == raw
    assert char_confidences(replay.read(image, RAPID)) == char_confidences(raw)
    assert parse_tsv(replay.read(image, NUMBER)) == parse_tsv(digits)


# --- tesseract's image library, kept off the terminal ----------------------------------------------


@pytest.mark.tesseract
def test_leptonica_errors_are_kept_not_printed(capfd: pytest.CaptureFixture[str]) -> None:
    """Leptonica writes its errors to fd 2 (`Error in pixScanForForeground: invalid box` while
    tesseract's picture finder clips an empty box); the engine keeps them for the page instead.
    The call here is the one the picture finder makes, with a box of no width."""
    engine = TesseractEngine()
    engine.messages()
    lib = engine._lib
    lib.pixCreate.argtypes, lib.pixCreate.restype = [ctypes.c_int] * 3, ctypes.c_void_p
    lib.boxCreate.argtypes, lib.boxCreate.restype = [ctypes.c_int] * 4, ctypes.c_void_p
    clip = lib.pixClipBoxToForeground
    clip.argtypes, clip.restype = [ctypes.c_void_p] * 4, ctypes.c_int
    pix, box, out = lib.pixCreate(100, 40, 1), lib.boxCreate(100, 0, 10, 40), ctypes.c_void_p()
    clip(pix, box, None, ctypes.byref(out))  # a box starting at the right edge: no width inside
    for name, thing in (("pixDestroy", pix), ("boxDestroy", box)):
        getattr(lib, name).argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        getattr(lib, name)(ctypes.byref(ctypes.c_void_p(thing)))
    assert capfd.readouterr().err == ""
    said = engine.messages()
    assert any("pixScanForForeground: invalid box" in m for m in said), said
    assert engine.messages() == []  # drained
    assert not any(quiet.matters(m) for m in said)  # the picture finder's empty box: harmless


@pytest.mark.tesseract
def test_tesseract_reads_print_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    """Blank, tiny and one-pixel crops in every mode the reader uses: no 'Empty page!!', no
    'Estimating resolution', no leptonica error on the terminal."""
    engine = TesseractEngine()
    images = [
        np.full((60, 60), 255, np.uint8),
        np.full((1, 50), 255, np.uint8),
        np.zeros((1, 1), np.uint8),
        np.pad(np.zeros((1, 40), np.uint8), 30, constant_values=255),
    ]
    for image in images:
        for request in (NUMBER, Request("eng", 10, "0123"), Request("chi_sim", 7), Request("chi_sim", 6)):
            engine.read(image, request)
        engine.read(image, Request("chi_sim+eng", 3))
    out, err = capfd.readouterr()
    assert out == "" and err == ""


@pytest.mark.tesseract
def test_a_missing_model_says_nothing_on_stderr_either() -> None:
    """Tesseract's 'Error opening data file …' comes before any model is loaded: in a fresh process
    (its debug file is global, so an earlier model would hide it), the error is ours alone."""
    code = (
        "from extractor.ocr.engine import TesseractEngine\n"
        "try:\n    TesseractEngine()._handle('no_such_model')\n"
        "except Exception as e:\n    print(type(e).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "DependencyMissingError" and done.stderr == ""


def test_the_page_warns_only_of_errors_that_matter() -> None:
    class Saying(Fake):
        def __init__(self, said: list[str]) -> None:
            super().__init__("said")
            self.said = said

        def messages(self) -> list[str]:
            out, self.said = self.said, []
            return out

    harmless = [
        "Error in boxClipToRectangle: box outside rectangle",
        "Error in pixScanForForeground: invalid box",
        "Warning in pixReadMemPng: work-around: writing to a temp file",
    ]
    assert _engine_errors(Saying(harmless)) == []
    errors = ["Error in pixCreateNoInit: pixdata not made", "Error in pixCopy: pixd not made"]
    assert _engine_errors(Saying(harmless + errors)) == [
        "the OCR engine reported 2 image errors (first: Error in pixCreateNoInit: pixdata not made)"
    ]
    assert engine_messages(Fake("x")) == []  # an engine that says nothing


def test_messages_kept_are_bounded() -> None:
    quiet.drain()
    for _ in range(quiet.KEEP + 10):
        quiet._collect(b"Error in pixScanForForeground: invalid box\n")
    quiet._collect(b"Error in pixCreateNoInit: pixdata not made\n")
    kept = quiet.drain()
    assert len(kept) == quiet.KEEP + 1 and kept[-1] == "Error in pixCreateNoInit: pixdata not made"
    assert quiet.drain() == []


class Reads:
    """An engine that reads every request of a language as one fixed text ('' for nothing)."""

    def __init__(self, name: str, text: str) -> None:
        self.name, self.text = name, text

    def read(self, image: Image, request: Request) -> str:
        return f"5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\t{self.text}" if self.text else ""


def test_a_label_tesseract_cannot_read_is_taken_from_the_second_engine_only_when_the_templates_know_it() -> (
    None
):
    from extractor.ocr.read import read_cell

    image = crop("规章")
    engine = DefaultEngine(Reads("tesseract", ""), Reads("rapidocr", "规章"))
    reading = read_cell(engine, image)
    assert (reading.text, reading.agreement) == ("规章", "label")
    assert "RapidOCR read '规章', a label of the templates" in reading.notes[0]
    # A reading no template knows is not a label on the second engine's word alone.
    unknown = read_cell(DefaultEngine(Reads("tesseract", ""), Reads("rapidocr", "规草案")), image)
    assert unknown.agreement != "label" and unknown.confidence <= 0.3
