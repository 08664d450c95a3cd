"""Named-account lists (a Fortune 1000, a partner's target list): imported, matched, explained.

``import_list`` reads any CSV the project's reader can (encoding and delimiter sniffed) and
recognises the usual columns — company (Company, Name, Account Name, Organization...),
website (Website, Domain, URL), City, State, Country and an optional ID column; every
other column (Rank, Revenue...) is kept in ``extra``. A row with neither a name nor a
website, or with a value longer than its column holds (:func:`ingest.checks.too_long`, as
in record imports), is rejected with its column and reason (``import_reject``), never
silently dropped.

**Entry key.** An ``ID`` column when the file has one; otherwise the registrable domain
plus the normalised company name (``acme.com|acme``). Not the rank: ranks move every year,
companies do not. Re-importing the same file changes nothing; the file *is* the list, so
entries no longer in it are removed (and reported, and audit-logged).

**Matching.** Each entry is matched to the CRM's accounts (:mod:`engines.matching`) and
keeps ``account_id``, ``match_status``, ``match_score`` and ``match_reasons``; ambiguous
entries go to the review queue. Entries a person matched (``manual``) keep that choice.
Entries are re-matched after every accounts import and on ``onstrategy lists rematch``.
The whole import, matching included, is one transaction.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.geo import normalize_country, normalize_state
from onstrategy.crm.lead_matching import (
    account_records,
    store_results,
    sync_reviews,
    withdraw_reviews,
)
from onstrategy.engines.domains import is_free_mail_domain, registrable_domain
from onstrategy.engines.matching import AccountIndex, MatchRecord, MatchResult
from onstrategy.engines.names import normalize_company_name
from onstrategy.errors import InvalidInput, NotFound
from onstrategy.ingest.batches import BatchCounts, finish_batch, start_batch, store_rejects
from onstrategy.ingest.bundle import BundleStep, register_bundle_step
from onstrategy.ingest.checks import too_long
from onstrategy.ingest.importer import AfterImport, register_after_import
from onstrategy.ingest.mapping import find_columns, require_columns
from onstrategy.ingest.reader import open_csv
from onstrategy.store import tables
from onstrategy.store.connect import Store

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
COLUMNS = {  # field -> column names accepted, in order of preference (mapping.find_columns)
    "name": (
        "Company",
        "Company Name",
        "Name",
        "Account Name",
        "Account",
        "Organization",
        "Organisation",
        "Organization Name",
        "Firm",
    ),
    "website": ("Website", "Domain", "URL", "Homepage", "Web", "Website URL"),
    "city": ("City", "HQ City", "Billing City"),
    "state": ("State", "State/Province", "Province", "Region", "HQ State", "Billing State"),
    "country": ("Country", "Country/Region", "HQ Country", "Billing Country"),
    "entry_id": ("ID", "Entry ID", "List ID", "External ID", "Record ID"),
}
MATCH_FIELDS = ("account_id", "match_status", "match_score", "match_reasons")


@dataclass
class ListImport:
    list_id: str
    filename: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row, reason)
    matching: dict[str, int] = field(default_factory=dict)


def _slug(list_id: str) -> str:
    if not SLUG.match(list_id):
        raise InvalidInput(
            f"list name {list_id!r} is not a short name",
            "use lower-case letters, digits and dashes, e.g. fortune-1000",
        )
    return list_id


def _header_map(header: list[str], path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Our fields' columns (a company name or a website is needed) and the others."""
    known = find_columns(header=header, wanted=COLUMNS)
    require_columns(source=str(path), what="list", header=header, found=known, wanted=COLUMNS,
                    required=[("name", "website")])  # fmt: skip
    used = set(known.values())
    return known, {title: i for i, title in enumerate(header) if i not in used and title}


def _entry(cells: list[str], known: dict[str, int], extra: dict[str, int]) -> dict[str, Any]:
    def cell(name: str) -> str | None:
        i = known.get(name)
        return (cells[i].strip() or None) if i is not None and i < len(cells) else None

    website = cell("website")
    domain = registrable_domain(website) if website else None
    country = normalize_country(cell("country"))
    return {
        "name": cell("name"),
        "website": website,
        "domain": None if domain and is_free_mail_domain(domain) else domain,
        "city": cell("city"),
        "state": normalize_state(cell("state"), country),
        "country": country,
        "entry_id": cell("entry_id"),
        "extra": {
            h: cells[i].strip() for h, i in extra.items() if i < len(cells) and cells[i].strip()
        }
        or None,
    }


