"""Benchmark: `extractor extract` on plain text and Markdown, whole processes, against the target.

Every .txt and .md of the shared corpus and tests/fixtures is timed by bench/kind_speed.py;
results in bench/results/text_md.json.

    python bench/text_md.py [--rounds 9]
"""

from __future__ import annotations

import sys

from kind_speed import ROOT, main

if __name__ == "__main__":
    sys.exit(
        main(
            "text_md",
            (".txt", ".md"),
            ROOT / "tests" / "fixtures",
            "fixtures",
            "text or Markdown reports",
            __doc__.splitlines()[0],
        )
    )
