"""Before a new version goes live: what would it change on today's data?

``simulate`` compares a draft version V with the version in force today (or another named
with ``against``), on the store's records as of a date, and changes nothing:

* **ICP** — accounts whose in-profile status or tier changes, counted by direction (enters
  ICP, leaves ICP, tier up, tier down) and listed with the fit reasons under both versions.
* **Territories** — accounts whose territory changes (``engines.territories.assign_territory``
  under each version). An account's **owner would change** when its owner covers the
  account's territory today (or the account has no territory today) but is not among the
  reps covering its territory under V. The new owner is the covering rep with the most
  spare capacity at that point (capacity − accounts already carried under V), accounts taken
  in id order, so the result is reproducible; the account's open deals owned by the old
  owner move with it. Accounts whose owner is already outside their territory today are
  counted, not moved: that is today's problem, not the draft's.
* **Rep load** — each rep's accounts, in-profile accounts and open pipeline before → after,
  against the capacity the version gives the rep (summed over the territories they cover).
* **Authority** — open deals with an authority gap under V's offerings (``engines.authority``),
  split into newly gapped, still gapped and no longer gapped.

Only active accounts count (quarantined ones wait in the gate). The fit is the Ibis
expression of ``engines.fit``; everything else reads the store and never writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from onstrategy.engines import authority
from onstrategy.engines.fit import explain, fit_table
from onstrategy.engines.territories import TerritoryRecord, assign_territory
from onstrategy.errors import InvalidInput
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy, Version

TIER_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3}
ACCOUNT_COLUMNS = (
    "id",
    "name",
    "owner_id",
    "country",
    "state",
    "postal_code",
    "industry",
    "employees",
)


@dataclass(frozen=True)
class FitChange:
    account_id: str
    name: str | None
    owner_id: str | None
    direction: str  # enters ICP | leaves ICP | tier up | tier down
    before: dict[str, Any]  # score, tier, in_profile, segment, reasons
    after: dict[str, Any]


@dataclass(frozen=True)
class TerritoryChange:
    account_id: str
    name: str | None
    territory_before: str | None
    territory_after: str | None
    owner_id: str | None
    new_owner_id: str | None  # None when the owner stays
    reasons: tuple[str, ...]


@dataclass
class RepLoad:
    rep_id: str
    name: str
    capacity: list[int | None] = field(default_factory=lambda: [None, None])
    accounts: list[int] = field(default_factory=lambda: [0, 0])
    icp_accounts: list[int] = field(default_factory=lambda: [0, 0])
    open_pipeline: list[float] = field(default_factory=lambda: [0.0, 0.0])

    def as_dict(self) -> dict[str, Any]:
        def pair(values: list[Any]) -> dict[str, Any]:
            return {"before": values[0], "after": values[1]}

        cap = self.capacity[1]
        return {
            "rep_id": self.rep_id,
            "name": self.name,
            "capacity": pair(self.capacity),
            "accounts": pair(self.accounts),
            "icp_accounts": pair(self.icp_accounts),
            "open_pipeline": pair([round(v, 2) for v in self.open_pipeline]),
            "over_capacity_after": cap is not None and self.accounts[1] > cap,
        }


@dataclass
class Simulation:
    version: str
    against: str
    as_of: date
    fit_changes: list[FitChange]
    territory_changes: list[TerritoryChange]
    already_outside: int
    loads: list[RepLoad]
    deals: dict[str, list[authority.DealAuthority]]
    names: dict[str, str]

    def fit_summary(self) -> dict[str, int]:
        counts = dict.fromkeys(("enters ICP", "leaves ICP", "tier up", "tier down"), 0)
        for change in self.fit_changes:
            counts[change.direction] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        moved = [c for c in self.territory_changes if c.new_owner_id]
        return {
            "version": self.version,
            "against": self.against,
            "as_of": self.as_of,
            "icp": {"summary": self.fit_summary(), "accounts": [vars(c) for c in self.fit_changes]},
            "territories": {
                "territory_changes": sum(
                    c.territory_before != c.territory_after for c in self.territory_changes
                ),
                "owner_changes": len(moved),
                "already_outside_territory": self.already_outside,
                "accounts": [self._territory_dict(c) for c in self.territory_changes],
            },
            "reps": [load.as_dict() for load in self.loads],
            "authority": {
                name: [self._deal_dict(d) for d in deals] for name, deals in self.deals.items()
            },
        }

    def _territory_dict(self, change: TerritoryChange) -> dict[str, Any]:
        out = vars(change).copy()
        out["owner_name"] = self.names.get(change.owner_id or "")
        out["new_owner_name"] = self.names.get(change.new_owner_id or "")
        out["reasons"] = list(change.reasons)
        return out

    @staticmethod
    def _deal_dict(deal: authority.DealAuthority) -> dict[str, Any]:
        return {
            "opportunity_id": deal.opportunity_id,
            "name": deal.name,
            "owner_name": deal.owner_name,
            "amount": deal.amount,
            "offering": deal.offering_id,
            "reasons": list(deal.reasons),
        }


# ------------------------------------------------------------------ versions


def pick_versions(
    *, strategy: Strategy, version_id: str, against: str | None, as_of: date
) -> tuple[Version, Version]:
    """(draft, current): the draft named, and the version it is compared with."""
    draft = strategy.version(version_id)
    current = strategy.version(against) if against else _in_force(strategy, draft, as_of)
    if current.id == draft.id:
        raise InvalidInput(
            f"version {draft.id} would be compared with itself",
            "name the version to compare with: --against VERSION",
        )
    return draft, current


def _in_force(strategy: Strategy, draft: Version, as_of: date) -> Version:
    current = strategy.version_on(as_of)
    if current.id != draft.id:
        return current
    previous = authority.previous_version(strategy, draft)
    if previous is None:
        raise InvalidInput(
            f"version {draft.id} is the only version in force on {as_of}",
            "name the version to compare with: --against VERSION",
        )
    return previous


# ------------------------------------------------------------------ ICP


def account_fits(*, store: Store, version: Version) -> dict[str, dict[str, Any]]:
    """Every active account's fit row under ``version`` (criteria columns included)."""
    accounts = store.table("account")
    accounts = accounts.filter(accounts.gate_status != tables.QUARANTINED)
    fitted = fit_table(
        table=accounts, key="id", version=version, list_entries=store.table("named_list_entry")
    )
    return {str(row["id"]): row for row in fitted.to_pyarrow().to_pylist()}


