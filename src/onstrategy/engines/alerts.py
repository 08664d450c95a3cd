"""Drift alerts: who is drifting from the strategy, with the deals and accounts behind it.

For a trailing window (90 days by default) ending on ``as_of``, a rep or team gets an alert
when

* its ICP share of new pipeline or of bookings is below the goal of the version in force
  (the same shares as the strategy-execution report, ``reports.alignment``),
* its share of selling hours on off-ICP accounts is above ``goals.off_strategy_hours_max``
  (hours as in the effort report), or
* it works open off-profile opportunities that no approved exception covers.

Every alert carries its evidence, the specific opportunities or accounts (ids, names,
amounts, hours) that make up the off-ICP part, so a manager can talk to the rep about deals,
not averages. Small samples do not alert: a share needs ``min_deals`` deals (or
``min_hours`` hours) in the window.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from onstrategy.engines.definitions import strategy_start
from onstrategy.engines.exceptions import Flag, unexcused_off_profile
from onstrategy.engines.fit import account_icp_over_time, icp_at
from onstrategy.errors import InvalidInput
from onstrategy.reports.alignment import Shares, alignment_report
from onstrategy.reports.effort import activity_facts, off_icp_accounts
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy

KINDS = (
    "pipeline_below_goal",
    "bookings_below_goal",
    "off_icp_hours_above_max",
    "unexcused_off_profile",
)
EVIDENCE_ROWS = 10


@dataclass
class Alert:
    kind: str
    level: str  # rep | team
    id: str
    name: str
    team: str | None
    value: float  # the share (or, for unexcused deals, their amount)
    goal: float | None
    summary: str
    evidence: list[dict[str, Any]] = field(default_factory=list)
    evidence_total: float = 0.0
    evidence_count: int = 0

    @property
    def gap(self) -> float:
        """How far past the goal, in share points (0 for unexcused deals)."""
        if self.goal is None:
            return 0.0
        over = self.kind == "off_icp_hours_above_max"
        return round(self.value - self.goal if over else self.goal - self.value, 4)

    def as_dict(self) -> dict[str, Any]:
        return {**{k: getattr(self, k) for k in self.__dataclass_fields__}, "gap": self.gap}


@dataclass
class AlertsReport:
    as_of: date
    window_days: int
    date_from: date
    version: str
    goals: dict[str, float | None]
    alerts: list[Alert]
    generated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "window_days": self.window_days,
            "from": self.date_from.isoformat(),
            "version": self.version,
            "goals": self.goals,
            "alerts": [a.as_dict() for a in self.alerts],
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
        }


# ------------------------------------------------------------------ evidence


def deal_evidence(*, store: Store, strategy: Strategy, lo: date, hi: date) -> list[dict[str, Any]]:
    """Every opportunity created (pipeline) or won (bookings) in the window, judged like the
    alignment report: by the ICP in force on the day it was created or won, from the first
    version's start."""
    opp = store.table("opportunity")
    a = ibis.literal(max(lo, strategy_start(strategy)), "date")
    b = ibis.literal(hi, "date")
    cols = {
        "id": opp.id,
        "name": opp.name,
        "account_id": opp.account_id,
        "owner_id": opp.owner_id,
        "amount": opp.amount.cast("float64").fill_null(0.0),
        "stage": opp.stage,
    }
    created = opp.filter(opp.created_on.between(a, b)).select(
        metric=ibis.literal("pipeline"), event_date=opp.created_on, **cols
    )
    won = opp.filter(opp.is_won, opp.closed_on.between(a, b)).select(
        metric=ibis.literal("bookings"), event_date=opp.closed_on, **cols
    )
    # computed once (a temporary table): see reports.effort.activity_facts
    fits = account_icp_over_time(store=store, strategy=strategy).cache()
    facts: ir.Table = icp_at(ibis.union(created, won), fits, "account_id")
    rows: list[dict[str, Any]] = facts.to_pyarrow().to_pylist()
    return rows


# ------------------------------------------------------------------ the alerts


