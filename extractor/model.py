"""The output contract (schema version 1).

Plain dataclasses, so that a run pays nothing to build them; `json_schema()` derives the JSON Schema
from the same classes through pydantic (imported only then), descriptions taken from the attribute
docstrings.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA_VERSION: Literal["1"] = "1"

Kind = Literal["pdf-text", "pdf-scanned", "pdf-mixed", "image", "html", "docx", "text"]
Template = Literal["2008", "2019", "2021"]
Status = Literal["ok", "partial", "failed"]

RequestRow = Literal[
    "new_received", "carried_over", "granted", "partially_granted",
    "denied_state_secret", "denied_law_prohibited", "denied_safety_stability", "denied_third_party",
    "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_admin_query",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
    "rejected_complaint", "rejected_repeat", "rejected_publication", "rejected_excessive",
    "rejected_confirmation", "other", "other_overdue_correction", "other_overdue_fee", "other_misc",
    "total", "carried_forward",
]  # fmt: skip
RequestColumn = Literal[
    "natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total"
]
ProactiveRow = Literal[
    "regulations", "normative_documents", "licensing", "other_services", "punishment", "coercion",
    "fees", "procurement",
]  # fmt: skip
ProactiveColumn = Literal[
    "issued", "repealed", "in_force", "decisions", "amount", "new_made", "new_published",
    "total_published", "previous", "change", "projects",
]  # fmt: skip
ReviewBlock = Literal["review", "litigation_direct", "litigation_after_review"]
ReviewColumn = Literal["upheld", "corrected", "other", "pending", "total"]

# The columns that sum to a 总计: the six applicant columns of section 三, the four outcomes of a
# block of section 四 (the readers use them to split glued runs; validation to check).
APPLICANTS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org")
REVIEW_PARTS = ("upheld", "corrected", "other", "pending")

# pydantic reads this (a plain dict: no import needed) when it derives the schema.
_CONFIG = {"extra": "forbid", "use_attribute_docstrings": True}


@dataclass
class Cell:
    """One table cell: the number the report states, the text it was read from, and how sure we are."""

    __pydantic_config__ = _CONFIG

    value: int | float | None
    """The number; null for a blank cell or one marked '/', '-', '—', '无'. Money in 万元."""
    raw: str
    """The cell text as read, whitespace removed."""
    confidence: float
    """How sure the reading is, 0..1; under the review threshold the cell is in needs_review."""
    page: int | None
    """1-based page of the cell; null for HTML, DOCX and text."""
    bbox: list[float] | None
    """[x0, top, x1, bottom]: PDF points for PDFs, pixels of the rendered page for images."""
    reasons: list[str] = field(default_factory=list)
    """Why the confidence is what it is."""


@dataclass
class Source:
    """The input file."""

    __pydantic_config__ = _CONFIG

    file: str
    """The file name as given."""
    sha256: str
    kind: Kind
    pages: int | None
    ocr: str | None
    """OCR engine and version; null when no OCR was used."""
    part: int | None = None
    """Of a compilation (several reports in one file): which report of the file this is, 1-based;
    null for a file that holds one report."""


@dataclass
class ReportMeta:
    """What the report is."""

    __pydantic_config__ = _CONFIG

    title: str | None
    agency: str | None
    """The reporting organ, e.g. 淮安市人民政府."""
    year: int | None
    """The report year."""
    template: Template | None
    """The national template the report follows: 2019 (国办公开办函〔2019〕60号) or 2021 (〔2021〕30号);
    2008 for a report on 2018 or earlier in the 2008 条例's format (its 统计表 in legacy_statistics)."""
    published: str | None
    """ISO date the document states, or null."""


@dataclass
class Section:
    """A narrative section: its heading, its prose (page furniture and table text removed), its pages."""

    __pydantic_config__ = _CONFIG

    heading: str
    text: str
    pages: list[int]


