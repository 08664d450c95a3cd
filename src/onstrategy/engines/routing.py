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
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.lead_lists import lists_of_lead
from onstrategy.engines.fit import AccountFit, record_fit
from onstrategy.engines.round_robin import (
    CLOSED_LEAD_STATUSES,
    pick_rep,
    rep_statuses,
    save_ledger,
)
from onstrategy.engines.territories import TerritoryRecord, assign_territory
from onstrategy.errors import Conflict, Forbidden, NotFound
from onstrategy.store import tables as t
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy, Version

__all__ = [
    "CLOSED_LEAD_STATUSES", "RoutingDecision", "Step", "authorize_router", "decisions_for",
    "route_lead", "route_unassigned", "unassigned_lead_ids",
]  # fmt: skip
ACTOR = "routing"

_LEAD = sa.select(t.lead).where(t.lead.c.id == sa.bindparam("id"))
_ACCOUNT = sa.select(t.account).where(t.account.c.id == sa.bindparam("id"))
_EXC = t.off_profile_exception
_EXCEPTION = (
    sa.select(_EXC.c.id, _EXC.c.reason_code, _EXC.c.decided_by, _EXC.c.expires_on)
    .where(
        _EXC.c.subject_kind == "lead",
        _EXC.c.subject_id == sa.bindparam("id"),
        _EXC.c.status == "approved",
        _EXC.c.expires_on > sa.bindparam("day", type_=sa.Date),  # the first day not covered
        sa.or_(_EXC.c.starts_on.is_(None), _EXC.c.starts_on <= sa.bindparam("day")),
    )
    .order_by(_EXC.c.expires_on.desc(), _EXC.c.id)
)


@dataclass(frozen=True)
class Step:
    """One routing rule, fired or not, with its reason in words."""

    rule: str
    fired: bool
    reason: str
    details: dict[str, Any] = field(default_factory=dict)


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


@dataclass(frozen=True)
class _Outcome:
    outcome: str
    assigned_to: str
    territory_id: str | None = None
    assigned_name: str | None = None
    ledger: dict[str, tuple[int, float]] | None = None  # round-robin state to store


# ------------------------------------------------------------------ public functions


def route_lead(
    *, store: Store, strategy: Strategy, lead_id: str, as_of: date, now: datetime,
    dry_run: bool = False, actor: str = ACTOR,
) -> RoutingDecision:  # fmt: skip
    """Decide who gets ``lead_id`` on ``as_of``; store it (unless ``dry_run``) and return it."""
    with _transaction(store, dry_run) as conn:
        return _route(conn, store, strategy, lead_id, as_of, now, dry_run, actor)


def route_unassigned(
    *, store: Store, strategy: Strategy, as_of: date, now: datetime, dry_run: bool = False,
    include_queued: bool = False, actor: str = ACTOR,
    progress: Callable[[int, int], None] | None = None,
) -> list[RoutingDecision]:  # fmt: skip
    """Route every active lead without an owner, oldest first, each in its own transaction.

    Leads already waiting in a queue (a stored decision) are left alone unless
    ``include_queued``; a lead someone assigned meanwhile is skipped. A dry run routes them
    all in one transaction and rolls it back.
    """
    ids = unassigned_lead_ids(store=store, include_queued=include_queued)
    decisions: list[RoutingDecision] = []
    with _transaction(store, True) if dry_run else _nothing() as shared:
        for done, lead_id in enumerate(ids, start=1):
            # a lead taken, quarantined or removed since the list was read is skipped
            own = _reuse(shared) if shared else _transaction(store, False)
            with suppress(Conflict, NotFound), own as conn:
                decisions.append(_route(conn, store, strategy, lead_id, as_of, now, dry_run, actor))
            if progress:
                progress(done, len(ids))
    return decisions


def authorize_router(*, store: Store, who: str) -> str:
    """The user id of ``who`` (id or email) if they may route leads: a manager, an executive
    or an admin. Reps may not hand leads out (their own included)."""
    from onstrategy.engines.exceptions import resolve_actor

    with store.begin() as conn:
        actor = resolve_actor(conn, who)
    if actor.role not in ("manager", "executive", "admin"):
        raise Forbidden(
            f"{actor.name} is a {actor.role}; only managers, executives and admins route leads",
            "ask your manager or the RevOps admin to route it",
        )
    return str(actor.id)


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
        _lead(conn, lead_id)
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
    lead = _lead(conn, lead_id)
    _check_routable(lead, dry_run)
    version = strategy.version_on(as_of)
    steps: list[Step] = []
    outcome = _decide(conn, lead=lead, version=version, as_of=as_of, steps=steps)
    decision = RoutingDecision(
        lead_id=lead_id, decided_at=now, as_of=as_of, strategy_version=version.id,
        outcome=outcome.outcome, assigned_to=outcome.assigned_to,
        territory_id=outcome.territory_id, steps=tuple(steps),
        assigned_name=outcome.assigned_name, dry_run=dry_run,
    )  # fmt: skip
    decision_id = _store(conn, store=store, decision=decision, outcome=outcome, actor=actor)
    return decision if dry_run else replace(decision, id=decision_id)


def _lead(conn: Connection, lead_id: str) -> dict[str, Any]:
    row = conn.execute(_LEAD, {"id": lead_id}).first()
    if row is None:
        raise NotFound(f"no lead {lead_id!r}", "check the id with your CRM export (Lead ID)")
    return dict(row._mapping)


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


