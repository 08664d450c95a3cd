"""Who in a territory is free, and whose turn it is: weighted round robin with catch-up.

**Free** on a date: the user exists and is active (``user_account.active``, no ``inactive``
availability covering the date), is not out of office that day, and their load is below their
capacity. **Load**: the active accounts they own plus their open leads — a lead is open unless
its status is one of ``CLOSED_LEAD_STATUSES``, and it counts for ``routing.open_lead_days``
(default 30) after it was created (older open leads are stale; a lead of unknown age counts).
**Capacity**: the sum of the ``capacity`` of every coverage the version gives the rep (one
territory in the usual case), as ``strategy simulate`` counts it.

**Weighted round robin.** Each territory keeps a ledger (table ``routing_ledger``) with each
rep's ``credit``: the leads round robin gave them. The next lead goes to the free rep with the
smallest ``(credit + 1) / weight``; ties go to the rep listed first in the strategy file. Over
many leads each rep's share is proportional to its weight (2:1 weights, 2:1 leads). The ledger
is stored and updated in the decision's own transaction, so a restart changes nothing and the
same inputs give the same decision. Concurrent decisions in one territory take turns: a
transaction-scoped advisory lock per territory on PostgreSQL, the write lock on SQLite, taken
before loads and ledger are read.

**Catch-up protection.** A rep who was away (out of office, inactive, at capacity) or is new
would otherwise receive every lead until their credit caught up. Before choosing, each free
rep's credit is raised to at least ``weight × (average credit per weight of the other free
reps) − catch_up_cap``: a returning rep receives at most ``catch_up_cap`` leads above the
territory's average share, then takes turns again. The raise is stored and explained.

Statements are built once (bound parameters), so a decision pays for execution, not for
building SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.store import tables as t
from onstrategy.strategy.model import Territory, Version

CLOSED_LEAD_STATUSES = frozenset({
    "unqualified", "disqualified", "converted", "closed", "closed - converted",
    "closed - not converted", "closed won", "closed lost", "open deal", "bad timing", "junk",
    "recycled",
})  # fmt: skip

_KEYS: sa.BindParameter[str] = sa.bindparam("keys", expanding=True)
_IDS: sa.BindParameter[str] = sa.bindparam("ids", expanding=True)
_DAY = sa.bindparam("day", type_=sa.Date)
_USERS = sa.select(t.user.c.id, t.user.c.name, t.user.c.email, t.user.c.active).where(
    sa.or_(t.user.c.id.in_(_KEYS), sa.func.lower(t.user.c.email).in_(_KEYS))
)
_SPANS = sa.select(t.availability.c.user_id, t.availability.c.kind, t.availability.c.ends_on).where(
    t.availability.c.user_id.in_(_IDS),
    t.availability.c.starts_on <= _DAY,
    t.availability.c.ends_on >= _DAY,
)
_ACCOUNT_LOAD = (
    sa.select(t.account.c.owner_id, sa.func.count())
    .where(t.account.c.owner_id.in_(_IDS), t.account.c.gate_status != t.QUARANTINED)
    .group_by(t.account.c.owner_id)
)
_LEAD_LOAD = (
    sa.select(t.lead.c.owner_id, sa.func.count())
    .where(
        t.lead.c.owner_id.in_(_IDS),
        sa.func.lower(sa.func.coalesce(t.lead.c.status, "")).not_in(sorted(CLOSED_LEAD_STATUSES)),
        sa.or_(
            t.lead.c.created_on.is_(None),
            t.lead.c.created_on.between(sa.bindparam("since", type_=sa.Date), _DAY),
        ),
    )
    .group_by(t.lead.c.owner_id)
)
_LEDGER = (
    sa.select(t.routing_ledger.c.rep_id, t.routing_ledger.c.assigned, t.routing_ledger.c.credit)
    .where(t.routing_ledger.c.territory_id == sa.bindparam("territory"))
    .with_for_update()
)

_PG_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))")
# SQLite: a write takes the database's write lock at once (even when no row changes), so the
# loads and the ledger are read inside the writer's transaction, never from a stale snapshot.
_SQLITE_LOCK = sa.text("UPDATE routing_ledger SET credit = credit WHERE territory_id = :key")


def _take_turns(conn: Connection, territory_id: str) -> None:
    """Concurrent decisions in one territory run one after the other (no lost ledger update)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_PG_LOCK, {"key": f"routing:{territory_id}"})
    elif conn.dialect.name == "sqlite":
        conn.execute(_SQLITE_LOCK, {"key": territory_id})


