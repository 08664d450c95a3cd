"""Consultative-selling analysis of one call: talk style, questions, acts, and a score with reasons.

Talk style follows what Gong and Chorus measure; what they do not measure is whether the
seller discussed the client's objectives and brought insight - the acts do that
(:mod:`onstrategy.engines.acts`), questions come from :mod:`onstrategy.engines.questions`.

Basis. With timestamps (every utterance has a start) talk is measured in seconds: an
utterance lasts ``end - start``, or until the next utterance starts when the end is
unknown. Without timestamps talk is measured in words, and ``talk_ratio_basis`` says
which. Rates per hour, interactivity and patience need time and are ``null`` otherwise;
patience also needs end times.

Consultative score, 0-100, the sum of seven components (each with a reason):

=====================  ======  =========================================================
component              points  full points when ... (falls linearly to 0)
=====================  ======  =========================================================
``talk_ratio``         20      seller share within ``talk_ratio_tolerance`` of
                               ``talk_ratio``; 0 at 25 points beyond that
``questions``          20      ``questions_min``..``questions_max`` seller questions;
                               fewer scale down, more lose a point per extra question
``open_questions``     15      open share of questions >= ``open_question_share``
``discovery``          20      discovery share of seller utterances >= ``discovery_share``
``insight``            10      at least ``insights_min`` insight utterances
``pitch``              10      pitch share <= ``pitch_share_max``; 0 at twice that
``monologue``          5       longest seller monologue <= ``monologue_max_seconds``
                               (``monologue_max_words`` without time); 0 at 3x
=====================  ======  =========================================================
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from onstrategy.engines.acts import Act, Need, classify_act, classify_need
from onstrategy.engines.questions import QuestionKind, detect_questions
from onstrategy.errors import InvalidInput
from onstrategy.ingest.transcripts import Transcript, Utterance
from onstrategy.strategy.consultative import ConsultativeTargets  # re-exported

Role = Literal["seller", "customer"]
Basis = Literal["time", "words"]


@dataclass(frozen=True)
class AnalyzedUtterance:
    """One utterance with its role, question kind, and act (seller) or need (customer)."""

    speaker: str
    role: Role
    text: str
    start: float | None
    end: float | None
    question: QuestionKind | None
    act: Act | None
    need: Need | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "role": self.role,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "question": self.question,
            "act": self.act,
            "need": self.need,
        }


@dataclass(frozen=True)
class ScoreReason:
    """Why one component of the consultative score got its points."""

    component: str
    points: float
    max_points: float
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "points": self.points,
            "max_points": self.max_points,
            "message": self.message,
        }


@dataclass(frozen=True)
class CallAnalysis:
    """Metrics of one call, its utterances, and the consultative score with its reasons."""

    source: str
    format: str
    roles: dict[str, Role]
    metrics: dict[str, Any]
    utterances: list[AnalyzedUtterance]
    reasons: list[ScoreReason] = field(default_factory=list)
    targets: ConsultativeTargets = field(default_factory=ConsultativeTargets)

    @property
    def score(self) -> int:
        value: int = self.metrics["consultative_score"]
        return value

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "speakers": self.roles,
            "metrics": self.metrics,
            "reasons": [reason.to_dict() for reason in self.reasons],
            "targets": self.targets.model_dump(),
            "utterances": [u.to_dict() for u in self.utterances],
        }


def analyze_call(
    transcript: Transcript,
    *,
    sellers: Collection[str] = (),
    seller_role_by_speaker: Mapping[str, str] | None = None,
    targets: ConsultativeTargets | None = None,
) -> CallAnalysis:
    """Analyse one call. ``sellers``: rep names or emails; ``seller_role_by_speaker`` wins."""
    roles = assign_roles(transcript, sellers=sellers, seller_role_by_speaker=seller_role_by_speaker)
    said = transcript.utterances
    questions = detect_questions([u.text for u in said], [u.speaker for u in said])
    utterances = [_analyze(u, roles[u.speaker], q) for u, q in zip(said, questions, strict=True)]
    metrics = call_metrics(utterances=utterances, timed=transcript.timed)
    chosen = targets or ConsultativeTargets()
    score, reasons = consultative_score(metrics=metrics, targets=chosen)
    metrics["consultative_score"] = score
    source, fmt = transcript.source, transcript.format
    return CallAnalysis(source, fmt, roles, metrics, utterances, reasons, chosen)


def _analyze(utterance: Utterance, role: Role, question: QuestionKind | None) -> AnalyzedUtterance:
    seller = role == "seller"
    act = classify_act(utterance.text, question=question) if seller else None
    need = None if seller else classify_need(utterance.text)
    u = utterance
    return AnalyzedUtterance(u.speaker, role, u.text, u.start, u.end, question, act, need)


def assign_roles(
    transcript: Transcript,
    *,
    sellers: Collection[str] = (),
    seller_role_by_speaker: Mapping[str, str] | None = None,
) -> dict[str, Role]:
    """``{speaker: "seller" | "customer"}``; raises :class:`InvalidInput` if no seller is found."""
    explicit = {
        k: _role(k, v, transcript.source) for k, v in (seller_role_by_speaker or {}).items()
    }
    roles: dict[str, Role] = {}
    for speaker in transcript.speakers:
        if speaker in explicit:
            roles[speaker] = explicit[speaker]
        else:
            roles[speaker] = "seller" if _is_seller(speaker, sellers) else "customer"
    if "seller" not in roles.values():
        tried = f" (none matched {', '.join(sellers)})" if sellers else ""
        raise InvalidInput(
            f"{transcript.source}: no seller found among the speakers: "
            + ", ".join(transcript.speakers)
            + tried,
            "pass --seller NAME (a speaker's name or email; repeat it for several reps)",
        )
    return roles


def _role(speaker: str, value: str, source: str) -> Role:
    if value not in ("seller", "customer"):
        raise InvalidInput(
            f"{source}: role of {speaker!r} must be seller or customer, got {value!r}"
        )
    return "seller" if value == "seller" else "customer"


def _is_seller(speaker: str, sellers: Iterable[str]) -> bool:
    """A speaker is a rep when one's name words contain the other's (name or email):
    ``Maya`` or ``maya.chen@northwind.example`` is rep ``Maya Chen``, and so is the reverse."""
    label = _name_words(speaker)
    reps = [words for words in map(_name_words, sellers) if words]
    return bool(label) and any(rep <= label or label <= rep for rep in reps)


def _name_words(name: str) -> frozenset[str]:
    """``Anna Berg (Acme)`` and ``anna.berg@acme.com`` both give ``{anna, berg}``."""
    base = name.split("@", 1)[0] if "@" in name else name
    base = base.split("(", 1)[0]
    cleaned = "".join(ch if ch.isalnum() else " " for ch in base.casefold())
    return frozenset(cleaned.split())


# metrics ------------------------------------------------------------------------------


def call_metrics(*, utterances: list[AnalyzedUtterance], timed: bool) -> dict[str, Any]:
    """Per-call metrics (``consultative_score`` is added by :func:`analyze_call`)."""
    basis: Basis = "time" if timed else "words"
    amounts = _amounts(utterances, basis)
    seller_total = sum(a for u, a in zip(utterances, amounts, strict=True) if u.role == "seller")
    total = sum(amounts)
    hours = _duration(utterances) / 3600 if timed else None
    metrics: dict[str, Any] = {
        "talk_ratio_basis": basis,
        "talk_ratio": _round(seller_total / total) if total else None,
        "duration_seconds": _round(_duration(utterances)) if timed else None,
        "utterances": len(utterances),
        "seller_words": sum(len(u.text.split()) for u in utterances if u.role == "seller"),
        "customer_words": sum(len(u.text.split()) for u in utterances if u.role == "customer"),
    }
    metrics |= _runs(utterances, amounts, basis)
    metrics |= _interaction(utterances, hours)
    metrics |= _question_metrics(utterances, hours)
    metrics |= _act_metrics(utterances)
    return metrics


def _amounts(utterances: list[AnalyzedUtterance], basis: Basis) -> list[float]:
    """Seconds (or words) each utterance takes."""
    if basis == "words":
        return [float(len(u.text.split())) for u in utterances]
    return [_seconds(utterances, i) for i in range(len(utterances))]


def _seconds(utterances: list[AnalyzedUtterance], i: int) -> float:
    u = utterances[i]
    assert u.start is not None
    if u.end is not None:
        return max(0.0, u.end - u.start)
    following = next((v.start for v in utterances[i + 1 :] if v.start is not None), None)
    if following is not None and following > u.start:
        return following - u.start
    return len(u.text.split()) / 2.5  # the last line: about 150 words a minute


def _duration(utterances: list[AnalyzedUtterance]) -> float:
    """From the first start to the last end (or start, when ends are unknown)."""
    starts = [u.start for u in utterances if u.start is not None]
    ends = [u.end for u in utterances if u.end is not None]
    return max([*starts, *ends], default=0.0) - min(starts, default=0.0)


def _runs(
    utterances: list[AnalyzedUtterance], amounts: list[float], basis: Basis
) -> dict[str, Any]:
    """Longest seller monologue and longest customer story (consecutive turns of one side)."""
    longest: dict[Role, float] = {"seller": 0.0, "customer": 0.0}
    current, role = 0.0, None
    for u, amount in zip(utterances, amounts, strict=True):
        current = current + amount if u.role == role else amount
        role = u.role
        longest[u.role] = max(longest[u.role], current)
    unit = "seconds" if basis == "time" else "words"
    return {
        "longest_monologue_basis": unit,
        "longest_monologue": _round(longest["seller"]),
        "longest_customer_story": _round(longest["customer"]),
    }


def _interaction(utterances: list[AnalyzedUtterance], hours: float | None) -> dict[str, Any]:
    """Speaker switches per minute and the seller's pause before answering the customer."""
    switches = sum(1 for a, b in itertools.pairwise(utterances) if a.role != b.role)
    pauses = [
        max(0.0, b.start - a.end)
        for a, b in itertools.pairwise(utterances)
        if a.role == "customer" and b.role == "seller" and a.end is not None and b.start is not None
    ]
    return {
        "speaker_switches": switches,
        "interactivity_per_minute": _round(switches / (hours * 60)) if hours else None,
        "patience_seconds": _round(sum(pauses) / len(pauses)) if pauses else None,
    }


