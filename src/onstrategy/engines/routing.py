"""Lead routing: who gets a lead, and a stored answer to "why did I get this lead?".

Each decision walks these steps in order and records every one, fired or not, with its
reason, the strategy version in force on ``as_of`` and the time (table ``routing_decision``):

1. **account owner** — the lead is matched to an account (``lead.account_id``) whose owner is
   active (``user_account.active`` and no ``inactive`` availability covering the date): the
   owner gets it, even when out of office (account continuity; the reason says they are away).
2. **profile** — the lead's ICP fit (its matched account's fit if it has one, else the lead's
   own firmographics; named lists as in step 3; the fit engine's definition under the
   version in force) is off profile: it goes to the nurture queue (``routing.nurture_queue``),
   unless an approved, unexpired off-profile exception exists for the lead.
3. **territory** — the lead's territory (``engines.territories``; named accounts via its
   matched account, named lists by ``crm.lead_lists``: its account's lists, or the lists its
   company is a white-space entry of) hands it to a free rep by weighted round robin with
   capacity caps and catch-up protection (``engines.round_robin``).
4. **fallback** — no territory covers the lead, or no rep in it is free:
   ``routing.fallback_queue`` (default ``unrouted``).

An assignment sets ``lead.owner_id``; every stored decision is audit-logged. The same inputs
(records, stored ledger, strategy, ``as_of``) give the same decision. A dry run does all of it
in a transaction that is rolled back, so it shows exactly what a real run would do.

The steps themselves are in :mod:`onstrategy.engines.routing_steps`. **Who routes:** the
automated router routes every lead; a person (``--as``, the web's Route now) must be a manager,
an executive or an admin, and may route only a lead they act on
(:mod:`onstrategy.engines.lead_team`: a manager, their teams' leads), checked for each lead:
``route --all-unassigned --as MANAGER`` routes their teams' leads and leaves the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.actors import Actor, resolve_actor
from onstrategy.engines.lead_team import (
    LeadTeam,
    acts_on_lead,
    lead_team,
    may_act_on_lead,
    require_lead_access,
)
from onstrategy.engines.round_robin import CLOSED_LEAD_STATUSES, save_ledger
from onstrategy.engines.routing_steps import Outcome, Step, decide, lead_row
from onstrategy.errors import Conflict, Forbidden, NotFound
from onstrategy.store import tables as t
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy

__all__ = [
    "CLOSED_LEAD_STATUSES", "LeadTeam", "RoutingDecision", "Step", "acts_on_lead",
    "authorize_router", "decisions_for", "lead_team", "may_act_on_lead", "require_lead_access",
    "route_lead", "route_unassigned", "unassigned_lead_ids",
]  # fmt: skip
ACTOR = "routing"
ROUTERS = ("manager", "executive", "admin")


@dataclass(frozen=True)
class RoutingDecision:
    lead_id: str
    decided_at: datetime
    as_of: date
    strategy_version: str
    outcome: str  # rep | queue
    assigned_to: str
    territory_id: str | None
    steps: tuple[Step, ...]
    id: int | None = None
    assigned_name: str | None = None
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ------------------------------------------------------------------ public functions


def route_lead(
    *, store: Store, strategy: Strategy, lead_id: str, as_of: date, now: datetime,
    dry_run: bool = False, actor: str = ACTOR,
) -> RoutingDecision:  # fmt: skip
    """Decide who gets ``lead_id`` on ``as_of``; store it (unless ``dry_run``) and return it.

    ``actor`` other than the automated router is a person (user id or email) who must be
    allowed to route this lead (:func:`require_lead_access`)."""
    with _transaction(store, dry_run) as conn:
        return _route(conn, store, strategy, lead_id, as_of, now, dry_run, actor)


def route_unassigned(
    *, store: Store, strategy: Strategy, as_of: date, now: datetime, dry_run: bool = False,
    include_queued: bool = False, actor: str = ACTOR,
    progress: Callable[[int, int], None] | None = None,
) -> list[RoutingDecision]:  # fmt: skip
    """Route every active lead without an owner, oldest first, each in its own transaction.

    Leads already waiting in a queue (a stored decision) are left alone unless
    ``include_queued``; a lead someone assigned meanwhile is skipped, and so is one ``actor``
    (a person) may not route (another team's). A dry run routes them all in one transaction
    and rolls it back.
    """
    ids = unassigned_lead_ids(store=store, include_queued=include_queued)
    decisions: list[RoutingDecision] = []
    with _transaction(store, True) if dry_run else _nothing() as shared:
        for done, lead_id in enumerate(ids, start=1):
            # a lead taken, quarantined or removed since the list was read is skipped
            own = _reuse(shared) if shared else _transaction(store, False)
            with suppress(Conflict, NotFound, Forbidden), own as conn:
                decisions.append(_route(conn, store, strategy, lead_id, as_of, now, dry_run, actor))
            if progress:
                progress(done, len(ids))
    return decisions


def authorize_router(
    *, store: Store, who: str, lead_id: str | None = None, strategy: Strategy | None = None,
    as_of: date | None = None,
) -> str:  # fmt: skip
    """The user id of ``who`` (id or email) if they may route leads: a manager, an executive
    or an admin (reps may not hand leads out, their own included); with ``lead_id`` (and the
    ``as_of`` day the rules are read on), if they may route that lead (a manager: a lead of
    their teams, :func:`require_lead_access`)."""
    with store.begin() as conn:
        actor = _router(conn, who)
        if lead_id is not None:
            if as_of is None:
                raise ValueError("authorize_router needs as_of with lead_id")
            require_lead_access(conn, actor=actor, lead_id=lead_id, strategy=strategy,
                                as_of=as_of, doing="route")  # fmt: skip
    return str(actor.id)


def _router(conn: Connection, who: str) -> Actor:
    actor = resolve_actor(conn, who)
    if actor.role not in ROUTERS:
        raise Forbidden(
            f"{actor.name} is a {actor.role}; only managers, executives and admins route leads",
            "ask your manager or the RevOps admin to route it",
        )
    return actor


def unassigned_lead_ids(*, store: Store, include_queued: bool = False) -> list[str]:
    """Active leads without an owner, oldest first (never-routed ones only, by default)."""
    lead = t.lead
    query = sa.select(lead.c.id).where(
        lead.c.owner_id.is_(None), lead.c.gate_status != t.QUARANTINED
    )
    if not include_queued:
        query = query.where(lead.c.id.not_in(sa.select(t.routing_decision.c.lead_id)))
    query = query.order_by(lead.c.created_on.is_(None), lead.c.created_on, lead.c.id)
    with store.begin() as conn:
        return [row[0] for row in conn.execute(query)]


def decisions_for(*, store: Store, lead_id: str) -> list[RoutingDecision]:
    """The stored decisions for a lead, newest first ("why did I get this lead?")."""
    d, u = t.routing_decision, t.user
    query = (
        sa.select(d, u.c.name.label("assigned_name"))
        .select_from(d.outerjoin(u, u.c.id == d.c.assigned_to))
        .where(d.c.lead_id == lead_id)
        .order_by(d.c.decided_at.desc(), d.c.id.desc())
    )
    with store.begin() as conn:
        lead_row(conn, lead_id)
        return [_stored(row._mapping) for row in conn.execute(query)]


def _stored(row: Any) -> RoutingDecision:
    steps = tuple(
        Step(s["rule"], bool(s["fired"]), s["reason"], s.get("details") or {}) for s in row["rules"]
    )
    return RoutingDecision(
        lead_id=row["lead_id"], decided_at=row["decided_at"], as_of=row["as_of"],
        strategy_version=row["strategy_version"], outcome=row["outcome"],
        assigned_to=row["assigned_to"], territory_id=row["territory_id"], steps=steps,
        id=row["id"], assigned_name=row["assigned_name"],
    )  # fmt: skip


# ------------------------------------------------------------------ one decision


@contextmanager
def _transaction(store: Store, dry_run: bool) -> Iterator[Connection]:
    if not dry_run:
        with store.begin() as conn:
            yield conn
        return
    with store.engine.connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


@contextmanager
def _reuse(conn: Connection) -> Iterator[Connection]:
    yield conn


def _route(
    conn: Connection, store: Store, strategy: Strategy, lead_id: str, as_of: date,
    now: datetime, dry_run: bool, actor: str,
) -> RoutingDecision:  # fmt: skip
    if actor != ACTOR:  # a person: only a lead they may act on
        person = _router(conn, actor)
        require_lead_access(conn, actor=person, lead_id=lead_id, strategy=strategy, as_of=as_of,
                            doing="route")  # fmt: skip
    lead = lead_row(conn, lead_id)
    _check_routable(lead, dry_run)
    version = strategy.version_on(as_of)
    steps: list[Step] = []
    outcome = decide(conn, lead=lead, version=version, as_of=as_of, steps=steps)
    decision = RoutingDecision(
        lead_id=lead_id, decided_at=now, as_of=as_of, strategy_version=version.id,
        outcome=outcome.outcome, assigned_to=outcome.assigned_to,
        territory_id=outcome.territory_id, steps=tuple(steps),
        assigned_name=outcome.assigned_name, dry_run=dry_run,
    )  # fmt: skip
    decision_id = _store(conn, store=store, decision=decision, outcome=outcome, actor=actor)
    return decision if dry_run else replace(decision, id=decision_id)


def _check_routable(lead: dict[str, Any], dry_run: bool) -> None:
    if lead["gate_status"] == t.QUARANTINED:
        raise Conflict(
            f"lead {lead['id']} is quarantined by the intake gate",
            "release it from quarantine before routing it",
        )
    if lead["owner_id"] and not dry_run:
        raise Conflict(
            f"lead {lead['id']} already belongs to {lead['owner_id']}",
            "`onstrategy route explain LEAD_ID` shows why; add --dry-run to see where "
            "routing would send it today",
        )


# ------------------------------------------------------------------ storing


def _store(
    conn: Connection, *, store: Store, decision: RoutingDecision, outcome: Outcome, actor: str
) -> int:
    result = conn.execute(
        t.routing_decision.insert(),
        {
            "lead_id": decision.lead_id, "decided_at": decision.decided_at,
            "as_of": decision.as_of, "strategy_version": decision.strategy_version,
            "outcome": decision.outcome, "assigned_to": decision.assigned_to,
            "territory_id": decision.territory_id,
            "rules": [asdict(s) for s in decision.steps],
        },
    )  # fmt: skip
    decision_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    if outcome.ledger and decision.territory_id:
        save_ledger(conn, territory_id=decision.territory_id, ledger=outcome.ledger,
                    decision_id=decision_id, now=decision.decided_at)  # fmt: skip
    if decision.outcome == "rep":
        assign = t.lead.update().where(t.lead.c.id == decision.lead_id)
        conn.execute(assign.values(owner_id=decision.assigned_to))
    store.audit(
        conn, actor=actor, action="lead.route", entity="lead", entity_id=decision.lead_id,
        details={
            "decision_id": decision_id, "outcome": decision.outcome,
            "assigned_to": decision.assigned_to, "territory": decision.territory_id,
            "strategy_version": decision.strategy_version,
        },
    )  # fmt: skip
    return decision_id
