"""The business definitions the reports share: an hour of selling, an open deal, a rep's load.

Several reports count the same things; each is defined here once, as Ibis expressions (the
same on SQLite and PostgreSQL), and explained for sales leaders in ``docs/concepts.md``
(section "Shared definitions"):

* **Strategy time** (``strategy_start``): a fact is judged against the strategy only from the
  first version's ``effective_from`` (any day when one version is forced). Before it no ICP
  was in force, so the shares leave such facts out instead of counting them as off-ICP.
* **Hours** (``hours_of``, ``hour_facts``): calls and meetings count their logged
  ``duration_minutes``; without one, the default hours for that kind (``costs``) of the
  version in force on the activity's day (the first version's before it started). An email
  is counted, never timed: zero hours. An activity with no account counts its contact's.
* **Open deal** (``closed_by``, ``open_on``, ``open_deals``): open on day D when created on or
  before D (or on an unknown day) and not closed on or before D. A deal the CRM marks closed
  without a close date is closed on every day: it is never open pipeline, and it counts in
  no "closed in the period" figure. ``closed_on`` of a deal not marked closed is its expected
  close date (Salesforce's CloseDate) and does not close it.
* **Rep load and capacity** (``rep_loads``): load is the active (not quarantined) accounts a
  rep owns (``counts_toward_load``) plus their open leads (status not closed, created within
  ``routing.open_lead_days`` up to D, or of unknown age): what routing counts
  (``engines.round_robin.loads``). Capacity is the sum of the capacities of every territory
  of the version that lists the rep (by user id, or email in any case). *At capacity*
  (load ≥ capacity) routing gives no more leads; *over capacity* (load > capacity) is a
  problem ``territories check`` and ``simulate`` show. Open pipeline is the amount of the
  rep's open deals on D.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from onstrategy.engines.fit import account_fit_table, version_spans
from onstrategy.engines.round_robin import CLOSED_LEAD_STATUSES
from onstrategy.store.connect import Store
from onstrategy.store.tables import QUARANTINED
from onstrategy.strategy.model import Strategy, Version

TIMED_KINDS = ("call", "meeting")
ACTIVITY_KINDS = ("call", "meeting", "email")


# ------------------------------------------------------------------ versions over time


def strategy_start(strategy: Strategy, forced_version: str | None = None) -> date:
    """The first day facts are judged against the strategy (``date.min`` when forced)."""
    return version_spans(strategy, forced_version)[0].starts


def in_force(
    day: ir.DateValue,
    *,
    strategy: Strategy,
    pick: Callable[[Version], Any],
    forced_version: str | None = None,
) -> ir.Value:
    """``pick(version)`` of the version in force on ``day``, as one CASE (the first version's
    before it started; the forced version's on every day)."""
    spans = version_spans(strategy, forced_version)
    later = [
        (day >= ibis.literal(s.starts, "date"), pick(strategy.version(s.id)))
        for s in reversed(spans[1:])
    ]
    first = pick(strategy.version(spans[0].id))
    return ibis.cases(*later, else_=first) if later else ibis.literal(first)


# ------------------------------------------------------------------ hours


def hours_of(activity: ir.Table, *, strategy: Strategy) -> ir.FloatingValue:
    """Hours of selling one activity counts (needs ``kind``, ``occurred_on``,
    ``duration_minutes``): see the module doc."""
    day, kind = activity.occurred_on, activity.kind
    default_minutes = ibis.cases(
        (kind == "meeting", _default(day, strategy, lambda v: v.costs.meeting_hours_default)),
        (kind == "call", _default(day, strategy, lambda v: v.costs.call_hours_default)),
        else_=0.0,
    )
    minutes = activity.duration_minutes.cast("float64").fill_null(default_minutes)
    hours: ir.FloatingValue = kind.isin(list(TIMED_KINDS)).ifelse(minutes / 60.0, 0.0)
    return hours


def _default(day: ir.DateValue, strategy: Strategy, hours: Callable[[Version], float]) -> Any:
    return in_force(day, strategy=strategy, pick=lambda v: float(hours(v)) * 60.0)


def hour_facts(
    *,
    store: Store,
    strategy: Strategy,
    date_from: date,
    date_to: date,
    forced_version: str | None = None,
    kinds: Iterable[str] = TIMED_KINDS,
) -> ir.Table:
    """One row per activity of ``kinds`` in the period, in strategy time: ``owner_id``,
    ``kind``, ``event_date``, ``account_id`` (its own, else its contact's) and ``hours``."""
    act, contact = store.table("activity"), store.table("contact")
    lo = max(date_from, strategy_start(strategy, forced_version))
    chosen = act.filter(
        act.kind.isin(list(kinds)),
        act.occurred_on.between(ibis.literal(lo, "date"), ibis.literal(date_to, "date")),
    )
    people = contact.select(cid=contact.id, contact_account=contact.account_id)
    joined = chosen.left_join(people, chosen.contact_id == people.cid)
    return joined.select(
        owner_id=joined.owner_id,
        kind=joined.kind,
        event_date=joined.occurred_on,
        account_id=joined.account_id.fill_null(joined.contact_account),
        hours=hours_of(joined, strategy=strategy),
    )


# ------------------------------------------------------------------ open deals


def closed_by(opp: ir.Table, day: ir.DateValue) -> ir.BooleanValue:
    """Closed on or before ``day`` (a closed deal without a close date: on every day)."""
    return opp.is_closed & (opp.closed_on.isnull() | (opp.closed_on <= day))


def open_on(opp: ir.Table, day: ir.DateValue) -> ir.BooleanValue:
    """Open on ``day``: created by then (or on an unknown day) and not closed by then."""
    created = opp.created_on.isnull() | (opp.created_on <= day)
    return created & ~closed_by(opp, day)


def deal_open_on(deal: Mapping[Any, Any], day: date) -> bool:
    """:func:`open_on` for one deal row already read (same rule, in Python)."""
    created = deal.get("created_on")
    closed = bool(deal.get("is_closed")) and (
        deal.get("closed_on") is None or deal["closed_on"] <= day
    )
    return (created is None or created <= day) and not closed


def open_deals(*, store: Store, as_of: date) -> ir.Table:
    """The opportunities open on ``as_of``."""
    opp = store.table("opportunity")
    return opp.filter(open_on(opp, ibis.literal(as_of, "date")))


# ------------------------------------------------------------------ rep load and capacity


def open_leads(*, store: Store, as_of: date, open_lead_days: int) -> ir.Table:
    """Owned leads that count toward load on ``as_of`` (as ``engines.round_robin.loads``)."""
    lead = store.table("lead")
    status = lead.status.fill_null("").lower()
    since = ibis.literal(as_of - timedelta(days=open_lead_days - 1), "date")
    return lead.filter(
        lead.owner_id.notnull(),
        ~status.isin(sorted(CLOSED_LEAD_STATUSES)),
        lead.created_on.isnull() | lead.created_on.between(since, ibis.literal(as_of, "date")),
    )


def counts_toward_load(account: dict[str, Any]) -> bool:
    """An account row that counts in its owner's load: owned and not quarantined."""
    return bool(account.get("owner_id")) and account.get("gate_status") != QUARANTINED


def open_work(*, store: Store, version: Version, as_of: date) -> ir.Table:
    """Per owner: ``open_leads``, ``open_opportunities`` and ``open_pipeline`` on ``as_of``."""
    leads = open_leads(store=store, as_of=as_of, open_lead_days=version.routing.open_lead_days)
    deals = open_deals(store=store, as_of=as_of)
    deals = deals.filter(deals.owner_id.notnull())
    zero, one = ibis.literal(0, "int64"), ibis.literal(1, "int64")
    parts = ibis.union(
        leads.select("owner_id", open_leads=one, open_opportunities=zero,
                     open_pipeline=ibis.literal(0.0, "float64")),
        deals.select("owner_id", open_leads=zero, open_opportunities=one,
                     open_pipeline=deals.amount.cast("float64").fill_null(0.0)),
    )  # fmt: skip
    return parts.group_by("owner_id").aggregate(
        open_leads=parts.open_leads.sum(),
        open_opportunities=parts.open_opportunities.sum(),
        open_pipeline=parts.open_pipeline.sum(),
    )


@dataclass
class RepLoad:
    """A rep's load against capacity on one day (see the module doc)."""

    rep_id: str
    name: str | None = None
    territories: list[str] = field(default_factory=list)
    accounts: int = 0
    icp_accounts: int = 0
    open_leads: int = 0
    open_pipeline: float = 0.0
    open_opportunities: int = 0
    capacity: int | None = None  # None: no territory of the version lists the rep

    @property
    def load(self) -> int:
        return self.accounts + self.open_leads

    @property
    def at_capacity(self) -> bool:
        """Routing gives the rep no more leads."""
        return self.capacity is not None and self.load >= self.capacity

    @property
    def over_capacity(self) -> bool:
        return self.capacity is not None and self.load > self.capacity

    def as_dict(self) -> dict[str, Any]:
        share = round(self.load / self.capacity, 3) if self.capacity else None
        return {
            "rep_id": self.rep_id, "name": self.name, "territories": self.territories,
            "accounts": self.accounts, "icp_accounts": self.icp_accounts,
            "open_leads": self.open_leads, "open_pipeline": round(self.open_pipeline, 2),
            "open_opportunities": self.open_opportunities, "load": self.load,
            "capacity": self.capacity, "utilisation": share, "over_capacity": self.over_capacity,
        }  # fmt: skip


@dataclass(frozen=True)
class Users:
    """Users by id, and the ids of their emails (lower-cased), to resolve strategy reps."""

    names: dict[str, str | None]
    emails: dict[str, str]

    @classmethod
    def of(cls, store: Store) -> Users:
        rows = store.table("user_account").select("id", "name", "email").to_pyarrow().to_pylist()
        return cls(
            {str(r["id"]): r["name"] for r in rows},
            {str(r["email"]).lower(): str(r["id"]) for r in rows if r["email"]},
        )

    def resolve(self, rep: str) -> str:
        """The user id a strategy's ``rep`` names: an id as written, or an email in any case;
        an unknown rep stays as written."""
        return rep if rep in self.names else self.emails.get(rep.strip().lower(), rep)


def seats(version: Version, users: Users) -> dict[str, dict[str, int]]:
    """Territory id → {rep user id: capacity} under ``version``."""
    out: dict[str, dict[str, int]] = {}
    for territory in version.territories:
        seated = out.setdefault(territory.id, {})
        for coverage in territory.reps:
            rep = users.resolve(coverage.rep)
            seated[rep] = seated.get(rep, 0) + coverage.capacity
    return out


def rep_loads(
    *,
    store: Store,
    version: Version,
    as_of: date,
    accounts: Iterable[dict[str, Any]] | None = None,
    users: Users | None = None,
) -> dict[str, RepLoad]:
    """Every rep who covers a territory under ``version`` or owns something, by user id.

    ``accounts``: the accounts' fit rows under ``version`` (``owner_id``, ``gate_status``,
    ``in_profile``) when the caller has them already; by default they are read."""
    users = users or Users.of(store)
    loads = _Loads(users, {})
    for territory_id, seated in seats(version, users).items():
        for rep_id, capacity in seated.items():
            loads.of(rep_id).territories.append(territory_id)
            loads.of(rep_id).capacity = (loads.of(rep_id).capacity or 0) + capacity
    for account in _accounts(store, version, accounts):
        if counts_toward_load(account):
            loads.of(account["owner_id"]).accounts += 1
            loads.of(account["owner_id"]).icp_accounts += bool(account["in_profile"])
    for row in open_work(store=store, version=version, as_of=as_of).to_pyarrow().to_pylist():
        load = loads.of(row["owner_id"])
        load.open_leads = int(row["open_leads"] or 0)
        load.open_opportunities = int(row["open_opportunities"] or 0)
        load.open_pipeline = float(row["open_pipeline"] or 0.0)
    return loads.reps


@dataclass(frozen=True)
class _Loads:
    users: Users
    reps: dict[str, RepLoad]

    def of(self, rep_id: Any) -> RepLoad:
        key = str(rep_id)
        return self.reps.setdefault(key, RepLoad(key, self.users.names.get(key)))


def _accounts(
    store: Store, version: Version, given: Iterable[dict[str, Any]] | None
) -> Iterable[dict[str, Any]]:
    if given is not None:
        return given
    fitted = account_fit_table(store=store, version=version)
    rows: list[dict[str, Any]] = (
        fitted.select("owner_id", "gate_status", "in_profile").to_pyarrow().to_pylist()
    )
    return rows