def _question_metrics(utterances: list[AnalyzedUtterance], hours: float | None) -> dict[str, Any]:
    asked = [u.question for u in utterances if u.role == "seller" and u.question]
    opened = asked.count("open")
    return {
        "questions": len(asked),
        "questions_open": opened,
        "questions_closed": len(asked) - opened,
        "open_question_share": _round(opened / len(asked)) if asked else None,
        "questions_per_hour": _round(len(asked) / hours) if hours else None,
    }


def _act_metrics(utterances: list[AnalyzedUtterance]) -> dict[str, Any]:
    acts = [u.act for u in utterances if u.role == "seller" and u.act]
    needs = [u.need for u in utterances if u.role == "customer" and u.need]
    counts = {act: acts.count(act) for act in ("discovery", "insight", "pitch", "other")}
    shares = {f"{act}_share": _round(n / len(acts)) if acts else None for act, n in counts.items()}
    return {
        "acts": counts,
        **shares,
        "customer_objectives": needs.count("objective"),
        "customer_problems": needs.count("problem"),
    }


def _round(value: float) -> float:
    return round(value, 3)


# score --------------------------------------------------------------------------------


def consultative_score(
    *, metrics: Mapping[str, Any], targets: ConsultativeTargets
) -> tuple[int, list[ScoreReason]]:
    """The 0-100 score and one reason per component (formula in the module docstring)."""
    reasons = [
        _talk_reason(metrics, targets),
        _questions_reason(metrics, targets),
        _open_reason(metrics, targets),
        _discovery_reason(metrics, targets),
        _insight_reason(metrics, targets),
        _pitch_reason(metrics, targets),
        _monologue_reason(metrics, targets),
    ]
    return round(sum(r.points for r in reasons)), reasons