def drift_alerts(
    *,
    store: Store,
    strategy: Strategy,
    as_of: date,
    window_days: int = 90,
    now: datetime,
    min_deals: int = 3,
    min_hours: float = 5.0,
    team: str | None = None,
) -> AlertsReport:
    """Reps and teams drifting from the strategy over the trailing window, with evidence."""
    if window_days < 1:
        raise InvalidInput("the window must be at least one day", "e.g. --window 90")
    start = as_of - timedelta(days=window_days - 1)
    report = alignment_report(
        store=store, strategy=strategy, date_from=start, date_to=as_of, now=now
    )
    names = _names(store)
    deals = deal_evidence(store=store, strategy=strategy, lo=start, hi=as_of)
    for deal in deals:
        deal["account_name"] = names["account"].get(deal["account_id"] or "", "(no account)")
        deal["owner_name"] = names["user"].get(deal["owner_id"] or "", deal["owner_id"])
    hours = _hour_evidence(store, strategy, start, as_of, names)
    flags = unexcused_off_profile(store=store, strategy=strategy, as_of=as_of)
    version = strategy.version_on(as_of)
    limit = version.goals.off_strategy_hours_max
    context = _Context(report.goals, limit, deals, hours, min_deals, min_hours)
    alerts: list[Alert] = []
    for shares in [*report.reps, *report.teams]:
        if team and (shares.team or shares.id) != team:
            continue
        alerts += context.share_alerts(shares, _members(shares, report.reps))
    alerts += _flag_alerts(flags, report.reps, team)
    return AlertsReport(
        as_of,
        window_days,
        start,
        version.id,
        {**report.goals, "off_icp_hours_max": limit},
        _ordered(alerts),
        now,
    )


def _members(shares: Shares, reps: list[Shares]) -> set[str]:
    return {r.id for r in reps if r.team == shares.id} if shares.level == "team" else {shares.id}


def _names(store: Store) -> dict[str, dict[str, str]]:
    """Account and user names by id, for evidence a manager can read."""
    return {
        kind: {
            r["id"]: r["name"]
            for r in store.table(table).select("id", "name").to_pyarrow().to_pylist()
        }
        for kind, table in (("account", "account"), ("user", "user_account"))
    }


