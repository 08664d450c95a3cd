"""Find the questions in spoken text and tell open from closed, without needing punctuation.

Speech-recognition output often has no punctuation at all, so a question mark is a hint
(it makes a question) but never a requirement. The rules, tuned on the ``train`` split of
the ICSI MRDA meeting corpus and measured on its ``dev``/``test`` splits (see
``benchmarks/bench_questions_accuracy.py``; the corpus itself never ships):

1. Leading fillers and discourse markers are dropped (``um``, ``uh``, ``so``, ``and``,
   ``okay``, ``well``, ``but``, ``yeah``, ``i mean`` ...), as are stutters (``do you do you``).
2. A question starts with a wh-word (``what``, ``how``, ``why``, ``who``, ``when``, ``where``,
   ``which``) - unless a subject follows it directly (``what i mean is``, ``when we get
   there``, ``how we do it``), which is a clause, not a question - or with an auxiliary
   followed by a subject (``do you``, ``is there``, ``could we``, ``have they``), or with a
   request for a story (``tell me``, ``walk me through``, ``describe``, ``i'm curious``).
3. It may also end in a tag (``isn't it``, ``don't you``, ``or not``, ``correct``, ``right``
   after a clause) or be one of a few one-word questions (``why``, ``really``, ``what``).
4. ``how about we ...`` and ``why don't we ...`` are suggestions; ``i wonder`` is a statement.

**Open** questions invite a story: ``what``, ``how``, ``why``, ``what about``, ``tell me``,
``walk me through``, ``describe``, ``can you explain``. **Closed** questions are yes/no,
either/or, tags, and wh-questions that ask for a fact: ``who``, ``when``, ``where``,
``which``, ``how many/much/long/often``, ``what time/date/day/year``.
"""

from __future__ import annotations

import re
from typing import Literal

QuestionKind = Literal["open", "closed"]

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")

FILLERS = frozenset(
    "um uh uhm hmm mm so and okay ok well but yeah yes oh like alright now then "
    "also actually anyway just basically right".split()
)
_FILLER_PAIRS = (("i", "mean"), ("you", "know"), ("i", "guess"), ("all", "right"))

WH_WORDS = frozenset("what what's whats how how's why who who's whom whose when where which".split())
_FACT_WH = frozenset("who who's whom whose when where which".split())
_FACT_HOW = frozenset("many much long often old far big soon large fast come".split())
_FACT_WHAT = frozenset("time date day year month week percentage percent number version".split())

AUXILIARIES = frozenset(
    "do does did is are was were can could would will should shall have has had may might "
    "must am don't doesn't didn't isn't aren't wasn't weren't can't couldn't wouldn't won't "
    "shouldn't haven't hasn't hadn't".split()
)
SUBJECTS = frozenset(
    "you we they it there i he she this that these those your you've you're anybody anyone "
    "everyone everybody somebody someone people the a an any all our their his her my "
    "y'all u".split()
)
_CLAUSE_SUBJECTS = frozenset(
    "i we you they he she it i'm we're you're they're it's i've we've you've i'd we'd "
    "you'd i'll we'll you'll".split()
)
_STORY_STARTS = (
    ("tell", "me"),
    ("tell", "us"),
    ("walk", "me"),
    ("walk", "us"),
    ("talk", "me"),
    ("describe",),
    ("explain",),
    ("help", "me", "understand"),
    ("i'm", "curious"),
    ("i", "am", "curious"),
    ("i'd", "love", "to", "hear"),
    ("i'd", "like", "to", "hear"),
    ("i'd", "like", "to", "understand"),
)
_STORY_VERBS = frozenset("tell walk describe explain talk share elaborate expand".split())
_SUGGESTIONS = (("how", "about", "we"), ("how", "about", "i"), ("why", "don't", "we"))
_TAGS = (
    ("or", "not"),
    ("isn't", "it"),
    ("aren't", "they"),
    ("aren't", "you"),
    ("don't", "you"),
    ("don't", "they"),
    ("don't", "we"),
    ("doesn't", "it"),
    ("didn't", "you"),
    ("wasn't", "it"),
    ("won't", "it"),
    ("can't", "we"),
    ("correct",),
    ("right",),
    ("eh",),
    ("or", "what"),
    ("or", "no"),
    ("yes", "or", "no"),
)
_NOT_TAG_BEFORE_RIGHT = frozenset("that's thats all alright exactly yeah yes that is it's".split())
_ONE_WORD = {"why": "open", "what": "closed", "really": "closed", "or": "closed"}