def _reason(component: str, share: float, max_points: float, message: str) -> ScoreReason:
    points = round(max(0.0, min(1.0, share)) * max_points, 1)
    return ScoreReason(component, points, max_points, message)


def _talk_reason(m: Mapping[str, Any], t: ConsultativeTargets) -> ScoreReason:
    ratio = m["talk_ratio"]
    if ratio is None:
        return _reason("talk_ratio", 0, 20, "nobody spoke")
    off = max(0.0, abs(ratio - t.talk_ratio) - t.talk_ratio_tolerance)
    message = f"seller talked {ratio:.0%} of the {m['talk_ratio_basis']}, target {t.talk_ratio:.0%}"
    return _reason("talk_ratio", 1 - off / 0.25, 20, message)


def _questions_reason(m: Mapping[str, Any], t: ConsultativeTargets) -> ScoreReason:
    count = m["questions"]
    if count < t.questions_min:
        share = count / t.questions_min if t.questions_min else 1.0
    else:
        share = 1 - max(0, count - t.questions_max) / 20
    message = f"{count} seller questions, target {t.questions_min}-{t.questions_max}"
    return _reason("questions", share, 20, message)


def _open_reason(m: Mapping[str, Any], t: ConsultativeTargets) -> ScoreReason:
    share = m["open_question_share"] or 0.0
    wanted = t.open_question_share
    message = f"{m['questions_open']} of {m['questions']} questions open, target {wanted:.0%}"
    return _reason("open_questions", share / wanted if wanted else 1.0, 15, message)