def _hour_evidence(
    store: Store, strategy: Strategy, lo: date, hi: date, names: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    facts = activity_facts(store=store, strategy=strategy, date_from=lo, date_to=hi)
    rows: list[dict[str, Any]] = off_icp_accounts(facts).to_pyarrow().to_pylist()
    for row in rows:
        row["account_name"] = names["account"].get(row["account_id"] or "", "(no account)")
        row["owner_name"] = names["user"].get(row["owner_id"] or "", row["owner_id"])
    return rows


@dataclass
class _Context:
    goals: dict[str, float | None]
    hours_max: float
    deals: list[dict[str, Any]]  # created or won in the window, with ``is_icp``
    hours: list[dict[str, Any]]  # off-ICP accounts per owner
    min_deals: int
    min_hours: float

    def share_alerts(self, shares: Shares, members: set[str]) -> list[Alert]:
        out = [
            a
            for metric in ("pipeline", "bookings")
            if (a := self._share_alert(shares, metric, members)) is not None
        ]
        hours = self._hours_alert(shares, members)
        return out + ([hours] if hours else [])

    def _share_alert(self, shares: Shares, metric: str, members: set[str]) -> Alert | None:
        goal, share = self.goals.get(metric), shares.share(metric)
        if goal is None or share is None or share >= goal:
            return None
        every = [d for d in self.deals if d["metric"] == metric and d["owner_id"] in members]
        if len(every) < self.min_deals:
            return None
        mine = [d for d in every if not d["is_icp"]]
        noun = "new pipeline" if metric == "pipeline" else "bookings"
        off = shares.totals[metric] - shares.icp[metric]
        summary = (
            f"{share:.1%} of {noun} from ICP accounts, goal {goal:.0%}: "
            f"{off:,.0f} of {shares.totals[metric]:,.0f} is off-ICP in {len(mine)} deals"
        )
        return _alert(
            f"{metric}_below_goal",
            shares,
            share,
            goal,
            summary,
            [_deal_row(d) for d in sorted(mine, key=lambda d: -d["amount"])],
            "amount",
        )

    def _hours_alert(self, shares: Shares, members: set[str]) -> Alert | None:
        total, icp = shares.totals["hours"], shares.icp["hours"]
        if total < self.min_hours or (total - icp) / total <= self.hours_max:
            return None
        mine = sorted(
            (h for h in self.hours if h["owner_id"] in members), key=lambda h: -(h["hours"] or 0.0)
        )
        off = total - icp
        summary = (
            f"{off / total:.1%} of {total:,.1f} selling hours on off-ICP accounts, "
            f"limit {self.hours_max:.0%} (cost {sum(h['cost'] for h in mine):,.0f})"
        )
        return _alert(
            "off_icp_hours_above_max",
            shares,
            off / total,
            self.hours_max,
            summary,
            [_hours_row(h) for h in mine],
            "hours",
        )


def _alert(
    kind: str,
    shares: Shares,
    value: float,
    goal: float | None,
    summary: str,
    rows: list[dict[str, Any]],
    measure: str,
) -> Alert:
    return Alert(
        kind,
        shares.level,
        shares.id,
        shares.name,
        shares.team,
        round(value, 4),
        goal,
        summary,
        rows[:EVIDENCE_ROWS],
        round(sum(r[measure] for r in rows), 2),
        len(rows),
    )


def _deal_row(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "opportunity_id": d["id"],
        "name": d["name"],
        "account_id": d["account_id"],
        "account_name": d["account_name"],
        "owner_id": d["owner_id"],
        "owner_name": d["owner_name"],
        "amount": round(d["amount"], 2),
        "stage": d["stage"],
        "on": d["event_date"],
    }


def _hours_row(h: dict[str, Any]) -> dict[str, Any]:
    return {
        "account_id": h["account_id"],
        "account_name": h["account_name"],
        "owner_id": h["owner_id"],
        "owner_name": h["owner_name"],
        "hours": round(h["hours"] or 0.0, 2),
        "emails": int(h["emails"] or 0),
        "cost": round(h["cost"] or 0.0, 2),
        "last_activity_on": h["last_on"],
    }


def _flag_alerts(flags: list[Flag], reps: list[Shares], team: str | None) -> list[Alert]:
    by_rep: dict[str, list[Flag]] = defaultdict(list)
    for flag in flags:
        if flag.owner_id and (team is None or flag.team_id == team):
            by_rep[flag.owner_id].append(flag)
    names = {r.id: r.name for r in reps}
    out = []
    for rep_id, mine in by_rep.items():
        amount = sum(f.amount for f in mine)
        summary = (
            f"{len(mine)} open off-profile deals ({amount:,.0f}) without an approved "
            "exception: ask for a rationale or let them go"
        )
        rows = [
            {
                "opportunity_id": f.opportunity_id,
                "name": f.name,
                "account_id": f.account_id,
                "account_name": f.account_name,
                "amount": f.amount,
                "stage": f.stage,
                "fit_tier": f.fit_tier,
                "why": f.why[:2],
                "exception_status": f.exception_status,
            }
            for f in mine
        ]
        out.append(
            Alert(
                "unexcused_off_profile",
                "rep",
                rep_id,
                names.get(rep_id, rep_id),
                mine[0].team_id,
                round(amount, 2),
                None,
                summary,
                rows[:EVIDENCE_ROWS],
                round(amount, 2),
                len(rows),
            )
        )
    return out


def _ordered(alerts: list[Alert]) -> list[Alert]:
    """Teams first, then the reps with most alerts and the widest gaps; within each, the
    order of ``KINDS``."""
    count: dict[tuple[str, str], int] = defaultdict(int)
    gaps: dict[tuple[str, str], float] = defaultdict(float)
    for alert in alerts:
        count[(alert.level, alert.id)] += 1
        gaps[(alert.level, alert.id)] += alert.gap
    return sorted(
        alerts,
        key=lambda a: (
            a.level != "team",
            -count[(a.level, a.id)],
            -gaps[(a.level, a.id)],
            a.name,
            KINDS.index(a.kind),
        ),
    )
