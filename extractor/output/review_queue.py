"""The review queue of a batch, with a person's decisions: the Python API under `review --serve`.

`ReviewSession(folder)` reads a batch's outputs and its `corrections.jsonl`, applies the decisions
(`corrections.apply`), and keeps the queue: every cell still in doubt, most doubtful report first and
least sure cell first (`review.collect`'s order). `decide(file, path, action, value)` records a
decision and applies it at once: the report's relations run again, and the queue shrinks by the cell
decided and by any cell a relation now fixes. `crop`, `relation_crop` and `table` give what a person
needs to decide; `cross` the checks across the batch's reports.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..batch.corrections import Applied, Corrections, Decision, apply, decision, source_key
from ..batch.crosscheck import CrossCheck, cross_checks
from ..errors import InputMissingError, UsageError
from .crops import IMAGE_KINDS, PDF_KINDS, RED, Cropper, cell_of, header_band, relation_picture
from .outputs import Output, Outputs, read_outputs
from .review import FileReview, collect, find_source, label, relation

"""How high a table's header is above its first row, in rows of the cell shown (a crop shows it)."""
OPEN_CROPPERS = 4


@dataclass
class Item:
    """A cell in the queue."""

    file: str
    index: int
    """The report's number in the session (its URLs use it)."""
    path: str
    value: Any
    raw: str
    confidence: float
    reasons: list[str]
    proposed: str | None
    page: int | None
    has_crop: bool
    about: str = ""
    """The report's agency and year."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "report": self.index,
            "about": self.about,
            "path": self.path,
            "label": label(self.path),
            "value": self.value,
            "raw": self.raw,
            "confidence": self.confidence,
            "reasons": self.reasons,
            "proposed": self.proposed,
            "page": self.page,
            "crop": f"crop/{self.index}/{self.path}.png" if self.has_crop else None,
        }


def apply_outputs(outputs: Outputs, corrections: Corrections | None, folder: Path | None = None) -> Outputs:
    """`outputs` with the decisions of `corrections` (read from `folder` when None) applied."""
    if corrections is None:
        corrections = Corrections(folder) if folder is not None else None
    if corrections is None:
        return outputs
    reports = []
    for o in outputs.reports:
        decided = corrections.for_source(_sha(o))
        # Without decisions a report stays as read (export marks its cells `machine`): no copy made.
        reports.append(Output(o.file, o.path, apply(o.data, decided).data, o.source) if decided else o)
    return Outputs(reports, outputs.failed)


def _sha(output: Output) -> str:
    """The key of the output's decisions: its source's sha256 (with `#part` for a compilation's)."""
    return source_key(output.data["source"])


def batch_folder(target: Path) -> Path:
    """Where a target's corrections.jsonl lives: the batch folder, or beside one report's JSON."""
    return target if target.is_dir() else target.parent


class ReviewSession:
    """A batch under review; thread-safe (the web app calls it from a thread pool)."""

    def __init__(
        self, target: Path, reviewer: str | None = None, source: Path | None = None, threshold: float = 0.8
    ) -> None:
        self.target, self.source, self.threshold = target, source, threshold
        self.reviewer = reviewer
        self.outputs: Outputs = read_outputs(target)
        self.corrections = Corrections(batch_folder(target))
        self.files = [o.file for o in self.outputs.reports]
        self._by_file = {o.file: i for i, o in enumerate(self.outputs.reports)}
        self._lock = threading.RLock()
        self._crop_lock = threading.Lock()
        self._croppers: OrderedDict[int, Cropper | None] = OrderedDict()
        self._notes: dict[int, str] = {}
        self.applied: list[Applied] = [self._apply(i) for i in range(len(self.files))]
        self.reviews: list[FileReview] = []
        self._cross: list[CrossCheck] | None = None
        self._rank()

    # --- the queue ---------------------------------------------------------------------------------

    def _apply(self, i: int) -> Applied:
        data = self.outputs.reports[i].data
        return apply(data, self.corrections.for_source(source_key(data["source"])), self.threshold)

    def _rank(self) -> None:
        applied = Outputs(
            [
                Output(o.file, o.path, a.data, o.source)
                for o, a in zip(self.outputs.reports, self.applied, strict=True)
            ],
            self.outputs.failed,
        )
        self.reviews = collect(applied)

    def queue(self) -> list[Item]:
        """Every cell still in doubt, in the order to review them."""
        with self._lock:
            items = []
            for review in self.reviews:
                i = self._by_file[review.output.file]
                geometry = review.output.data["source"]["kind"] in PDF_KINDS + IMAGE_KINDS
                meta = review.output.meta
                about = " ".join(str(v) for v in (meta.get("agency"), meta.get("year")) if v)
                for d in review.doubts:
                    has_crop = geometry and d.page is not None and d.bbox is not None
                    items.append(
                        Item(
                            review.output.file,
                            i,
                            d.path,
                            d.value,
                            d.raw,
                            d.confidence,
                            d.reasons,
                            d.proposed,
                            d.page,
                            has_crop,
                            about,
                        )
                    )
            return items

    def summary(self) -> dict[str, Any]:
        """The queue as the web app's JSON: items, counts, the relations that fail (the source's
        inconsistencies, and those on readings: on OCR'd cells the machine is not certain of), the
        checks across reports."""
        with self._lock:
            items = self.queue()
            relations = [
                {
                    "file": r.output.file,
                    "report": self._by_file[r.output.file],
                    "id": b.id,
                    "says": relation(b.id),
                    "expected": b.expected,
                    "actual": b.actual,
                    "cells": b.cells,
                    "cause": b.cause,
                    "crop": f"relation/{self._by_file[r.output.file]}/{b.id}.png"
                    if r.output.data["source"]["kind"] in PDF_KINDS + IMAGE_KINDS
                    else None,
                }
                for r in self.reviews
                for b in [*r.source, *r.reading]
            ]
            return {
                "left": len(items),
                "reports": len(self.files),
                "decided": sum(len(a.decided) for a in self.applied),
                "reviewer": self.reviewer_name,
                "items": [item.to_dict() for item in items],
                "relations": relations,
                "cross": [c.to_dict() for c in self.cross() if not c.passed],
                "failed": [{"file": e.file, "error": e.row.get("error", "")} for e in self.outputs.failed],
            }

    @property
    def reviewer_name(self) -> str:
        from ..batch.corrections import reviewer

        return self.reviewer or reviewer()

    def cross(self) -> list[CrossCheck]:
        """The checks across the batch's reports (on the decided values)."""
        with self._lock:
            if self._cross is None:
                pairs = zip(self.outputs.reports, self.applied, strict=True)
                self._cross = cross_checks((o.file, a.data) for o, a in pairs)
            return self._cross

    # --- deciding ----------------------------------------------------------------------------------

    def index(self, file: str | int) -> int:
        """The number of a report, by its number or its file name."""
        if isinstance(file, int) and not isinstance(file, bool) and 0 <= file < len(self.files):
            return file
        if isinstance(file, str) and file in self._by_file:
            return self._by_file[file]
        raise InputMissingError(f"{file!r} is not a report of this batch")

    def decide(self, file: str | int, path: str, action: str, value: Any = None, note: str = "") -> Decision:
        """Record a decision about one cell and apply it; the queue is updated."""
        with self._lock:
            i = self.index(file)
            data = self.outputs.reports[i].data
            cell = cell_of(data, path)
            if cell is None:
                raise UsageError(f"{path!r} is not a cell of {self.files[i]}")
            made = decision(
                data["source"]["sha256"],
                path,
                cell["value"],
                action,
                value,
                self.reviewer_name,
                note,
                part=data["source"].get("part"),
            )
            self.corrections.record(made)
            self.applied[i] = self._apply(i)
            self._cross = None
            self._rank()
            return made

    # --- what a person looks at ---------------------------------------------------------------------

    def report(self, file: str | int) -> dict[str, Any]:
        """A report with its decisions applied, and what is left to review in it."""
        i = self.index(file)
        applied = self.applied[i]
        return {
            "file": self.files[i],
            "report": i,
            "meta": applied.data.get("report"),
            "source": applied.data.get("source"),
            "queue": applied.queue,
            "decided": {p: d.action for p, d in applied.decided.items()},
            "cleared": applied.cleared,
            "tables": {t: applied.data.get(t) or {} for t in ("proactive", "requests", "review_litigation")},
            "labels": {
                f"{t}.{r}.{c}": label(f"{t}.{r}.{c}")
                for t in ("proactive", "requests", "review_litigation")
                for r, cols in (applied.data.get(t) or {}).items()
                for c in cols
            },
            "checks": [c for c in applied.data.get("checks", []) if not c["passed"]],
        }

    def crop(self, file: str | int, path: str) -> bytes:
        """The PNG of a cell: its row band, framed in red, under its table's header."""
        i = self.index(file)
        data = self.outputs.reports[i].data
        cell = cell_of(data, path)
        if cell is None or cell.get("page") is None or cell.get("bbox") is None:
            raise InputMissingError(f"{path!r} of {self.files[i]} has no place on a page")
        header = header_band(data, path)
        return self._crop(i, lambda c: c.crop_marked([(cell["page"], cell["bbox"])], RED, header))

    def relation_crop(self, file: str | int, check_id: str) -> bytes:
        """The PNG of the table region with the cells of a relation framed in blue."""
        i = self.index(file)
        data = self.applied[i].data
        check = next((c for c in data.get("checks", []) if c["id"] == check_id), None)
        if check is None:
            raise InputMissingError(f"{check_id!r} is not a relation of {self.files[i]}")
        return self._crop(i, lambda c: relation_picture(c, data, check["cells"]))

    def _crop(self, i: int, make: Any) -> bytes:
        with self._crop_lock:  # pdfium is not thread-safe
            cropper = self._cropper(i)
            if cropper is None:
                raise InputMissingError(self._notes.get(i, "no crop"))
            picture: bytes = make(cropper)
            return picture

    def _cropper(self, i: int) -> Cropper | None:
        if i in self._croppers:
            self._croppers.move_to_end(i)
            return self._croppers[i]
        output = self.outputs.reports[i]
        kind = output.data["source"]["kind"]
        cropper = None
        if kind in PDF_KINDS + IMAGE_KINDS:
            path, note = find_source(output, self.source)
            cropper = Cropper(path, kind) if path is not None else None
            self._notes[i] = note
        else:
            self._notes[i] = f"{kind} sources have no page geometry: no crops"
        self._croppers[i] = cropper
        while len(self._croppers) > OPEN_CROPPERS:
            _, old = self._croppers.popitem(last=False)
            if old is not None:
                old.close()
        return cropper

    def close(self) -> None:
        with self._crop_lock:
            for cropper in self._croppers.values():
                if cropper is not None:
                    cropper.close()
            self._croppers.clear()
