"""Benchmark: `extractor extract` on web pages and Word files, whole processes, against the target.

Every .html and .docx of the shared corpus and the bundled samples is timed by bench/kind_speed.py;
results in bench/results/html_docx.json.

    python bench/html_docx.py [--rounds 9]
"""

from __future__ import annotations

import sys

from kind_speed import ROOT, main

if __name__ == "__main__":
    sys.exit(
        main(
            "html_docx",
            (".html", ".docx"),
            ROOT / "samples" / "reports",
            "samples",
            "web pages or Word files",
            __doc__.splitlines()[0],
        )
    )
