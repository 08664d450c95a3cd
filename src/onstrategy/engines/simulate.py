"""Before a new version goes live: what would it change on today's data?

``simulate`` compares a draft version V with the version in force today (or another named
with ``against``), on the store's records as of a date, and changes nothing:

* **ICP** — accounts whose in-profile status or tier changes, counted by direction (enters
  ICP, leaves ICP, tier up, tier down) and listed with the fit reasons under both versions.
* **Territories** — accounts whose territory changes (``engines.territories.assign_territory``
  under each version). An account's **owner would change** when its owner covers the
  account's territory today (or the account has no territory today) but is not among the
  reps covering its territory under V. The new owner is the covering rep with the most
  spare capacity at that point (capacity − load under V, as accounts move), accounts taken
  in id order, so the result is reproducible; the account's open deals owned by the old
  owner move with it. Accounts whose owner is already outside their territory today are
  counted, not moved: that is today's problem, not the draft's.
* **Rep load** — each rep's accounts, in-profile accounts, open leads, load and open pipeline
  before → after, against the capacity each version gives the rep: the definitions of
  ``engines.definitions``, the same as ``territories check`` and routing.
* **Authority** — open deals with an authority gap under V's offerings (``engines.authority``),
  split into newly gapped, still gapped and no longer gapped; the deals and their engaged
  contacts are read once and judged under both versions.

Only active accounts count (quarantined ones wait in the gate). The fit is the Ibis
expression of ``engines.fit``; everything else reads the store and never writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from onstrategy.engines import authority
from onstrategy.engines.definitions import RepLoad, Users, rep_loads, seats
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


PAIRS = ("capacity", "accounts", "icp_accounts", "open_leads", "load", "open_pipeline")


@dataclass(frozen=True)
class LoadChange:
    """A rep's load against capacity (``engines.definitions``) today and under the draft:
    each figure is a pair ``[before, after]``."""

    rep_id: str
    name: str
    capacity: list[int | None]
    accounts: list[int]
    icp_accounts: list[int]
    open_leads: list[int]
    load: list[int]
    open_pipeline: list[float]
    over_capacity_after: bool

    @classmethod
    def of(cls, before: RepLoad, after: RepLoad) -> LoadChange:
        pairs = {k: [getattr(before, k), getattr(after, k)] for k in PAIRS}
        name = after.name or before.name or after.rep_id
        return cls(after.rep_id, name, **pairs, over_capacity_after=after.over_capacity)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rep_id": self.rep_id, "name": self.name}
        for key in PAIRS:
            before, after = getattr(self, key)
            if key == "open_pipeline":
                before, after = round(before, 2), round(after, 2)
            out[key] = {"before": before, "after": after}
        return out | {"over_capacity_after": self.over_capacity_after}


@dataclass
class Simulation:
    version: str
    against: str
    as_of: date
    fit_changes: list[FitChange]
    territory_changes: list[TerritoryChange]
    already_outside: int
    loads: list[LoadChange]
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


def _records(
    rows: dict[str, dict[str, Any]], lists: dict[str, frozenset[str]]
) -> dict[str, TerritoryRecord]:
    """What the territory rules look at, once per account (the same under both versions)."""
    return {
        account_id: TerritoryRecord.from_row(
            row, account_id=account_id, named_lists=lists.get(account_id, frozenset())
        )
        for account_id, row in rows.items()
    }


@dataclass
class _Owners:
    after: dict[str, str | None]  # account id -> owner under the draft
    changes: list[TerritoryChange]
    already_outside: int


def _owners(
    rows: dict[str, dict[str, Any]],
    records: dict[str, TerritoryRecord],
    versions: tuple[Version, Version],
    covers: tuple[dict[str, dict[str, int]], ...],
) -> tuple[_Owners, list[tuple[str, Any, Any]]]:
    """Owners under the draft before any account moves, and the accounts that must move."""
    result = _Owners({}, [], 0)
    movers: list[tuple[str, Any, Any]] = []
    for account_id in sorted(rows):
        row, owner = rows[account_id], rows[account_id].get("owner_id")
        before = assign_territory(record=records[account_id], version=versions[0])
        after = assign_territory(record=records[account_id], version=versions[1])
        ok_before = before.territory_id is None or owner in covers[0].get(before.territory_id, {})
        ok_after = after.territory_id is None or owner in covers[1].get(after.territory_id, {})
        result.after[account_id] = owner
        result.already_outside += not ok_before
        if ok_before and not ok_after:
            movers.append((account_id, before, after))
        elif before.territory_id != after.territory_id:
            result.changes.append(_change(row, before, after, None))
    return result, movers


@dataclass(frozen=True)
class _Draft:
    """What placing an account under the draft needs: its fit, seats, loads and open deals."""

    fits: dict[str, dict[str, Any]]
    seats: dict[str, dict[str, int]]
    loads: dict[str, RepLoad]
    deals: dict[str, list[authority.DealAuthority]]  # open deals by account


def _place(
    result: _Owners,
    rows: dict[str, dict[str, Any]],
    movers: list[tuple[str, Any, Any]],
    draft: _Draft,
) -> None:
    """Give each moving account to the covering rep with the most spare capacity (capacity −
    load, as it grows), moving the old owner's open deals on the account with it."""
    for account_id, before, after in movers:
        seated = sorted(draft.seats.get(after.territory_id or "", {}))
        rep = max(seated, key=lambda r: _spare(draft.loads.setdefault(r, RepLoad(r))))
        old = result.after[account_id]
        _hand_over(draft, account_id, old, rep)
        result.after[account_id] = rep
        result.changes.append(_change(rows[account_id], before, after, rep))
    result.changes.sort(
        key=lambda c: (c.new_owner_id is None, c.territory_after or "", c.account_id)
    )


