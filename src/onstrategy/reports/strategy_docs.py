"""The strategy as leaders read it, and the strategy documents uploaded.

One description of a version — its profile in words, goals, offerings with who approves
them, territories with their reps, costs — for ``onstrategy strategy show`` (one version,
the one in force on ``--as-of``) and the web's Strategy page and its JSON twin (every
version, the one in force on the period's last day marked). Uploaded documents are kept
for good (:mod:`onstrategy.strategy.documents`); the newest is the one the server judges by
when it was started without a strategy file.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from onstrategy.errors import InvalidInput
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Segment, Strategy, Version

UPLOADS_SHOWN = 20


def segment_rule(segment: Segment) -> str:
    """A segment's criteria in words: "industry A/B, employees ≥ 500, in US"."""
    parts = []
    if segment.industries:
        parts.append("industry " + "/".join(segment.industries))
    if segment.employees:
        parts.append(f"employees {segment.employees.describe()}")
    if segment.annual_revenue:
        parts.append(f"revenue {segment.annual_revenue.describe()}")
    if segment.countries or segment.states:
        parts.append("in " + "/".join(segment.states or segment.countries))
    if segment.named_lists:
        parts.append("on list " + "/".join(segment.named_lists))
    return ", ".join(parts)


def version_summary(version: Version) -> dict[str, Any]:
    """One version as plain data (``segments`` and ``offerings`` are names; the ``*_rules``,
    ``approvers`` and ``territories`` say what each one means)."""
    return {
        "id": version.id,
        "effective_from": version.effective_from,
        "description": version.description,
        "in_profile_tiers": list(version.icp.in_profile),
        "segments": [s.name for s in version.icp.segments],
        "segment_rules": [{"name": s.name, "rule": segment_rule(s)} for s in version.icp.segments],
        "goals": version.goals.model_dump(mode="json"),
        "offerings": [o.name for o in version.offerings],
        "approvers": [
            {"offering": o.id, "name": o.name, "products": list(o.products),
             "approved_by": [p.describe() for p in o.approvers]}
            for o in version.offerings
        ],
        "territories": [
            {"id": t.id, "name": t.name, "reps": [{"rep": c.rep, "capacity": c.capacity}
                                                  for c in t.reps]}
            for t in version.territories
        ],
        "costs": version.costs.model_dump(mode="json"),
    }  # fmt: skip


def strategy_summary(*, strategy: Strategy, as_of: date) -> dict[str, Any]:
    """Every version, oldest first, and the id of the one in force on ``as_of`` (None
    before the first starts)."""
    try:
        in_force: str | None = strategy.version_on(as_of).id
    except InvalidInput:
        in_force = None
    return {
        "name": strategy.name,
        "currency": strategy.currency,
        "in_force": in_force,
        "versions": [version_summary(v) for v in strategy.versions],
    }


def uploads(*, store: Store, limit: int = UPLOADS_SHOWN) -> list[dict[str, Any]]:
    """The newest uploaded strategy documents (id, SHA-256, who, when), newest first."""
    doc = tables.strategy_document
    query = (
        sa.select(doc.c.id, doc.c.sha256, doc.c.uploaded_by, doc.c.uploaded_at)
        .order_by(doc.c.id.desc())
        .limit(limit)
    )
    with store.begin() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
