"""`onstrategy import KIND FILE`: load a CRM export without losing anything.

- One transaction per file: a file that cannot be read changes nothing.
- Idempotent: records are upserted on the CRM's id; re-importing the same file changes
  nothing, a changed row updates its record, columns the file does not have are left alone.
  A record remembers the import that created it (``import_batch_id``) and the last one that
  inserted or changed it (``last_batch_id``), which the steps run after an import work on.
- Bad rows (missing required field, unparseable value, unknown reference) are rejected with
  file, row, column and reason, kept in ``import_reject``, and never stop the good rows;
  the checks themselves live in :mod:`ingest.checks`.
- Streams in chunks, so memory stays flat however large the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from onstrategy.errors import InvalidInput
from onstrategy.ingest.batches import BatchCounts, finish_batch, start_batch, store_rejects
from onstrategy.ingest.checks import (
    Reject,
    Row,
    UserLookup,
    check_lengths,
    check_references,
    check_unique,
    key_of,
    parse_row,
)
from onstrategy.ingest.fields import KINDS, KindSpec
from onstrategy.ingest.mapping import ColumnMap, resolve_columns
from onstrategy.ingest.reader import open_csv
from onstrategy.store import tables
from onstrategy.store.connect import Store

CHUNK_ROWS = 2000
Progress = Callable[[int, int], None]
Enricher = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class AfterImport:
    """What a step that runs after an import has committed gets to know."""

    store: Store
    kind: str
    batch_id: int  # records it created or changed carry it in ``last_batch_id``
    strategy: Any  # the Strategy, or None when the user gave none
    as_of: date
    actor: str


AfterImportHook = Callable[[AfterImport], list[str]]  # returns notes for the user

# Functions that derive stored columns from imported ones (domain from website, title
# seniority...), and steps that run after an import commits (lead matching, the intake
# gate). Registered by the crm and engines modules, so this file knows no business rules.
ENRICHERS: dict[str, list[Enricher]] = {}
AFTER_IMPORT: dict[str, list[AfterImportHook]] = {}


def register_enricher(kind: str, enricher: Enricher) -> None:
    ENRICHERS.setdefault(kind, []).append(enricher)


def register_after_import(kind: str, hook: AfterImportHook) -> None:
    if hook not in AFTER_IMPORT.setdefault(kind, []):
        AFTER_IMPORT[kind].append(hook)


@dataclass
class ImportResult:
    batch_id: int
    kind: str
    filename: str
    mapping: str
    encoding: str
    delimiter: str
    notes: list[str] = field(default_factory=list)  # from the steps run after the import
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)  # the first few, for display
    access_changes: list[dict[str, Any]] = field(default_factory=list)  # see AUDITED

    @property
    def changed(self) -> int:
        return self.inserted + self.updated

    @property
    def counts(self) -> BatchCounts:
        return BatchCounts(
            self.rows_read, self.inserted, self.updated, self.unchanged, self.rejected
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(
    *,
    store: Store,
    kind: str,
    path: Path,
    mapping_file: Path | None = None,
    actor: str = "cli",
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    strategy: Any = None,
    as_of: date | None = None,
) -> ImportResult:
    """Import one CSV export of ``kind`` records; see the module docstring for the rules.

    After the records are committed, the steps registered for ``kind`` run (e.g. matching
    leads to accounts, the intake gate, which needs ``strategy`` and the ``as_of`` date).
    """
    _load_plugins()
    if kind not in KINDS:
        raise InvalidInput(f"unknown record kind {kind!r}", f"one of: {', '.join(KINDS)}")
    with path.open("rb") as handle:
        stream = open_csv(path, handle)
        columns = resolve_columns(
            kind=kind, header=stream.header, source=str(path), mapping_file=mapping_file
        )
        result = ImportResult(
            0, kind, str(path), columns.source, stream.format.encoding, stream.format.delimiter
        )
        with store.begin() as conn:
            result.batch_id = start_batch(
                conn,
                kind=kind,
                filename=str(path),
                sha256=_sha256(path),
                mapping=columns.source,
                actor=actor,
            )
            owners = UserLookup(conn)
            for chunk in _chunks(stream.rows, chunk_rows):
                _import_chunk(conn, columns, stream.header, chunk, owners, result)
                if progress:
                    progress(stream.counter.bytes_read, stream.format.size)
            finish_batch(conn, batch_id=result.batch_id, counts=result.counts)
            store.audit(
                conn,
                actor=actor,
                action="import",
                entity=kind,
                entity_id=str(result.batch_id),
                details=_summary(result),
            )
            _audit_access_changes(store, conn, result, actor)
    _refresh_statistics(store, columns.kind.table)
    context = AfterImport(store, kind, result.batch_id, strategy, as_of or date.today(), actor)
    for hook in AFTER_IMPORT.get(kind, []):
        result.notes += hook(context)
    return result


def _refresh_statistics(store: Store, table: str) -> None:
    """After a bulk load PostgreSQL's planner must see the new row counts, or it picks plans
    (nested loops over "empty" tables) that make reports run for minutes."""
    if store.dialect == "postgresql":
        with store.begin() as conn:
            conn.execute(sa.text(f'ANALYZE "{table}"'))


def _load_plugins() -> None:
    """Import the modules that register enrichers and after-import steps."""
    import importlib

    for module in PLUGINS:
        importlib.import_module(module)


PLUGINS = [
    "onstrategy.crm.enrich",
    "onstrategy.crm.lists",  # re-match named lists after an accounts import
    "onstrategy.crm.lead_matching",  # leads: match to accounts (before the gate)
    "onstrategy.engines.gate",  # leads: the intake gate (after matching)
    "onstrategy.crm.account_import",  # accounts: reach the leads (after the lists' hook)
]


def _summary(result: ImportResult) -> dict[str, Any]:
    return {
        "file": result.filename,
        "read": result.rows_read,
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
    }


def _chunks(
    rows: Iterator[tuple[int, list[str]]], size: int
) -> Iterator[list[tuple[int, list[str]]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


# ----------------------------------------------------------------------------- a chunk


def _import_chunk(
    conn: Connection,
    columns: ColumnMap,
    header: list[str],
    chunk: list[tuple[int, list[str]]],
    owners: UserLookup,
    result: ImportResult,
) -> None:
    rows: list[Row] = []
    rejects: list[tuple[Reject, dict[str, str]]] = []
    for number, cells in chunk:
        row, problems = parse_row(
            columns=columns, header=header, number=number, cells=cells, owners=owners
        )
        raw = dict(zip(header, cells, strict=False))
        rejects += [(p, raw) for p in problems]
        if row is not None:
            rows.append(row)
    for enrich in ENRICHERS.get(columns.kind.kind, []):
        for row in rows:
            enrich(row.record)
    rows, long_rejects = check_lengths(columns=columns, header=header, rows=rows)
    rows, ref_rejects = check_references(conn=conn, spec=columns.kind, rows=rows)
    rows, unique_rejects = check_unique(conn=conn, spec=columns.kind, rows=rows)
    rejects += long_rejects + ref_rejects + unique_rejects
    result.access_changes += _access_changes(conn, columns.kind, rows)
    _upsert(conn, columns.kind, rows, result)
    _store_rejects(conn, columns.kind.kind, result, rejects)
    result.rows_read += len(chunk)


# Changes that alter what a person may see or do: each lands in the audit log on its own.
AUDITED = {"users": ("role", "active", "team_id")}


def _access_changes(conn: Connection, spec: KindSpec, rows: list[Row]) -> list[dict[str, Any]]:
    """``{id, name, changes: {column: {from, to}}}`` for each stored record whose audited
    columns this chunk changes (as the update will: the last row of a key wins)."""
    watched = [c for c in AUDITED.get(spec.kind, ()) if any(c in r.record for r in rows)]
    if not watched:
        return []
    table = tables.metadata.tables[spec.table]
    latest = {key_of(spec, r.record): r.record for r in rows}
    found = []
    for key, before in _existing_rows(conn, table, spec, list(latest)).items():
        changes = _changes(table, before, latest[key])
        moved = {c: {"from": before[c], "to": changes[c]} for c in watched if c in changes}
        if moved:
            found.append({"id": "/".join(map(str, key)), "name": before.get("name"),
                          "changes": moved})  # fmt: skip
    return found


def _audit_access_changes(store: Store, conn: Connection, result: ImportResult, actor: str) -> None:
    source = {"batch_id": result.batch_id, "file": result.filename}
    for change in result.access_changes:
        store.audit(conn, actor=actor, action=f"{result.kind.removesuffix('s')}.update",
                    entity=KINDS[result.kind].table, entity_id=change["id"],
                    details=change | source)  # fmt: skip
    shown = result.access_changes[:10]
    result.notes += [
        f"{c['name'] or c['id']} ({c['id']}): "
        + ", ".join(f"{k} {v['from']} -> {v['to']}" for k, v in c["changes"].items())
        for c in shown
    ]
    if len(result.access_changes) > len(shown):
        more = len(result.access_changes) - len(shown)
        result.notes.append(f"... and {more} more access changes (see the audit log)")


# ----------------------------------------------------------------------------- upsert


def _upsert(conn: Connection, spec: KindSpec, rows: list[Row], result: ImportResult) -> None:
    if not rows:
        return
    table = tables.metadata.tables[spec.table]
    latest = {key_of(spec, r.record): r.record for r in rows}  # the last row of a key wins
    existing = _existing_rows(conn, table, spec, list(latest))
    batch = _batch_columns(table, result.batch_id)
    touched = {k: v for k, v in batch.items() if k == "last_batch_id"}
    inserts, updates = [], []
    for key, record in latest.items():
        before = existing.get(key)
        if before is None:
            inserts.append(record)
            continue
        changes = _changes(table, before, record)
        if changes:
            updates.append({**{k: record[k] for k in spec.key}, **changes, **touched})
        else:
            result.unchanged += 1
    if inserts:
        keys = {k for r in inserts for k in r}  # one INSERT for the chunk needs one shape
        defaults = {k: v for k, v in _scalar_defaults(table).items() if k in keys}
        conn.execute(
            table.insert(),
            [_with_defaults(defaults, dict.fromkeys(keys) | r) | batch for r in inserts],
        )
    for record in updates:
        where = sa.and_(*(table.c[k] == record[k] for k in spec.key))
        conn.execute(table.update().where(where).values(record))
    result.inserted += len(inserts)
    result.updated += len(updates)
    result.unchanged += len(rows) - len(latest)


def _batch_columns(table: sa.Table, batch_id: int) -> dict[str, int]:
    """The batch columns an insert sets: ``import_batch_id`` (created by) and ``last_batch_id``
    (last written by; an update that changes the record sets only this one)."""
    return {name: batch_id for name in ("import_batch_id", "last_batch_id") if name in table.c}


def _changes(table: sa.Table, before: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """What an update really changes. Nothing stored is lost: an empty cell never blanks a
    required column, and columns kept in ``extra`` from earlier exports stay (new cells win)."""
    changes = {}
    for column, value in record.items():
        if column == "extra":
            value = (before.get("extra") or {}) | (value or {}) or None
        elif value is None and not table.c[column].nullable:
            continue
        if _differs(before.get(column), value):
            changes[column] = value
    return changes


def _scalar_defaults(table: sa.Table) -> dict[str, Any]:
    return {
        c.name: c.default.arg for c in table.c if isinstance(c.default, ScalarElementColumnDefault)
    }


def _with_defaults(defaults: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """An empty cell must not override a column default (e.g. ``is_won`` false)."""
    for name, value in defaults.items():
        if record.get(name, value) is None:
            record[name] = value
    return record


def _differs(stored: Any, new: Any) -> bool:
    if isinstance(stored, float) or isinstance(new, float):
        if stored is None or new is None:
            return stored is not new
        return abs(float(stored) - float(new)) > 1e-9
    if isinstance(stored, datetime) and not isinstance(new, datetime):
        return stored.date() != new
    return bool(stored != new)


def _existing_rows(
    conn: Connection, table: sa.Table, spec: KindSpec, keys: list[tuple[Any, ...]]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    key_cols = [table.c[k] for k in spec.key]
    for start in range(0, len(keys), 450):
        part = keys[start : start + 450]
        if len(key_cols) == 1:
            where = key_cols[0].in_([k[0] for k in part])
        else:
            where = sa.tuple_(*key_cols).in_(part)
        for row in conn.execute(sa.select(table).where(where)).mappings():
            found[tuple(row[k] for k in spec.key)] = dict(row)
    return found


def _store_rejects(
    conn: Connection, kind: str, result: ImportResult, rejects: list[tuple[Reject, dict[str, str]]]
) -> None:
    if not rejects:
        return
    store_rejects(conn, batch_id=result.batch_id, kind=kind, filename=result.filename, rejects=[
        {"row_number": r.row_number, "column": r.column, "value": r.value, "reason": r.reason,
         "raw": raw}
        for r, raw in rejects
    ])  # fmt: skip
    result.rejected += len({r.row_number for r, _ in rejects})
    room = 20 - len(result.rejects)
    result.rejects.extend(r for r, _ in rejects[: max(room, 0)])


# ----------------------------------------------------------------------------- reading back


def list_rejects(
    *, store: Store, batch_id: int | None = None, kind: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Rejected rows with their reason; by default those of each file's latest import."""
    reject, batch = tables.import_reject, tables.import_batch
    query = sa.select(reject).order_by(reject.c.batch_id, reject.c.row_number, reject.c.id)
    if batch_id is not None:
        query = query.where(reject.c.batch_id == batch_id)
    else:
        latest = sa.select(sa.func.max(batch.c.id)).group_by(batch.c.kind, batch.c.filename)
        query = query.where(reject.c.batch_id.in_(latest))
    if kind:
        query = query.where(reject.c.kind == kind)
    if limit:
        query = query.limit(limit)
    with store.begin() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def list_batches(*, store: Store, limit: int = 50) -> list[dict[str, Any]]:
    batch = tables.import_batch
    query = sa.select(batch).order_by(batch.c.id.desc()).limit(limit)
    with store.begin() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