def entry_key(entry: dict[str, Any]) -> str:
    if entry.get("entry_id"):
        return f"id:{entry['entry_id']}"[:300]
    name = normalize_company_name(entry["name"]) if entry.get("name") else ""
    return f"{entry.get('domain') or ''}|{name}"[:300]


def _read_entries(path: Path, result: ListImport) -> tuple[dict[str, Any], list[Any], set[str]]:
    """The file's entries by key; its rejected rows as ``import_reject`` keeps them, and
    their keys (a stored entry whose row is rejected keeps what it had)."""
    entries: dict[str, dict[str, Any]] = {}
    rejects: list[dict[str, Any]] = []
    held: set[str] = set()
    with path.open("rb") as handle:
        stream = open_csv(path, handle)
        known, extra = _header_map(stream.header, path)
        for number, cells in stream.rows:
            result.rows_read += 1
            entry, raw = _entry(cells, known, extra), dict(zip(stream.header, cells, strict=False))
            if problems := _entry_problems(entry, known, stream.header):
                rejects += [p | {"row_number": number, "raw": raw} for p in problems]
                result.rejected.append((number, "; ".join(_shown(p) for p in problems)))
                held.add(entry_key(entry))
                continue
            entries[entry_key(entry)] = entry  # a repeated key: the last row wins
    return entries, rejects, held


def _entry_problems(
    entry: dict[str, Any], known: dict[str, int], header: list[str]
) -> list[dict[str, Any]]:
    """Why an entry cannot be kept: no name nor website, or a value longer than its column
    holds (the record importer's rule, so SQLite and PostgreSQL refuse it alike)."""
    if not entry["name"] and not entry["domain"]:
        return [{"column": None, "value": None,
                 "reason": "neither a company name nor a usable website"}]  # fmt: skip
    return [  # a domain too long comes from its website
        {"column": header[known[source]], "value": entry[source], "reason": long.reason}
        for long in too_long(table="named_list_entry", values=entry)
        for source in ("website" if long.field == "domain" else long.field,)
    ]


def _shown(problem: dict[str, Any]) -> str:
    return ": ".join(str(p) for p in (problem["column"], problem["reason"]) if p)


def import_list(
    *,
    store: Store,
    list_id: str,
    path: Path,
    title: str | None = None,
    actor: str = "cli",
    now: datetime,
) -> ListImport:
    """Import (or re-import) a named-account list and match it; one transaction."""
    list_id = _slug(list_id)
    result = ListImport(list_id, str(path))
    entries, rejects, held = _read_entries(path, result)
    with store.begin() as conn:
        _upsert_list(conn, list_id, title, path, now)
        _upsert_entries(conn, list_id, entries, result, now, held=held)
        result.matching = _match_entries(
            conn, list_id, AccountIndex.build(account_records(conn)), now
        )
        _record_batch(conn, result, actor, path, rejects)
        store.audit(
            conn,
            actor=actor,
            action="list.import",
            entity="named_list",
            entity_id=list_id,
            details=_summary(result),
        )
    return result


def _summary(result: ListImport) -> dict[str, Any]:
    return asdict(result) | {"rejected": len(result.rejected)}


def _upsert_list(
    conn: Connection, list_id: str, title: str | None, path: Path, now: datetime
) -> None:
    nl = tables.named_list
    exists = conn.execute(sa.select(nl.c.name).where(nl.c.id == list_id)).scalar()
    values = {"filename": str(path), "imported_at": now}
    if exists is None:
        conn.execute(nl.insert().values(id=list_id, name=title or list_id, **values))
    else:
        conn.execute(nl.update().where(nl.c.id == list_id).values(name=title or exists, **values))


