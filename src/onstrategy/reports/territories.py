"""`territories check`: is every ICP account covered, is any claimed twice, is any rep overloaded?

Under the strategy version in force on ``as_of``:

* **uncovered** — active, in-profile accounts no territory claims: nobody is meant to work
  the market you most want to win;
* **double claims** — accounts that two or more territories claim at the same precedence
  level; the tie-break decides (priority, then specificity, then territory id) but an
  overlap resolved by specificity or id is usually a mistake in the rules;
* **load per rep** — accounts owned, ICP accounts owned, open leads, open pipeline (amount,
  count), against capacity. Load and capacity are what routing compares
  (``engines.round_robin``): active accounts plus open leads younger than
  ``routing.open_lead_days``, against the sum of the rep's capacities in the version.

Fit and named-list membership come from one Ibis query (``engines.territories``); leads and
pipeline are Ibis aggregates, so the report runs unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from onstrategy.engines.routing import CLOSED_LEAD_STATUSES
from onstrategy.engines.territories import (
    LEVELS,
    CompiledTerritory,
    TerritoryMatch,
    assign_accounts,
    compiled,
    describe_rules,
)
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy, Version


@dataclass
class RepLoad:
    rep_id: str
    name: str | None
    territories: list[str] = field(default_factory=list)
    accounts: int = 0
    icp_accounts: int = 0
    open_leads: int = 0
    open_pipeline: float = 0.0
    open_opportunities: int = 0
    capacity: int | None = None

    @property
    def load(self) -> int:
        return self.accounts + self.open_leads

    @property
    def over_capacity(self) -> bool:
        return self.capacity is not None and self.load > self.capacity

    def as_dict(self) -> dict[str, Any]:
        share = round(self.load / self.capacity, 3) if self.capacity else None
        return {
            "rep_id": self.rep_id,
            "name": self.name,
            "territories": self.territories,
            "accounts": self.accounts,
            "icp_accounts": self.icp_accounts,
            "open_leads": self.open_leads,
            "open_pipeline": round(self.open_pipeline, 2),
            "open_opportunities": self.open_opportunities,
            "load": self.load,
            "capacity": self.capacity,
            "utilisation": share,
            "over_capacity": self.over_capacity,
        }


@dataclass
class TerritoryCheck:
    version: str
    as_of: date
    accounts: int
    icp_accounts: int
    coverage: dict[str, dict[str, int]]  # territory id -> accounts, icp_accounts
    uncovered: list[dict[str, Any]]
    double_claims: list[dict[str, Any]]
    loads: list[RepLoad]

    @property
    def problems(self) -> int:
        over = sum(1 for r in self.loads if r.over_capacity)
        return len(self.uncovered) + len(self.double_claims) + over

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "as_of": self.as_of.isoformat(),
            "accounts": self.accounts,
            "icp_accounts": self.icp_accounts,
            "coverage": self.coverage,
            "uncovered_icp_accounts": self.uncovered,
            "double_claims": self.double_claims,
            "loads": [r.as_dict() for r in self.loads],
            "problems": self.problems,
        }


def territories_check(*, store: Store, strategy: Strategy, as_of: date) -> TerritoryCheck:
    version = strategy.version_on(as_of)
    rows = [
        (r, m)
        for r, m in assign_accounts(store=store, version=version)
        if r["gate_status"] != tables.QUARANTINED
    ]
    coverage = {t.id: {"accounts": 0, "icp_accounts": 0} for t in version.territories}
    for row, match in rows:
        if match.territory_id:
            coverage[match.territory_id]["accounts"] += 1
            coverage[match.territory_id]["icp_accounts"] += int(bool(row["in_profile"]))
    return TerritoryCheck(
        version=version.id,
        as_of=as_of,
        accounts=len(rows),
        icp_accounts=sum(1 for r, _ in rows if r["in_profile"]),
        coverage=coverage,
        uncovered=[_account(r) for r, m in rows if r["in_profile"] and not m.territory_id],
        double_claims=[_claim(r, m) for r, m in rows if m.same_level_claims],
        loads=_loads(store=store, version=version, rows=rows, as_of=as_of),
    )


def _account(row: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "id",
        "name",
        "owner_id",
        "country",
        "state",
        "postal_code",
        "industry",
        "employees",
        "fit_score",
        "fit_tier",
    )
    return {k: row.get(k) for k in keep}


def _claim(row: dict[str, Any], match: TerritoryMatch) -> dict[str, Any]:
    return {
        **_account(row),
        "territory_id": match.territory_id,
        "level": match.level,
        "also_claimed_by": [
            {"territory_id": b.territory_id, "lost_on": b.beaten_by}
            for b in match.same_level_claims
        ],
    }


def _loads(
    *,
    store: Store,
    version: Version,
    rows: list[tuple[dict[str, Any], TerritoryMatch]],
    as_of: date,
) -> list[RepLoad]:
    reps = _covering_reps(store, version)
    for row, _ in rows:
        owner = row["owner_id"]
        if owner:
            rep = reps.setdefault(owner, RepLoad(owner, None))
            rep.accounts += 1
            rep.icp_accounts += int(bool(row["in_profile"]))
    for owner, count in _open_leads(store, as_of, version.routing.open_lead_days).items():
        reps.setdefault(owner, RepLoad(owner, None)).open_leads = count
    for owner, (amount, count) in _open_pipeline(store, as_of).items():
        rep = reps.setdefault(owner, RepLoad(owner, None))
        rep.open_pipeline, rep.open_opportunities = amount, count
    names = _names(store)
    for rep in reps.values():
        rep.name = rep.name or names.get(rep.rep_id)
    return sorted(reps.values(), key=lambda r: (not r.over_capacity, r.name or "", r.rep_id))


def _covering_reps(store: Store, version: Version) -> dict[str, RepLoad]:
    users = store.table("user_account").select("id", "email").to_pyarrow().to_pylist()
    by_key = {u["id"]: u["id"] for u in users}
    by_key.update({u["email"].lower(): u["id"] for u in users if u["email"]})
    reps: dict[str, RepLoad] = {}
    for territory in version.territories:
        for coverage in territory.reps:
            rep_id = by_key.get(coverage.rep) or by_key.get(coverage.rep.lower()) or coverage.rep
            rep = reps.setdefault(rep_id, RepLoad(rep_id, None))
            rep.territories.append(territory.id)
            rep.capacity = (rep.capacity or 0) + coverage.capacity
    return reps


def _open_leads(store: Store, as_of: date, days: int) -> dict[str, int]:
    """Open leads per owner, counted as routing counts them (``engines.round_robin.loads``)."""
    lead = store.table("lead")
    status = lead.status.fill_null("").lower()
    since = as_of - timedelta(days=days - 1)
    open_leads = lead.filter(
        lead.owner_id.notnull(),
        ~status.isin(sorted(CLOSED_LEAD_STATUSES)),
        lead.created_on.isnull() | lead.created_on.between(since, as_of),
    )
    grouped = open_leads.group_by("owner_id").aggregate(n=open_leads.count())
    return {r["owner_id"]: int(r["n"]) for r in grouped.to_pyarrow().to_pylist()}


def _open_pipeline(store: Store, as_of: date) -> dict[str, tuple[float, int]]:
    """Opportunities open on ``as_of``: created by then, and not closed by then."""
    opp = store.table("opportunity")
    still_open = ~opp.is_closed | (opp.closed_on.notnull() & (opp.closed_on > as_of))
    open_opps = opp.filter(opp.owner_id.notnull(), opp.created_on <= as_of, still_open)
    grouped = open_opps.group_by("owner_id").aggregate(
        amount=open_opps.amount.fill_null(0).sum(), n=open_opps.count()
    )
    rows = grouped.to_pyarrow().to_pylist()
    return {r["owner_id"]: (float(r["amount"] or 0), int(r["n"])) for r in rows}


def _names(store: Store) -> dict[str, str]:
    users = store.table("user_account").select("id", "name").to_pyarrow().to_pylist()
    return {u["id"]: u["name"] for u in users}


def territories_list(*, strategy: Strategy, as_of: date) -> dict[str, Any]:
    """The territories of the version in force, with their rules in words, in precedence order
    (named-account territories, then named-list ones, then rules; then the tie-break)."""
    version = strategy.version_on(as_of)
    names = {key.lower(): r.name for r in strategy.reps for key in (r.id, r.email) if key}
    ordered = sorted(compiled(version), key=_precedence)
    return {
        "version": version.id,
        "as_of": as_of.isoformat(),
        "territories": [
            {
                "id": c.territory.id,
                "name": c.territory.name,
                "priority": c.territory.priority,
                "level": LEVELS[_level(c)],
                "rules": describe_rules(c.territory),
                "reps": [
                    {
                        "rep": r.rep,
                        "name": names.get(r.rep.lower()),
                        "capacity": r.capacity,
                        "weight": r.weight,
                    }
                    for r in c.territory.reps
                ],
            }
            for c in ordered
        ],
    }


def _level(rules: CompiledTerritory) -> int:
    if not rules.has_rules:
        return 1
    return 2 if rules.named_lists else 3


def _precedence(rules: CompiledTerritory) -> tuple[int, int, int, str]:
    t = rules.territory
    return (_level(rules), t.priority, -rules.specificity, t.id)