# ------------------------------------------------------------------ who is free


@dataclass
class RepStatus:
    """A user's state on one date, in words for the decision."""

    id: str
    name: str | None = None
    exists: bool = False
    flag_active: bool = False
    inactive_until: date | None = None
    back: date | None = None  # out of office until (inclusive)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id

    @property
    def active(self) -> bool:
        return self.exists and self.flag_active and self.inactive_until is None

    @property
    def out_of_office(self) -> bool:
        return self.back is not None

    @property
    def why(self) -> str:
        if not self.exists:
            return "not a known user"
        if not self.flag_active:
            return "inactive"
        if self.inactive_until:
            return f"inactive until {self.inactive_until.isoformat()}"
        return f"out of office until {self.back.isoformat()}" if self.back else "available"


def rep_statuses(conn: Connection, keys: list[str], as_of: date) -> dict[str, RepStatus]:
    """Status on ``as_of`` of users named by id or email (the strategy allows either)."""
    found: dict[str, RepStatus] = {}
    lowered = sorted({k.lower() for k in keys} | set(keys))
    for row in conn.execute(_USERS, {"keys": lowered}):
        status = RepStatus(row.id, row.name, True, bool(row.active))
        found[row.id] = status
        if row.email:
            found[row.email.lower()] = status
    ids = sorted({s.id for s in found.values()})
    for span in conn.execute(_SPANS, {"ids": ids, "day": as_of}) if ids else ():
        status = found[span.user_id]
        if span.kind == "inactive":
            status.inactive_until = span.ends_on
        else:
            status.back = max(status.back or span.ends_on, span.ends_on)
    return {k: found.get(k) or found.get(k.lower()) or RepStatus(k) for k in keys}


def loads(conn: Connection, rep_ids: list[str], as_of: date, lead_days: int) -> dict[str, int]:
    """Active accounts plus open leads each rep owns; a lead counts from the day it was created
    for ``lead_days`` days (its age unknown: it counts)."""
    out: dict[str, int] = {}
    if not rep_ids:
        return out
    since = as_of - timedelta(days=lead_days - 1)
    params = {"ids": rep_ids, "day": as_of, "since": since}
    for query in (_ACCOUNT_LOAD, _LEAD_LOAD):
        for owner, count in conn.execute(query, params):
            out[owner] = out.get(owner, 0) + int(count)
    return out


# ------------------------------------------------------------------ whose turn


@dataclass
class Seat:
    """A rep's seat in a territory's round robin on one date."""

    status: RepStatus
    weight: float
    capacity: int
    order: int
    load: int
    assigned: int
    credit: float
    skip: str | None = None
    raised_from: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rep": self.status.id, "name": self.status.name, "weight": self.weight,
            "capacity": self.capacity, "load": self.load, "credit": round(self.credit, 3),
            "assigned": self.assigned, "skipped": self.skip, "caught_up_from": self.raised_from,
        }  # fmt: skip


@dataclass(frozen=True)
class Pick:
    rep_id: str | None
    rep_name: str | None
    reason: str
    candidates: list[dict[str, Any]]
    ledger: dict[str, tuple[int, float]]  # rep -> (assigned, credit) to store


def pick_rep(conn: Connection, *, version: Version, territory: Territory, as_of: date) -> Pick:
    """The free rep whose turn it is in ``territory`` on ``as_of``, with the reason."""
    cap = version.routing.catch_up_cap
    _take_turns(conn, territory.id)
    seats = _seats(conn, version, territory, as_of)
    free = [s for s in seats if s.skip is None]
    skipped = "; ".join(f"skipped {s.status.label}: {s.skip}" for s in seats if s.skip)
    if not free:
        reason = f"no rep in {territory.name} is free ({skipped})"
        return Pick(None, None, reason, [s.as_dict() for s in seats], {})
    _catch_up(free, cap)
    winner = min(free, key=lambda s: ((s.credit + 1) / s.weight, s.order))
    ledger = {s.status.id: (s.assigned, s.credit) for s in free if s.raised_from is not None}
    ledger[winner.status.id] = (winner.assigned + 1, winner.credit + 1)
    reason = _reason(territory, winner, len(free), cap) + (f"; {skipped}" if skipped else "")
    return Pick(winner.status.id, winner.status.name, reason, [s.as_dict() for s in seats], ledger)


