"""The reads: exceptions a viewer may see, one exception's history, the unexcused flags."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.actors import resolve_actor, visible_reps
from onstrategy.engines.definitions import open_deals
from onstrategy.engines.exceptions.events import _get
from onstrategy.engines.exceptions.lookups import account_fits
from onstrategy.engines.exceptions.records import (
    EVENTS,
    STATUSES,
    Flag,
    OffProfileException,
    X,
)
from onstrategy.engines.fit import AccountFit
from onstrategy.errors import InvalidInput
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy, Version


def list_exceptions(
    *,
    store: Store,
    as_of: date,
    status: str | None = None,
    rep: str | None = None,
    team: str | None = None,
    viewer: str | None = None,
) -> list[OffProfileException]:
    """Exceptions, newest first, with their status as of ``as_of``."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}", f"use one of {', '.join(STATUSES)}")
    with store.begin() as conn:
        query = sa.select(X).order_by(X.c.id.desc())
        if rep:
            query = query.where(X.c.rep_id == resolve_actor(conn, rep, acting=False).id)
        if team:
            query = query.where(
                X.c.rep_id.in_(sa.select(tables.user.c.id).where(tables.user.c.team_id == team))
            )
        allowed = visible_reps(conn, resolve_actor(conn, viewer) if viewer else None)
        found = [OffProfileException.from_row(r, as_of) for r in conn.execute(query)]
    return [
        e
        for e in found
        if (status is None or e.status == status) and (allowed is None or e.rep_id in allowed)
    ]


def exception_history(
    *, store: Store, exception_id: int, as_of: date
) -> tuple[OffProfileException, list[dict[str, Any]]]:
    """The exception and every event of it and of the exceptions it renews, oldest first."""
    with store.begin() as conn:
        current = _get(conn, exception_id, as_of)
        chain, cursor = [current.id], current.renews_id
        while cursor is not None and cursor not in chain:
            chain.append(cursor)
            cursor = conn.execute(sa.select(X.c.renews_id).where(X.c.id == cursor)).scalar()
        events = (
            conn.execute(
                sa.select(EVENTS)
                .where(EVENTS.c.exception_id.in_(chain))
                .order_by(EVENTS.c.at, EVENTS.c.id)
            )
            .mappings()
            .all()
        )
    return current, [dict(e) for e in events]


def unexcused_off_profile(
    *,
    store: Store,
    strategy: Strategy,
    as_of: date,
    team: str | None = None,
    rep: str | None = None,
) -> list[Flag]:
    """Open off-profile opportunities with no approved, unexpired exception: the flag list."""
    version = strategy.version_on(as_of)
    opps = _open_deals(store, as_of, team=team, rep=rep)
    with store.begin() as conn:
        latest = _latest_exceptions(conn, as_of)
    fits = account_fits(store, version, [o["account_id"] for o in opps])
    flags = [_flag(o, fits.get(o["account_id"]), latest.get(o["id"]), version) for o in opps]
    kept = [f for f in flags if f is not None]
    return sorted(kept, key=lambda f: (-f.amount, f.opportunity_id))


_FLAG_COLUMNS = ("id", "name", "account_id", "owner_id", "team_id", "amount", "stage", "created_on")


def _open_deals(
    store: Store, as_of: date, *, team: str | None, rep: str | None
) -> list[dict[str, Any]]:
    """Deals open on ``as_of`` (``engines.definitions``: one closed later still counts), with
    their owner's team."""
    deals = open_deals(store=store, as_of=as_of)
    users = store.table("user_account").select(uid="id", team_id="team_id")
    joined = deals.left_join(users, deals.owner_id == users.uid).select(*_FLAG_COLUMNS)
    if team:
        joined = joined.filter(joined.team_id == team)
    if rep:
        joined = joined.filter(joined.owner_id == rep)
    rows: list[dict[str, Any]] = joined.to_pyarrow().to_pylist()
    return rows


def _latest_exceptions(conn: Connection, as_of: date) -> dict[str, OffProfileException]:
    rows = conn.execute(sa.select(X).where(X.c.subject_kind == "opportunity").order_by(X.c.id))
    latest: dict[str, OffProfileException] = {}
    for row in rows:
        record = OffProfileException.from_row(row, as_of)
        if latest.get(record.subject_id) is None or latest[record.subject_id].status != "approved":
            latest[record.subject_id] = record
    return latest


def _flag(
    opp: Any, fit: AccountFit | None, excuse: OffProfileException | None, version: Version
) -> Flag | None:
    if (fit and fit.in_profile) or (excuse and excuse.status == "approved"):
        return None
    why = [r.text for r in fit.reasons if not r.met] if fit else ["no account is linked"]
    return Flag(
        opp["id"],
        opp["name"],
        opp["account_id"],
        fit.name if fit else None,
        opp["owner_id"],
        opp["team_id"],
        float(opp["amount"] or 0.0),
        opp["stage"],
        opp["created_on"],
        fit.tier if fit else None,
        fit.score if fit else None,
        why,
        excuse.id if excuse else None,
        excuse.status if excuse else None,
        version.id,
    )
