"""The append-only event log of each exception (mirrored in the audit log) and row reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.engines.exceptions.records import EVENTS, OffProfileException, X
from onstrategy.errors import NotFound
from onstrategy.store.connect import Store


def _event(
    conn: Connection,
    store: Store,
    exception_id: int,
    *,
    actor: str,
    event: str,
    status: str,
    as_of: date,
    now: datetime,
    comment: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    details = _plain(details or {})
    conn.execute(
        EVENTS.insert().values(
            exception_id=exception_id,
            at=now,
            as_of=as_of,
            actor=actor,
            event=event,
            status=status,
            comment=comment,
            details=details,
        )
    )
    store.audit(
        conn,
        actor=actor,
        action=f"exception.{event}",
        entity="off_profile_exception",
        entity_id=str(exception_id),
        details={"status": status, "comment": comment, "as_of": as_of.isoformat(), **details},
    )


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, containers walked."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


def _status_of(conn: Connection, exception_id: int) -> str:
    return str(conn.execute(sa.select(X.c.status).where(X.c.id == exception_id)).scalar())


def _get(conn: Connection, exception_id: int, as_of: date) -> OffProfileException:
    row = conn.execute(sa.select(X).where(X.c.id == exception_id)).first()
    if row is None:
        raise NotFound(f"no exception {exception_id}", "see `onstrategy exceptions list`")
    return OffProfileException.from_row(row, as_of)


def _requested_by(conn: Connection, exception_id: int) -> str | None:
    return conn.execute(
        sa.select(EVENTS.c.actor).where(
            EVENTS.c.exception_id == exception_id, EVENTS.c.event == "requested"
        )
    ).scalar()
