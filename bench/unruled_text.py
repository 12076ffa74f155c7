"""Tables without ruling lines and converter-mangled Markdown: cells read right, and what it costs.

Accuracy, on documents the extractor has never seen (random truths, `samples.truth.make_truth`):

- text PDFs whose tables have no ruling lines at all (`samples.render_pdf`, `Style.rules=False`,
  random styles);
- the official 2021 Word template with its borders removed, exported by LibreOffice
  (`samples.fill_template(..., borders=False)`; skipped without the template or LibreOffice);
- Markdown as a PDF-to-Markdown converter writes it (`samples.render_text.converter`), with each
  artefact alone and with all of them at once.

Every truth cell is counted as exact, flagged (in `needs_review`), wrong and unflagged, or missing.
For the Markdown, the cells whose place the converter's artefacts destroyed are counted too
(`undecidable`): a blank cell dropped from a row, or a cell written apart, that could stand in
another column with every relation and every number the text states still holding, its value
then different (a blank and a 0 side by side; in section 四, values shifted across blocks that
still sum). No reader can place them; `exact_of_decidable` is the exact share of the others.

Speed: `extractor extract` as whole processes on the same truths drawn with and without ruling
lines, interleaved; medians and their ratio. Results in bench/results/unruled_text.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor import extract  # noqa: E402
from samples.render_pdf import make_style, render_pdf  # noqa: E402
from samples.render_text import ARTEFACTS, Written, converter  # noqa: E402
from samples.truth import make_truth  # noqa: E402

TEMPLATE = ROOT.parent / "shared" / "corpus" / "templates" / "2021-official-template.docx"
TABLES = ("proactive", "requests", "review_litigation")


def random_truth(seed: int, template: str | None = None) -> dict[str, Any]:
    rng = random.Random(seed)
    return make_truth(
        seed,
        template or rng.choice(("2019", "2021", "hybrid")),  # type: ignore[arg-type]
        scale=rng.choice(("small", "medium", "large")),
        blank_zero_rate=rng.choice((0.0, 0.0, 0.3)),
        dash_zero_rate=rng.choice((0.0, 0.2)),
        money_in_yuan=rng.random() < 0.2,
    )


def _reading(text: str) -> float | None:
    """A cell's number; None for a blank or a mark ("/", "—")."""
    try:
        return float(text.replace(",", "").replace("+", "").removesuffix("元").removesuffix("万"))
    except ValueError:
        return None


def _number(text: str) -> float:
    """A cell's value for the relations: blanks and marks weigh nothing."""
    return _reading(text) or 0.0


def _same_evidence(path: str, row: list[str], printed: list[str]) -> bool:
    """Whether a placement of a row's cells is as good as the printed row for every relation and
    every number the narrative states: section 二 has none within a year (any placement);
    section 三, the same numbers in every cell (a blank and a 0 trade places); section 四 (one
    row, no column relation), its blocks' sums hold and the totals the narrative states are
    unchanged."""
    got, want = [_number(t) for t in row], [_number(t) for t in printed]
    if path.startswith("proactive."):
        return True
    if path.startswith("requests."):
        return got == want
    for b in range(0, len(row), 5):
        parts, total = got[b : b + 4], got[b + 4]
        if sum(parts) != total or (_reading(row[b + 4]) is None and any(parts)):
            return False
    return got[4] == want[4] and got[9] + got[14] == want[9] + want[14]


def undecidable(log: list[Written]) -> set[str]:
    """The cells of the rows as written whose place no reader can tell (see the module's doc)."""
    out: set[str] = set()
    for w in log:
        width = len(w.printed)
        if len(w.kept) == width and w.apart is None:
            continue
        kept = w.kept
        bases = [kept] if w.apart is None else [[*kept[:i], w.apart, *kept[i:]] for i in range(len(kept) + 1)]
        rows = []
        for base in bases:
            for blanks in combinations(range(width), width - len(base)):
                it = iter(base)
                row = ["" if c in blanks else next(it) for c in range(width)]
                if _same_evidence(w.paths[0], row, w.printed):
                    rows.append(row)
        for i, path in enumerate(w.paths):
            if len({_reading(r[i]) for r in rows}) > 1:
                out.add(path)
    return out


def count(
    path: Path, truth: dict[str, Any], tally: dict[str, Any], lost: AbstractSet[str] = frozenset()
) -> None:
    report = extract(path)
    flagged = {i.path for i in report.needs_review}
    for table in TABLES:
        got = getattr(report, table)
        for row, cols in truth[table].items():
            for col, value in cols.items():
                cell = got.get(row, {}).get(col)
                path_ = f"{table}.{row}.{col}"
                tally["cells"] += 1
                tally["undecidable"] += path_ in lost
                if cell is None:
                    tally["missing"] += 1
                elif path_ in flagged:
                    tally["flagged"] += 1
                elif cell.value != value:
                    tally["wrong_unflagged"] += 1
                else:
                    tally["exact"] += 1
                    tally["exact_decidable"] += path_ not in lost


