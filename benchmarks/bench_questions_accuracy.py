"""Question detection measured on real meeting speech (ICSI MRDA), with and without punctuation.

Reads ``../shared/data/dialogue-acts/mrda.psv`` (dev only: never copied into the repo).
Gold mapping (documented in the report and in ``engines/questions.py``):

* question: general tag ``qy`` (yes/no, incl. ``qy^d`` declarative and ``qy^g`` tag
  questions), ``qw``, ``qo``, ``qr``, ``qrr``; plus basic class ``Q`` whose general tag is a
  floor holder (``fh``/``fg``/``h``: "uh what do you do ...");
* ``qh`` rhetorical: left out of the main figures (neither a hit nor a miss) and reported
  both ways below;
* open: ``qo``, and ``qw`` unless its wh-word asks for a fact (who, when, where, which,
  how many/much/long/often, what time/date/day/year); closed: ``qy``, ``qr``, ``qrr``,
  fact ``qw``, and repetition requests (specific tag ``br``: "huh?", "what?", "sorry?"),
  which ask to hear a fact again, not for a story. A ``qw`` that is a bare wh-word
  ("what?", "so what", "for what?") counts as a question of unknown type: without the
  rest of the sentence nothing says whether it asks for a story or a fact (the annotators
  tag most of them ``qw``, not ``br``). The raw mapping (every ``qw`` and
  ``qo`` open, everything else closed) is reported too.
* ``turns`` lines join each speaker's consecutive rows into one utterance, as a diarised
  speech-recognition transcript gives them (MRDA cuts a turn into dialogue acts): the turn
  is a question if any of its rows is, of the first such row's type.
* declarative (``qy^d``), tag (``^g``) and understanding-check (``^bu``) questions stay
  in the gold set: they are real questions, but only intonation or a question mark
  shows them, so without punctuation they are where recall is lost. One line also
  reports the figures with the questions whose specific tag is ``d``, ``bu``, ``g``,
  ``bh`` or ``br`` left out (neither hit nor miss); ``3+ words`` lines leave out
  utterances of one or two words ("right?", "huh?", "oh really?").

Run: ``.venv/bin/python benchmarks/bench_questions_accuracy.py [--split test]``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from onstrategy.engines.questions import classify_question, detect_questions, words

MRDA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "dialogue-acts" / "mrda.psv"
_PUNCT = re.compile(r"[?.,!;:\"]")
INTONATION_ONLY = frozenset({"d", "bu", "g", "bh", "br"})
_FACT_WH = frozenset(
    [
        "who",
        "who's",
        "who'd",
        "whom",
        "whose",
        "when",
        "when's",
        "where",
        "where's",
        "where'd",
        "which",
    ]
)
_LINKS = frozenset(["so", "and", "but", "or", "uh", "um", "well", "oh", "then", "for", "with"])
_FACT_HOW = frozenset(
    ["many", "much", "long", "often", "old", "far", "big", "soon", "large", "fast"]
)
_FACT_WHAT = frozenset(
    ["time", "date", "day", "year", "month", "week", "percentage", "percent", "number", "version"]
)


@dataclass(frozen=True)
class Row:
    split: str
    speaker: str
    text: str
    gold: str | None  # "open", "closed", "question" (type unknown), "rhetorical" or None
    raw: str | None  # the plain mapping: qw and qo open, qy/qr/qrr closed
    specific: str = ""  # the corpus's specific tag: d declarative, bu check, g tag, ...


def gold_kind(basic: str, general: str, text: str, full: str = "") -> str | None:
    if general == "qh":
        return "rhetorical"
    if general in ("qy", "qr", "qrr") or (general.startswith("q") and full == "br"):
        return "closed"
    if general == "qo":
        return "open"
    if general == "qw" and _bare_wh(text):
        return "question"  # "what?", "so what": nothing to tell what it asks for
    if general == "qw":
        return "closed" if _asks_fact(text) else "open"
    return "question" if basic == "Q" else None


def _bare_wh(text: str) -> bool:
    said = [word for word in words(text) if word not in _LINKS]
    return len(said) == 1 and said[0] in ("what", "what's", "how", "why", *_FACT_WH)


def _asks_fact(text: str) -> bool:
    said = words(text)
    tokens = [t for i, t in enumerate(said) if i == 0 or t != said[i - 1]]  # "how how many"
    for i, word in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if word in ("what", "what's", "how", "why") or word in _FACT_WH:
            return (
                word in _FACT_WH
                or (word == "how" and nxt in _FACT_HOW)
                or (word.startswith("what") and nxt in _FACT_WHAT)
            )
    return False


def read_rows(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            split, speaker, text, basic, general, full = line.rstrip("\n").split("|")
            gold = gold_kind(basic, general, text, full)
            raw = "open" if general in ("qw", "qo") else gold
            yield Row(split, speaker, text, gold, raw, full)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    typed: int = 0
    typed_right: int = 0
    raw_right: int = 0

    def add(self, *, gold: str | None, got: str | None, raw: str | None) -> None:
        if gold is not None and got is not None:
            self.tp += 1
            if gold in ("open", "closed"):
                self.typed += 1
                self.typed_right += gold == got
                self.raw_right += raw == got
        elif got is not None:
            self.fp += 1
        elif gold is not None:
            self.fn += 1

    def line(self, name: str) -> str:
        p, r, f1, acc = self.precision, self.recall, self.f1, self.type_accuracy
        raw = self.raw_right / max(1, self.typed)
        scores = f"P={p:.3f} R={r:.3f} F1={f1:.3f}"
        return f"{name:<34} {scores}  open/closed={acc:.3f} (raw qw=open {raw:.3f})"

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / max(1e-9, p + r)

    @property
    def type_accuracy(self) -> float:
        """Open/closed right among detected questions whose gold type is known."""
        return self.typed_right / max(1, self.typed)


def evaluate(
    rows: list[Row],
    *,
    punctuation: bool,
    rhetorical: str = "skip",
    min_words: int = 0,
    intonation_only: bool = True,
    context: bool = True,
) -> Score:
    """``rhetorical``: ``skip`` (main), ``negative`` or ``positive``; ``min_words``: scope;
    ``intonation_only=False`` leaves out questions that only intonation marks;
    ``context=False`` classifies each utterance alone (``classify_question``) instead of
    the meeting in order with its speakers (``detect_questions``)."""
    score = Score()
    got_all = predict(rows, punctuation=punctuation, context=context)
    for row, got in zip(rows, got_all, strict=True):
        if len(words(row.text)) < min_words:
            continue
        if not intonation_only and row.gold and row.specific in INTONATION_ONLY:
            continue
        gold = row.gold
        if gold == "rhetorical":
            if rhetorical == "skip":
                continue
            gold = "question" if rhetorical == "positive" else None
        score.add(gold=gold, got=got, raw=row.raw)
    return score


def predict(rows: list[Row], *, punctuation: bool, context: bool = True) -> list[str | None]:
    """The detector's answer for every row; rows are one split, in meeting order."""
    texts = [row.text if punctuation else _PUNCT.sub("", row.text) for row in rows]
    if not context:
        return [classify_question(text) for text in texts]
    return list(detect_questions(texts, [row.speaker for row in rows]))