def _spare(load: RepLoad) -> int:
    return (load.capacity or 0) - load.load


def _hand_over(draft: _Draft, account_id: str, old: str | None, new: str) -> None:
    icp = int(bool(draft.fits[account_id]["in_profile"]))
    deals = [d for d in draft.deals.get(account_id, []) if old and d.owner_id == old]
    for rep, sign in ((old, -1), (new, 1)):
        if not rep:
            continue
        load = draft.loads.setdefault(rep, RepLoad(rep))
        load.accounts += sign
        load.icp_accounts += sign * icp
        load.open_opportunities += sign * len(deals)
        load.open_pipeline += sign * sum(d.amount for d in deals)


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


def _load_changes(before: dict[str, RepLoad], after: dict[str, RepLoad]) -> list[LoadChange]:
    changes = [
        LoadChange.of(before.get(rep) or RepLoad(rep), after.get(rep) or RepLoad(rep))
        for rep in set(before) | set(after)
    ]
    return sorted(changes, key=lambda c: (c.name, c.rep_id))


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
    users = Users.of(store)
    covers = (seats(current, users), seats(draft, users))
    loads = tuple(
        rep_loads(store=store, version=v, as_of=as_of, accounts=f.values(), users=users)
        for v, f in zip((current, draft), fits, strict=True)
    )
    records = _records(fits[0], _named_lists(store))
    owners, movers = _owners(fits[0], records, (current, draft), covers)
    engaged = authority.engaged_deals(store=store, as_of=as_of)
    deals_before, deals_after = engaged.judge(current), engaged.judge(draft)
    by_account: dict[str, list[authority.DealAuthority]] = {}
    for deal in deals_before:
        by_account.setdefault(deal.account_id or "", []).append(deal)
    _place(owners, fits[0], movers, _Draft(fits[1], covers[1], loads[1], by_account))
    return Simulation(
        version=draft.id,
        against=current.id,
        as_of=as_of,
        fit_changes=fit_changes(before=fits[0], after=fits[1], current=current, draft=draft),
        territory_changes=owners.changes,
        already_outside=owners.already_outside,
        loads=_load_changes(loads[0], loads[1]),
        deals=gap_changes(deals_before, deals_after),
        names={k: str(v or k) for k, v in users.names.items()},
    )
