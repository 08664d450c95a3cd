"""The strategy the server judges by, and strategy uploads (admins; audit-logged).

The server reads the strategy file it was started with (``--strategy`` /
``ONSTRATEGY_STRATEGY_FILE``); without one, it uses the latest uploaded document. An
upload is validated like ``onstrategy strategy check`` (every problem at once) and kept:
documents are never changed or deleted, so any earlier version can be looked up.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from onstrategy.api.params import Period, presets
from onstrategy.errors import Conflict, InvalidInput
from onstrategy.store import tables
from onstrategy.strategy.load import parse_strategy
from onstrategy.strategy.model import Strategy
from onstrategy.web.scope import Viewer
from onstrategy.web.state import NoStrategy, WebState

MAX_BYTES = 1_000_000


def _versions(strategy: Strategy) -> list[dict[str, Any]]:
    return [
        {
            "id": v.id,
            "effective_from": v.effective_from,
            "description": v.description,
            "in_profile_tiers": list(v.icp.in_profile),
            "segments": [s.name for s in v.icp.segments],
            "goals": v.goals.model_dump(mode="json"),
            "offerings": [o.name for o in v.offerings],
        }
        for v in strategy.versions
    ]


def uploads(state: WebState, limit: int = 20) -> list[dict[str, Any]]:
    doc = tables.strategy_document
    query = (
        sa.select(doc.c.id, doc.c.sha256, doc.c.uploaded_by, doc.c.uploaded_at)
        .order_by(doc.c.id.desc())
        .limit(limit)
    )
    with state.store.begin() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def strategy_page(state: WebState, viewer: Viewer, period: Period) -> dict[str, Any]:
    """The strategy in force: its versions, goals and segments, where it comes from."""
    try:
        strategy: Strategy | None = state.strategy()
    except NoStrategy:
        strategy = None
    file = state.settings.strategy_file
    versions = _versions(strategy) if strategy else []
    return {
        "viewer": viewer.as_dict(),
        "query": period.query(),
        "presets": presets(period.today),
        "strategy": {
            "name": strategy.name if strategy else None,
            "versions": [{"id": v["id"], "effective_from": v["effective_from"]} for v in versions],
        },
        "source": {
            "file": str(file) if file else None,
            "document": None if file else next(iter(uploads(state, 1)), None),
        },
        "versions": versions,
        "uploads": uploads(state),
        "can_upload": viewer.role == "admin",
        "uploads_used": file is None,
    }


def upload(state: WebState, viewer: Viewer, *, content: bytes, filename: str) -> dict[str, Any]:
    """Validate and keep an uploaded strategy file (admins)."""
    viewer.require_role(("admin",), "upload a strategy")
    if len(content) > MAX_BYTES:
        raise InvalidInput("the file is larger than 1 MB", "upload the strategy YAML itself")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{filename} is not UTF-8 text", "save it as UTF-8 YAML") from None
    parsed = parse_strategy(text, source=filename or "upload")
    sha = hashlib.sha256(content).hexdigest()
    doc = tables.strategy_document
    with state.store.begin() as conn:
        earlier = conn.execute(sa.select(doc.c.id).where(doc.c.sha256 == sha)).scalar()
        if earlier is not None:
            raise Conflict(
                f"this file was uploaded already (document {earlier})",
                "change the file, or keep using the one uploaded",
            )
        inserted = conn.execute(
            doc.insert().values(
                sha256=sha, content=text, uploaded_by=viewer.id, uploaded_at=datetime.now(UTC)
            )
        )
        new_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
        state.store.audit(
            conn,
            actor=viewer.id,
            action="strategy.upload",
            entity="strategy_document",
            entity_id=str(new_id),
            details={
                "filename": filename,
                "sha256": sha,
                "versions": [v.id for v in parsed.versions],
            },
        )
    return {
        "id": new_id,
        "sha256": sha,
        "versions": [v.id for v in parsed.versions],
        "in_use": state.settings.strategy_file is None,
    }
