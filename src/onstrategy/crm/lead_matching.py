"""Leads matched to the CRM's accounts, and the review queue for the matches nobody should guess.

"Why did I get this lead?" starts with "which company is it?". After every leads import
(and on ``onstrategy matches run``) each lead is matched to the accounts with the matching
engine (:mod:`onstrategy.engines.matching`: registrable domain first, free-mail never,
then the normalised company name, location as tie-breaker). Where the answer lives:

- ``lead.account_id`` / ``lead.match_score`` — the account, and the engine's confidence;
- ``lead.match_status`` — ``matched``, ``ambiguous`` (waiting in the review queue),
  ``none`` (no account is close enough) or ``manual`` (a person decided; see below);
- ``lead.match_reasons`` — the engine's reasons in words (or who decided, and why);
- ``lead_list_match`` — a lead with no account whose company is a white-space entry of a
  named list (e.g. a Fortune 1000 company not yet in the CRM) is on that list for the ICP
  (:mod:`onstrategy.crm.lead_lists` holds the one rule for the lists a lead is on).

**Re-imports.** After an import, the leads it created *or changed* (``lead.last_batch_id``)
are matched again, so a lead whose company, email domain or location changed gets the
account it now belongs to. A person's decision (``manual``) stands as long as the company
it was taken on does: only a re-import that changes the lead's company name or domain
re-opens it (:mod:`onstrategy.crm.match_decisions`); a new phone, title or address never
touches it.

An ambiguous result opens one ``match_review`` item per subject (lead or named-list
entry) with the candidates and their reasons; a later run updates it or withdraws it when
the answer became clear. The review queue, and who decides it, is
:mod:`onstrategy.crm.match_reviews` (its names are re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.lead_lists import lead_list_memberships, list_indexes, store_list_matches
from onstrategy.crm.match_decisions import noted, reopen_out_of_date
from onstrategy.crm.match_reviews import (
    REVIEWERS,
    SUBJECTS,
    Resolution,
    candidates_of,
    list_reviews,
    require_role,
    resolve_review,
    sync_reviews,
    withdraw_reviews,
)
from onstrategy.engines.matching import AccountIndex, MatchRecord, MatchResult
from onstrategy.errors import NotFound
from onstrategy.ingest.importer import AfterImport, register_after_import
from onstrategy.store import tables
from onstrategy.store.connect import Store

__all__ = [
    "REVIEWERS", "SUBJECTS", "MatchRun", "Resolution", "account_records", "candidates_of",
    "lead_chunks", "lead_match", "list_reviews", "load_account_index", "match_leads",
    "match_summary", "require_role", "resolve_review", "store_lead_matches", "store_results",
    "sync_reviews", "withdraw_reviews",
]  # fmt: skip
Progress = Callable[[int, int], None]  # (done, total)
CHUNK = 2000


# ------------------------------------------------------------------ the account index


def account_records(
    conn: Connection, where: sa.ColumnElement[bool] | None = None
) -> Iterator[MatchRecord]:
    """The accounts as the matching engine reads them (those ``where`` selects, or all)."""
    a = tables.account
    query = sa.select(a.c.id, a.c.name, a.c.domain, a.c.website, a.c.city, a.c.state, a.c.country)
    query = query.where(where) if where is not None else query
    for row in conn.execute(query.execution_options(yield_per=10_000)).mappings():
        yield MatchRecord(**row)


def load_account_index(*, store: Store) -> AccountIndex:
    """Every account, indexed once for a whole run (quarantined accounts included)."""
    with store.begin() as conn:
        return AccountIndex.build(account_records(conn))


# ------------------------------------------------------------------ matching leads


@dataclass
class MatchRun:
    """What a matching run did, for the user."""

    considered: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: {"matched": 0, "ambiguous": 0, "none": 0}
    )
    reviews_opened: int = 0
    reopened: int = 0  # a person's decisions out of date: the lead's company changed

    def add(self, result: MatchResult) -> None:
        self.considered += 1
        self.counts[result.status] += 1

    def note(self) -> str:
        if not self.considered:
            return "lead matching: no leads to match"
        c = self.counts
        share = c["matched"] / self.considered
        return (
            f"lead matching: {self.considered:,} leads — {c['matched']:,} matched to an "
            f"account ({share:.0%}), {c['ambiguous']:,} to review "
            f"({self.reviews_opened:,} new in `onstrategy matches review`), "
            f"{c['none']:,} with no account"
        ) + (
            f"; {self.reopened:,} of them had a person's match for a company the import "
            "changed, so they were matched again"
            if self.reopened
            else ""
        )


def _lead_filter(batch_id: int | None, everything: bool) -> sa.ColumnElement[bool]:
    lead = tables.lead
    not_manual = sa.or_(lead.c.match_status.is_(None), lead.c.match_status != "manual")
    if batch_id is not None:
        return sa.and_(
            not_manual, sa.or_(lead.c.last_batch_id == batch_id, lead.c.match_status.is_(None))
        )
    if everything:
        return not_manual
    return sa.or_(lead.c.match_status.is_(None), lead.c.match_status.in_(["none", "ambiguous"]))


def match_leads(
    *,
    store: Store,
    now: datetime,
    batch_id: int | None = None,
    everything: bool = False,
    index: AccountIndex | None = None,
    progress: Progress | None = None,
    actor: str = "system",
) -> MatchRun:
    """Match leads to accounts and store the outcome (see the module docstring).

    Which leads: those ``batch_id`` created or changed (plus any never matched; a person's
    decision only when out of date, see the module docstring); else with ``everything``
    every lead a person has not decided; else those without an account yet. Each chunk
    commits on its own: a rerun picks up where an interrupted one stopped.
    """
    reopened = reopen_out_of_date(store, batch_id, actor) if batch_id is not None else {}
    where = _lead_filter(batch_id, everything)
    with store.begin() as conn:
        total = conn.execute(
            sa.select(sa.func.count()).where(where).select_from(tables.lead)
        ).scalar_one()
    run = MatchRun(reopened=len(reopened))
    if total == 0:
        return run
    index = index or load_account_index(store=store)
    lists = list_indexes(store)
    for chunk in lead_chunks(store, where):
        results = [noted(index.match(record), reopened) for record in chunk]
        with store.begin() as conn:
            store_lead_matches(conn, chunk, results, lists=lists, run=run, now=now)
        if progress:
            progress(run.considered, total)
    with store.begin() as conn:
        store.audit(
            conn,
            actor=actor,
            action="match.leads",
            entity="lead",
            entity_id=str(batch_id) if batch_id is not None else None,
            details={"considered": run.considered, **run.counts},
        )
    return run


def lead_chunks(store: Store, where: sa.ColumnElement[bool]) -> Iterator[list[MatchRecord]]:
    """Keyset pages ordered by id: steady memory, and safe while earlier pages are updated."""
    lead = tables.lead
    names = ["id", "domain", "website", "email", "city", "state", "country"]
    cols = [lead.c.company.label("name"), *(lead.c[name] for name in names)]
    last: str | None = None
    while True:
        query = sa.select(*cols).where(where).order_by(lead.c.id).limit(CHUNK)
        if last is not None:
            query = query.where(lead.c.id > last)
        with store.begin() as conn:
            rows = conn.execute(query).mappings().all()
        if not rows:
            return
        last = rows[-1]["id"]
        yield [MatchRecord(**row) for row in rows]


def store_results(conn: Connection, table: sa.Table, results: list[MatchResult]) -> None:
    """Write each result's account, score, status and reasons on its row (one executemany)."""
    if not results:
        return
    key = int if isinstance(table.c.id.type, sa.Integer) else str
    update = table.update().where(table.c.id == sa.bindparam("b_id"))
    update = update.values({c: sa.bindparam(f"b_{c}") for c in MATCH_COLUMNS})
    conn.execute(update, [_params(r, key) for r in results])


