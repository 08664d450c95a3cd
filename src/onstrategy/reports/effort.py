"""Effort off strategy: the hours and emails reps spend on ICP versus off-ICP accounts, and
what the off-ICP hours cost.

The article: "every hour spent developing an opportunity that's outside your sweet spot is a
non-strategic use of time, energy, and resources". This report makes that hour a number:
per rep, team and period (month or quarter), hours of calls and meetings and counts of
emails on ICP and off-ICP accounts, the off-ICP share of hours against the goals
(``goals.off_strategy_hours_max``, and ``goals.icp_share_of_hours`` when set), and the cost
of the off-ICP hours at the loaded hourly cost of the version in force on each activity's
day. The most expensive off-ICP accounts of each rep are the evidence.

Hours are the shared definition (``engines.definitions``, the same as the alignment report's:
calls and meetings; an activity without an account counts its contact's account; a missing
duration takes the default for that kind of the version in force on its day; an email is
counted, not timed), from the first version's start, and each activity is judged by the ICP
in force on its own date. The facts are Ibis expressions, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import ibis.expr.types as ir

from onstrategy.engines.definitions import ACTIVITY_KINDS, hour_facts, in_force
from onstrategy.engines.fit import account_icp_over_time, icp_at
from onstrategy.errors import InvalidInput
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy, Version

Period = Literal["month", "quarter"]
TOP_ACCOUNTS = 5
NO_ACCOUNT = "(no account)"


# ------------------------------------------------------------------ portable expressions


def activity_facts(
    *, store: Store, strategy: Strategy, date_from: date, date_to: date, by: Period = "month"
) -> ir.Table:
    """One row per activity: owner, account, kind, hours, hourly cost, period and ``is_icp``."""
    facts = hour_facts(
        store=store, strategy=strategy, date_from=date_from, date_to=date_to, kinds=ACTIVITY_KINDS
    )
    day = facts.event_date
    facts = facts.mutate(
        rate=in_force(day, strategy=strategy, pick=lambda v: float(v.costs.loaded_hourly_cost)),
        year=day.year(),
        part=day.quarter() if by == "quarter" else day.month(),
    )
    # The fits are computed once into a temporary table: on a database without statistics
    # (right after an import) PostgreSQL would otherwise re-evaluate every account's fit for
    # each activity in a nested loop (minutes instead of a second).
    fits = account_icp_over_time(store=store, strategy=strategy).cache()
    return icp_at(facts, fits, "account_id")


def effort_totals(facts: ir.Table) -> ir.Table:
    """Per (owner, period, ICP or not): hours, cost of those hours, calls, meetings, emails."""
    return facts.group_by(["owner_id", "year", "part", "is_icp"]).aggregate(
        hours=facts.hours.sum(),
        cost=(facts.hours * facts.rate).sum(),
        calls=(facts.kind == "call").ifelse(1, 0).sum(),
        meetings=(facts.kind == "meeting").ifelse(1, 0).sum(),
        emails=(facts.kind == "email").ifelse(1, 0).sum(),
    )


def off_icp_accounts(facts: ir.Table) -> ir.Table:
    """Per (owner, off-ICP account): hours, cost and emails: the evidence."""
    off = facts.filter(~facts.is_icp)
    return off.group_by(["owner_id", "account_id"]).aggregate(
        hours=off.hours.sum(),
        cost=(off.hours * off.rate).sum(),
        emails=(off.kind == "email").ifelse(1, 0).sum(),
        last_on=off.event_date.max(),
    )


# ------------------------------------------------------------------ read model


@dataclass
class Tally:
    """Hours, emails and off-ICP cost for one rep, team or the company (and a period)."""

    level: str
    id: str
    name: str
    team: str | None = None
    period: str | None = None
    icp_hours: float = 0.0
    off_hours: float = 0.0
    icp_emails: int = 0
    off_emails: int = 0
    calls: int = 0
    meetings: int = 0
    off_cost: float = 0.0
    top_off_accounts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def hours(self) -> float:
        return self.icp_hours + self.off_hours

    @property
    def off_share(self) -> float | None:
        return self.off_hours / self.hours if self.hours else None

    def add(self, other: Tally) -> None:
        for name in (
            "icp_hours",
            "off_hours",
            "icp_emails",
            "off_emails",
            "calls",
            "meetings",
            "off_cost",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self, goals: dict[str, float | None]) -> dict[str, Any]:
        share, limit, icp_goal = self.off_share, goals["off_hours_max"], goals["icp_hours"]
        return {
            "level": self.level,
            "id": self.id,
            "name": self.name,
            "team": self.team,
            "period": self.period,
            "hours": round(self.hours, 2),
            "icp_hours": round(self.icp_hours, 2),
            "off_icp_hours": round(self.off_hours, 2),
            "off_icp_share": None if share is None else round(share, 4),
            "icp_share": None if share is None else round(1 - share, 4),
            "off_icp_hours_max": limit,
            "over_limit": None if share is None or limit is None else share > limit,
            "icp_share_goal": icp_goal,
            "meets_icp_goal": None if share is None or icp_goal is None else 1 - share >= icp_goal,
            "calls": self.calls,
            "meetings": self.meetings,
            "emails": self.icp_emails + self.off_emails,
            "icp_emails": self.icp_emails,
            "off_icp_emails": self.off_emails,
            "off_icp_cost": round(self.off_cost, 2),
            "top_off_icp_accounts": self.top_off_accounts,
        }


@dataclass
class EffortReport:
    date_from: date
    date_to: date
    by: Period
    version: str  # whose goals the totals are held against (in force on the last day)
    goals: dict[str, float | None]
    currency: str
    company: Tally
    teams: list[Tally]
    reps: list[Tally]
    periods: list[Tally]  # per rep and period
    team_periods: list[Tally]
    company_periods: list[Tally]
    generated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        g = self.goals
        return {
            "period": {
                "from": self.date_from.isoformat(),
                "to": self.date_to.isoformat(),
                "by": self.by,
            },
            "version": self.version,
            "goals": g,
            "currency": self.currency,
            "company": self.company.as_dict(g),
            "teams": [t.as_dict(g) for t in self.teams],
            "reps": [r.as_dict(g) for r in self.reps],
            "rep_periods": [p.as_dict(g) for p in self.periods],
            "team_periods": [p.as_dict(g) for p in self.team_periods],
            "company_periods": [p.as_dict(g) for p in self.company_periods],
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
        }


def effort_report(
    *,
    store: Store,
    strategy: Strategy,
    date_from: date,
    date_to: date,
    by: Period = "month",
    now: datetime,
    top: int = TOP_ACCOUNTS,
) -> EffortReport:
    """Hours and emails on ICP vs off-ICP accounts, per rep, team and period, with cost."""
    if by not in ("month", "quarter"):
        raise InvalidInput(f"unknown period {by!r}", "use month or quarter")
    if date_to < date_from:
        raise InvalidInput("--to is before --from", "swap the dates")
    facts = activity_facts(
        store=store, strategy=strategy, date_from=date_from, date_to=date_to, by=by
    )
    rows = effort_totals(facts).to_pyarrow().to_pylist()
    evidence = off_icp_accounts(facts).to_pyarrow().to_pylist()
    users, teams, accounts = _names(store)
    periods = _rep_periods(rows, users, by)
    reps = _roll_up(periods, "rep", lambda t: t.id, lambda t: (t.name, t.team))
    _attach_evidence(reps, evidence, accounts, top)
    team_rows = _roll_up(
        [r for r in reps if r.team],
        "team",
        lambda t: t.team or "",
        lambda t: (teams.get(t.team or "", t.team or ""), None),
    )
    company = Tally("company", "company", strategy.name)
    for rep in reps:
        company.add(rep)
    team_periods = _by_period([p for p in periods if p.team], "team", lambda t: t.team or "", teams)
    company_periods = _by_period(
        periods, "company", lambda _t: "company", {"company": strategy.name}
    )
    version = strategy.version_on(date_to)
    return EffortReport(
        date_from,
        date_to,
        by,
        version.id,
        goals_of(version),
        version.costs.currency,
        company,
        team_rows,
        reps,
        periods,
        team_periods,
        company_periods,
        now,
    )


def goals_of(version: Version) -> dict[str, float | None]:
    g = version.goals
    return {
        "off_hours_max": g.off_strategy_hours_max,
        "icp_hours": g.icp_share_of_hours,
        "hourly_cost": version.costs.loaded_hourly_cost,
    }


def _label(year: int, part: int, by: Period) -> str:
    return f"{year}-Q{part}" if by == "quarter" else f"{year}-{part:02d}"


def _rep_periods(rows: list[dict[str, Any]], users: dict[str, Any], by: Period) -> list[Tally]:
    out: dict[tuple[str, str], Tally] = {}
    for row in rows:
        owner = row["owner_id"] or "(unassigned)"
        user = users.get(owner, {})
        label = _label(row["year"], row["part"], by)
        tally = out.setdefault(
            (owner, label),
            Tally("rep", owner, user.get("name") or owner, user.get("team_id"), label),
        )
        side = "icp" if row["is_icp"] else "off"
        setattr(tally, f"{side}_hours", getattr(tally, f"{side}_hours") + float(row["hours"]))
        setattr(tally, f"{side}_emails", getattr(tally, f"{side}_emails") + int(row["emails"]))
        tally.calls += int(row["calls"])
        tally.meetings += int(row["meetings"])
        if not row["is_icp"]:
            tally.off_cost += float(row["cost"] or 0.0)
    return sorted(out.values(), key=lambda t: (t.team or "~", t.name, t.period or ""))


def _roll_up(parts: list[Tally], level: str, key: Any, naming: Any) -> list[Tally]:
    out: dict[str, Tally] = {}
    for part in parts:
        name, team = naming(part)
        tally = out.setdefault(key(part), Tally(level, key(part), name, team))
        tally.add(part)
    return sorted(out.values(), key=lambda t: (t.team or "~", t.name))


def _by_period(parts: list[Tally], level: str, key: Any, names: dict[str, str]) -> list[Tally]:
    """Rep-period tallies summed per (team or company, period)."""
    out: dict[tuple[str, str], Tally] = {}
    for part in parts:
        ident = key(part)
        tally = out.setdefault(
            (ident, part.period or ""),
            Tally(level, ident, names.get(ident, ident), period=part.period),
        )
        tally.add(part)
    return sorted(out.values(), key=lambda t: (t.name, t.period or ""))


def _attach_evidence(
    reps: list[Tally], evidence: list[dict[str, Any]], accounts: dict[str, str], top: int
) -> None:
    by_rep: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in evidence:
        by_rep[row["owner_id"] or "(unassigned)"].append(row)
    for rep in reps:
        ranked = sorted(
            by_rep.get(rep.id, []), key=lambda r: (-(r["cost"] or 0.0), -(r["emails"] or 0))
        )
        rep.top_off_accounts = [
            {
                "account_id": r["account_id"],
                "name": accounts.get(r["account_id"] or "", NO_ACCOUNT),
                "hours": round(float(r["hours"] or 0.0), 2),
                "emails": int(r["emails"] or 0),
                "cost": round(float(r["cost"] or 0.0), 2),
                "last_activity_on": r["last_on"],
            }
            for r in ranked[:top]
        ]


def _names(store: Store) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    users = store.table("user_account").select("id", "name", "team_id").to_pyarrow().to_pylist()
    teams = store.table("team").select("id", "name").to_pyarrow().to_pylist()
    accounts = store.table("account").select("id", "name").to_pyarrow().to_pylist()
    return (
        {u["id"]: u for u in users},
        {t["id"]: t["name"] for t in teams},
        {a["id"]: a["name"] for a in accounts},
    )
