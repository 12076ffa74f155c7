"""Fuzz the text and number parsers for a while (hypothesis): the properties of tests/properties.py,
round after round, until the time is up; prints the inputs tried and any finding.

    python bench/fuzz.py [--minutes 10]

A finding (an exception other than the extractor's own, a broken round trip, or an input that takes
longer than 30 s) stops the run with hypothesis's shrunk example and traceback. The suite runs the same
properties with few examples (tests/test_properties.py); this is the long run, done by hand.
"""

from __future__ import annotations

import argparse
import functools
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests import properties as p  # noqa: E402

tried: Counter[str] = Counter()


class TooSlow(Exception):
    """One input took longer than PER_INPUT_S: a hang is a finding too."""


PER_INPUT_S = 30


def _too_slow(signum: int, frame: object) -> None:
    raise TooSlow(f"one input took longer than {PER_INPUT_S} s")


def _counted(name: str, check: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(check)
    def run(*args: Any, **kwargs: Any) -> None:
        tried[name] += 1
        signal.alarm(PER_INPUT_S)
        try:
            check(*args, **kwargs)
        finally:
            signal.alarm(0)

    return run


TARGETS: dict[str, tuple[Any, ...]] = {
    "parse_cell": (
        _counted("parse_cell", p.check_parse_cell),
        p.cell_text,
        st.booleans(),
        st.booleans(),
        st.sampled_from(["万元", "元", "亿元", "件"]),
    ),
    "printed numbers": (_counted("printed numbers", p.check_number_round_trip), p.printed_numbers()),
    "signed numbers": (_counted("signed numbers", p.check_signed_round_trip), p.numbers),
    "arbitrary text": (
        _counted("arbitrary text", p.check_text_never_escapes),
        st.text(alphabet=p._ALPHABET) | st.text(),
    ),
    "arbitrary bytes": (_counted("arbitrary bytes", p.check_bytes_never_escape), st.binary(max_size=2000)),
    "mutated reports": (_counted("mutated reports", p.check_text_never_escapes), p.mutated_reports()),
    "generated reports": (_counted("generated reports", p.check_truth_round_trips), p.truths),
}
# Examples a round: the whole-report targets are slower, so fewer of them a round.
ROUND = {"mutated reports": 50, "generated reports": 20}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGALRM, _too_slow)
    end = time.monotonic() + args.minutes * 60
    start = time.monotonic()
    rounds = 0
    while time.monotonic() < end:
        for name, (check, *strategies) in TARGETS.items():
            if time.monotonic() >= end:
                break
            test = settings(
                max_examples=ROUND.get(name, 2000),
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )(given(*strategies)(check))
            try:
                test()
            except Exception:
                print(f"finding in {name} after {sum(tried.values())} inputs:", file=sys.stderr)
                raise
        rounds += 1
    minutes = (time.monotonic() - start) / 60
    total = sum(tried.values())
    print(f"{total} inputs in {minutes:.1f} minutes ({rounds} rounds), no findings")
    for name, n in tried.items():
        print(f"  {name}: {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
