"""Quarantined records: list them with their reasons, and an admin's release.

The intake gate (:mod:`onstrategy.engines.gate`) quarantines prospects outside the target
market; they stay stored, visible and searchable here. An admin releases one with a reason
(status ``released``, audit-logged); the gate never quarantines a released record again
unless a re-import changes what the ICP reads of it (see the gate's docstring).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.lead_matching import require_role
from onstrategy.errors import Conflict, InvalidInput, NotFound
from onstrategy.store import tables
from onstrategy.store.connect import Store

KINDS: dict[str, sa.Table] = {"leads": tables.lead, "accounts": tables.account}


def release(
    *, store: Store, kind: str, record_id: str, actor: str, reason: str, now: datetime
) -> dict[str, Any]:
    """An admin lets a quarantined record in; audit-logged. The gate leaves it released
    unless a re-import changes what the ICP reads of it."""
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}", "one of: leads, accounts")
    if len(reason.split()) < 3:
        raise InvalidInput("say why the record is released", "--reason needs a few words")
    table = KINDS[kind]
    with store.begin() as conn:
        admin = require_role(conn, actor, ("admin",), "release quarantined records")
        row = _record(conn, table, kind, record_id)
        if row["gate_status"] != "quarantined":
            raise Conflict(
                f"{kind[:-1]} {record_id} is {row['gate_status']}, not quarantined",
                "only quarantined records can be released",
            )
        reasons = dict(row["gate_reasons"] or {})
        reasons["release"] = {"by": admin.id, "at": now.isoformat(), "reason": reason}
        conn.execute(
            table.update()
            .where(table.c.id == record_id)
            .values(gate_status="released", gate_reasons=reasons)
        )
        store.audit(
            conn,
            actor=admin.id,
            action="gate.release",
            entity=kind,
            entity_id=record_id,
            details={"reason": reason, "was": row["gate_reasons"]},
        )
    return {"kind": kind, "id": record_id, "gate_status": "released", "gate_reasons": reasons}


def _record(conn: Connection, table: sa.Table, kind: str, record_id: str) -> dict[str, Any]:
    row = conn.execute(sa.select(table).where(table.c.id == record_id)).mappings().first()
    if row is None:
        raise NotFound(f"no {kind[:-1]} {record_id!r}", "check the id with `onstrategy gate list`")
    return dict(row)


_SEARCHED = {
    "leads": ("first_name", "last_name", "email", "company", "domain", "city"),
    "accounts": ("name", "domain", "website", "city"),
}


def list_gated(
    *,
    store: Store,
    kind: str = "leads",
    status: str = "quarantined",
    source: str | None = None,
    search: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Records by gate status (quarantined by default), with their reasons; newest first."""
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}", "one of: leads, accounts")
    table = KINDS[kind]
    query = sa.select(table).order_by(table.c.created_on.desc(), table.c.id)
    if status != "all":
        query = query.where(table.c.gate_status == status)
    if source:
        query = query.where(sa.func.lower(table.c.source) == source.strip().lower())
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(
            sa.or_(*(sa.func.lower(table.c[c]).like(like) for c in _SEARCHED[kind]))
        )
    if limit:
        query = query.limit(limit)
    with store.begin() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
