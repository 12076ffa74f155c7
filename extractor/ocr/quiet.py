"""Leptonica's messages kept off the terminal, and kept for the page reader to judge.

Leptonica (tesseract's image library) writes its errors straight to the process's stderr, e.g.
`Error in pixScanForForeground: invalid box` while tesseract looks for pictures in a page. stdout
and stderr belong to the command line (data, and one line per error), so every message is routed
to a callback instead (`leptSetStderrHandler`) and kept here until the page reader drains it.
Tesseract's own messages go to its `debug_file` (see `TesseractEngine`).

The handler is leptonica's, so it is one per process: the messages are those of the process,
which runs one page at a time.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any

import regex

# Messages of each kind (that matter, harmless) kept until drained; past that they are dropped
# (a pathological page must not grow memory, and a flood of harmless ones must not push out one
# that matters).
KEEP = 50

_lock = threading.Lock()
_messages: list[str] = []
_kept = {True: 0, False: 0}
_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p)


@_HANDLER  # type: ignore[untyped-decorator]
def _collect(message: bytes | None) -> None:
    text = (message or b"").decode("utf-8", errors="replace").strip()
    if not text:
        return
    kind = matters(text)
    with _lock:
        if _kept[kind] < KEEP:
            _kept[kind] += 1
            _messages.append(text)


_installed: set[int] = set()


def capture(lib: Any) -> bool:
    """Route leptonica's messages to this module, for the leptonica that `lib` (libtesseract,
    loaded with ctypes) uses: symbols looked up through a library handle are searched in its
    dependencies too, so this is the very leptonica tesseract calls, whatever its file is named.
    False when that leptonica has no handler to set (older than 1.80): then it is silenced."""
    key = id(lib)
    if key in _installed:
        return True
    try:
        set_handler = lib.leptSetStderrHandler
    except AttributeError:
        try:
            lib.setMsgSeverity.argtypes, lib.setMsgSeverity.restype = [ctypes.c_int], ctypes.c_int
            lib.setMsgSeverity(6)  # L_SEVERITY_NONE
        except AttributeError:
            pass
        return False
    set_handler.argtypes, set_handler.restype = [_HANDLER], None
    set_handler(_collect)
    _installed.add(key)
    return True


def drain() -> list[str]:
    """The messages since the last call, in order (at most KEEP of each kind)."""
    with _lock:
        out = list(_messages)
        _messages.clear()
        _kept[True] = _kept[False] = 0
    return out


# Messages that say nothing about the reading. Tesseract's picture finder (page layout analysis,
# psm 3) asks leptonica for the ink inside boxes it made itself; a box of no width or height (a
# blank strip, an image region touching the edge) gets "invalid box" / "box outside rectangle" /
# "box not within image", and the picture finder goes on without it. The text read is the same.
_HARMLESS = regex.compile(
    r"invalid box|box outside rectangle|box not within image|no fg pixels|\bWarning in\b|\bInfo in\b"
)


def matters(message: str) -> bool:
    """Whether a leptonica message is worth a warning in the report: its errors, less the
    harmless ones above (a failed allocation, an image leptonica could not make, do matter: the
    reading of that image is then missing or partial)."""
    return not _HARMLESS.search(message)