def words(text: str) -> list[str]:
    """Lower-cased words, punctuation dropped, apostrophes kept (``don't``)."""
    return _WORD.findall(text.lower().replace("’", "'"))


def classify_question(text: str) -> QuestionKind | None:
    """``"open"``, ``"closed"`` or ``None`` (not a question) for one utterance."""
    tokens = _strip_start(words(text))
    if not tokens:
        return None
    kind = _by_start(tokens) or _by_end(tokens)
    if kind is None and text.rstrip().endswith("?"):
        kind = _kind_of_marked(tokens)
    return kind


def _strip_start(tokens: list[str]) -> list[str]:
    """Drop leading fillers, two-word discourse markers and stutters."""
    i = 0
    while i < len(tokens):
        if tokens[i] in FILLERS and i + 1 < len(tokens):
            i += 1
        elif tuple(tokens[i : i + 2]) in _FILLER_PAIRS and i + 2 < len(tokens):
            i += 2
        else:
            break
    return _unstutter(tokens[i:])


def _unstutter(tokens: list[str]) -> list[str]:
    """Collapse a repeated opening of one or two words: ``do you do you know`` -> ``do you know``."""
    for size in (2, 1):
        while len(tokens) > 2 * size and tokens[:size] == tokens[size : 2 * size]:
            tokens = tokens[size:]
    return tokens


def _by_start(tokens: list[str]) -> QuestionKind | None:
    if len(tokens) == 1:
        kind = _ONE_WORD.get(tokens[0])
        return kind if kind in ("open", "closed") else None  # type: ignore[return-value]
    if tokens[0] == "or":
        return "closed" if _by_start(tokens[1:]) else None
    if _starts_with(tokens, _SUGGESTIONS) or _starts_with(tokens, (("i", "wonder"),)):
        return None
    if _starts_with(tokens, _STORY_STARTS):
        return "open"
    if tokens[0] in WH_WORDS:
        return _wh_kind(tokens)
    if tokens[0] in AUXILIARIES and tokens[1] in SUBJECTS:
        return "open" if _asks_for_story(tokens) else "closed"
    return None


def _wh_kind(tokens: list[str]) -> QuestionKind | None:
    head, nxt = tokens[0], tokens[1]
    if nxt in _CLAUSE_SUBJECTS:
        return None
    if head in _FACT_WH:
        return "closed"
    if head in ("how", "how's") and nxt in _FACT_HOW:
        return "closed"
    if head in ("what", "what's", "whats") and nxt in _FACT_WHAT:
        return "closed"
    return "open"


def _asks_for_story(tokens: list[str]) -> bool:
    """``can you tell me``, ``could you walk us through``, ``would you describe``."""
    return any(word in _STORY_VERBS for word in tokens[2:4])


def _by_end(tokens: list[str]) -> QuestionKind | None:
    if len(tokens) < 3:
        return None
    for tag in _TAGS:
        if tuple(tokens[-len(tag) :]) == tag:
            if tag == ("right",) and tokens[-2] in _NOT_TAG_BEFORE_RIGHT:
                return None
            return "closed"
    return None


def _kind_of_marked(tokens: list[str]) -> QuestionKind:
    """A question mark we could not explain: an echo or declarative question, closed."""
    return "open" if tokens[-1] in ("why", "how") else "closed"


def _starts_with(tokens: list[str], starts: tuple[tuple[str, ...], ...]) -> bool:
    return any(tuple(tokens[: len(start)]) == start for start in starts)
