"""Row checks: whether a CSV row can be stored, and if not, exactly why.

Every check answers with :class:`Reject` (row, file column, value, reason) and never stops
the good rows. The record importer (:mod:`ingest.importer`) runs them in this order:

1. :func:`parse_row` - the row's shape (cells against the header, no binary data), each
   mapped cell (or cells, for a field made of several columns) read as its field's type
   (:mod:`ingest.values`: numbers, dates, roles, availability kinds...), owners resolved to
   users (:class:`UserLookup`), required fields;
2. :func:`check_lengths` - no value longer than its column holds (free text is shortened);
3. :func:`check_references` - each id names a stored record;
4. :func:`check_unique` - no value that must be unique belongs to another record.

:func:`too_long` is the length rule on its own, for the other files onstrategy reads
(named-account lists, call manifests), so a value too long for its column is refused the
same way, with the same words, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.geo import normalize_state
from onstrategy.ingest.fields import KindSpec
from onstrategy.ingest.mapping import ColumnMap
from onstrategy.ingest.values import FREE_TEXT, BadValue
from onstrategy.store import tables

__all__ = [
    "Checked",
    "Reject",
    "Row",
    "TooLong",
    "UserLookup",
    "check_lengths",
    "check_references",
    "check_unique",
    "column_limits",
    "key_of",
    "parse_row",
    "too_long",
]


@dataclass(frozen=True)
class Reject:
    """Why a row cannot be stored: its number, the file's column and value, the reason."""

    row_number: int
    column: str | None
    value: str | None
    reason: str


@dataclass
class Row:
    """A row that passed the checks so far: its record (field -> value) and its cells."""

    number: int
    record: dict[str, Any]
    raw: dict[str, str]


# Rows kept, and each reject with the row's cells (kept with the reject in ``import_reject``).
Checked = tuple[list[Row], list[tuple[Reject, dict[str, str]]]]


class UserLookup:
    """Owners may be named by user id, email or full name (exports differ)."""

    def __init__(self, conn: Connection):
        self.by_key: dict[str, str] = {}
        for uid, email, name in conn.execute(
            sa.select(tables.user.c.id, tables.user.c.email, tables.user.c.name)
        ):
            for key in (uid, email, name):
                if key:
                    self.by_key.setdefault(str(key).strip().lower(), uid)
        self.by_key.update({str(uid).lower(): uid for uid in list(self.by_key.values())})

    def resolve(self, text: str) -> str | None:
        return self.by_key.get(text.strip().lower())


# ----------------------------------------------------------------------------- one row


def parse_row(
    *, columns: ColumnMap, header: list[str], number: int, cells: list[str], owners: UserLookup
) -> tuple[Row | None, list[Reject]]:
    """The row read into a record, or every problem it has (a row may have several)."""
    if len(cells) > len(header):
        reason = f"row has {len(cells)} cells but the header has {len(header)}"
        return None, [Reject(number, None, None, reason)]
    cells = cells + [""] * (len(header) - len(cells))
    if "\x00" in "".join(cells):
        return None, [Reject(number, None, None, "row contains a NUL character (binary data)")]
    record: dict[str, Any] = {}
    problems: list[Reject] = []
    for name, index, kind, required, parse, joined in columns.plan:
        text = cells[index].strip() if not joined else _joined(cells, joined)
        try:
            value = record[name] = _convert(kind, columns.translate(name, text), owners, parse)
        except BadValue as err:
            problems.append(Reject(number, columns.label(name, header), text, err.reason))
            continue
        if required and value in (None, ""):
            reason = f"{name} is required"
            problems.append(Reject(number, columns.label(name, header), text, reason))
    if record.get("state"):
        record["state"] = normalize_state(record["state"], record.get("country"))
    extra = {h: cells[i] for h, i in columns.extra.items() if cells[i].strip()}
    record["extra"] = extra or None
    raw = {h: cells[i] for i, h in enumerate(header) if h}
    return (None if problems else Row(number, record, raw)), problems


def _joined(cells: list[str], indexes: tuple[int, ...]) -> str:
    """A field made of several columns (first and last name): their cells, by a space."""
    return " ".join(text for i in indexes if (text := cells[i].strip()))


def _convert(kind: str, text: str, owners: UserLookup, parse: Callable[[str], Any] | None) -> Any:
    if kind == "ref":
        if not text:
            return None
        resolved = owners.resolve(text)
        if resolved is None:
            raise BadValue(f"unknown user {text!r} (import users first, or fix the owner)")
        return resolved
    if parse is not None:
        return parse(text)
    return text or None


# ----------------------------------------------------------------------------- lengths


@lru_cache(maxsize=32)
def column_limits(table: str) -> dict[str, int]:
    """The declared length of each text column of ``table`` (``String(300)`` -> 300)."""
    columns = tables.metadata.tables[table].c
    return {c.name: length for c in columns if (length := getattr(c.type, "length", None))}


@dataclass(frozen=True)
class TooLong:
    """A value longer than its column holds."""

    field: str
    limit: int
    length: int
    value: str

    @property
    def reason(self) -> str:
        return (
            f"too long: {self.length} characters where {self.field} holds at most {self.limit}"
            " (shorten it in the CRM or the file)"
        )


