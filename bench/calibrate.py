"""Is a cell's confidence a probability? Calibration of the scan path on generated scans.

    python bench/calibrate.py [--seeds 5000:5480] [--workers 2] [--threshold T]

Makes (once, kept under bench/out/calib/) a set of scanned reports with known truth across scan
qualities (`bench/scanset.py`: 150–300 dpi, JPEG down to quality 20, blur, grain, photos with
keystone, seals over the tables), extracts each one, and compares every truth cell with the output:

- the calibration table: for each confidence band, the cells in it, the mean stated confidence and
  the share actually right, and their gap; the expected calibration error (ECE, the cells' weighted
  mean gap); a reliability plot (bench/results/calibration.png);
- at the review threshold: cells exact, flagged cells per report, the share of flagged cells that are
  really wrong, and wrong cells not flagged (silent errors, which must be none);
- per threshold: the same figures, which is how the default threshold was chosen.

OCR outputs are recorded per document (bench/out/calib/*.ocr.json), so a second run replays them and
costs seconds; delete them to read again. `--fit` refits the evidence weights of
`patterns/confidence.toml` on the evidence the last run traced on the even seeds, and `--only-odd`
then scores the odd seeds, which the fit never saw.
Results go to bench/results/calibrate.json. `--documents` scores the sample scans and the shared
corpus's scans instead (bench/results/calibrate_documents.json).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scanset import Item, make_set  # noqa: E402

OUT = ROOT / "bench" / "out" / "calib"
DOCS_OUT = ROOT / "bench" / "out" / "calib-docs"
CORPUS = ROOT.parent / "shared" / "corpus"
RESULTS = ROOT / "bench" / "results"
TABLES = ("proactive", "requests", "review_litigation")
BANDS = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.995, 1.0001)
MIN_BLOCK = 30  # cells: the smallest block of the calibration map


def extract_one(item: Item, record: bool = True) -> dict[str, Any]:
    """Extract one scan (OCR recorded beside it) and return its output as JSON, with the evidence
    of each OCR'd cell under `_features`."""
    from extractor import Settings
    from extractor.ingest import read_document
    from extractor.locate.compilation import compilation_table_pages, split_reports
    from extractor.ocr.options import OcrOptions, Recorded
    from extractor.pipeline import document_to_report, file_sha256

    folder = OUT if item.seed >= 0 else DOCS_OUT
    out = folder / f"{item.path.stem}.out.json"
    recorded = Recorded(str(folder / f"{item.path.stem}.ocr.json"), record=record)
    settings = Settings(ocr=OcrOptions(engine=recorded, workers=1))
    features: dict[str, dict[str, float]] = {}
    t = time.perf_counter()
    try:
        doc = read_document(item.path, ocr=settings.ocr, table_pages=compilation_table_pages)
        part = split_reports(doc)[0]
        report = document_to_report(part.doc, settings, file_sha256(item.path), trace=features.__setitem__)
        data: dict[str, Any] = json.loads(report.to_json())
    except Exception as e:  # a failed extraction is a finding of this bench, not its end
        data = {"error": f"{type(e).__name__}: {e}"}
    data["_features"] = features
    data["_seconds"] = round(time.perf_counter() - t, 2)
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


def documents() -> list[Item]:
    """The sample scans and, where the shared corpus is beside the project, its scans: documents
    of other forms (sideways, upside down, smudged headers, mixed PDFs) than the generated set."""
    found = [
        Item(-1, pdf, Path(f"{pdf}.json"), "sample scan")
        for pdf in sorted((ROOT / "samples" / "scans").glob("*.pdf"))
    ]
    for pdf in sorted((CORPUS / "docs").glob("*_scan*.pdf")):
        truth = CORPUS / "gt" / f"{pdf.name.split('_scan')[0]}.pdf.json"
        if truth.exists():
            found.append(Item(-1, pdf, truth, "corpus scan"))
    DOCS_OUT.mkdir(parents=True, exist_ok=True)
    return found


def cells(report: dict[str, Any], truth: dict[str, Any]) -> list[dict[str, Any]]:
    """Every truth cell: its truth, what came out, the confidence, flagged or not."""
    flagged = {item["path"] for item in report.get("needs_review", [])}
    rows = []
    for table in TABLES:
        for row, cols in truth[table].items():
            for col, value in cols.items():
                path = f"{table}.{row}.{col}"
                cell = report.get(table, {}).get(row, {}).get(col)
                rows.append(
                    {
                        "path": path,
                        "truth": value,
                        "value": None if cell is None else cell["value"],
                        "present": cell is not None,
                        "right": cell is not None and cell["value"] == value,
                        "confidence": 0.0 if cell is None else cell["confidence"],
                        "flagged": cell is None or path in flagged,
                        "reasons": [] if cell is None else cell.get("reasons", []),
                    }
                )
    return rows


