"""Benchmark: a compilation (汇编) against its reports read one by one, and the pre-2019 samples.

For each compilation of samples/compilations, in one process: `extract_all` on the compilation, and
`extract` on each report it was made from (the sum), `--rounds` times, medians compared. Then
`extract` on each text-layer sample of samples/legacy. Results go to bench/results/compilation.json
and a table on stdout.

    python bench/compilation.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from extractor import extract, extract_all

ROOT = Path(__file__).resolve().parent.parent
COMPILATIONS = ROOT / "samples" / "compilations"
LEGACY = ROOT / "samples" / "legacy"
SOURCES = {"s": ROOT / "samples" / "reports", "l": LEGACY}


def _median(fn: object, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 4)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for path in sorted(COMPILATIONS.glob("*.pdf")):
        truth = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
        sources = [SOURCES[t["source"][0]] / t["source"] for t in truth["reports"]]
        whole = _median(lambda p=path: extract_all(p), args.rounds)
        alone = _median(lambda s=sources: [extract(x) for x in s], args.rounds)
        rows.append(
            {
                "file": path.name,
                "reports": len(sources),
                "extract_all_median_s": whole,
                "alone_sum_median_s": alone,
                "ratio": round(whole / alone, 3),
            }
        )
    legacy = []
    for path in sorted(
        p for p in LEGACY.iterdir() if p.suffix in (".pdf", ".txt", ".md") and "_scan" not in p.stem
    ):
        report = extract(path)
        legacy.append(
            {
                "file": path.name,
                "indicators": len(report.legacy_statistics),
                "median_s": _median(lambda p=path: extract(p), args.rounds),
            }
        )
    result = {
        "benchmark": "a compilation's extract_all against its reports extracted one by one; pre-2019 samples",
        "rounds": args.rounds,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores",
        "compilations": rows,
        "legacy": legacy,
    }
    out = ROOT / "bench" / "results" / "compilation.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for row in rows:
        print(
            f"{row['file']}: {row['reports']} reports, extract_all {row['extract_all_median_s']:.3f} s, "
            f"one by one {row['alone_sum_median_s']:.3f} s (×{row['ratio']})"
        )
    for item in legacy:
        print(f"{item['file']}: {item['indicators']} indicator rows, {item['median_s']:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
