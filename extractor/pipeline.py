"""The orchestrator: ingest → locate → reconstruct → validate → Report (the README's "How it works")."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .document import Document, TableCell
from .errors import NotAReportError
from .ingest import read_document
from .limits import DEFAULT_MAX_PIXELS
from .locate.compilation import Part, compilation_table_pages, split_reports
from .locate.metadata import Metadata, parse_date, read_metadata
from .locate.sections import (
    Located,
    line_width,
    locate_sections,
    report_count,
    rows_by_section,
    section_text,
)
from .model import Report, ReportMeta, Section, Sections, Source, Template
from .ocr.options import CERTAIN, OcrOptions
from .reconstruct.legacy import Statistics, read_statistics
from .reconstruct.proactive import Proactive, reconstruct_proactive
from .reconstruct.requests import RequestGrid, reconstruct_requests
from .reconstruct.review import ReviewTables, reconstruct_review
from .reconstruct.rows import RowRef
from .validate.checks import Tables, localise, recause, review_list, run_checks
from .validate.legacy import legacy_checks, legacy_review


@dataclass(frozen=True)
class Settings:
    """What a caller may tune. `review_threshold`: cells under this confidence go to `needs_review`."""

    review_threshold: float = 0.8
    password: str | None = None
    ocr: OcrOptions | None = None  # how scanned pages and images are read (engine, workers)
    max_pixels: int = DEFAULT_MAX_PIXELS  # an image, or a PDF page rendered for OCR, above this is refused


def extract(path: str | Path, settings: Settings | None = None) -> Report:
    """Read one report file and return its Report; of a compilation, the first report, with a
    warning (`extract_all` returns every report)."""
    settings = settings or Settings()
    path = Path(path)
    parts = split_reports(_read(path, settings))
    report = document_to_report(parts[0].doc, settings, sha256=file_sha256(path))
    if len(parts) > 1:
        report.warnings.append(
            f"compilation: the file seems to hold {len(parts)} reports (titles and section headings "
            "repeat); only the first is extracted here: extract_all() or `extractor extract` reads each"
        )
        report.status = "partial"
    return report


def extract_all(path: str | Path, settings: Settings | None = None) -> list[Report]:
    """Every report a file holds: one for a report, one per report for a compilation (汇编), in
    the file's order, each with its own sections, metadata, tables and checks."""
    settings = settings or Settings()
    path = Path(path)
    parts = split_reports(_read(path, settings))
    sha256 = file_sha256(path)
    if len(parts) == 1:
        return [document_to_report(parts[0].doc, settings, sha256=sha256)]
    return [_part_report(part, len(parts), settings, sha256) for part in parts]


def _read(path: Path, settings: Settings) -> Document:
    # The pre-pass: the section locator, on the text layer, names the pages ingest reads for tables
    # (for each report of a compilation).
    return read_document(
        path,
        password=settings.password,
        ocr=settings.ocr,
        max_pixels=settings.max_pixels,
        table_pages=compilation_table_pages,
    )


def _part_report(part: Part, of: int, settings: Settings, sha256: str) -> Report:
    report = document_to_report(part.doc, settings, sha256=sha256)
    report.source.part = part.index
    pages = part.pages
    where = f"pages {pages[0]}–{pages[-1]}" if pages and part.doc.n_pages is not None else "its own range"
    report.warnings.insert(0, f"report {part.index} of {of} in a compilation ({where} of the file)")
    return report


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def decide_template(
    proactive: Proactive | None, grid: RequestGrid | None, year: int | None
) -> tuple[Template | None, list[str]]:
    """The template, from the document: section 二's columns first, then （六）'s shape, then the year."""
    warnings = []
    template: Template | None = None
    if proactive is not None and proactive.template in ("2019", "2021"):
        template = "2019" if proactive.template == "2019" else "2021"
    if template is None and grid is not None and grid.variant == "split":
        template = "2021"
    if template is None and year is not None:
        template = "2021" if year >= 2021 else "2019"
        warnings.append(f"template taken from the year ({year}): the tables do not tell")
    if template == "2019" and grid is not None and grid.variant == "split":
        warnings.append("section 二 follows the 2019 template but （六） has the 2021 sub-rows")
    return template, warnings


