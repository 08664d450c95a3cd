"""Do exceptions pay off? Requests and decisions per rep and team, and how the deals pursued
under an approved exception compare with ICP deals and with off-profile deals nobody asked
about.

For a period (and optionally one strategy version):

* exceptions requested, approved (including those that have since expired), rejected,
  pending, expired and escalated, per rep and team (a request counts in the period it was
  made; statuses as of the period's last day);
* for closed opportunities (closed in the period): win rate with a Wilson interval, average
  won deal size, price realisation (amount / list amount, where a list price exists) and
  sales-cycle length, for three groups: deals with an approved exception, ICP deals, and
  off-profile deals without one.

An exception on a lead covers the opportunities its rep opened on the lead's matched
account from the day the exception started.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from onstrategy.engines.exceptions import OffProfileException, list_exceptions
from onstrategy.errors import InvalidInput
from onstrategy.reports.icp_value import GroupStats, group_stats, load_deals
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy

COUNTED = ("requested", "approved", "rejected", "pending", "expired", "escalated")


@dataclass
class Counts:
    level: str
    id: str
    name: str
    team: str | None
    counts: Counter[str]

    def as_dict(self) -> dict[str, Any]:
        decided = self.counts["approved"] + self.counts["rejected"]
        rate = self.counts["approved"] / decided if decided else None
        return {
            "level": self.level,
            "id": self.id,
            "name": self.name,
            "team": self.team,
            **{k: self.counts[k] for k in COUNTED},
            "approval_rate": None if rate is None else round(rate, 4),
        }


@dataclass
class ExceptionsReport:
    date_from: date
    date_to: date
    version: str | None
    company: Counts
    teams: list[Counts]
    reps: list[Counts]
    outcomes: dict[str, GroupStats]
    verdict: list[str]
    generated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()},
            "version": self.version,
            "company": self.company.as_dict(),
            "teams": [t.as_dict() for t in self.teams],
            "reps": [r.as_dict() for r in self.reps],
            "outcomes": {k: v.as_dict() for k, v in self.outcomes.items()},
            "verdict": self.verdict,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
        }


def exceptions_report(
    *,
    store: Store,
    strategy: Strategy,
    date_from: date,
    date_to: date,
    version_id: str | None = None,
    now: datetime,
) -> ExceptionsReport:
    """Exception counts per rep and team, and exception deals versus ICP deals."""
    if date_to < date_from:
        raise InvalidInput("--to is before --from", "swap the dates")
    if version_id:
        strategy.version(version_id)
    every = list_exceptions(store=store, as_of=date_to)
    chosen = [
        e
        for e in every
        if date_from <= e.requested_at.date() <= date_to
        and (version_id is None or e.strategy_version == version_id)
    ]
    users, teams = _people(store)
    reps = _rep_counts(chosen, users)
    team_counts = _team_counts(reps, teams)
    company = Counts("company", "company", strategy.name, None, Counter())
    for rep in reps:
        company.counts.update(rep.counts)
    outcomes = _outcomes(store, strategy, every, date_from, date_to, version_id)
    return ExceptionsReport(
        date_from,
        date_to,
        version_id,
        company,
        team_counts,
        reps,
        outcomes,
        _verdict(outcomes),
        now,
    )


def _rep_counts(chosen: list[OffProfileException], users: dict[str, Any]) -> list[Counts]:
    out: dict[str, Counts] = {}
    for e in chosen:
        user = users.get(e.rep_id, {})
        rep = out.setdefault(
            e.rep_id,
            Counts("rep", e.rep_id, user.get("name") or e.rep_id, user.get("team_id"), Counter()),
        )
        rep.counts["requested"] += 1
        rep.counts["approved"] += int(e.starts_on is not None)  # even if it ended since
        rep.counts["expired"] += int(e.status == "expired")
        rep.counts["rejected"] += int(e.status == "rejected")
        rep.counts["pending"] += int(e.status == "pending")
        rep.counts["escalated"] += int(e.needs_escalation)
    return sorted(out.values(), key=lambda c: (c.team or "~", c.name))


def _team_counts(reps: list[Counts], names: dict[str, str]) -> list[Counts]:
    out: dict[str, Counts] = {}
    for rep in reps:
        if rep.team:
            team = out.setdefault(
                rep.team, Counts("team", rep.team, names.get(rep.team, rep.team), None, Counter())
            )
            team.counts.update(rep.counts)
    return sorted(out.values(), key=lambda c: c.name)


def _outcomes(
    store: Store,
    strategy: Strategy,
    every: list[OffProfileException],
    date_from: date,
    date_to: date,
    version_id: str | None,
) -> dict[str, GroupStats]:
    deals = load_deals(store=store, strategy=strategy, date_from=date_from, date_to=date_to)
    if version_id:
        deals = [d for d in deals if d["version_id"] == version_id]
    excused = _excused_opportunities(store, every)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for deal in deals:
        if deal["id"] in excused:
            groups["approved_exceptions"].append(deal)
        elif deal["is_icp"]:
            groups["icp"].append(deal)
        else:
            groups["off_profile_without_exception"].append(deal)
    labels = {
        "approved_exceptions": "approved exceptions",
        "icp": "ICP deals",
        "off_profile_without_exception": "off-profile, no exception",
    }
    return {key: group_stats(label, groups[key]) for key, label in labels.items()}


def _excused_opportunities(store: Store, every: list[OffProfileException]) -> set[str]:
    """Opportunities an approval covered: its own subject, or a lead's account's new deals."""
    approved = [e for e in every if e.decided_at and e.starts_on is not None]
    found = {e.subject_id for e in approved if e.subject_kind == "opportunity"}
    leads = [e for e in approved if e.subject_kind == "lead"]
    if not leads:
        return found
    lead, opp = tables.lead, tables.opportunity
    with store.begin() as conn:
        accounts: dict[str, str | None] = {
            row.id: row.account_id
            for row in conn.execute(
                sa.select(lead.c.id, lead.c.account_id).where(
                    lead.c.id.in_([e.subject_id for e in leads])
                )
            )
        }
        for e in leads:
            if accounts.get(e.subject_id):
                found.update(
                    conn.execute(
                        sa.select(opp.c.id).where(
                            opp.c.account_id == accounts[e.subject_id],
                            opp.c.owner_id == e.rep_id,
                            opp.c.created_on >= e.starts_on,
                        )
                    ).scalars()
                )
    return found


def _verdict(outcomes: dict[str, GroupStats]) -> list[str]:
    ex, icp, other = (
        outcomes[k] for k in ("approved_exceptions", "icp", "off_profile_without_exception")
    )
    if not ex.closed:
        return ["no closed deal has an approved exception yet: nothing to judge"]
    out = [
        f"{ex.closed} closed deals with an approved exception won "
        f"{_pct(ex.win_rate.value)} (95% {_pct(ex.win_rate.low)}–{_pct(ex.win_rate.high)})"
        f", ICP deals {_pct(icp.win_rate.value)}, off-profile deals without one "
        f"{_pct(other.win_rate.value)}"
    ]
    if ex.closed < 10:
        out.append("fewer than 10 closed exception deals: read the comparison as anecdote")
    return out


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def _people(store: Store) -> tuple[dict[str, Any], dict[str, str]]:
    users = store.table("user_account").select("id", "name", "team_id").to_pyarrow().to_pylist()
    teams = store.table("team").select("id", "name").to_pyarrow().to_pylist()
    return {u["id"]: u for u in users}, {t["id"]: t["name"] for t in teams}