Made = tuple[Path, dict[str, Any], set[str]]  # the document, its truth, its undecidable cells


def tally_of(make: Callable[[int, Path], Made], seeds: range, tmp: Path) -> dict[str, Any]:
    keys = ("cells", "exact", "flagged", "wrong_unflagged", "missing", "undecidable", "exact_decidable")
    tally: dict[str, Any] = dict.fromkeys(keys, 0)
    for seed in seeds:
        path, truth, lost = make(seed, tmp)
        count(path, truth, tally, lost)
    tally["documents"] = len(seeds)
    tally["exact_share"] = round(tally["exact"] / max(tally["cells"], 1), 4)
    decidable = tally["cells"] - tally["undecidable"]
    tally["exact_of_decidable"] = round(tally.pop("exact_decidable") / max(decidable, 1), 4)
    return tally


def unruled_pdf(seed: int, tmp: Path) -> Made:
    truth = random_truth(seed)
    path = tmp / f"unruled{seed}.pdf"
    render_pdf(truth, path, make_style(seed, rules=False))
    return path, truth, set()


def markdown(artefacts: tuple[str, ...]) -> Callable[[int, Path], Made]:
    def make(seed: int, tmp: Path) -> Made:
        truth = random_truth(seed)
        path = tmp / f"converter{seed}.md"
        log: list[Written] = []
        path.write_text(converter(truth, seed, artefacts, log), encoding="utf-8")
        return path, truth, undecidable(log)

    return make


def official(seeds: range, tmp: Path) -> dict[str, Any] | None:
    from samples.export import ToolMissingError, docx_to_pdf, find_soffice
    from samples.fill_template import fill_template

    if not TEMPLATE.is_file():
        return None
    try:
        find_soffice()
    except ToolMissingError:
        return None
    truths = {}
    for seed in seeds:
        truths[seed] = random_truth(seed, "2021")
        fill_template(TEMPLATE, truths[seed], tmp / f"official{seed}.docx", borders=False)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pdfs = dict(
            zip(seeds, pool.map(lambda s: docx_to_pdf(tmp / f"official{s}.docx", tmp), seeds), strict=True)
        )
    return tally_of(lambda seed, _: (pdfs[seed], truths[seed], set()), seeds, tmp)


def speed(seeds: range, rounds: int, tmp: Path) -> dict[str, Any]:
    def run(path: Path) -> float:
        start = time.perf_counter()
        cmd = [sys.executable, "-m", "extractor", "extract", str(path), "-o", str(tmp / "out.json")]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    ruled, unruled = [], []
    for seed in seeds:
        truth = random_truth(seed)
        a, b = tmp / f"speed_ruled{seed}.pdf", tmp / f"speed_unruled{seed}.pdf"
        render_pdf(truth, a, make_style(seed))
        render_pdf(truth, b, make_style(seed, rules=False))
        run(a), run(b)  # warm the file cache
        for _ in range(rounds):
            ruled.append(run(a))
            unruled.append(run(b))
    return {
        "documents": len(seeds),
        "rounds": rounds,
        "ruled_median_s": round(statistics.median(ruled), 3),
        "unruled_median_s": round(statistics.median(unruled), 3),
        "ratio": round(statistics.median(unruled) / statistics.median(ruled), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=40, help="random truths per form")
    parser.add_argument("--official", type=int, default=6, help="official-template documents")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    seeds = range(1000, 1000 + args.documents)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        forms: dict[str, Any] = {"pdf_without_rules": tally_of(unruled_pdf, seeds, tmp)}
        forms["official_template_without_borders"] = official(range(2000, 2000 + args.official), tmp)
        for artefact in ARTEFACTS:
            forms[f"markdown_{artefact}"] = tally_of(markdown((artefact,)), seeds, tmp)
        forms["markdown_all_artefacts"] = tally_of(markdown(ARTEFACTS), seeds, tmp)
        timing = speed(range(3000, 3005), args.rounds, tmp)
    result = {
        "benchmark": "tables without ruling lines and converter-mangled Markdown: cells and speed",
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average": os.getloadavg()[0],
        "forms": forms,
        "speed": timing,
    }
    out = ROOT / "bench" / "results" / "unruled_text.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for form, t in forms.items():
        if t is None:
            print(f"{form:42} skipped (no template or LibreOffice)")
            continue
        print(
            f"{form:42} {t['cells']:6} cells  exact {t['exact_share']:.2%}  flagged {t['flagged']:5}"
            f"  wrong unflagged {t['wrong_unflagged']}  missing {t['missing']}"
            f"  undecidable {t['undecidable']:4}  exact of the rest {t['exact_of_decidable']:.2%}"
        )
    print(
        f"speed: ruled {timing['ruled_median_s']} s, without rules {timing['unruled_median_s']} s "
        f"(ratio {timing['ratio']})"
    )
    bad = sum(t["wrong_unflagged"] for t in forms.values() if t is not None)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
