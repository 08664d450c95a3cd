"""The strategy-execution report: how much of the business comes from the target market.

For a period: the share of new leads, new pipeline, bookings and activity hours that come
from in-profile (ICP) accounts, against the goals, for the company, each team and each rep;
and every account's fit score, tier and reasons.

Each record is judged by the strategy version in force on its own date (lead and pipeline:
created; bookings: closed; hours: the activity's date), unless one version is forced; a
record dated before the first version is left out (no ICP was in force). Hours are the
shared definition (``engines.definitions``), the same as the effort report's. The shares
are one Ibis expression (``share_facts``), so they run unchanged on SQLite, PostgreSQL and
the engines Ibis supports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from onstrategy.engines.definitions import hour_facts, strategy_start
from onstrategy.engines.fit import (
    AccountFit,
    VersionSpan,
    explain,
    fit_table,
    fits_over_time,
    icp_at,
    version_spans,
)
from onstrategy.engines.gate import lead_list_entries
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy, Version

METRICS = ("leads", "pipeline", "bookings", "hours")
UNASSIGNED = "(unassigned)"


@dataclass
class Shares:
    """Totals and ICP parts of each metric for one rep, team or the company."""

    level: str
    id: str
    name: str
    team: str | None = None
    totals: dict[str, float] = field(default_factory=lambda: dict.fromkeys(METRICS, 0.0))
    icp: dict[str, float] = field(default_factory=lambda: dict.fromkeys(METRICS, 0.0))
    opportunities: int = 0

    def share(self, metric: str) -> float | None:
        total = self.totals[metric]
        return self.icp[metric] / total if total else None

    def add(self, other: Shares) -> None:
        for metric in METRICS:
            self.totals[metric] += other.totals[metric]
            self.icp[metric] += other.icp[metric]
        self.opportunities += other.opportunities

    def as_dict(self, goals: dict[str, float | None]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "level": self.level,
            "id": self.id,
            "name": self.name,
            "team": self.team,
        }
        for metric in METRICS:
            share, goal = self.share(metric), goals.get(metric)
            out[metric] = {
                "total": round(self.totals[metric], 2),
                "icp": round(self.icp[metric], 2),
                "share": None if share is None else round(share, 4),
                "goal": goal,
                "meets_goal": None if share is None or goal is None else share >= goal,
            }
        return out


@dataclass
class AlignmentReport:
    date_from: date
    date_to: date
    versions: list[VersionSpan]
    goals: dict[str, float | None]
    company: Shares
    teams: list[Shares]
    reps: list[Shares]
    accounts: list[AccountFit]
    account_version: str
    generated_at: datetime

    def tier_counts(self) -> dict[str, int]:
        counts = {"A": 0, "B": 0, "C": 0, "D": 0}
        for fit in self.accounts:
            counts[fit.tier] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()},
            "versions": [
                {
                    "id": v.id,
                    "from": v.starts.isoformat(),
                    "until": v.ends.isoformat() if v.ends else None,
                }
                for v in self.versions
            ],
            "goals": self.goals,
            "company": self.company.as_dict(self.goals),
            "teams": [t.as_dict(self.goals) for t in self.teams],
            "reps": [r.as_dict(self.goals) for r in self.reps],
            "account_fit": {
                "version": self.account_version,
                "tiers": self.tier_counts(),
                "accounts": [f.as_dict() for f in self.accounts],
            },
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
        }


# ------------------------------------------------------------------ portable expressions


def share_facts(
    *,
    store: Store,
    strategy: Strategy,
    date_from: date,
    date_to: date,
    forced_version: str | None = None,
) -> ir.Table:
    """One row per (owner, metric): total and ICP part, over the period."""
    spans = version_spans(strategy, forced_version)
    entries = store.table("named_list_entry")
    accounts = store.table("account")
    account_fits = fits_over_time(
        base=accounts, key="id", strategy=strategy, spans=spans, list_entries=entries
    )
    start = max(date_from, strategy_start(strategy, forced_version))  # strategy time
    lo, hi = ibis.literal(start, "date"), ibis.literal(date_to, "date")
    hours = _activity_facts(store, strategy, date_from, date_to, forced_version)
    facts = ibis.union(
        icp_at(_opportunity_facts(store, lo, hi), account_fits, "account_id"),
        icp_at(hours, account_fits, "account_id"),
        _lead_facts(store, strategy, spans, account_fits, lo, hi),
    )
    return facts.group_by(["owner_id", "metric"]).aggregate(
        total=facts.value.sum(),
        icp=facts.is_icp.ifelse(facts.value, 0.0).sum(),
        n=facts.count(),
    )


def _opportunity_facts(store: Store, lo: ir.Value, hi: ir.Value) -> ir.Table:
    opp = store.table("opportunity")
    amount = opp.amount.cast("float64").fill_null(0.0)
    created = opp.filter(opp.created_on.between(lo, hi)).select(
        metric=ibis.literal("pipeline"),
        owner_id=opp.owner_id,
        account_id=opp.account_id,
        event_date=opp.created_on,
        value=amount,
    )
    won = opp.filter(opp.is_won, opp.closed_on.between(lo, hi)).select(
        metric=ibis.literal("bookings"),
        owner_id=opp.owner_id,
        account_id=opp.account_id,
        event_date=opp.closed_on,
        value=amount,
    )
    return ibis.union(created, won)


def _activity_facts(
    store: Store, strategy: Strategy, date_from: date, date_to: date, forced: str | None
) -> ir.Table:
    """Hours of calls and meetings (``engines.definitions.hour_facts``, as the effort report)."""
    hours = hour_facts(
        store=store,
        strategy=strategy,
        date_from=date_from,
        date_to=date_to,
        forced_version=forced,
    )
    return hours.select(
        metric=ibis.literal("hours"),
        owner_id=hours.owner_id,
        account_id=hours.account_id,
        event_date=hours.event_date,
        value=hours.hours,
    )


def _lead_facts(
    store: Store,
    strategy: Strategy,
    spans: list[VersionSpan],
    account_fits: ir.Table,
    lo: ir.Value,
    hi: ir.Value,
) -> ir.Table:
    """A lead is ICP when its matched account is, else when its own firmographics are."""
    lead = store.table("lead")
    new = lead.filter(lead.created_on.between(lo, hi))
    # A lead's own named-list membership: its company may be a white-space entry (no account
    # yet), which lead matching records; the gate judges leads the same way.
    own_fits = fits_over_time(
        base=new, key="id", strategy=strategy, spans=spans, list_entries=lead_list_entries(store)
    )
    facts = new.select(
        metric=ibis.literal("leads"),
        owner_id=new.owner_id,
        account_id=new.account_id,
        lead_id=new.id,
        event_date=new.created_on,
        value=ibis.literal(1.0),
    )
    by_account = icp_at(facts, account_fits, "account_id").rename(account_icp="is_icp")
    by_own = icp_at(by_account, own_fits, "lead_id")
    return by_own.select(
        "metric",
        "owner_id",
        "account_id",
        "event_date",
        "value",
        is_icp=by_own.account_id.notnull().ifelse(by_own.account_icp, by_own.is_icp),
    )


# ------------------------------------------------------------------ the report


def alignment_report(
    *,
    store: Store,
    strategy: Strategy,
    date_from: date,
    date_to: date,
    version_id: str | None = None,
    now: datetime,
) -> AlignmentReport:
    """Build the report; ``now`` is when it was generated (passed in: time is a parameter)."""
    facts = (
        share_facts(
            store=store,
            strategy=strategy,
            date_from=date_from,
            date_to=date_to,
            forced_version=version_id,
        )
        .to_pyarrow()
        .to_pylist()
    )
    users = _users(store)
    reps = _rep_shares(facts, users)
    teams = _team_shares(reps, _teams(store))
    company = Shares("company", "company", strategy.name)
    for rep in reps:
        company.add(rep)
    version = strategy.version(version_id) if version_id else strategy.version_on(date_to)
    return AlignmentReport(
        date_from=date_from,
        date_to=date_to,
        versions=[
            s
            for s in version_spans(strategy, version_id)
            if s.starts <= date_to and (s.ends is None or s.ends > date_from)
        ],
        goals=_goals(version),
        company=company,
        teams=teams,
        reps=reps,
        accounts=score_accounts(store=store, version=version),
        account_version=version.id,
        generated_at=now,
    )


def _goals(version: Version) -> dict[str, float | None]:
    g = version.goals
    return {
        "leads": g.icp_share_of_leads,
        "pipeline": g.icp_share_of_pipeline,
        "bookings": g.icp_share_of_bookings,
        "hours": g.icp_share_of_hours,
    }


def score_accounts(*, store: Store, version: Version) -> list[AccountFit]:
    """Every account's fit under ``version``, best first."""
    rows = (
        fit_table(
            table=store.table("account"),
            key="id",
            version=version,
            list_entries=store.table("named_list_entry"),
        )
        .to_pyarrow()
        .to_pylist()
    )
    fits = [explain(row, version=version) for row in rows]
    return sorted(fits, key=lambda f: (-f.score, f.name or "", f.account_id))


