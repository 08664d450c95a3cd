"""Throughput of ``classify_titles`` against a plain regex lower-case pass, same process.

Data: every title in ``../shared/data/titles/esco_titles_isco.csv`` (~33k), repeated
``--repeat`` times. The baseline lower-cases each title and splits it into words with one
regular expression, the least any title classifier must do, so the ratio says how much
the rules cost on top. Prints titles per second for both and the ratio; asserts nothing.

Run: ``.venv/bin/python benchmarks/bench_titles_speed.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from collections.abc import Callable
from pathlib import Path

from onstrategy.engines.titles import classify_title, classify_titles

ESCO = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "titles"
    / "esco_titles_isco.csv"
)
_WORD = re.compile(r"[a-z0-9]+")


def baseline(titles: list[str]) -> list[list[str]]:
    return [_WORD.findall(title.lower()) for title in titles]


def rate(run: Callable[[list[str]], object], titles: list[str]) -> float:
    start = time.perf_counter()
    run(titles)
    return len(titles) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with ESCO.open(newline="", encoding="utf-8") as handle:
        titles = [row["title"] for row in csv.DictReader(handle)] * args.repeat
    classify_title("warm up the lexicon")
    base, ours = rate(baseline, titles), rate(classify_titles, titles)
    print(f"titles: {len(titles)}")
    print(f"baseline regex lower-case pass: {base:12,.0f} titles/s")
    print(f"classify_titles:                {ours:12,.0f} titles/s")
    print(f"ratio (classify / baseline):    {ours / base:12.3f}  ({base / ours:.1f}x slower)")


if __name__ == "__main__":
    main()
