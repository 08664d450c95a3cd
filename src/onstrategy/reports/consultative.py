"""Consultative selling: how reps, teams and the company sell on recorded calls, and does it pay.

Read model over the ``call`` table and its ``call_metric`` row, joined to ``user_account``,
``team`` and ``opportunity``; every aggregation is an Ibis expression, so it runs the same
on SQLite and PostgreSQL.

**Style, per rep / team / company and period** (calls dated ``date_from``..``date_to``,
periods by month or quarter): number of calls, mean consultative score, mean seller talk
ratio, questions per call, open share of all questions asked (pooled), mean discovery /
insight / pitch shares of seller utterances, and the mean longest monologue in seconds
(timed calls only; untimed calls count it in words and are left out). ``trend`` is the
change of the mean score from the first to the last period with calls.

**Outcomes.** A deal's *call score* is the **mean** score of its analysed calls in the
range (``deal_score="max"``: its best call). Deals fall in score bands cut at ``bands``
(default 40 and 70: ``<40``, ``40-70``, ``>=70``). Per band: deals, closed deals (closed on
or before ``as_of``: ``engines.definitions.closed_by``; the others are open), won deals, win
rate of the closed ones with a Wilson 95% interval, and the average amount of the won ones.
The headline compares the top band with the bottom one and says "yes" only when their
intervals do not overlap.

**Verdict per rep**: the rep's means against the targets of the strategy version in force
on ``as_of`` (the built-in defaults without a strategy), one line per target missed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import ibis
import ibis.expr.types as ir

from onstrategy.engines.conversation import ConsultativeTargets
from onstrategy.engines.definitions import closed_by
from onstrategy.errors import InvalidInput
from onstrategy.reports.icp_value import wilson as proportion_interval
from onstrategy.store.connect import Store

Period = Literal["month", "quarter"]
DealScore = Literal["mean", "max"]
DEFAULT_BANDS = (40.0, 70.0)
_STYLE = (
    "score", "talk_ratio", "questions_per_call", "open_question_share", "discovery_share",
    "insight_share", "pitch_share", "longest_monologue_seconds",
)  # fmt: skip


@dataclass
class ConsultativeReport:
    """Everything the terminal, JSON and (later) web views show; ``as_dict`` is the JSON."""

    date_from: date | None
    date_to: date | None
    by: Period
    deal_score: DealScore
    bands: tuple[float, ...]
    version: str | None
    targets: ConsultativeTargets
    company: list[dict[str, Any]] = field(default_factory=list)
    teams: list[dict[str, Any]] = field(default_factory=list)
    reps: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    deals: list[dict[str, Any]] = field(default_factory=list)
    headline: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {"from": self.date_from, "to": self.date_to, "by": self.by},
            "deal_score": self.deal_score,
            "bands": list(self.bands),
            "strategy_version": self.version,
            "targets": self.targets.model_dump(),
            "company": self.company,
            "teams": self.teams,
            "reps": self.reps,
            "outcomes": {"headline": self.headline, "bands": self.outcomes, "deals": self.deals},
        }


def consultative_report(
    *,
    store: Store,
    strategy: Any,
    as_of: date,
    date_from: date | None = None,
    date_to: date | None = None,
    by: Period = "quarter",
    bands: tuple[float, ...] = DEFAULT_BANDS,
    deal_score: DealScore = "mean",
) -> ConsultativeReport:
    """Style per rep/team/company and period, outcomes by score band, a verdict per rep."""
    cuts = _check_bands(bands)
    version = strategy.version_on(as_of) if strategy is not None else None
    targets = version.consultative if version is not None else ConsultativeTargets()
    report = ConsultativeReport(date_from, date_to, by, deal_score, cuts,
                                version.id if version else None, targets)  # fmt: skip
    calls = _calls(store, date_from, date_to, by)
    report.company = _series(calls, [], by)
    report.teams = _grouped(calls, ["team_id", "team"], by)
    report.reps = _grouped(calls, ["owner_id", "rep", "team"], by)
    for rep in report.reps:
        rep["verdict"] = verdict(totals=rep["total"], targets=targets)
    report.deals, report.outcomes = _outcomes(store, calls, cuts, deal_score, as_of)
    report.headline = headline(report.outcomes)
    return report


def _check_bands(bands: tuple[float, ...]) -> tuple[float, ...]:
    cuts = tuple(float(b) for b in bands)
    if not cuts or list(cuts) != sorted(set(cuts)) or not all(0 < b <= 100 for b in cuts):
        raise InvalidInput(
            f"score bands must be rising cut points between 0 and 100, got {list(bands)}",
            "e.g. --bands 40,70",
        )
    return cuts


# ----------------------------------------------------------------------------- calls


def _calls(store: Store, date_from: date | None, date_to: date | None, by: Period) -> ir.Table:
    """Analysed calls in the range with their metrics, rep, team and period."""
    call, metric = store.table("call"), store.table("call_metric")
    user, team = store.table("user_account"), store.table("team")
    calls = call.filter(call.consultative_score.notnull(), call.occurred_on.notnull())
    if date_from is not None:
        calls = calls.filter(calls.occurred_on >= ibis.literal(date_from, "date"))
    if date_to is not None:
        calls = calls.filter(calls.occurred_on <= ibis.literal(date_to, "date"))
    joined = (
        calls.join(metric, calls.id == metric.call_id, how="left")
        .join(user, calls.owner_id == user.id, how="left")
        .join(team, user.team_id == team.id, how="left")
    )
    month = joined.occurred_on.month()
    part = month if by == "month" else (month - 1) // 3 + 1
    return joined.select(
        call_id=joined.id, occurred_on=joined.occurred_on, owner_id=joined.owner_id,
        rep=joined.name, team_id=joined.team_id, team=joined.name_right,
        opportunity_id=joined.opportunity_id, score=joined.consultative_score,
        talk_ratio=joined.talk_ratio, questions=joined.questions,
        questions_open=joined.questions_open, discovery_share=joined.discovery_share,
        insight_share=joined.insight_share, pitch_share=joined.pitch_share,
        monologue=(joined.longest_monologue_basis == "seconds").ifelse(
            joined.longest_monologue, ibis.null("float64")),
        year=joined.occurred_on.year(), part=part,
    )  # fmt: skip


def _style(calls: ir.Table) -> dict[str, Any]:
    """The style aggregates (column name -> Ibis expression)."""
    asked = calls.questions.sum()
    return {
        "calls": calls.count(),
        "score": calls.score.mean(),
        "talk_ratio": calls.talk_ratio.mean(),
        "questions_per_call": calls.questions.cast("float64").mean(),
        "open_question_share": (asked > 0).ifelse(
            calls.questions_open.sum().cast("float64") / asked, ibis.null("float64")
        ),
        "discovery_share": calls.discovery_share.mean(),
        "insight_share": calls.insight_share.mean(),
        "pitch_share": calls.pitch_share.mean(),
        "longest_monologue_seconds": calls.monologue.mean(),
    }


def _rows(expr: ir.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = expr.to_pyarrow().to_pylist()
    for row in rows:
        for name in _STYLE:
            if row.get(name) is not None:
                row[name] = round(float(row[name]), 3)
    return rows


def _label(row: dict[str, Any], by: Period) -> str:
    year, part = int(row.pop("year")), int(row.pop("part"))
    return f"{year}-{part:02d}" if by == "month" else f"{year}-Q{part}"


def _series(calls: ir.Table, keys: list[str], by: Period) -> list[dict[str, Any]]:
    """One row per period (and per ``keys``), in time order."""
    expr = calls.group_by([*keys, "year", "part"]).aggregate(**_style(calls))
    rows = _rows(expr.order_by([*keys, "year", "part"]))
    for row in rows:
        row["period"] = _label(row, by)
    return rows


def _grouped(calls: ir.Table, keys: list[str], by: Period) -> list[dict[str, Any]]:
    """Per group: totals over the range, the periods, and the trend of the mean score."""
    totals = _rows(calls.group_by(keys).aggregate(**_style(calls)).order_by(keys))
    periods: dict[Any, list[dict[str, Any]]] = {}
    for row in _series(calls, keys, by):
        periods.setdefault(row[keys[0]], []).append({k: row[k] for k in row if k not in keys})
    out = []
    for total in totals:
        ident = {k: total.pop(k) for k in keys}
        series = periods.get(ident[keys[0]], [])
        out.append(ident | {"total": total, "periods": series, "trend": _trend(series)})
    return sorted(out, key=lambda row: tuple(str(row[k] or "") for k in reversed(keys)))


def _trend(series: list[dict[str, Any]]) -> float | None:
    if len(series) < 2:
        return None
    return round(series[-1]["score"] - series[0]["score"], 1)


# ----------------------------------------------------------------------------- outcomes


def _band_labels(cuts: tuple[float, ...]) -> list[str]:
    edges = [f"{c:g}" for c in cuts]
    middle = [f"{a}-{b}" for a, b in itertools.pairwise(edges)]
    return [f"<{edges[0]}", *middle, f">={edges[-1]}"]


def _deal_scores(
    store: Store, calls: ir.Table, cuts: tuple[float, ...], how: DealScore, as_of: date
) -> ir.Table:
    linked = calls.filter(calls.opportunity_id.notnull())
    scored = linked.group_by("opportunity_id").aggregate(
        call_score=linked.score.mean() if how == "mean" else linked.score.max(),
        calls=linked.count(),
    )
    labels = _band_labels(cuts)
    band = ibis.cases(
        *((scored.call_score < cut, label) for cut, label in zip(cuts, labels, strict=False)),
        else_=labels[-1],
    )
    opp, user = store.table("opportunity"), store.table("user_account")
    deals = scored.join(opp, scored.opportunity_id == opp.id).join(
        user, opp.owner_id == user.id, how="left"
    )
    closed = closed_by(deals, ibis.literal(as_of, "date"))  # the outcome as of ``as_of``
    return deals.select(
        opportunity_id=deals.opportunity_id, name=deals.name, owner_id=deals.owner_id,
        rep=deals.name_right, call_score=deals.call_score, calls=deals.calls,
        band=band, amount=deals.amount, stage=deals.stage,
        is_closed=closed.ifelse(1, 0), is_won=(closed & deals.is_won).ifelse(1, 0),
    )  # fmt: skip


def _outcomes(
    store: Store, calls: ir.Table, cuts: tuple[float, ...], how: DealScore, as_of: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    deals = _deal_scores(store, calls, cuts, how, as_of)
    per_band = deals.group_by("band").aggregate(
        deals=deals.count(),
        closed=deals.is_closed.sum(),
        won=deals.is_won.sum(),
        mean_call_score=deals.call_score.mean(),
        avg_won_amount=(deals.is_won == 1).ifelse(deals.amount, ibis.null("float64")).mean(),
    )
    found = {row["band"]: row for row in per_band.to_pyarrow().to_pylist()}
    bands = [_band_row(label, found.get(label)) for label in _band_labels(cuts)]
    listed = deals.order_by([ibis.desc(deals.call_score), deals.opportunity_id])
    rows = listed.to_pyarrow().to_pylist()
    for row in rows:
        row["call_score"] = round(float(row["call_score"]), 1)
        row["outcome"] = (
            ("won" if row.pop("is_won") else "lost") if row.pop("is_closed") else "open"
        )
    return rows, bands


def _band_row(label: str, row: dict[str, Any] | None) -> dict[str, Any]:
    row = row or {
        "deals": 0,
        "closed": 0,
        "won": 0,
        "mean_call_score": None,
        "avg_won_amount": None,
    }
    closed, won = int(row["closed"] or 0), int(row["won"] or 0)
    low, high = wilson(won, closed)
    amount = row["avg_won_amount"]
    score = row["mean_call_score"]
    return {
        "band": label, "deals": int(row["deals"]), "closed": closed, "won": won,
        "win_rate": round(won / closed, 3) if closed else None,
        "win_rate_low": low, "win_rate_high": high,
        "mean_call_score": round(float(score), 1) if score is not None else None,
        "avg_won_amount": round(float(amount), 2) if amount is not None else None,
    }  # fmt: skip


def wilson(successes: int, n: int) -> tuple[float | None, float | None]:
    """The Wilson 95% interval of a win rate, rounded for display (``None`` without trials)."""
    estimate = proportion_interval(successes, n)
    if estimate.low is None or estimate.high is None:
        return None, None
    return round(estimate.low, 3), round(estimate.high, 3)


def headline(bands: list[dict[str, Any]]) -> str:
    """Does consultative selling pay here? Top band against bottom band, with intervals."""
    closed = [b for b in bands if b["closed"]]
    if len(closed) < 2:
        return "not enough closed deals with analysed calls to compare score bands"
    low, high = closed[0], closed[-1]
    text = f"{_rate(high)} in band {high['band']} vs {_rate(low)} in band {low['band']}"
    if high["win_rate_low"] > low["win_rate_high"]:
        return f"yes: {text}"
    if low["win_rate_low"] > high["win_rate_high"]:
        return f"no, the reverse: {text}"
    leaning = "higher" if high["win_rate"] > low["win_rate"] else "not higher"
    return f"not conclusive yet (intervals overlap), win rate {leaning} with better calls: {text}"


def _rate(band: dict[str, Any]) -> str:
    return (
        f"won {band['won']} of {band['closed']} closed ({band['win_rate']:.0%}, "
        f"95% CI {band['win_rate_low']:.0%}-{band['win_rate_high']:.0%})"
    )


# ----------------------------------------------------------------------------- verdict


def verdict(*, totals: dict[str, Any], targets: ConsultativeTargets) -> dict[str, Any]:
    """The targets a rep's means miss, each with the figure and the target."""
    t, gaps = targets, []
    talk = totals.get("talk_ratio")
    if talk is not None and abs(talk - t.talk_ratio) > t.talk_ratio_tolerance:
        side = "talks too much" if talk > t.talk_ratio else "talks too little"
        gaps.append(f"{side}: {talk:.0%} of the call (target {t.talk_ratio:.0%})")
    asked = totals.get("questions_per_call")
    if asked is not None and not t.questions_min <= asked <= t.questions_max:
        gaps.append(f"{asked:.1f} questions a call (target {t.questions_min}-{t.questions_max})")
    gaps += _share_gaps(totals, t)
    mono = totals.get("longest_monologue_seconds")
    if mono is not None and mono > t.monologue_max_seconds:
        gaps.append(f"monologues of {mono:.0f}s (target <= {t.monologue_max_seconds:g}s)")
    summary = "on target" if not gaps else f"misses {len(gaps)} of 6 targets"
    return {"summary": f"mean score {totals['score']:.0f}, {summary}", "gaps": gaps}


def _share_gaps(totals: dict[str, Any], t: ConsultativeTargets) -> list[str]:
    gaps = []
    share = totals.get("open_question_share")
    if share is not None and share < t.open_question_share:
        gaps.append(f"{share:.0%} of questions open (target >= {t.open_question_share:.0%})")
    share = totals.get("discovery_share")
    if share is not None and share < t.discovery_share:
        gaps.append(f"{share:.0%} discovery (target >= {t.discovery_share:.0%})")
    share = totals.get("pitch_share")
    if share is not None and share > t.pitch_share_max:
        gaps.append(f"{share:.0%} pitch (target <= {t.pitch_share_max:.0%})")
    return gaps
