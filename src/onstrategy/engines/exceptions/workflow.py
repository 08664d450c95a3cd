"""The writes: request, decide, renew and expire an exception (each step an event)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.actors import Actor, manages, resolve_actor
from onstrategy.engines.exceptions.events import _event, _get, _requested_by, _status_of
from onstrategy.engines.exceptions.lookups import budget_for, load_subject
from onstrategy.engines.exceptions.records import Budget, OffProfileException, Subject, X
from onstrategy.engines.exceptions.rules import _check_request, _check_subject
from onstrategy.errors import Conflict, Forbidden, InvalidInput
from onstrategy.store.connect import Store
from onstrategy.strategy.model import ReasonCode, Strategy, Version


def _may_act_for(conn: Connection, actor: Actor, rep_id: str | None) -> bool:
    if actor.role in ("executive", "admin") or actor.id == rep_id:
        return True
    return manages(conn, actor, rep_id)


def _live(conn: Connection, kind: str, subject_id: str, as_of: date, skip: int | None) -> Any:
    live = sa.or_(
        X.c.status == "pending", sa.and_(X.c.status == "approved", X.c.expires_on > as_of)
    )
    query = sa.select(X).where(X.c.subject_kind == kind, X.c.subject_id == subject_id, live)
    if skip is not None:
        query = query.where(X.c.id != skip)
    return conn.execute(query).mappings().first()


def request_exception(
    *,
    store: Store,
    strategy: Strategy,
    subject_kind: str,
    subject_id: str,
    rep: str,
    reason_code: str,
    rationale: str,
    expected_value: float | None,
    days: int,
    as_of: date,
    now: datetime,
    renews_id: int | None = None,
) -> OffProfileException:
    """File a request; ``rep`` is who asks (the owner, their manager, or an executive)."""
    version = strategy.version_on(as_of)
    subject = load_subject(store, version, subject_kind, subject_id, as_of=as_of)
    value = expected_value if expected_value is not None else subject.value
    reason = _check_request(
        version, reason_code=reason_code, rationale=rationale, days=days, expected_value=value
    )
    _check_subject(subject, version)
    expire_exceptions(store=store, as_of=as_of, now=now)
    budget = budget_for(store, version, subject, float(value or 0.0), as_of)
    with store.begin() as conn:
        actor = resolve_actor(conn, rep)
        if not _may_act_for(conn, actor, subject.owner_id):
            raise Forbidden(
                f"{actor.name} may not ask for an exception on {subject.kind} "
                f"{subject.id}, owned by {subject.owner_id or 'nobody'}",
                "a rep asks for their own book; a manager for their team",
            )
        _refuse_duplicate(conn, subject, as_of, renews_id)
        new_id = _insert(
            conn, subject, reason, rationale, value, days, version, budget, now, renews_id
        )
        details = {
            "version": version.id,
            "why_off_profile": subject.why_off(),
            "budget": budget.as_dict(),
            "renews_id": renews_id,
        }
        _event(
            conn,
            store,
            new_id,
            actor=actor.id,
            event="requested",
            status="pending",
            as_of=as_of,
            now=now,
            comment=rationale,
            details=details,
        )
        if renews_id is not None:
            _event(
                conn,
                store,
                renews_id,
                actor=actor.id,
                event="renewal_requested",
                status=_status_of(conn, renews_id),
                as_of=as_of,
                now=now,
                details={"renewal_id": new_id},
            )
        return _get(conn, new_id, as_of)


def _refuse_duplicate(conn: Connection, subject: Subject, as_of: date, skip: int | None) -> None:
    live = _live(conn, subject.kind, subject.id, as_of, skip)
    if live is not None:
        raise Conflict(
            f"{subject.kind} {subject.id} already has exception {live['id']} ({live['status']})",
            f"see `onstrategy exceptions history {live['id']}`; renew it when it ends",
        )


def _insert(
    conn: Connection,
    subject: Subject,
    reason: ReasonCode,
    rationale: str,
    value: float | None,
    days: int,
    version: Version,
    budget: Budget,
    now: datetime,
    renews_id: int | None,
) -> int:
    result = conn.execute(
        X.insert().values(
            subject_kind=subject.kind,
            subject_id=subject.id,
            rep_id=subject.owner_id or "",
            reason_code=reason.code,
            rationale=" ".join(rationale.split()),
            expected_value=value,
            requested_days=days,
            requested_at=now,
            strategy_version=version.id,
            needs_escalation=budget.exceeded,
            status="pending",
            renews_id=renews_id,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def decide_exception(
    *,
    store: Store,
    strategy: Strategy,
    exception_id: int,
    approve: bool,
    decider: str,
    comment: str,
    as_of: date,
    now: datetime,
) -> OffProfileException:
    """Approve or reject a pending request; a decision is final."""
    if not (comment or "").strip():
        raise InvalidInput("a decision needs a comment", "say why, for the rep and the record")
    expire_exceptions(store=store, as_of=as_of, now=now)
    with store.begin() as conn:
        current = _get(conn, exception_id, as_of)
        actor = resolve_actor(conn, decider)
    _refuse_decided(current)
    version = strategy.version_on(as_of)
    subject = load_subject(store, version, current.subject_kind, current.subject_id, as_of=as_of)
    budget = budget_for(store, version, subject, float(current.expected_value or 0), as_of)
    escalate = current.needs_escalation or budget.exceeded
    with store.begin() as conn:
        _authorise(conn, actor, current, approve=approve, escalate=escalate, version=version)
        status = "approved" if approve else "rejected"
        values: dict[str, Any] = {
            "status": status,
            "decided_by": actor.id,
            "decided_at": now,
            "decision_comment": comment.strip(),
        }
        if approve:
            start = _start_of(conn, current, as_of)
            values |= {
                "starts_on": start,
                "expires_on": start + timedelta(days=current.requested_days),
            }
        done = conn.execute(
            X.update().where(X.c.id == exception_id, X.c.status == "pending").values(**values)
        )
        if done.rowcount != 1:
            raise Conflict(f"exception {exception_id} was decided meanwhile", "reload it")
        _event(
            conn,
            store,
            exception_id,
            actor=actor.id,
            event=status,
            status=status,
            as_of=as_of,
            now=now,
            comment=comment.strip(),
            details={
                "version": version.id,
                "budget": budget.as_dict(),
                "escalated": escalate,
                "expires_on": values.get("expires_on"),
            },
        )
        return _get(conn, exception_id, as_of)


def _start_of(conn: Connection, current: OffProfileException, as_of: date) -> date:
    """A renewal approved while the old approval still runs starts when that one ends."""
    if current.renews_id is None:
        return as_of
    old = _get(conn, current.renews_id, as_of)
    running = old.status == "approved" and old.expires_on is not None
    return max(as_of, old.expires_on) if running and old.expires_on else as_of


def _refuse_decided(current: OffProfileException) -> None:
    if current.stored_status != "pending":
        when = current.decided_at.date().isoformat() if current.decided_at else "earlier"
        raise Conflict(
            f"exception {current.id} is already {current.stored_status} "
            f"(by {current.decided_by or 'the system'}, {when}); a decision is final",
            "ask for a renewal or a new exception instead",
        )


def _authorise(
    conn: Connection,
    actor: Actor,
    current: OffProfileException,
    *,
    approve: bool,
    escalate: bool,
    version: Version,
) -> None:
    higher = version.exceptions.escalate_to
    if actor.id == current.rep_id or _requested_by(conn, current.id) == actor.id:
        raise Forbidden(
            f"{actor.name} asked for exception {current.id} and cannot decide it",
            "the rep's manager decides",
        )
    is_manager = manages(conn, actor, current.rep_id)
    if not (is_manager or actor.role in ("executive", "admin")):
        raise Forbidden(
            f"{actor.name} is not the manager of {current.rep_id}'s team",
            "the rep's team manager decides (or an executive)",
        )
    if approve and escalate and actor.role != higher:
        raise Forbidden(
            f"exception {current.id} needs escalation: approving it would take the rep above "
            f"the exception budget of {version.goals.exception_budget:.0%}",
            f"a user with role {higher} must approve it (a manager may still reject it)",
        )


def renew_exception(
    *,
    store: Store,
    strategy: Strategy,
    exception_id: int,
    actor: str,
    days: int,
    rationale: str,
    as_of: date,
    now: datetime,
    expected_value: float | None = None,
) -> OffProfileException:
    """A new request for the same subject and reason, pointing at the approval it renews."""
    with store.begin() as conn:
        old = _get(conn, exception_id, as_of)
    if old.stored_status not in ("approved", "expired"):
        raise Conflict(
            f"exception {old.id} is {old.stored_status}; only an approved or "
            "expired exception can be renewed",
            "ask for a new exception instead",
        )
    return request_exception(
        store=store,
        strategy=strategy,
        subject_kind=old.subject_kind,
        subject_id=old.subject_id,
        rep=actor,
        reason_code=old.reason_code,
        rationale=rationale,
        days=days,
        as_of=as_of,
        now=now,
        renews_id=old.id,
        expected_value=expected_value if expected_value is not None else old.expected_value,
    )


def expire_exceptions(
    *, store: Store, as_of: date, now: datetime, actor: str = "onstrategy"
) -> list[OffProfileException]:
    """Mark approvals whose duration has ended as expired (each with its event)."""
    with store.begin() as conn:
        rows = conn.execute(
            sa.select(X).where(X.c.status == "approved", X.c.expires_on <= as_of)
        ).all()
        for row in rows:
            conn.execute(
                X.update()
                .where(X.c.id == row.id, X.c.status == "approved")
                .values(status="expired")
            )
            _event(
                conn,
                store,
                row.id,
                actor=actor,
                event="expired",
                status="expired",
                as_of=as_of,
                now=now,
                details={"expires_on": row.expires_on},
            )
        return [
            replace(OffProfileException.from_row(r, as_of), stored_status="expired") for r in rows
        ]
