"""How many one-hour calls per second the default path analyses (parse + analyze_call).

Builds a seeded one-hour call (900 utterances, timestamped text format), then times
``parse_transcript`` + ``analyze_call`` against a baseline run beside it in the same
process: splitting the same text into lines and counting words with ``str.split``, and
tokenising every line the way the analysis does. The ratios say how many times each
baseline's cost the analysis is.

Run: ``.venv/bin/python benchmarks/bench_calls_speed.py``.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable

from onstrategy.engines.conversation import analyze_call
from onstrategy.engines.questions import words
from onstrategy.ingest.transcripts import parse_transcript

SELLER = [
    "What are the goals you have set for the team this year?",
    "how do you decide which accounts your reps spend their week on",
    "Walk me through what happens when a lead comes in.",
    "We're seeing companies like yours close the gap in about one quarter.",
    "Our platform gives you forty dashboards out of the box.",
    "Pricing is ninety dollars per user per month.",
    "Can you see my screen?",
    "Got it.",
    "so um is the healthcare push the top priority or is logistics just as important",
    "Have you considered tying territory rules to your target segments?",
    "That makes sense, thanks for explaining.",
]
CUSTOMER = [
    "Our goal is to grow mid-market revenue by thirty percent.",
    "Honestly it's gut feel, and the problem is they chase small accounts.",
    "We look at pipeline once a month in a spreadsheet.",
    "Yes.",
    "That's interesting, we only look at the end result.",
    "We lost two healthcare deals last quarter because the right rep was busy.",
    "I need to check with our CMO.",
]
UTTERANCES = 900
SECONDS = 3600


def one_hour_call(*, seed: int = 7) -> str:
    rng = random.Random(seed)
    lines, clock = [], 0.0
    for _ in range(UTTERANCES):
        seller = rng.random() < 0.5
        text = rng.choice(SELLER if seller else CUSTOMER)
        stamp = time.strftime("%H:%M:%S", time.gmtime(clock))
        lines.append(f"[{stamp}] {'Maya Chen' if seller else 'David Okafor'}: {text}")
        clock += SECONDS / UTTERANCES * rng.uniform(0.5, 1.5)
    return "\n".join(lines) + "\n"


def analyse(text: str) -> None:
    analyze_call(parse_transcript(text), sellers=["Maya Chen"])


def baseline(text: str) -> None:
    sum(len(line.split()) for line in text.splitlines())


def tokenise(text: str) -> None:
    for line in text.splitlines():
        words(line)


def per_second(func: Callable[[str], None], text: str, *, seconds: float) -> float:
    runs, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds or runs < 3:
        func(text)
        runs += 1
    return runs / elapsed


def main() -> int:
    text = one_hour_call()
    analyse(text)  # warm up: the lexicon is read and compiled once
    calls = per_second(analyse, text, seconds=3.0)
    base = per_second(baseline, text, seconds=1.0)
    tokens = per_second(tokenise, text, seconds=1.0)
    print(f"one-hour call: {UTTERANCES} utterances, {len(text.split())} words")
    print(f"analyze (parse + analyze_call): {calls:8.1f} calls/s  ({1000 / calls:.1f} ms/call)")
    print(f"baseline (str.split word count): {base:8.1f} calls/s")
    print(f"baseline (tokenise every line):  {tokens:8.1f} calls/s")
    print(f"ratio: analysis costs {base / calls:.0f}x the str.split baseline, ", end="")
    print(f"{tokens / calls:.0f}x tokenising")
    return 0


if __name__ == "__main__":
    sys.exit(main())