def _fit_view(row: dict[str, Any], version: Version) -> dict[str, Any]:
    fit = explain(row, version=version)
    return {
        "score": fit.score,
        "tier": fit.tier,
        "in_profile": fit.in_profile,
        "segment": fit.segment,
        "version": version.id,
        "reasons": [("✓ " if r.met else "✗ ") + r.text for r in fit.reasons],
    }


def _direction(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    if bool(before["in_profile"]) != bool(after["in_profile"]):
        return "enters ICP" if after["in_profile"] else "leaves ICP"
    if before["fit_tier"] != after["fit_tier"]:
        up = TIER_ORDER[after["fit_tier"]] < TIER_ORDER[before["fit_tier"]]
        return "tier up" if up else "tier down"
    return None


def fit_changes(
    *,
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    current: Version,
    draft: Version,
) -> list[FitChange]:
    out = []
    for account_id, row in before.items():
        direction = _direction(row, after[account_id])
        if direction is None:
            continue
        out.append(
            FitChange(
                account_id,
                row.get("name"),
                row.get("owner_id"),
                direction,
                _fit_view(row, current),
                _fit_view(after[account_id], draft),
            )
        )
    return sorted(out, key=lambda c: (c.direction, -c.after["score"], c.account_id))


# ------------------------------------------------------------------ territories


def _named_lists(store: Store) -> dict[str, frozenset[str]]:
    entries = store.table("named_list_entry")
    rows = entries.filter(entries.account_id.notnull()).select("list_id", "account_id")
    out: dict[str, set[str]] = {}
    for row in rows.to_pyarrow().to_pylist():
        out.setdefault(str(row["account_id"]), set()).add(str(row["list_id"]))
    return {k: frozenset(v) for k, v in out.items()}


def _record(row: dict[str, Any], lists: dict[str, frozenset[str]]) -> TerritoryRecord:
    account_id = str(row["id"])
    return TerritoryRecord(
        id=account_id,
        account_id=account_id,
        country=row.get("country"),
        state=row.get("state"),
        postal_code=row.get("postal_code"),
        industry=row.get("industry"),
        employees=row.get("employees"),
        named_lists=lists.get(account_id, frozenset()),
    )


def coverage(version: Version, user_ids: dict[str, str]) -> dict[str | None, dict[str, int]]:
    """Territory id → {rep user id: capacity}; reps given by email resolve to their id."""
    out: dict[str | None, dict[str, int]] = {}
    for territory in version.territories:
        seats = out.setdefault(territory.id, {})
        for seat in territory.reps:
            rep = user_ids.get(seat.rep.lower(), seat.rep)
            seats[rep] = seats.get(rep, 0) + seat.capacity
    return out


def capacities(cover: dict[str | None, dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for seats in cover.values():
        for rep, capacity in seats.items():
            out[rep] = out.get(rep, 0) + capacity
    return out


@dataclass
class _Owners:
    after: dict[str, str | None]  # account id -> owner under the draft
    changes: list[TerritoryChange]
    already_outside: int


def _owners(
    rows: dict[str, dict[str, Any]],
    lists: dict[str, frozenset[str]],
    versions: tuple[Version, Version],
    covers: tuple[dict[str | None, dict[str, int]], ...],
) -> _Owners:
    result = _Owners({}, [], 0)
    movers: list[tuple[str, Any, Any]] = []
    for account_id in sorted(rows):
        row, owner = rows[account_id], rows[account_id].get("owner_id")
        before = assign_territory(record=_record(row, lists), version=versions[0])
        after = assign_territory(record=_record(row, lists), version=versions[1])
        ok_before = before.territory_id is None or owner in covers[0].get(before.territory_id, {})
        ok_after = after.territory_id is None or owner in covers[1].get(after.territory_id, {})
        result.after[account_id] = owner
        result.already_outside += not ok_before
        if ok_before and not ok_after:
            movers.append((account_id, before, after))
        elif before.territory_id != after.territory_id:
            result.changes.append(_change(row, before, after, None))
    _place(result, rows, movers, covers[1])
    result.changes.sort(
        key=lambda c: (c.new_owner_id is None, c.territory_after or "", c.account_id)
    )
    return result


def _place(
    result: _Owners,
    rows: dict[str, dict[str, Any]],
    movers: list[tuple[str, Any, Any]],
    cover: dict[str | None, dict[str, int]],
) -> None:
    """Give each moving account to the covering rep with the most spare capacity."""
    load: dict[str, int] = {}
    for owner in result.after.values():
        if owner:
            load[owner] = load.get(owner, 0) + 1
    for account_id, before, after in movers:
        seats = cover.get(after.territory_id, {})
        rep = max(sorted(seats), key=lambda r: seats[r] - load.get(r, 0))
        old = result.after[account_id]
        if old:
            load[old] -= 1
        load[rep] = load.get(rep, 0) + 1
        result.after[account_id] = rep
        result.changes.append(_change(rows[account_id], before, after, rep))


def _change(row: dict[str, Any], before: Any, after: Any, new_owner: str | None) -> TerritoryChange:
    if before.territory_id != after.territory_id:
        why = f"territory {before.territory_id or '(none)'} → {after.territory_id or '(none)'}"
    else:
        why = f"the owner does not cover {after.territory_id} under {after.version}"
    matched = tuple(after.reasons) or ("no territory of the draft covers the account",)
    return TerritoryChange(
        str(row["id"]),
        row.get("name"),
        before.territory_id,
        after.territory_id,
        row.get("owner_id"),
        new_owner,
        (why, *matched),
    )


# ------------------------------------------------------------------ rep load


def _loads(
    *,
    fits: tuple[dict[str, dict[str, Any]], ...],
    owners: _Owners,
    open_deals: list[authority.DealAuthority],
    caps: tuple[dict[str, int], ...],
    users: dict[str, dict[str, Any]],
) -> list[RepLoad]:
    loads: dict[str, RepLoad] = {}

    def rep(rep_id: str) -> RepLoad:
        if rep_id not in loads:
            name = users.get(rep_id, {}).get("name") or rep_id
            loads[rep_id] = RepLoad(rep_id, name, [caps[0].get(rep_id), caps[1].get(rep_id)])
        return loads[rep_id]

    for account_id, row in fits[0].items():
        for side, owner in enumerate((row.get("owner_id"), owners.after[account_id])):
            if owner:
                rep(owner).accounts[side] += 1
                rep(owner).icp_accounts[side] += bool(fits[side][account_id]["in_profile"])
    for deal in open_deals:
        moved = owners.after.get(deal.account_id or "")
        old = fits[0].get(deal.account_id or "", {}).get("owner_id")
        after_owner = moved if moved and deal.owner_id == old else deal.owner_id
        for side, owner in enumerate((deal.owner_id, after_owner)):
            if owner:
                rep(owner).open_pipeline[side] += deal.amount
    for rep_id in set(caps[0]) | set(caps[1]):
        rep(rep_id)
    return sorted(loads.values(), key=lambda r: r.name)


# ------------------------------------------------------------------ authority


Deals = list[authority.DealAuthority]


def gap_changes(
    before: Iterable[authority.DealAuthority], after: Iterable[authority.DealAuthority]
) -> dict[str, Deals]:
    """Deals gapped under the draft (newly or still) and those the draft would close."""
    was = {d.opportunity_id: d.authority_gap for d in before}
    out: dict[str, Deals] = {"newly_gapped": [], "still_gapped": [], "no_longer_gapped": []}
    for deal in after:
        if deal.authority_gap:
            out["still_gapped" if was.get(deal.opportunity_id) else "newly_gapped"].append(deal)
        elif was.get(deal.opportunity_id):
            out["no_longer_gapped"].append(deal)
    return out


# ------------------------------------------------------------------ entry point


def simulate(
    *, store: Store, strategy: Strategy, version_id: str, as_of: date, against: str | None = None
) -> Simulation:
    """What ``version_id`` would change on the store's records as of ``as_of`` (read-only)."""
    draft, current = pick_versions(
        strategy=strategy, version_id=version_id, against=against, as_of=as_of
    )
    fits = (account_fits(store=store, version=current), account_fits(store=store, version=draft))
    users = {
        str(u["id"]): u
        for u in store.table("user_account").select("id", "name", "email").to_pyarrow().to_pylist()
    }
    ids = {k.lower(): k for k in users} | {
        str(u["email"]).lower(): k for k, u in users.items() if u.get("email")
    }
    covers = (coverage(current, ids), coverage(draft, ids))
    owners = _owners(fits[0], _named_lists(store), (current, draft), covers)
    deals_before = authority.deal_authority(
        store=store, strategy=strategy, as_of=as_of, version=current
    )
    deals_after = authority.deal_authority(
        store=store, strategy=strategy, as_of=as_of, version=draft
    )
    loads = _loads(
        fits=fits,
        owners=owners,
        open_deals=deals_before,
        caps=(capacities(covers[0]), capacities(covers[1])),
        users=users,
    )
    return Simulation(
        version=draft.id,
        against=current.id,
        as_of=as_of,
        fit_changes=fit_changes(before=fits[0], after=fits[1], current=current, draft=draft),
        territory_changes=owners.changes,
        already_outside=owners.already_outside,
        loads=loads,
        deals=gap_changes(deals_before, deals_after),
        names={k: str(u.get("name") or k) for k, u in users.items()},
    )
