"""The output contract (schema version 1) as pydantic models; `extractor schema` prints their JSON Schema."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION: Literal["1"] = "1"

Kind = Literal["pdf-text", "pdf-scanned", "pdf-mixed", "image", "html", "docx", "text"]
Template = Literal["2019", "2021"]
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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Cell(_Model):
    """One table cell: the number the report states, the text it was read from, and how sure we are."""

    value: int | float | None = Field(description="The number; null for a blank or a '/', '-', '—', '无' cell.")
    raw: str = Field(description="The cell text as read, whitespace removed.")
    confidence: float = Field(ge=0, le=1, description="How sure the reading is, 0..1.")
    page: int | None = Field(description="1-based page of the cell, null for HTML, DOCX and text.")
    bbox: list[float] | None = Field(
        description="[x0, top, x1, bottom]: PDF points for PDFs, pixels for images.", min_length=4, max_length=4
    )
    reasons: list[str] = Field(default_factory=list, description="Why the confidence is what it is.")


class Source(_Model):
    file: str
    sha256: str
    kind: Kind
    pages: int | None
    ocr: str | None = Field(description="OCR engine and version, null when no OCR was used.")


class ReportMeta(_Model):
    title: str | None
    agency: str | None = Field(description="The reporting organ, e.g. 淮安市人民政府.")
    year: int | None = Field(description="The report year.")
    template: Template | None = Field(description="The national template the report follows.")
    published: str | None = Field(description="ISO date the document states, or null.")


class Section(_Model):
    heading: str
    text: str
    pages: list[int]


class Sections(_Model):
    overview: Section | None = None
    proactive: Section | None = None
    requests: Section | None = None
    review_litigation: Section | None = None
    problems: Section | None = None
    other: Section | None = None


class Check(_Model):
    id: str
    passed: bool
    expected: float | int | None = Field(description="The value the relation asks for (e.g. the sum of the parts).")
    actual: float | int | None = Field(description="The value the report states (e.g. the printed total).")
    cells: list[str] = Field(description="Paths of the cells the relation involves.")
    cause: Literal["source", "reading"] | None = Field(
        default=None,
        description="For a failed relation: 'source' when the document itself breaks it (every cell was read "
        "with confidence), 'reading' when a doubtful reading may be the cause.",
    )


class ReviewItem(_Model):
    path: str
    value: int | float | None
    confidence: float
    reasons: list[str]


class Report(_Model):
    schema_version: Literal["1"] = SCHEMA_VERSION
    status: Status = Field(default="ok", description="ok, partial (some table or section missing) or failed.")
    source: Source
    report: ReportMeta
    sections: Sections
    proactive: dict[ProactiveRow, dict[ProactiveColumn, Cell]]
    requests: dict[RequestRow, dict[RequestColumn, Cell]]
    review_litigation: dict[ReviewBlock, dict[ReviewColumn, Cell]]
    checks: list[Check]
    needs_review: list[ReviewItem]
    warnings: list[str]

    def to_json(self, indent: int | None = 2) -> str:
        import json

        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=indent)


def json_schema() -> dict[str, object]:
    schema = Report.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "extractor report, schema version 1"
    return schema
