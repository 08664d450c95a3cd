"""What a request must satisfy before it is filed: reason code, rationale, days, value, subject."""

from __future__ import annotations

import math
import re

from onstrategy.engines.exceptions.records import Subject
from onstrategy.errors import InvalidInput, Problem
from onstrategy.strategy.model import ExceptionPolicy, ReasonCode, Version

PLACEHOLDERS = {
    "n/a",
    "na",
    "n.a.",
    "tbd",
    "tba",
    "none",
    "nothing",
    "asdf",
    "test",
    "todo",
    "-",
    "--",
    "...",
    "x",
    "xx",
    "xxx",
    "?",
    "see above",
    "see notes",
    "no reason",
    "because",
    "same",
    "idk",
    "nil",
    "null",
    "ok",
    "fine",
    "lorem ipsum",
}
FILLER = {"asdf", "qwerty", "qwer", "zxcv", "lorem", "ipsum", "blah", "xxx", "xx", "foo", "tbd"}
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def rationale_problems(
    text: str, *, policy: ExceptionPolicy, reason: ReasonCode | None
) -> list[str]:
    """What a rationale lacks, in plain words; empty when it has substance."""
    cleaned = " ".join((text or "").split())
    words = [w.lower() for w in WORD.findall(cleaned)]
    if not words:
        return ["the rationale is empty: say why this client is worth pursuing off-profile"]
    if cleaned.lower().strip(" .!") in PLACEHOLDERS:
        return [f"{cleaned!r} is a placeholder, not a rationale"]
    need = policy.min_rationale_words
    problems = []
    if len(words) < need:
        problems.append(
            f"the rationale has {len(words)} words; the strategy asks for at least "
            f"{need}: who the client is, why it is worth the time, what you expect"
        )
    if len(set(words)) < max(3, math.ceil(need / 2)):
        problems.append("the rationale repeats the same few words")
    if sum(w in FILLER for w in words) >= max(1, len(words) / 4):
        problems.append("the rationale is mostly filler (asdf, lorem ipsum, ...)")
    if reason is not None:
        label = {w.lower() for w in WORD.findall(f"{reason.label} {reason.code}")}
        own = [w for w in words if w not in label]
        if len(own) < max(3, math.ceil(need / 2)):
            problems.append(
                f"the rationale mostly copies the reason's label ({reason.label!r}): "
                "add what is specific to this client"
            )
    return problems


def _check_request(
    version: Version,
    *,
    reason_code: str,
    rationale: str,
    days: int,
    expected_value: float | None,
) -> ReasonCode:
    policy = version.exceptions
    problems: list[Problem] = []
    reason = next((r for r in policy.reason_codes if r.code == reason_code), None)
    if reason is None:
        known = ", ".join(r.code for r in policy.reason_codes)
        problems.append(
            Problem(
                "reason",
                f"unknown reason code {reason_code!r}",
                f"version {version.id} allows: {known}",
            )
        )
    problems += [
        Problem("rationale", p) for p in rationale_problems(rationale, policy=policy, reason=reason)
    ]
    if not 1 <= days <= policy.max_days:
        problems.append(
            Problem(
                "days",
                f"{days} days is outside 1–{policy.max_days}",
                f"version {version.id} allows at most {policy.max_days} days; renew when it ends",
            )
        )
    if expected_value is None or expected_value <= 0:
        problems.append(
            Problem(
                "expected_value",
                "an expected value above 0 is required",
                "what the deal is worth if won, in the strategy's currency",
            )
        )
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise InvalidInput(
            f"the exception request has {len(problems)} {noun}",
            "fix each line above and ask again",
            problems,
        )
    assert reason is not None
    return reason


def _check_subject(subject: Subject, version: Version) -> None:
    if subject.in_profile:
        fit = subject.fit
        assert fit is not None
        raise InvalidInput(
            f"{subject.kind} {subject.id} is in profile under {version.id} (tier {fit.tier}, "
            f"{fit.segment}): it needs no exception",
            "exceptions are for off-profile work only",
        )
    if subject.kind == "opportunity" and not subject.is_open:
        raise InvalidInput(
            f"opportunity {subject.id} is closed",
            "an exception is asked before pursuing, while the deal is open",
        )