def _reason(territory: Territory, winner: Seat, free: int, cap: int) -> str:
    text = (
        f"{winner.status.label} is next in {territory.name}'s weighted round robin: "
        f"{winner.credit:g} leads so far for weight {winner.weight:g}, the lowest share "
        f"among {free} free reps"
    )
    if winner.raised_from is not None:
        text += (
            f"; back from an absence, counted as {winner.credit:g} instead of "
            f"{winner.raised_from:g} (catch-up cap {cap})"
        )
    return text


def _seats(conn: Connection, version: Version, territory: Territory, as_of: date) -> list[Seat]:
    keys = list(dict.fromkeys(c.rep for c in territory.reps))
    statuses = rep_statuses(conn, keys, as_of)
    ids = sorted({s.id for s in statuses.values()})
    load = loads(conn, ids, as_of, version.routing.open_lead_days)
    ledger, capacity = _ledger(conn, territory.id), capacities(version)
    seats: list[Seat] = []
    for order, coverage in enumerate(territory.reps):
        status = statuses[coverage.rep]
        if any(s.status.id == status.id for s in seats):
            continue
        assigned, credit = ledger.get(status.id, (0, 0.0))
        seat = Seat(status, coverage.weight, capacity[coverage.rep.lower()], order,
                    load.get(status.id, 0), assigned, credit)  # fmt: skip
        seat.skip = _skip_reason(seat)
        seats.append(seat)
    return seats


def capacities(version: Version) -> dict[str, int]:
    """Each rep's capacity under ``version`` (keyed by the rep as written, lower-cased): the
    sum over the territories that list them, as ``strategy simulate`` counts it."""
    out: dict[str, int] = {}
    for territory in version.territories:
        for coverage in territory.reps:
            key = coverage.rep.lower()
            out[key] = out.get(key, 0) + coverage.capacity
    return out


def _skip_reason(seat: Seat) -> str | None:
    status = seat.status
    if not status.active or status.out_of_office:
        return status.why
    if seat.load >= seat.capacity:
        return f"at capacity ({seat.load} open accounts and leads, capacity {seat.capacity})"
    return None


def _catch_up(free: list[Seat], cap: int) -> None:
    """Raise a far-behind rep's credit to the others' average share minus ``cap`` leads."""
    if len(free) < 2:
        return
    shares = [s.credit / s.weight for s in free]
    total = sum(shares)
    for seat, share in zip(free, shares, strict=True):
        floor = seat.weight * (total - share) / (len(free) - 1) - cap
        if seat.credit < floor:
            seat.raised_from, seat.credit = seat.credit, floor


# ------------------------------------------------------------------ the ledger


def _ledger(conn: Connection, territory_id: str) -> dict[str, tuple[int, float]]:
    rows = conn.execute(_LEDGER, {"territory": territory_id})
    return {row.rep_id: (int(row.assigned), float(row.credit)) for row in rows}


def save_ledger(
    conn: Connection, *, territory_id: str, ledger: dict[str, tuple[int, float]],
    decision_id: int, now: datetime,
) -> None:  # fmt: skip
    r = t.routing_ledger
    for rep_id, (assigned, credit) in sorted(ledger.items()):
        values = {"assigned": assigned, "credit": credit, "last_decision_id": decision_id,
                  "updated_at": now}  # fmt: skip
        where = (r.c.territory_id == territory_id) & (r.c.rep_id == rep_id)
        if conn.execute(r.update().where(where).values(**values)).rowcount == 0:
            conn.execute(r.insert().values(territory_id=territory_id, rep_id=rep_id, **values))