def turns(rows: list[Row]) -> list[Row]:
    """Each speaker's consecutive rows joined into one turn, as a diarised transcript gives
    them: a question if any of its rows is (typed by the first), rhetorical-only turns left
    out like rhetorical rows."""
    joined: list[list[Row]] = []
    for row in rows:
        if joined and joined[-1][0].speaker == row.speaker:
            joined[-1].append(row)
        else:
            joined.append([row])
    return [_turn(group) for group in joined]


def _turn(group: list[Row]) -> Row:
    first = next((r for r in group if r.gold not in (None, "rhetorical")), None)
    rhetorical = first is None and any(r.gold == "rhetorical" for r in group)
    gold = first.gold if first else "rhetorical" if rhetorical else None
    text = " ".join(r.text for r in group)
    return Row(group[0].split, group[0].speaker, text, gold, first.raw if first else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", action="append", help="train, val (dev) or test; repeatable")
    parser.add_argument("--errors", type=int, default=0, help="print N misses and false alarms")
    args = parser.parse_args(argv)
    if not MRDA.exists():
        print(f"skipped: {MRDA} not found")
        return 0
    rows = list(read_rows(MRDA))
    for split in args.split or ["val", "test"]:
        chosen = [row for row in rows if row.split == split]
        for punctuation in (True, False):
            label = f"{split} {'punctuated' if punctuation else 'no punctuation'}"
            print(evaluate(chosen, punctuation=punctuation).line(label))
        for punctuation in (True, False):
            label = f"{split} {'punct' if punctuation else 'no punct'}, 3+ words"
            print(evaluate(chosen, punctuation=punctuation, min_words=3).line(label))
        speaking = turns(chosen)
        for punctuation in (True, False):
            label = f"{split} turns, {'punct' if punctuation else 'no punct'}"
            print(evaluate(speaking, punctuation=punctuation).line(label))
        label = f"{split} no punct, each utterance alone"
        print(evaluate(chosen, punctuation=False, context=False).line(label))
        label = f"{split} no punct, no intonation-only"
        print(evaluate(chosen, punctuation=False, intonation_only=False).line(label))
        for mode in ("negative", "positive"):
            label = f"{split} no punct, qh as {mode}"
            print(evaluate(chosen, punctuation=False, rhetorical=mode).line(label))
        _print_errors(chosen, args.errors)
    return 0


def _print_errors(rows: list[Row], count: int) -> None:
    shown = {"miss": 0, "false": 0, "type": 0}
    for row, got in zip(rows, predict(rows, punctuation=False), strict=True):
        gold = None if row.gold == "rhetorical" else row.gold
        kind = "miss" if gold and not got else "false" if got and not gold else None
        if gold in ("open", "closed") and got and got != gold:
            kind = "type"
        if kind and shown[kind] < count and len(words(row.text)) >= 3:
            shown[kind] += 1
            print(f"  {kind:<5} gold={gold} got={got} | {row.text}")


if __name__ == "__main__":
    sys.exit(main())
