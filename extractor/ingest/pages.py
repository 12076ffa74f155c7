"""What a reader may ask of its caller: which pages of a document hold the tables.

Reading a PDF page's geometry (characters with boxes, ruling lines, cells) costs far more than its
text, so a PDF reader reads geometry only on the pages its caller names after a look at the text
layer. The choice belongs to the stages that know where sections start (the pipeline passes the
section locator's); ingest only defines the question.
"""

from __future__ import annotations

from collections.abc import Callable

from ..document import Document

TablePages = Callable[[Document], list[int]]
"""Given the text-layer Document (every page's lines), the page numbers (1-based) to read for tables."""