def too_long(*, table: str, values: Mapping[str, Any]) -> list[TooLong]:
    """The text ``values`` (column -> value) longer than ``table``'s columns hold, which
    PostgreSQL would refuse (failing the whole transaction) and SQLite would store."""
    limits = column_limits(table)
    return [
        TooLong(name, limits[name], len(value), value)
        for name, value in values.items()
        if name in limits and isinstance(value, str) and len(value) > limits[name]
    ]


def check_lengths(*, columns: ColumnMap, header: list[str], rows: list[Row]) -> Checked:
    """A value longer than its column holds rejects the row on every database (PostgreSQL
    would fail the whole file, SQLite would store it); free text (``FREE_TEXT``) is
    shortened instead, its whole text kept in ``extra`` under the file's column name."""
    limits, kind = column_limits(columns.kind.table).items(), columns.kind.kind
    bad: dict[int, list[Reject]] = {}
    for row in rows:
        for name, limit in limits:
            value = row.record.get(name)
            if value.__class__ is not str or len(value) <= limit:
                continue
            where = columns.label(name, header)
            if (kind, name) in FREE_TEXT:
                row.record[name] = value[: limit - 1].rstrip() + "\u2026"
                row.record["extra"] = (row.record.get("extra") or {}) | {where: value}
                continue
            reason = TooLong(name, limit, len(value), value).reason
            bad.setdefault(row.number, []).append(Reject(row.number, where, value, reason))
    kept = [r for r in rows if r.number not in bad]
    return kept, [(reject, r.raw) for r in rows for reject in bad.get(r.number, [])]


# ----------------------------------------------------------------------------- references


def check_references(*, conn: Connection, spec: KindSpec, rows: list[Row]) -> Checked:
    """An id that names no stored record (a contact's account...) rejects the row."""
    bad: dict[int, Reject] = {}
    for ref in (f for f in spec.fields if f.refers_to and f.type != "ref"):
        wanted = {r.record.get(ref.name) for r in rows} - {None}
        if not wanted:
            continue
        target = tables.CRM_TABLES[ref.refers_to or ""]
        found = _existing_ids(conn, target, wanted)
        if ref.refers_to == "teams" and wanted - found:
            found |= _teams_by_name(conn, rows, ref.name, wanted - found)
        singular = (ref.refers_to or "").removesuffix("s").replace("opportunitie", "opportunity")
        for row in rows:
            value = row.record.get(ref.name)
            if value is not None and value not in found and row.number not in bad:
                bad[row.number] = Reject(row.number, ref.name, value,
                    f"unknown {singular} {value!r} (import {ref.refers_to} first)")  # fmt: skip
    kept = [r for r in rows if r.number not in bad]
    return kept, [(bad[r.number], r.raw) for r in rows if r.number in bad]


def _teams_by_name(conn: Connection, rows: list[Row], field: str, unknown: set[Any]) -> set[Any]:
    """Teams named by their name, as HubSpot's user export gives them ("Team West"): the
    rows get the team's id. A name two teams share stays unknown (the row is rejected)."""
    ids_by_name: dict[str, set[str]] = {}
    for team_id, name in conn.execute(sa.select(tables.team.c.id, tables.team.c.name)):
        if name:
            ids_by_name.setdefault(name.strip().casefold(), set()).add(team_id)
    named = {}
    for value in unknown:
        ids = ids_by_name.get(str(value).strip().casefold(), set())
        if len(ids) == 1:
            named[value] = next(iter(ids))
    for row in rows:
        if row.record.get(field) in named:
            row.record[field] = named[row.record[field]]
    return set(named.values())


def _existing_ids(conn: Connection, table: sa.Table, ids: Iterable[Any]) -> set[Any]:
    found: set[Any] = set()
    values = list(ids)
    for start in range(0, len(values), 900):
        part = values[start : start + 900]
        found.update(conn.execute(sa.select(table.c.id).where(table.c.id.in_(part))).scalars())
    return found


def key_of(spec: KindSpec, record: dict[str, Any]) -> tuple[Any, ...]:
    """The record's key (its CRM id, or the columns ``spec.key`` names)."""
    return tuple(record[k] for k in spec.key)


def check_unique(*, conn: Connection, spec: KindSpec, rows: list[Row]) -> Checked:
    """A value that must be unique (a user's email) and is already another record's, in the
    store or earlier in the file, rejects the row instead of failing the whole import."""
    table = tables.metadata.tables[spec.table]
    bad: dict[int, Reject] = {}
    for column in (c for c in table.c if c.unique and c.name not in spec.key):
        owners: dict[Any, Any] = {}
        values = {r.record.get(column.name) for r in rows} - {None}
        if values:
            query = sa.select(column, *(table.c[k] for k in spec.key)).where(column.in_(values))
            owners = {row[0]: tuple(row[1:]) for row in conn.execute(query)}
        for row in rows:
            value, key = row.record.get(column.name), key_of(spec, row.record)
            if value is None or row.number in bad:
                continue
            if owners.setdefault(value, key) != key:
                bad[row.number] = Reject(row.number, column.name, str(value),
                                         f"{column.name} {value!r} already belongs to "
                                         f"{'/'.join(map(str, owners[value]))}")  # fmt: skip
    kept = [r for r in rows if r.number not in bad]
    return kept, [(bad[r.number], r.raw) for r in rows if r.number in bad]