def _users(store: Store) -> dict[str, dict[str, Any]]:
    rows = store.table("user_account").select("id", "name", "team_id").to_pyarrow().to_pylist()
    return {r["id"]: r for r in rows}


def _teams(store: Store) -> dict[str, str]:
    rows = store.table("team").select("id", "name").to_pyarrow().to_pylist()
    return {r["id"]: r["name"] for r in rows}


def _rep_shares(facts: list[dict[str, Any]], users: dict[str, dict[str, Any]]) -> list[Shares]:
    reps: dict[str, Shares] = {}
    for fact in facts:
        owner = fact["owner_id"] or UNASSIGNED
        user = users.get(owner, {})
        rep = reps.setdefault(
            owner, Shares("rep", owner, user.get("name") or owner, user.get("team_id"))
        )
        rep.totals[fact["metric"]] += float(fact["total"] or 0)
        rep.icp[fact["metric"]] += float(fact["icp"] or 0)
        if fact["metric"] == "pipeline":
            rep.opportunities += int(fact["n"])
    return sorted(reps.values(), key=lambda r: (r.team or "~", r.name))


def _team_shares(reps: list[Shares], team_names: dict[str, str]) -> list[Shares]:
    teams: dict[str, Shares] = {}
    for rep in reps:
        if rep.team is None:
            continue
        team = teams.setdefault(
            rep.team, Shares("team", rep.team, team_names.get(rep.team, rep.team))
        )
        team.add(rep)
    return sorted(teams.values(), key=lambda t: t.name)
