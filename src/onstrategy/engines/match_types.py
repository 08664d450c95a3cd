"""What matching takes and gives: the records on either side, the decision with its
reasons and candidates, and the thresholds that turn scores into decisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from onstrategy.engines.domains import registrable_domain

Status = Literal["matched", "ambiguous", "none"]


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """One row on either side: a lead or list entry (query) or an account (reference)."""

    id: str
    name: str | None = None
    domain: str | None = None
    website: str | None = None
    email: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None

    def registrable_domain(self) -> str | None:
        """The first registrable domain among ``domain``, ``website`` and ``email``."""
        for value in (self.domain, self.website, self.email):
            if value and (found := registrable_domain(value)):
                return found
        return None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A reference the query could be, with its score and why."""

    to_id: str
    score: float
    name: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The decision for one query: matched, ambiguous (to review) or none."""

    from_id: str
    to_id: str | None
    score: float
    status: Status
    reasons: tuple[str, ...]
    candidates: tuple[Candidate, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "from_id": self.from_id,
            "to_id": self.to_id,
            "score": self.score,
            "status": self.status,
            "reasons": list(self.reasons),
            "candidates": [
                {"to_id": c.to_id, "score": c.score, "name": c.name} for c in self.candidates
            ],
        }


@dataclass(frozen=True, slots=True)
class MatchThresholds:
    """Decision thresholds (scores 0–100) and score shape; defaults tuned on the dev split.

    - ``match_threshold`` (90): at or above, and clear of the runner-up, it is a match.
    - ``review_threshold`` (70): at or above (but not a clear match), it goes to review.
    - ``margin`` (5): a runner-up this close makes the best one ambiguous.
    - ``candidates`` (5): how many alternatives a result carries for the review queue.
    """

    match_threshold: float = 90.0
    review_threshold: float = 70.0
    margin: float = 5.0
    candidates: int = 5