def document_to_report(
    doc: Document,
    settings: Settings,
    sha256: str,
    trace: Callable[[str, dict[str, float]], None] | None = None,
) -> Report:
    """The Report of one document. `trace` (bench/calibrate.py) receives each OCR'd cell's path and
    the evidence its confidence was computed from."""
    located = locate_sections(doc)
    rows = rows_by_section(doc, located)
    every_row = [ref for refs in rows.values() for ref in refs]

    def section_rows(key: str) -> list[RowRef]:
        return rows[key] if key in located else every_row

    def reconstruct() -> tuple[Proactive | None, RequestGrid | None, ReviewTables | None]:
        return (
            reconstruct_proactive(section_rows("proactive")),
            reconstruct_requests(section_rows("requests")),
            reconstruct_review(section_rows("review_litigation"), anchored="review_litigation" in located),
        )

    proactive, grid, review = reconstruct()
    glued_warnings = []
    sources = _sources(proactive, grid, review)
    if any(cell.glued is not None for cell in sources.values()):
        # Cells the source glued together: the relations among the placed rows choose their split,
        # then the tables are rebuilt from the decided readings.
        tables_so_far: Tables = {
            "proactive": proactive.cells if proactive else {},
            "requests": grid.cells if grid else {},
            "review_litigation": review.cells if review else {},
        }
        from .validate.resolve import narrative_facts, resolve_glued  # only glued text needs it

        glued_warnings = resolve_glued(tables_so_far, sources, narrative_facts(doc.lines()))
        proactive, grid, review = reconstruct()
    # A pre-2019 report has a 统计表 of indicators instead of the 2019 template's tables.
    statistics = read_statistics(doc) if proactive is None and grid is None else None
    if not located and proactive is None and grid is None and review is None and statistics is None:
        raise NotAReportError(
            f"{doc.path}: no section or table of an annual report was found; check this is a "
            "政府信息公开工作年度报告"
        )
    first = min((s.start for s in located.values()), default=None)
    meta = read_metadata(doc, first)
    if statistics is not None or (
        meta.year is not None and meta.year <= LAST_2008_YEAR and proactive is None and grid is None
    ):
        return _legacy_report(doc, settings, sha256, located, meta, statistics)
    template, warnings = decide_template(proactive, grid, meta.year)
    warnings = [*doc.warnings, *meta.warnings, *warnings]

    tables: Tables = {
        "proactive": proactive.cells if proactive else {},
        "requests": grid.cells if grid else {},
        "review_litigation": review.cells if review else {},
    }
    for part in (proactive, grid, review):
        if part is not None:
            warnings.extend(part.warnings)
    warnings.extend(glued_warnings)
    # An OCR reading is rarely certain: a relation that fails on OCR'd cells may be the reading's fault.
    read_by_ocr = doc.ocr is not None
    pairs = run_checks(tables, settings.review_threshold, doubt_below=CERTAIN if read_by_ocr else None)
    if read_by_ocr:
        # Every cell read by OCR gets its confidence from all its evidence (validate/confidence.py);
        # a failing relation none of whose cells is then in doubt is the document's own.
        from .validate.confidence import apply
        from .validate.resolve import narrative_facts

        facts = [(f.paths, float(f.value)) for f in narrative_facts(doc.lines())]
        apply(tables, _sources(proactive, grid, review), facts, trace)
        recause(tables, pairs, settings.review_threshold)
    else:
        localise(tables, pairs, settings.review_threshold)
    checks = [check for _, check in pairs]
    for check in checks:
        if not check.passed and check.cause == "source":
            warnings.append(
                f"source inconsistency: {check.id}: the parts sum to {check.expected}, "
                f"the report states {'nothing (blank)' if check.actual is None else check.actual}"
            )
    missing = [
        k
        for k, v in (("proactive", proactive), ("requests", grid), ("review_litigation", review))
        if v is None
    ]
    for key in missing:
        warnings.append(f"{key}: table not found")
    compilation = _compilation_warning(doc)
    warnings.extend(compilation)
    width = line_width(doc)
    sections = Sections(**{key: _section(s, width) for key, s in located.items()})
    for key in (f.name for f in dataclasses.fields(Sections)):
        if key not in located:
            warnings.append(f"section {key} not found")
    return Report(
        source=_source(doc, sha256),
        report=ReportMeta(
            title=meta.title,
            agency=meta.agency,
            year=meta.year,
            template=template,
            published=meta.published,
        ),
        sections=sections,
        proactive=tables["proactive"],  # type: ignore[arg-type]
        requests=tables["requests"],  # type: ignore[arg-type]
        review_litigation=tables["review_litigation"],  # type: ignore[arg-type]
        checks=checks,
        needs_review=review_list(tables, settings.review_threshold),
        warnings=warnings,
        status="partial" if missing or compilation else "ok",
    )


