"""What a seller's utterance does (dialogue act) and what a customer's statement reveals.

Seller acts:

* ``discovery`` - asks about the client's objectives, problems, priorities, situation,
  process or metrics (``what are your goals for this year``, ``walk me through ...``);
* ``insight`` - offers a perspective, data or an idea about the client's business
  (``we're seeing companies like yours ...``, ``have you considered ...``);
* ``pitch`` - product features, pricing, company claims (``our platform``, ``discount``);
* ``other`` - logistics and small talk.

The phrases live in ``data/conversation/acts.yaml`` (written by hand; no labelled sales
calls exist to train on). Each matched phrase scores its act (strong 2 points, weak 1);
a question adds 1.5 to ``discovery`` when it is addressed to the client (``you``/``your``)
and 0.75 otherwise, because asking about the client's world is what discovery is - unless
it carries an insight (``have you considered ...``). The act with most points wins; ties
go to insight, then (for a question) discovery before pitch or (for a statement) pitch
before discovery, then other. An utterance that matches nothing is ``other``.

Customer needs: ``objective`` (``our goal is``, ``we're trying to``) or ``problem``
(``we struggle with``, ``it takes too long``), only when the customer speaks for
themselves (``we``, ``our``, ``i``, ``my``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from onstrategy.engines.questions import QuestionKind, words

Act = Literal["discovery", "insight", "pitch", "other"]
Need = Literal["objective", "problem"]
ACTS: tuple[Act, ...] = ("insight", "discovery", "pitch", "other")  # ties, for a question
_STATEMENT_ORDER: tuple[Act, ...] = ("insight", "pitch", "discovery", "other")  # for the rest
NEEDS: tuple[Need, ...] = ("problem", "objective")  # tie-break order
_WEIGHTS = {"strong": 2.0, "weak": 1.0}
_QUESTION_BONUS = 1.5
_ADDRESSED = frozenset(["you", "your", "you're", "you've", "yours", "y'all"])
_FIRST_PERSON = frozenset(
    ["we", "our", "i", "my", "us", "we're", "we've", "i'm", "i've", "ours", "me", "we'd", "i'd"]
)


@dataclass(frozen=True)
class Lexicon:
    """Compiled phrase patterns: per act a list of ``(pattern, weight)``, per need one pattern."""

    acts: dict[Act, list[tuple[re.Pattern[str], float]]]
    needs: dict[Need, re.Pattern[str]]


@cache
def default_lexicon() -> Lexicon:
    """The lexicon shipped in ``onstrategy/data/conversation/acts.yaml`` (read once)."""
    path = resources.files("onstrategy") / "data" / "conversation" / "acts.yaml"
    return build_lexicon(data=yaml.safe_load(path.read_text(encoding="utf-8")))


class _Phrases(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strong: list[str] = Field(default_factory=list)
    weak: list[str] = Field(default_factory=list)


class LexiconFile(BaseModel):
    """The shape of ``acts.yaml``: phrases per act (strong/weak) and per customer need."""

    model_config = ConfigDict(extra="forbid")

    acts: dict[Act, _Phrases]
    needs: dict[Need, list[str]]


def build_lexicon(*, data: Mapping[str, Any]) -> Lexicon:
    """Compile a lexicon from the YAML shape; a wrong shape raises pydantic's ValidationError."""
    spec = LexiconFile.model_validate(data)
    acts: dict[Act, list[tuple[re.Pattern[str], float]]] = {}
    for act in ACTS:
        phrases = spec.acts.get(act, _Phrases())
        groups = {"strong": phrases.strong, "weak": phrases.weak}
        acts[act] = [(_pattern(groups[g]), w) for g, w in _WEIGHTS.items() if groups[g]]
    needs = {need: _pattern(spec.needs.get(need, [])) for need in NEEDS}
    return Lexicon(acts=acts, needs=needs)


def _pattern(phrases: list[str]) -> re.Pattern[str]:
    """One alternation; ``integrat*`` matches any ending. Matches nothing when empty."""
    parts = [re.escape(p.rstrip("*")) + (r"\w*" if p.endswith("*") else "") for p in phrases]
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + ("|".join(parts) or r"(?!)") + r")(?![\w'])")


def act_points(
    text: str, *, question: QuestionKind | None = None, lexicon: Lexicon | None = None
) -> dict[Act, float]:
    """Points per act for one seller utterance (the evidence behind :func:`classify_act`)."""
    lex = lexicon or default_lexicon()
    tokens = words(text)
    normal = " ".join(tokens)
    points: dict[Act, float] = dict.fromkeys(ACTS, 0.0)
    for act, patterns in lex.acts.items():
        points[act] = sum(weight * len(p.findall(normal)) for p, weight in patterns)
    if question is not None and not points["insight"]:
        addressed = _ADDRESSED.intersection(tokens)
        points["discovery"] += _QUESTION_BONUS if addressed else _QUESTION_BONUS / 2
    return points


def classify_act(
    text: str, *, question: QuestionKind | None = None, lexicon: Lexicon | None = None
) -> Act:
    """``discovery``, ``insight``, ``pitch`` or ``other`` for one seller utterance."""
    points = act_points(text, question=question, lexicon=lexicon)
    order = ACTS if question else _STATEMENT_ORDER
    best = max(order, key=lambda act: points[act])  # max keeps the first of equals
    return best if points[best] > 0 else "other"


def classify_need(text: str, *, lexicon: Lexicon | None = None) -> Need | None:
    """``objective``, ``problem`` or ``None`` for one customer utterance."""
    tokens = words(text)
    if not _FIRST_PERSON.intersection(tokens):
        return None
    lex = lexicon or default_lexicon()
    normal = " ".join(tokens)
    counts = {need: len(lex.needs[need].findall(normal)) for need in NEEDS}
    best = max(NEEDS, key=lambda need: counts[need])
    return best if counts[best] else None