@dataclass
class Sections:
    """The six sections by key; null when absent."""

    __pydantic_config__ = _CONFIG

    overview: Section | None = None
    proactive: Section | None = None
    requests: Section | None = None
    review_litigation: Section | None = None
    problems: Section | None = None
    other: Section | None = None


@dataclass
class Check:
    """One arithmetic relation of the contract, tried on the reading as it is."""

    __pydantic_config__ = _CONFIG

    id: str
    passed: bool
    expected: int | float | None
    """What the relation asks for: the sum of the parts."""
    actual: int | float | None
    """What the report states: the printed total(s)."""
    cells: list[str]
    """Paths of the cells the relation involves."""
    cause: Literal["source", "reading"] | None = None
    """For a failed relation: 'source' when the document itself breaks it (every cell was read with
    confidence), 'reading' when a doubtful reading may be the cause."""


@dataclass
class ReviewItem:
    """A field whose confidence is under the threshold."""

    __pydantic_config__ = _CONFIG

    path: str
    value: int | float | None
    confidence: float
    reasons: list[str]


@dataclass
class LegacyIndicator:
    """One indicator row of a pre-2019 report's 统计表 (指标名称 · 计量单位 · 本年度 · 累计)."""

    __pydantic_config__ = _CONFIG

    indicator: str
    """The indicator's name as printed, numbering and 其中 removed, e.g. 受理依申请公开信息总数."""
    key: str | None
    """A normalised name for the indicators most reports share (requests_received, …), else null."""
    unit: str | None
    """The 计量单位 as printed (条, 件, 万元 …); null when the row states none. Values are in it."""
    year: Cell
    """本年度: the report year's figure."""
    cumulative: Cell | None
    """累计: the running total, null when the table has no such column."""
    parent: str | None
    """For a sub-row (其中：1. …): the indicator it is part of; else null."""


@dataclass
class Report:
    """One annual report, as extracted."""

    __pydantic_config__ = _CONFIG

    source: Source
    report: ReportMeta
    sections: Sections
    proactive: dict[ProactiveRow, dict[ProactiveColumn, Cell]]
    """The 第二十条 tables of section 二."""
    requests: dict[RequestRow, dict[RequestColumn, Cell]]
    """The request-outcome grid of section 三: requests[row][column]."""
    review_litigation: dict[ReviewBlock, dict[ReviewColumn, Cell]]
    """Section 四."""
    checks: list[Check]
    """Every arithmetic relation tried."""
    needs_review: list[ReviewItem]
    """Every field whose confidence is under the threshold, least sure first."""
    warnings: list[str]
    """Anything else a person should know."""
    status: Status = "ok"
    """ok; partial when a table or section is missing; failed."""
    schema_version: Literal["1"] = SCHEMA_VERSION
    legacy_statistics: list[LegacyIndicator] = field(default_factory=list)
    """A pre-2019 report's 统计表, one item per indicator row in the document's order; empty for
    reports on the 2019 and 2021 templates."""

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        # The contract's order: schema_version and status first; legacy_statistics after the tables.
        out = {"schema_version": d.pop("schema_version"), "status": d.pop("status")}
        legacy = d.pop("legacy_statistics")
        for key, value in d.items():
            out[key] = value
            if key == "review_litigation":
                out["legacy_statistics"] = legacy
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def json_schema() -> dict[str, Any]:
    from pydantic import TypeAdapter

    schema = TypeAdapter(Report).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "extractor report, schema version 1"
    return schema


def cell_at(data: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The cell a path names (`requests.granted.total`, `legacy_statistics.3.year`) in a report's JSON."""
    table, row, column = [*path.split("."), "", ""][:3]
    found = data.get(table) or {}
    if isinstance(found, list):  # legacy_statistics (a pre-2019 report's 统计表): rows by index
        item = found[int(row)] if row.isdigit() and int(row) < len(found) else {}
        legacy: dict[str, Any] | None = item.get(column)
        return legacy
    cell: dict[str, Any] | None = (found.get(row) or {}).get(column)
    return cell