def _decide(
    conn: Connection, *, lead: dict[str, Any], version: Version, as_of: date, steps: list[Step]
) -> _Outcome:
    account_id = lead.get("account_id")
    row = conn.execute(_ACCOUNT, {"id": account_id}).first() if account_id else None
    account = dict(row._mapping) if row else None
    owner = _account_owner_step(conn, account=account, as_of=as_of, steps=steps)
    if owner:
        return owner
    lists = lists_of_lead(conn, lead_id=lead["id"], account_id=account_id)
    fit = record_fit(account or lead, key=account_id or lead["id"], lists=lists, version=version)
    queue = version.routing.nurture_queue
    queued = _profile_step(conn, lead=lead, fit=fit, judged=account, queue=queue, as_of=as_of,
                           steps=steps)  # fmt: skip
    if queued:
        return queued
    return _territory_step(conn, lead=lead, lists=lists, version=version, as_of=as_of,
                           steps=steps)  # fmt: skip


# ------------------------------------------------------------------ step 1: account owner


def _account_owner_step(
    conn: Connection, *, account: dict[str, Any] | None, as_of: date, steps: list[Step]
) -> _Outcome | None:
    if account is None:
        steps.append(Step("account_owner", False, "the lead is not matched to an account"))
        return None
    name, owner_id = account.get("name") or account["id"], account.get("owner_id")
    details = {"account_id": account["id"], "owner_id": owner_id}
    if not owner_id:
        steps.append(Step("account_owner", False, f"matched account {name} has no owner"))
        return None
    status = rep_statuses(conn, [owner_id], as_of)[owner_id]
    if not status.active:
        why = f"matched account {name} belongs to {status.label}, who is {status.why}"
        steps.append(Step("account_owner", False, f"{why} on {as_of.isoformat()}", details))
        return None
    away = f" (out of office until {status.back}; the account stays with its owner)" \
        if status.out_of_office else ""  # fmt: skip
    reason = f"the lead matches account {name}, owned by {status.label}{away}"
    steps.append(Step("account_owner", True, reason, details))
    return _Outcome("rep", owner_id, assigned_name=status.name)


# ------------------------------------------------------------------ step 2: profile


def _profile_step(
    conn: Connection, *, lead: dict[str, Any], fit: AccountFit, judged: dict[str, Any] | None,
    queue: str, as_of: date, steps: list[Step],
) -> _Outcome | None:  # fmt: skip
    """None when the lead may go on to its territory; a nurture outcome otherwise."""
    whose = f"matched account {judged.get('name')}" if judged else "the lead"
    details = {
        "score": fit.score, "tier": fit.tier, "segment": fit.segment,
        "judged": "account" if judged else "lead", "reasons": [r.text for r in fit.reasons],
    }  # fmt: skip
    words = f"{whose} scores {fit.score:g} (tier {fit.tier}, best segment {fit.segment})"
    verdict = f"{words}: {'in' if fit.in_profile else 'off'} profile"
    steps.append(Step("off_profile", not fit.in_profile, verdict, details))
    if fit.in_profile:
        return None
    exception = conn.execute(_EXCEPTION, {"id": lead["id"], "day": as_of}).first()
    if exception is None:
        steps.append(Step("exception", False, "no approved, unexpired off-profile exception"))
        steps.append(Step("nurture", True, f"off-profile leads wait in the {queue} queue"))
        return _Outcome("queue", queue)
    reason = (
        f"off-profile exception #{exception.id} ({exception.reason_code}) approved by "
        f"{exception.decided_by}, valid until {exception.expires_on.isoformat()}"
    )
    steps.append(Step("exception", True, reason, {"exception_id": exception.id}))
    return None


# ------------------------------------------------------------------ step 3: territory


def _territory_step(
    conn: Connection, *, lead: dict[str, Any], lists: frozenset[str], version: Version,
    as_of: date, steps: list[Step],
) -> _Outcome:  # fmt: skip
    record = TerritoryRecord.from_row(lead, account_id=lead.get("account_id"), named_lists=lists)
    match = assign_territory(record=record, version=version)
    if match.territory_id is None:
        steps.append(Step("territory", False, "no territory's rules cover the lead"))
        return _fallback(version, steps, "no territory covers the lead")
    rivals = ", ".join(f"{b.territory_id} (lost on {b.beaten_by})" for b in match.beaten)
    reason = f"territory {match.name} ({match.level}): {'; '.join(match.reasons)}"
    details = {"territory_id": match.territory_id, "level": match.level,
               "beaten": [asdict(b) for b in match.beaten]}  # fmt: skip
    steps.append(Step("territory", True, reason + (f"; beat {rivals}" if rivals else ""), details))
    territory = next(x for x in version.territories if x.id == match.territory_id)
    pick = pick_rep(conn, version=version, territory=territory, as_of=as_of)
    steps.append(Step("round_robin", pick.rep_id is not None, pick.reason,
                      {"candidates": pick.candidates}))  # fmt: skip
    if pick.rep_id is None:
        return _fallback(version, steps, f"no rep in {territory.name} is free", territory.id)
    return _Outcome("rep", pick.rep_id, territory.id, pick.rep_name, pick.ledger)


def _fallback(
    version: Version, steps: list[Step], why: str, territory_id: str | None = None
) -> _Outcome:
    queue = version.routing.fallback_queue
    steps.append(Step("fallback", True, f"{why}: the lead waits in the {queue} queue"))
    return _Outcome("queue", queue, territory_id)


# ------------------------------------------------------------------ storing


def _store(
    conn: Connection, *, store: Store, decision: RoutingDecision, outcome: _Outcome, actor: str
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
