"""The record every import leaves: its batch (what was read and what changed) and the rows it
rejected, each with its reason. CSV imports, named lists and call transcripts all use it, so
``onstrategy import batches`` and ``onstrategy import rejects`` show every kind of import."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from onstrategy.store import tables


@dataclass(frozen=True)
class BatchCounts:
    read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int


def start_batch(
    conn: Connection, *, kind: str, filename: str, sha256: str, mapping: str, actor: str
) -> int:
    """A new batch in status ``running``; returns its id."""
    inserted = conn.execute(
        tables.import_batch.insert().values(
            kind=kind, filename=filename[:500], sha256=sha256, started_at=datetime.now(UTC),
            status="running", mapping=mapping, actor=actor,
        )
    )  # fmt: skip
    key = inserted.inserted_primary_key
    assert key is not None  # an autoincrement id always comes back
    return int(key[0])


def finish_batch(conn: Connection, *, batch_id: int, counts: BatchCounts) -> None:
    conn.execute(
        tables.import_batch.update()
        .where(tables.import_batch.c.id == batch_id)
        .values(
            finished_at=datetime.now(UTC), status="done", rows_read=counts.read,
            rows_inserted=counts.inserted, rows_updated=counts.updated,
            rows_unchanged=counts.unchanged, rows_rejected=counts.rejected,
        )
    )  # fmt: skip


def store_rejects(
    conn: Connection,
    *,
    batch_id: int,
    kind: str,
    filename: str,
    rejects: Iterable[dict[str, Any]],
) -> None:
    """Keep rejected rows; each needs ``row_number`` and ``reason`` (``column``, ``value``,
    ``raw`` when known)."""
    rows = [
        {"batch_id": batch_id, "kind": kind, "filename": filename[:500], "column": None,
         "value": None, "raw": None, **reject}
        for reject in rejects
    ]  # fmt: skip
    if rows:
        conn.execute(tables.import_reject.insert(), rows)