def _upsert_entries(
    conn: Connection,
    list_id: str,
    entries: dict[str, dict[str, Any]],
    result: ListImport,
    now: datetime,
    held: set[str],  # keys of rejected rows: those entries stay as they were
) -> None:
    e = tables.named_list_entry
    stored = {
        r.entry_key: r._mapping for r in conn.execute(sa.select(e).where(e.c.list_id == list_id))
    }
    columns = ("name", "website", "domain", "city", "state", "country", "extra")
    for key, entry in entries.items():
        values = {c: entry[c] for c in columns}
        before = stored.get(key)
        if before is None:
            conn.execute(e.insert().values(list_id=list_id, entry_key=key, **values))
            result.inserted += 1
        elif any(before[c] != values[c] for c in columns):
            conn.execute(e.update().where(e.c.id == before["id"]).values(values))
            result.updated += 1
        else:
            result.unchanged += 1
    gone = [row["id"] for key, row in stored.items() if key not in entries and key not in held]
    for start in range(0, len(gone), 500):
        part = gone[start : start + 500]
        # leads matched to a removed white-space entry are no longer on the list
        conn.execute(
            tables.lead_list_match.delete().where(tables.lead_list_match.c.entry_id.in_(part))
        )
        conn.execute(e.delete().where(e.c.id.in_(part)))
    withdraw_reviews(
        conn,
        subject_kind="list_entry",
        subject_ids=[str(i) for i in gone],
        why="the entry is no longer on the list",
        now=now,
    )
    result.removed = len(gone)


def _record_batch(
    conn: Connection, result: ListImport, actor: str, path: Path, rejects: list[dict[str, Any]]
) -> None:
    batch_id = start_batch(
        conn,
        kind="lists",
        filename=str(path),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        mapping=f"list:{result.list_id}",
        actor=actor,
    )
    store_rejects(conn, batch_id=batch_id, kind="lists", filename=str(path), rejects=rejects)
    finish_batch(
        conn,
        batch_id=batch_id,
        counts=BatchCounts(
            result.rows_read,
            result.inserted,
            result.updated,
            result.unchanged,
            len(result.rejected),
        ),
    )


# ------------------------------------------------------------------ matching


def _entry_records(conn: Connection, list_id: str) -> Iterator[MatchRecord]:
    e = tables.named_list_entry
    query = (
        sa.select(e)
        .where(
            e.c.list_id == list_id, sa.or_(e.c.match_status.is_(None), e.c.match_status != "manual")
        )
        .order_by(e.c.id)
    )
    for r in conn.execute(query):
        yield MatchRecord(
            id=str(r.id),
            name=r.name,
            domain=r.domain,
            website=r.website,
            city=r.city,
            state=r.state,
            country=r.country,
        )


def _match_entries(
    conn: Connection, list_id: str, index: AccountIndex, now: datetime
) -> dict[str, int]:
    e = tables.named_list_entry
    counts = {"matched": 0, "ambiguous": 0, "none": 0}
    results: list[MatchResult] = [index.match(r) for r in _entry_records(conn, list_id)]
    store_results(conn, e, results)
    for result in results:
        counts[result.status] += 1
    sync_reviews(conn, subject_kind="list_entry", results=results, now=now)
    return counts


def rematch_list(
    *, store: Store, list_id: str, actor: str = "cli", now: datetime
) -> dict[str, int]:
    """Match a list's entries again (after accounts changed); manual choices stay."""
    with store.begin() as conn:
        _require_list(conn, list_id)
        counts = _match_entries(conn, list_id, AccountIndex.build(account_records(conn)), now)
        store.audit(
            conn,
            actor=actor,
            action="list.rematch",
            entity="named_list",
            entity_id=list_id,
            details=counts,
        )
    return counts


def after_accounts_import(ctx: AfterImport) -> list[str]:
    """Accounts were added or changed: every list is matched again (one index for all of
    them). An import that changed no account (the same file again) leaves the lists alone."""
    account = tables.account
    wrote = sa.select(account.c.id).where(account.c.last_batch_id == ctx.batch_id).limit(1)
    with ctx.store.begin() as conn:
        ids = list(
            conn.execute(
                sa.select(tables.named_list.c.id).order_by(tables.named_list.c.id)
            ).scalars()
        )
        if not ids or conn.execute(wrote).first() is None:
            return []
        index = AccountIndex.build(account_records(conn))
        now = datetime.now(UTC)
        notes = []
        for list_id in ids:
            counts = _match_entries(conn, list_id, index, now)
            notes.append(
                f"list {list_id} re-matched: {counts['matched']} matched, "
                f"{counts['ambiguous']} to review, {counts['none']} white space"
            )
    return notes


register_after_import("accounts", after_accounts_import)


# ------------------------------------------------------------------ reading back


def _require_list(conn: Connection, list_id: str) -> dict[str, Any]:
    nl = tables.named_list
    row = conn.execute(sa.select(nl).where(nl.c.id == list_id)).mappings().first()
    if row is None:
        known = ", ".join(conn.execute(sa.select(nl.c.id).order_by(nl.c.id)).scalars())
        raise NotFound(
            f"no named-account list {list_id!r}",
            f"known lists: {known}"
            if known
            else "import one with `onstrategy lists import NAME FILE.csv`",
        )
    return dict(row)


