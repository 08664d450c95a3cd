"""`territories check`: is every ICP account covered, is any claimed twice, is any rep overloaded?

Under the strategy version in force on ``as_of``:

* **uncovered** — active, in-profile accounts no territory claims: nobody is meant to work
  the market you most want to win;
* **double claims** — accounts that two or more territories claim at the same precedence
  level; the tie-break decides (priority, then specificity, then territory id) but an
  overlap resolved by specificity or id is usually a mistake in the rules;
* **load per rep** — accounts owned, ICP accounts owned, open leads, open pipeline (amount,
  count), against capacity: the shared definitions of ``engines.definitions`` (what routing
  compares, and what ``strategy simulate`` shows).

Fit and named-list membership come from one Ibis query (``engines.territories``); the loads
are one Ibis aggregate, so the report runs unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from onstrategy.engines.definitions import RepLoad, rep_loads
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
        loads=_loads(store=store, version=version, as_of=as_of, rows=[r for r, _ in rows]),
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
    *, store: Store, version: Version, as_of: date, rows: list[dict[str, Any]]
) -> list[RepLoad]:
    """Each rep's load against capacity (``engines.definitions.rep_loads``), over capacity first."""
    loads = rep_loads(store=store, version=version, as_of=as_of, accounts=rows).values()
    return sorted(loads, key=lambda r: (not r.over_capacity, r.name or "", r.rep_id))


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