def _params(result: MatchResult, key: type) -> dict[str, Any]:
    values = (result.to_id, result.score, result.status, list(result.reasons))
    pairs = zip(MATCH_COLUMNS, values, strict=True)
    return {"b_id": key(result.from_id)} | {f"b_{c}": v for c, v in pairs}


MATCH_COLUMNS = ("account_id", "match_score", "match_status", "match_reasons")


def store_lead_matches(
    conn: Connection, records: list[MatchRecord], results: list[MatchResult], *,
    lists: dict[str, AccountIndex], run: MatchRun, now: datetime,
) -> None:  # fmt: skip
    """Store the leads' results: account, score, status and reasons, their reviews (opened,
    refreshed or withdrawn) and the white-space lists of those left without an account."""
    store_results(conn, tables.lead, results)
    for result in results:
        run.add(result)
    run.reviews_opened += sync_reviews(conn, subject_kind="lead", results=results, now=now)
    store_list_matches(conn, list(zip(records, results, strict=True)), lists)


_EXPLAINED = "id company email source account_id match_score match_status match_reasons"


def lead_match(*, store: Store, lead_id: str) -> dict[str, Any]:
    """Why a lead is where it is: its account (score, status, reasons), every named list it is
    on and how (:func:`~onstrategy.crm.lead_lists.lead_list_memberships`), its gate outcome."""
    lead = tables.lead
    columns = [lead.c[c] for c in (*_EXPLAINED.split(), "gate_status", "gate_reasons")]
    with store.begin() as conn:
        row = conn.execute(sa.select(*columns).where(lead.c.id == lead_id)).mappings().first()
        if row is None:
            raise NotFound(f"no lead {lead_id!r}", "check the lead id (the CRM's record id)")
        lists = lead_list_memberships(conn, lead_id=lead_id, account_id=row["account_id"])
    return dict(row) | {"lists": lists}


def match_summary(*, store: Store) -> dict[str, int]:
    """How many leads have each match status (``unmatched`` = never run)."""
    lead = tables.lead
    query = sa.select(lead.c.match_status, sa.func.count()).group_by(lead.c.match_status)
    with store.begin() as conn:
        return {str(s or "unmatched"): int(n) for s, n in conn.execute(query)}


# ------------------------------------------------------------------ after a leads import


def after_leads_import(ctx: AfterImport) -> list[str]:
    run = match_leads(
        store=ctx.store, now=datetime.now(UTC), batch_id=ctx.batch_id, actor=ctx.actor
    )
    return [run.note()] if run.considered else []


register_after_import("leads", after_leads_import)