def calibration(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float]:
    """Cells present in the output only: an absent cell states no confidence (a warning says the
    row or table was not found; `at_threshold` counts them apart)."""
    rows = [r for r in rows if r["present"]]
    table, gap_sum = [], 0.0
    for lo, hi in itertools.pairwise(BANDS):
        band = [r for r in rows if lo <= r["confidence"] < hi]
        if not band:
            continue
        stated = sum(r["confidence"] for r in band) / len(band)
        right = sum(r["right"] for r in band) / len(band)
        gap_sum += len(band) * abs(stated - right)
        low, high = wilson(sum(r["right"] for r in band), len(band))
        table.append(
            {
                "band": f"[{lo:.3g}, {min(hi, 1.0):.3g}{']' if hi > 1 else ')'}",
                "cells": len(band),
                "stated": round(stated, 4),
                "right": round(right, 4),
                "gap": round(stated - right, 4),
                # Where the band's true share right lies (95%): a band of tens of cells cannot
                # show a 5-point gap either way.
                "right_95": [round(low, 4), round(high, 4)],
                "within_5_points": abs(stated - right) <= 0.05,
            }
        )
    return table, gap_sum / max(1, len(rows))


def wilson(right: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a share `right` of `n` (95% for z = 1.96)."""
    if n == 0:
        return 0.0, 1.0
    p = right / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def at_threshold(per_report: list[list[dict[str, Any]]], threshold: float) -> dict[str, Any]:
    n = exact = flagged = flagged_wrong = silent = absent = 0
    for rows in per_report:
        for r in rows:
            n += 1
            exact += r["right"]
            if not r["present"]:
                absent += 1
                continue
            f = r["flagged"] or r["confidence"] < threshold
            flagged += f
            flagged_wrong += f and not r["right"]
            silent += (not f) and not r["right"]
    return {
        "threshold": threshold,
        "cells": n,
        "exact": round(exact / max(1, n), 5),
        "flags_per_report": round(flagged / max(1, len(per_report)), 2),
        "flagged_really_wrong": round(flagged_wrong / flagged, 3) if flagged else None,
        "silent_errors": silent,
        "absent": absent,
    }


def _stored(item: Item) -> dict[str, Any]:
    """The output of the last run on `item` (extracted now if there is none)."""
    out = OUT / f"{item.path.stem}.out.json"
    if out.exists():
        data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return data
    return extract_one(item)


Row = tuple[dict[str, float], bool, int]  # a cell's evidence, whether it is right, its report's seed


def _rows_for_fit(items: list[Item], outputs: list[dict[str, Any]]) -> list[Row]:
    """(evidence, right, seed) for every OCR'd truth cell of the given reports."""
    rows = []
    for item, report in zip(items, outputs, strict=True):
        if "error" in report:
            continue
        truth = json.loads(item.truth.read_text(encoding="utf-8"))
        for r in cells(report, truth):
            features = report["_features"].get(r["path"])
            if features is not None:
                rows.append((features, bool(r["right"]), item.seed))
    return rows


def _logistic(x: Any, y: Any, l2: float) -> Any:
    """Weights of a logistic regression (Newton's method, an L2 penalty on every weight but the
    bias, the first column)."""
    import numpy as np

    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 1e-6
    for _ in range(50):
        z = x @ w
        p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def fit(
    rows: list[Row], l2: float = 1.0, folds: int = 4
) -> tuple[dict[str, float], dict[str, list[float]], list[float]]:
    """Logistic regression on the evidence, then an isotonic map of its log-odds to the observed
    share right (pool adjacent violators, each block's share smoothed by one right and one wrong
    cell, so no band claims 1.0): a step function, each block from its lowest log-odds on.

    The map is fitted on out-of-fold log-odds (the reports split into `folds` by seed, each scored
    by weights fitted on the others), not on the log-odds the final weights give their own training
    cells: those are more extreme than any unseen cell's, and a map fitted on them overstated how
    wrong the least sure cells are (on unseen reports the lowest band was right 38% of the time,
    not the 8% it stated)."""
    import numpy as np

    names = sorted({k for f, _, _ in rows for k in f if not k.startswith("_")})
    x = np.array([[1.0] + [f.get(k, 0.0) for k in names] for f, _, _ in rows])
    y = np.array([1.0 if right else 0.0 for _, right, _ in rows])
    fold = np.array([(seed // 2) % folds for _, _, seed in rows])
    w = _logistic(x, y, l2)
    z = np.zeros(len(rows))
    for k in range(folds):
        held = fold == k
        z[held] = x[held] @ _logistic(x[~held], y[~held], l2)
    weights = {
        "bias": round(float(w[0]), 3),
        **{k: round(float(v), 3) for k, v in zip(names, w[1:], strict=True)},
    }
    order = np.argsort(z)
    blocks: list[list[float]] = []  # [sum right, count, lowest z]
    for i in order:
        blocks.append([y[i], 1.0, z[i]])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            a, b = blocks.pop(), blocks.pop()
            blocks.append([a[0] + b[0], a[1] + b[1], min(a[2], b[2])])
    # A block of a few cells says little: merged into the next one up until it holds MIN_BLOCK (a
    # block of 6 right of 8 put cells at 0.70 that were right 42 times in 42 on unseen reports).
    merged: list[list[float]] = []
    for b in blocks:
        if merged and merged[-1][1] < MIN_BLOCK:
            a = merged.pop()
            b = [a[0] + b[0], a[1] + b[1], min(a[2], b[2])]
        merged.append(b)
    if len(merged) > 1 and merged[-1][1] < MIN_BLOCK:
        b, a = merged.pop(), merged.pop()
        merged.append([a[0] + b[0], a[1] + b[1], min(a[2], b[2])])
    blocks = merged
    knots_z = [round(b[2], 3) for b in blocks]
    knots_p = []
    for b in blocks:  # smoothed, and kept monotone (smoothing a small block can undercut the last)
        knots_p.append(round(max((b[0] + 1) / (b[1] + 2), knots_p[-1] if knots_p else 0.0), 4))
    table = {"z": knots_z, "p": knots_p}
    from extractor.validate.confidence import calibrated

    return weights, table, [calibrated(float(v), table) for v in z]


def fit_caps(rows: list[Row], stated: list[float]) -> dict[str, float]:
    """The confidence each kind of cap states: the share right of the cells it holds down, those
    whose model confidence (`stated`, out of fold) is above its level (a capped cell the model
    already puts lower states the model's confidence), drawn towards the share right of all its
    cells by two cells' weight (a kind seen on few cells). The extractor keeps every level under
    its review threshold, whatever the share."""
    from extractor.validate.confidence import CAP_CEILING, CAPS

    levels = {}
    for kind in CAPS:
        every = [right for f, right, _ in rows if f.get(f"_cap_{kind}")]
        prior = (sum(every) + 1) / (len(every) + 2)  # the share right of all its cells
        level, hits = prior, every
        for _ in range(10):  # the level decides which cells it holds down: to a fixed point
            hits = [
                right
                for (f, right, _), p in zip(rows, stated, strict=True)
                if f.get(f"_cap_{kind}") and p > level
            ]
            new = round(min((sum(hits) + 2 * prior) / (len(hits) + 2), CAP_CEILING), 3)
            if new == level:
                break
            level = new
        levels[kind] = level
        print(
            f"cap {kind}: {sum(hits)} of {len(hits)} held down right ({sum(every)} of {len(every)}) → {level}"
        )
    return levels


def write_model(
    weights: dict[str, float],
    table: dict[str, list[float]],
    path: Path,
    note: str,
    cost: dict[str, float],
    caps: dict[str, float],
) -> None:
    lines = [
        "# The confidence model of cells read by OCR (extractor/validate/confidence.py): the log-odds",
        "# that a value is right is `bias` plus the weight of each piece of evidence present (times its",
        "# value), then mapped through `calibration` (piecewise linear from log-odds `z` to `p`).",
        f"# Written by bench/calibrate.py --fit: {note}.",
        "",
        "[weights]",
        *(f"{k} = {v}" for k, v in weights.items()),
        "",
        "[calibration]",
        f"z = {json.dumps(table['z'])}",
        f"p = {json.dumps(table['p'])}",
        "",
        "# The confidence of a cell that a kind of doubt puts before a person (validate/confidence.py",
        "# `_caps`): the share of such cells right, kept under the review threshold by the extractor.",
        "[caps]",
        *(f"{k} = {v}" for k, v in caps.items()),
        "",
        "# How sure each kind of reading is when the failing relations are explained (the cost, in",
        "# log-odds, of calling it wrong; validate/explain.py). Set by hand, not fitted: an",
        "# explanation compares readings, whatever else is known about the cell.",
        "[cost]",
        *(f"{k} = {v}" for k, v in cost.items()),
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def plot(table: list[dict[str, Any]], ece: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5), dpi=120)
    ax.plot([0, 1], [0, 1], color="#999", linestyle="--", linewidth=1, label="perfect calibration")
    xs = [b["stated"] for b in table]
    ys = [b["right"] for b in table]
    sizes = [max(12, min(400, b["cells"] / 10)) for b in table]
    ax.plot(xs, ys, color="#1f5fa8", linewidth=1)
    ax.scatter(xs, ys, s=sizes, color="#1f5fa8", zorder=3, label="bands (area: cells)")
    for b in table:
        ax.annotate(
            str(b["cells"]),
            (b["stated"], b["right"]),
            fontsize=7,
            xytext=(4, -10),
            textcoords="offset points",
        )
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("stated confidence (band mean)")
    ax.set_ylabel("share of cells actually right")
    ax.set_title(f"Scan cells: reliability (ECE {ece:.4f})")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seeds", default="5000:5480", help="first:last (exclusive) seeds of the set")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threshold", type=float, default=None, help="default: the extractor's")
    parser.add_argument("--only-odd", action="store_true", help="score the held-out (odd) seeds only")
    parser.add_argument("--fit", action="store_true", help="refit patterns/confidence.toml on the even seeds")
    parser.add_argument("--replay", action="store_true", help="only replay recorded OCR (no engine)")
    parser.add_argument("--documents", action="store_true", help="score the sample and corpus scans instead")
    args = parser.parse_args(argv)
    from extractor import Settings

    threshold = args.threshold if args.threshold is not None else Settings().review_threshold
    first, last = (int(x) for x in args.seeds.split(":"))
    items = documents() if args.documents else make_set(range(first, last), OUT)
    if args.only_odd or args.fit:
        every_item = items
        items = [i for i in items if i.seed % 2]
    t = time.perf_counter()
    if args.fit:
        items = []
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        outputs = list(pool.map(partial(extract_one, record=not args.replay), items))
    seconds = time.perf_counter() - t
    if args.fit:
        # Fitted on the even seeds' stored evidence (what the last run traced); `--only-odd` then
        # scores the held-out odd seeds with the new model (a replay of their recorded OCR).
        train = [i for i in every_item if i.seed % 2 == 0]
        train_out = [_stored(i) for i in train]
        rows = _rows_for_fit(train, train_out)
        weights, table, stated = fit(rows)
        caps = fit_caps(rows, stated)
        # Evidence the set never shows (an invisible text layer's vote: no searchable scans in it)
        # keeps the weight it had.
        import tomllib

        model = ROOT / "patterns" / "confidence.toml"
        old = tomllib.loads(model.read_text(encoding="utf-8"))
        weights = {**old["weights"], **weights}
        note = f"{len(train)} generated scans (even seeds of {args.seeds})"
        write_model(weights, table, model, note, old.get("cost", {}), caps)
        print("weights:", json.dumps(weights))
        print("calibration:", json.dumps(table))
        return 0
    per_report, failed = [], []
    for item, report in zip(items, outputs, strict=True):
        if "error" in report:
            failed.append({"seed": item.seed, "error": report["error"]})
            continue
        truth = json.loads(item.truth.read_text(encoding="utf-8"))
        per_report.append(cells(report, truth))
    every = [r for rows in per_report for r in rows]
    table, ece = calibration(every)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "calibrate_documents" if args.documents else "calibrate"
    if not args.documents:
        plot(table, ece, RESULTS / "calibration.png")
    sweep = [at_threshold(per_report, th) for th in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98)]
    chosen = at_threshold(per_report, threshold)
    print(f"{len(per_report)} reports, {len(every)} cells, {seconds:.0f} s; failed: {len(failed)}")
    print(f"{'band':>14} {'cells':>7} {'stated':>7} {'right':>7} {'gap':>7} {'right, 95%':>15}")
    for b in table:
        low, high = b["right_95"]
        print(
            f"{b['band']:>14} {b['cells']:>7} {b['stated']:>7.3f} {b['right']:>7.3f} {b['gap']:>+7.3f} "
            f"{low:>7.3f}–{high:.3f}"
        )
    print(f"ECE {ece:.4f}")
    for s in sweep:
        print(
            f"threshold {s['threshold']:.2f}: exact {s['exact']:.4f}, {s['flags_per_report']} flags/report, "
            f"{s['flagged_really_wrong']} of flags wrong, {s['silent_errors']} silent errors, "
            f"{s['absent']} cells absent"
        )
    silent = [
        {
            "seed": item.seed,
            "quality": item.quality,
            **{k: r[k] for k in ("path", "truth", "value", "confidence", "reasons")},
        }
        for item, rows in zip(
            [i for i, o in zip(items, outputs, strict=True) if "error" not in o], per_report, strict=True
        )
        for r in rows
        if not r["right"] and not (r["flagged"] or r["confidence"] < threshold)
    ]
    result = {
        "benchmark": "calibration of cell confidence on generated scans with known truth",
        "reports": len(per_report),
        "cells": len(every),
        "failed": failed,
        "seeds": args.seeds + (" (odd only)" if args.only_odd else ""),
        "calibration": table,
        "ece": round(ece, 5),
        "threshold": chosen,
        "sweep": sweep,
        "silent_errors": silent[:50],
        "seconds": round(seconds, 1),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    (RESULTS / f"{name}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