def _sources(
    proactive: Proactive | None, grid: RequestGrid | None, review: ReviewTables | None
) -> dict[str, TableCell]:
    """Path ("requests.granted.total") → the table cell it was read from."""
    out: dict[str, TableCell] = {}
    for name, part in (("proactive", proactive), ("requests", grid), ("review_litigation", review)):
        if part is not None:
            for row, cols in part.sources.items():
                for col, cell in cols.items():
                    out[f"{name}.{row}.{col}"] = cell
    return out


def _section(s: Located, width: int) -> Section:
    return Section(heading=s.heading, text=section_text(s.lines, width), pages=s.pages)


# The last report year of the 2008 条例's format: reports on 2019 follow the national template.
LAST_2008_YEAR = 2018


def _legacy_report(
    doc: Document,
    settings: Settings,
    sha256: str,
    located: dict[str, Located],
    meta: Metadata,
    statistics: Statistics | None,
) -> Report:
    """A report in the 2008 条例's format: no template tables; its 统计表 in `legacy_statistics`."""
    year = f"{meta.year}" if meta.year is not None else "a year before 2019"
    warnings = [
        *doc.warnings,
        *meta.warnings,
        f"the report predates the national template: a report on {year} in the 2008 条例's format, "
        "without the 2019 template's tables; its 统计表 is in legacy_statistics",
    ]
    rows = statistics.rows if statistics is not None else []
    if statistics is None:
        warnings.append("legacy_statistics: the 统计表 (指标名称 · 计量单位 · 本年度 · 累计) was not found")
    else:
        warnings.extend(statistics.warnings)
    doubt_below = CERTAIN if doc.ocr is not None else settings.review_threshold
    checks = legacy_checks(rows, settings.review_threshold, doubt_below)
    for check in checks:
        if not check.passed and check.cause == "source":
            warnings.append(
                f"source inconsistency: {check.id}: a sub-row states {check.actual}, "
                f"more than its parent's {check.expected}"
            )
    compilation = _compilation_warning(doc)
    warnings.extend(compilation)
    width = line_width(doc)
    return Report(
        source=_source(doc, sha256),
        report=ReportMeta(
            title=meta.title,
            agency=meta.agency,
            year=meta.year,
            template="2008",
            published=meta.published or _sign_off_date(doc),
        ),
        sections=Sections(**{key: _section(s, width) for key, s in located.items()}),
        proactive={},
        requests={},
        review_litigation={},
        checks=checks,
        needs_review=sorted(legacy_review(rows, settings.review_threshold), key=lambda i: i.confidence),
        warnings=warnings,
        status="ok" if statistics is not None and rows and not compilation else "partial",
        legacy_statistics=rows,
    )


def _sign_off_date(doc: Document) -> str | None:
    """The date under the sign-off when a 统计表 follows it (the metadata looks at the last lines):
    the last line of the closing pages that is a date and nothing else."""
    for line in reversed(doc.lines()[-_SIGN_OFF_LINES:]):
        date = parse_date(line.text)
        if date is not None:
            return date
    return None


_SIGN_OFF_LINES = 120


def _compilation_warning(doc: Document) -> list[str]:
    """A warning when the headings repeat although the file was not split into its reports."""
    reports = report_count(doc)
    if reports <= 1:
        return []
    return [
        f"compilation: the file seems to hold {reports} reports (their section headings repeat); "
        "only one is extracted: split the file to read each"
    ]


def _source(doc: Document, sha256: str) -> Source:
    """The report's `source`: the file as read."""
    return Source(file=doc.path.name, sha256=sha256, kind=doc.kind, pages=doc.n_pages, ocr=doc.ocr)  # type: ignore[arg-type]