def list_lists(*, store: Store) -> list[dict[str, Any]]:
    """Every list with its entry counts: matched, to review, white space."""
    nl, e = tables.named_list, tables.named_list_entry
    counts = (
        sa.select(
            e.c.list_id,
            sa.func.count().label("entries"),
            sa.func.count(e.c.account_id).label("matched"),
            sa.func.sum(sa.case((e.c.match_status == "ambiguous", 1), else_=0)).label("to_review"),
        )
        .group_by(e.c.list_id)
        .subquery()
    )
    query = (
        sa.select(nl, counts.c.entries, counts.c.matched, counts.c.to_review)
        .outerjoin(counts, counts.c.list_id == nl.c.id)
        .order_by(nl.c.id)
    )
    with store.begin() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    for row in rows:
        row["entries"], row["matched"] = int(row["entries"] or 0), int(row["matched"] or 0)
        row["to_review"] = int(row["to_review"] or 0)
        row["white_space"] = row["entries"] - row["matched"]
    return rows


def list_entries(*, store: Store, list_id: str, white_space: bool = False) -> dict[str, Any]:
    """A list and its entries with the matched account and the reasons.

    ``white_space``: only entries with no account yet (companies on the list we do not
    have in the CRM: where new business could come from).
    """
    e, a = tables.named_list_entry, tables.account
    query = (
        sa.select(e, a.c.name.label("account_name"), a.c.owner_id.label("account_owner"))
        .outerjoin(a, a.c.id == e.c.account_id)
        .where(e.c.list_id == list_id)
    )
    if white_space:
        query = query.where(e.c.account_id.is_(None))
    with store.begin() as conn:
        info = _require_list(conn, list_id)
        entries = [dict(r) for r in conn.execute(query.order_by(e.c.id)).mappings()]
    entries.sort(key=_rank_order)
    return {"list": info, "white_space_only": white_space, "entries": entries}


def _rank_order(entry: dict[str, Any]) -> tuple[float, int]:
    extra = entry.get("extra") or {}
    rank = next((v for k, v in extra.items() if k.strip().lower() == "rank"), None)
    try:
        return float(str(rank).replace(",", "")), entry["id"]
    except (TypeError, ValueError):
        return float("inf"), entry["id"]


_DUPLICATE_FIELDS = ("id", "name", "website", "city", "state", *MATCH_FIELDS[1:])


def list_duplicates(*, store: Store, list_id: str) -> list[dict[str, Any]]:
    """Accounts that match several entries of the list (a CRM duplicate, or a group)."""
    shown = list_entries(store=store, list_id=list_id)["entries"]
    by_account: dict[str, list[dict[str, Any]]] = {}
    for entry in shown:
        if entry["account_id"]:
            by_account.setdefault(entry["account_id"], []).append(entry)
    return [
        {
            "account_id": account_id,
            "account_name": group[0]["account_name"],
            "entries": [{k: x[k] for k in _DUPLICATE_FIELDS} for x in group],
        }
        for account_id, group in sorted(by_account.items())
        if len(group) > 1
    ]


# ------------------------------------------------------------------ in a bundle (demo run)
BUNDLE_LISTS = {"fortune-1000": "Fortune 1000"}  # file stem -> title


def bundle_lists(store: Store, directory: Path, _strategy: Any, _day: Any) -> str | None:
    """Right after accounts: ``fortune-1000.csv`` and every ``lists/NAME.csv`` as lists."""
    files = [directory / f"{stem}.csv" for stem in BUNDLE_LISTS]
    files += sorted((directory / "lists").glob("*.csv")) if (directory / "lists").is_dir() else []
    lines = []
    for path in (f for f in files if f.is_file()):
        done = import_list(
            store=store,
            list_id=path.stem.lower(),
            path=path,
            title=BUNDLE_LISTS.get(path.stem),
            actor="bundle",
            now=datetime.now(UTC),
        )
        m = done.matching
        lines.append(
            f"list {done.list_id}: {done.rows_read} entries, {m.get('matched', 0)} "
            f"matched to accounts, {m.get('ambiguous', 0)} to review, "
            f"{m.get('none', 0)} white space"
        )
    return "; ".join(lines) or None


register_bundle_step(BundleStep("named-lists", after="accounts", run=bundle_lists))