def _discovery_reason(m: Mapping[str, Any], t: ConsultativeTargets) -> ScoreReason:
    share = m["discovery_share"] or 0.0
    wanted = t.discovery_share
    message = (
        f"{m['acts']['discovery']} discovery utterances ({share:.0%} of the seller's), "
        f"target {wanted:.0%}; customer stated {m['customer_objectives']} objectives "
        f"and {m['customer_problems']} problems"
    )
    return _reason("discovery", share / wanted if wanted else 1.0, 20, message)


def _insight_reason(m: Mapping[str, Any], t: ConsultativeTargets) -> ScoreReason:
    count = m["acts"]["insight"]
    message = f"{count} insight utterances, target at least {t.insights_min}"
    return _reason("insight", count / t.insights_min if t.insights_min else 1.0, 10, message)


def _pitch_reason(m: Mapping[str, Any], t: ConsultativeTargets) -> ScoreReason:
    share = m["pitch_share"] or 0.0
    limit = t.pitch_share_max
    over = (share - limit) / limit if limit else (1.0 if share else 0.0)
    message = f"{share:.0%} of the seller's utterances pitch, target at most {limit:.0%}"
    return _reason("pitch", 1 - max(0.0, over), 10, message)


def _monologue_reason(m: Mapping[str, Any], t: ConsultativeTargets) -> ScoreReason:
    timed = m["longest_monologue_basis"] == "seconds"
    limit = t.monologue_max_seconds if timed else t.monologue_max_words
    longest = m["longest_monologue"]
    over = max(0.0, longest - limit) / (2 * limit)
    message = (
        f"longest seller monologue {longest:g} {m['longest_monologue_basis']}, target <= {limit:g}"
    )
    return _reason("monologue", 1 - over, 5, message)
