"""Strategy documents: strategy files uploaded to the store, kept for good.

An upload is validated like ``onstrategy strategy check`` (every problem at once), refused
when the same file was uploaded before, and kept with who uploaded it and when; documents
are never changed or deleted, so any earlier version can be looked up. Each upload is
audit-logged. The newest document is the strategy a server started without a strategy
file judges by.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from onstrategy.errors import Conflict, InvalidInput
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy

MAX_BYTES = 1_000_000


def keep_document(
    *, store: Store, content: bytes, filename: str, actor: str, now: datetime
) -> dict[str, Any]:
    """Validate ``content`` and keep it: its new ``id``, ``sha256`` and ``versions``."""
    text = _text(content, filename)
    parsed = parse_strategy(text, source=filename or "upload")
    sha = hashlib.sha256(content).hexdigest()
    versions = [v.id for v in parsed.versions]
    doc = tables.strategy_document
    with store.begin() as conn:
        earlier = conn.execute(sa.select(doc.c.id).where(doc.c.sha256 == sha)).scalar()
        if earlier is not None:
            raise Conflict(
                f"this file was uploaded already (document {earlier})",
                "change the file, or keep using the one uploaded",
            )
        values = {"sha256": sha, "content": text, "uploaded_by": actor, "uploaded_at": now}
        inserted = conn.execute(doc.insert().values(**values))
        new_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
        details = {"filename": filename, "sha256": sha, "versions": versions}
        store.audit(
            conn,
            actor=actor,
            action="strategy.upload",
            entity="strategy_document",
            entity_id=str(new_id),
            details=details,
        )
    return {"id": new_id, "sha256": sha, "versions": versions}


def latest_document(store: Store) -> tuple[int, str] | None:
    """The newest uploaded strategy file: its id and text (None before any upload)."""
    doc = tables.strategy_document
    query = sa.select(doc.c.id, doc.c.content).order_by(doc.c.id.desc()).limit(1)
    with store.begin() as conn:
        row = conn.execute(query).first()
    return None if row is None else (int(row.id), str(row.content))


def _text(content: bytes, filename: str) -> str:
    if len(content) > MAX_BYTES:
        raise InvalidInput("the file is larger than 1 MB", "upload the strategy YAML itself")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{filename} is not UTF-8 text", "save it as UTF-8 YAML") from None
