"""The OCR adapter: which pages need OCR, and running them, in parallel, into the shared Document.

Page triage (`triage`): a PDF page whose text layer holds a real text is read from it; a page with
no text layer (a scan) or with a text layer that is not text (fonts without a usable ToUnicode map
give `¿”¿¡fl‹…`) is rendered and read by OCR. Mixed PDFs keep their text pages as text.

Pages run in worker processes (`OcrOptions.workers`, one per core by default), each rendering and
reading one page at a time (`extractor.ocr.page`), so memory stays that of a page per worker; the
workers start without importing the caller's script again (`ocr_pool.py`).
A page that fails or overruns its time becomes an empty page with a warning, never a dead run.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import regex

from ..document import Page
from ..ocr.options import OcrOptions, Recorded, Tesseract

# A page with fewer characters than this in its text layer is read by OCR.
MIN_TEXT_CHARS = 20
# Text layers are text when at least this share of their characters are Han, ASCII, or the CJK
# punctuation and full-width forms reports use (garbage from broken fonts is Latin-1 and symbols).
MIN_READABLE = 0.7
LANGS = "chi_sim+eng"

_READABLE = regex.compile(r"[\p{Han}\x21-\x7e\u3000-\u303f\uff00-\uffef“”‘’…—·]")


def triage(texts: Sequence[str]) -> dict[int, str]:
    """Page number (1-based) → why it needs OCR, for the pages whose text layer cannot be used."""
    out: dict[int, str] = {}
    for number, text in enumerate(texts, start=1):
        chars = regex.sub(r"\s+", "", text)
        if len(chars) < MIN_TEXT_CHARS:
            out[number] = "no text layer"
            continue
        readable = len(_READABLE.findall(chars)) / len(chars)
        if readable < MIN_READABLE or chars.count("\ufffd") > len(chars) * 0.1:
            out[number] = "a text layer that is not text (fonts without a usable ToUnicode map)"
    return out


# --- workers -----------------------------------------------------------------------------------------


def _check_engine(options: OcrOptions) -> Any:
    """Tesseract and its models, and rapidocr, checked once before any worker starts (a clear
    error, exit 8). The engine the check built, so that it is the run's (None for other engines):
    loading tesseract's models costs 0.2 s, which the check and every worker paid again. RapidOCR's
    model loads on its first doubtful crop, in the process that reads it."""
    if isinstance(options.engine, Tesseract):
        from ..ocr.engine import loaded_tesseract
        from ..ocr.rapid import DefaultEngine, RapidEngine, check_rapid

        check_rapid()
        return DefaultEngine(loaded_tesseract(), RapidEngine())
    return None


def run_pages(jobs: list[Any], options: OcrOptions) -> tuple[dict[int, Any], list[str], str]:
    """Each job's PageResult by page number, warnings, and the engine's name."""
    from ..ocr.engine import added_records
    from ..ocr.page import ocr_page
    from .ocr_pool import start_context

    checked = _check_engine(options)
    workers = options.workers or min(len(jobs), os.cpu_count() or 1)
    if multiprocessing.parent_process() is not None:
        workers = 1  # already a worker (a batch): its siblings use the other cores
    results: dict[int, Any] = {}
    warnings: list[str] = []
    added: dict[str, str] = {}
    # Workers that start without importing the caller's script again; None: read here (ocr_pool.py).
    context = start_context() if workers > 1 and len(jobs) > 1 else None
    if context is None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        engine = checked or options.engine()
        for job in jobs:
            try:
                results[job.number] = ocr_page(job, engine)
            except Exception as e:  # one bad page never ends the run
                warnings.append(f"page {job.number}: OCR failed ({type(e).__name__}: {e}); the page is empty")
        added = added_records(engine)
        name = engine.name
    else:
        from .ocr_pool import run_in_workers

        results, warnings, added = run_in_workers(jobs, options, workers, context, checked)
        name = _engine_name(options)
    if added and isinstance(options.engine, Recorded) and options.engine.record:
        from ..ocr.engine import load_records, save_records

        _, records = load_records(Path(options.engine.path))
        save_records(Path(options.engine.path), name, {**records, **added})
    return results, warnings, name


def _engine_name(options: OcrOptions) -> str:
    if isinstance(options.engine, Recorded):
        from ..ocr.engine import load_records

        name, _ = load_records(Path(options.engine.path))
        if options.engine.record:
            from ..ocr.rapid import engine_name

            name = engine_name()
        return name
    from ..ocr.rapid import engine_name

    return engine_name()


def ocr_document_pages(
    path: Path, kind: str, numbers: list[int], options: OcrOptions, password: str | None = None
) -> tuple[dict[int, Page], list[str], str]:
    """The OCR'd pages by number, warnings, and what `source.ocr` says."""
    from ..ocr.page import PageJob

    jobs = [PageJob(str(path), n, kind, password) for n in numbers]
    results, warnings, name = run_pages(jobs, options)
    pages: dict[int, Page] = {}
    for n in numbers:
        result = results.get(n)
        if result is None:
            pages[n] = Page(number=n)
            continue
        pages[n] = result.page
        warnings.extend(result.notes)
    return pages, warnings, f"{name} ({LANGS})"
