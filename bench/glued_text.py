"""Benchmark: crawler text with glued cells, with and without a source that breaks its own relations.

Random truths (`samples.truth.make_truth`, the three templates, every scale) rendered as a crawler
saves a report page: every table cell glued to its neighbours (`samples.render_text.flat`), and the
same under a page header with stray spaces (`crawler`). Each form is read as printed, and with one
error of the source injected (`source_failure`: a wrong row total of section 三, a blank one, or
section 四's review total printed 0): the truth keeps the printed values, so a cell is right when it
reads what the document prints.

Per form: the share of cells exact (right and not flagged), cells flagged per report (all, and in
sections 三 and 四, whose cells the relations decide; section 二 has no relation within a year and
stays flagged wherever its digits split several ways), the share of flags that are really wrong
(the value read is not the printed one; all, and in sections 三 and 四), and cells wrong and
unflagged (must be 0). Results in bench/results/glued_text.json.

    python bench/glued_text.py [--seeds 10] [--jobs 1]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor import extract  # noqa: E402
from samples.render_text import crawler, flat  # noqa: E402
from samples.truth import make_truth  # noqa: E402

TABLES = ("proactive", "requests", "review_litigation")
FAILURES = (None, "request_total", "blank_total", "review_total")
RENDERERS = ("flat", "crawler")


def truth_for(seed: int, failure: str | None) -> dict[str, Any]:
    rng = random.Random(seed)
    return make_truth(
        seed,
        rng.choice(("2019", "2021", "hybrid")),  # type: ignore[arg-type]
        scale=rng.choice(("small", "medium", "large")),
        dash_zero_rate=rng.choice((0.0, 0.0, 0.2)),
        source_failure=failure,  # type: ignore[arg-type]
    )


def one(renderer: str, failure: str | None, seed: int, tmp: str) -> dict[str, Any]:
    """One report read back: its tallies, and the wrong cells left unflagged (named)."""
    truth = truth_for(seed, failure)
    text = flat(truth) if renderer == "flat" else crawler(truth, seed)
    path = Path(tmp) / f"{renderer}-{failure}-{seed}.txt"
    path.write_text(text, encoding="utf-8")
    report = extract(path)
    flagged = {i.path for i in report.needs_review}
    out: dict[str, Any] = dict.fromkeys(
        (
            "cells",
            "exact",
            "flagged",
            "flagged_grid",
            "flagged_wrong",
            "flagged_grid_wrong",
            "wrong_unflagged",
            "missing",
        ),
        0,
    )
    out["unflagged"] = []
    for table in TABLES:
        got = getattr(report, table)
        for row, cols in truth[table].items():
            for col, value in cols.items():
                name = f"{table}.{row}.{col}"
                cell = got.get(row, {}).get(col)
                right = cell is not None and cell.value == value
                out["cells"] += 1
                if cell is None:
                    out["missing"] += 1
                if name in flagged:
                    out["flagged"] += 1
                    out["flagged_grid"] += table != "proactive"
                    out["flagged_wrong"] += not right
                    out["flagged_grid_wrong"] += table != "proactive" and not right
                elif not right and cell is not None:
                    out["wrong_unflagged"] += 1
                    out["unflagged"].append(f"seed {seed}: {name} read {cell.value!r}, printed {value!r}")
                else:
                    out["exact"] += right
    out["source_checks"] = sum(1 for c in report.checks if not c.passed and c.cause == "source")
    out["reading_checks"] = sum(1 for c in report.checks if not c.passed and c.cause == "reading")
    out["truth_failures"] = len(truth["source_failures"])
    return out


def form(renderer: str, failure: str | None, seeds: range, jobs: int, tmp: str) -> dict[str, Any]:
    args = [(renderer, failure, s, tmp) for s in seeds]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(one, *zip(*args, strict=True)))
    else:
        results = [one(*a) for a in args]
    total: dict[str, Any] = {k: sum(r[k] for r in results) for k in results[0] if k != "unflagged"}
    n = len(results)
    return {
        "reports": n,
        "cells": total["cells"],
        "exact_share": round(total["exact"] / max(total["cells"], 1), 4),
        "flagged_per_report": round(total["flagged"] / n, 2),
        "flagged_grid_per_report": round(total["flagged_grid"] / n, 2),
        "flags_really_wrong_share": round(total["flagged_wrong"] / max(total["flagged"], 1), 4),
        "grid_flags_really_wrong_share": round(
            total["flagged_grid_wrong"] / max(total["flagged_grid"], 1), 4
        ),
        "wrong_unflagged": total["wrong_unflagged"],
        "missing": total["missing"],
        "source_checks_per_report": round(total["source_checks"] / n, 2),
        "reading_checks_per_report": round(total["reading_checks"] / n, 2),
        "truth_source_failures_per_report": round(total["truth_failures"] / n, 2),
        "wrong_unflagged_cells": [u for r in results for u in r["unflagged"]],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="reports per form (default 10)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "glued_text.json")
    args = parser.parse_args()
    seeds = range(1, args.seeds + 1)
    forms: dict[str, Any] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for renderer in RENDERERS:
            for failure in FAILURES:
                name = f"{renderer}/{failure or 'consistent'}"
                forms[name] = form(renderer, failure, seeds, args.jobs, tmp)
                f = forms[name]
                print(
                    f"{name:28} exact {f['exact_share']:.3f}  flagged/report {f['flagged_per_report']:6.1f}"
                    f" (三四 {f['flagged_grid_per_report']:6.1f})"
                    f"  really wrong {f['flags_really_wrong_share']:.3f}"
                    f" (三四 {f['grid_flags_really_wrong_share']:.3f})"
                    f"  wrong unflagged {f['wrong_unflagged']}",
                    flush=True,
                )
    result = {
        "benchmark": "glued_text",
        "python": platform.python_version(),
        "seeds": args.seeds,
        "seconds": round(time.perf_counter() - started, 1),
        "forms": forms,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"results in {args.out}")
    return 1 if any(f["wrong_unflagged"] for f in forms.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
