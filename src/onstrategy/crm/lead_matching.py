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
the answer became clear. An admin or manager resolves it: the choice is applied to the
lead or list entry, and the audit log records who chose what.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.actors import Actor, resolve_actor
from onstrategy.crm.lead_lists import lead_list_memberships, list_indexes, store_list_matches
from onstrategy.crm.match_decisions import decision_basis, noted, reopen_out_of_date
from onstrategy.engines.matching import AccountIndex, MatchRecord, MatchResult
from onstrategy.errors import Conflict, Forbidden, InvalidInput, NotFound
from onstrategy.ingest.importer import AfterImport, register_after_import
from onstrategy.store import tables
from onstrategy.store.connect import Store

Progress = Callable[[int, int], None]  # (done, total)
CHUNK = 2000
REVIEWERS = ("admin", "manager", "executive")
SUBJECTS = ("lead", "list_entry")


# ------------------------------------------------------------------ people


def require_role(conn: Connection, who: str, roles: tuple[str, ...], doing: str) -> Actor:
    """The acting user (id or email, active), when their role is one of ``roles``."""
    actor = resolve_actor(conn, who)
    if actor.role not in roles:
        raise Forbidden(
            f"{actor.name} ({actor.role}) may not {doing}",
            f"only {' or '.join(r + 's' for r in roles)} may; pass --as with one of them",
        )
    return actor


# ------------------------------------------------------------------ the account index


def account_records(conn: Connection) -> Iterator[MatchRecord]:
    a = tables.account
    query = sa.select(a.c.id, a.c.name, a.c.domain, a.c.website, a.c.city, a.c.state, a.c.country)
    for row in conn.execute(query.execution_options(yield_per=10_000)).mappings():
        yield MatchRecord(**row)


def load_account_index(*, store: Store) -> AccountIndex:
    """Every account, indexed once for a whole run (quarantined accounts included)."""
    with store.begin() as conn:
        return AccountIndex.build(account_records(conn))


def candidates_of(result: MatchResult) -> list[dict[str, Any]]:
    return [
        {"account_id": c.to_id, "name": c.name, "score": c.score, "reasons": list(c.reasons)}
        for c in result.candidates
    ]


# ------------------------------------------------------------------ the review queue


def sync_reviews(
    conn: Connection, *, subject_kind: str, results: list[MatchResult], now: datetime
) -> int:
    """Open (or refresh) a review for each ambiguous result; withdraw those now clear.

    One lookup per 500 subjects, inserts in bulk. Returns how many reviews were opened.
    """
    review = tables.match_review
    ids = [r.from_id for r in results]
    open_ids: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        query = sa.select(review.c.subject_id, review.c.id).where(
            review.c.subject_kind == subject_kind,
            review.c.subject_id.in_(ids[start : start + 500]),
            review.c.status == "open",
        )
        open_ids.update({str(s): int(i) for s, i in conn.execute(query)})
    new = []
    for result in results:
        open_id = open_ids.get(result.from_id)
        values = _review_values(result)
        if result.status != "ambiguous" and open_id is not None:
            note = f"withdrawn: a later run found {result.status} ({result.to_id or 'no account'})"
            values = {
                "status": "withdrawn",
                "decided_by": "system",
                "decided_at": now,
                "comment": note,
            }
        elif result.status != "ambiguous":
            continue
        elif open_id is None:
            new.append(
                {
                    "subject_kind": subject_kind,
                    "subject_id": result.from_id,
                    "status": "open",
                    "created_at": now,
                    **values,
                }
            )
            continue
        conn.execute(review.update().where(review.c.id == open_id).values(values))
    if new:
        conn.execute(review.insert(), new)
    return len(new)


def _review_values(result: MatchResult) -> dict[str, Any]:
    return {
        "candidates": candidates_of(result),
        "reasons": list(result.reasons),
        "score": result.score,
    }


def withdraw_reviews(
    conn: Connection, *, subject_kind: str, subject_ids: list[str], why: str, now: datetime
) -> None:
    review = tables.match_review
    for start in range(0, len(subject_ids), 500):
        part = subject_ids[start : start + 500]
        where = [review.c.subject_id.in_(part), review.c.status == "open"]
        values = {"status": "withdrawn", "decided_by": "system", "decided_at": now, "comment": why}
        conn.execute(
            review.update().where(review.c.subject_kind == subject_kind, *where).values(values)
        )


def list_reviews(
    *, store: Store, status: str = "open", subject_kind: str | None = None
) -> list[dict[str, Any]]:
    """Review items (open by default) with what they are about, candidates and reasons."""
    review = tables.match_review
    query = sa.select(review).order_by(review.c.id)
    if status != "all":
        query = query.where(review.c.status == status)
    if subject_kind:
        query = query.where(review.c.subject_kind == subject_kind)
    with store.begin() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
        for row in rows:
            row["subject"] = _describe_subject(conn, row["subject_kind"], row["subject_id"])
    return rows


_SHOWN = {
    "lead": "id first_name last_name email company website city state country source",
    "list_entry": "id list_id name website city state country",
}


def _describe_subject(conn: Connection, kind: str, subject_id: str) -> dict[str, Any]:
    table = tables.lead if kind == "lead" else tables.named_list_entry
    key = subject_id if kind == "lead" else _int_id(subject_id)
    columns = [table.c[name] for name in _SHOWN[kind].split()]
    row = conn.execute(sa.select(*columns).where(table.c.id == key)).mappings().first()
    return dict(row) if row else {"id": subject_id, "missing": True}


def _int_id(text: str) -> int:
    return int(text) if text.isdigit() else -1


@dataclass
class Resolution:
    review_id: int
    subject_kind: str
    subject_id: str
    account_id: str | None
    decided_by: str


def resolve_review(
    *,
    store: Store,
    review_id: int,
    account_id: str | None,
    actor: str,
    comment: str | None = None,
    now: datetime,
) -> Resolution:
    """Record a person's decision on a review item and apply it to its lead or list entry.

    ``account_id`` None means "no account: this is a new company". Admins, managers and
    executives may decide; the decision is audit-logged and never overwritten by a rerun.
    """
    review = tables.match_review
    with store.begin() as conn:
        person = require_role(conn, actor, REVIEWERS, "resolve match reviews")
        item = conn.execute(sa.select(review).where(review.c.id == review_id)).mappings().first()
        if item is None:
            raise NotFound(
                f"no match review #{review_id}",
                "list the open ones with `onstrategy matches review`",
            )
        if item["status"] != "open":
            raise Conflict(
                f"match review #{review_id} is already {item['status']}",
                f"decided by {item['decided_by']} on {item['decided_at']}",
            )
        name = _check_account(conn, account_id)
        why = [
            f"chosen by {person.name} ({person.role}) in review #{review_id}"
            + (f": {name}" if name else ": no existing account")
        ]
        if comment:
            why.append(comment)
        _apply(conn, item["subject_kind"], item["subject_id"], account_id, why)
        conn.execute(
            review.update()
            .where(review.c.id == review_id)
            .values(
                status="resolved",
                chosen_account_id=account_id,
                decided_by=person.id,
                decided_at=now,
                comment=comment,
            )
        )
        store.audit(
            conn,
            actor=person.id,
            action="match.resolve",
            entity=item["subject_kind"],
            entity_id=item["subject_id"],
            details={"review_id": review_id, "account_id": account_id, "comment": comment},
        )
    return Resolution(review_id, item["subject_kind"], item["subject_id"], account_id, person.id)


def _check_account(conn: Connection, account_id: str | None) -> str | None:
    if account_id is None:
        return None
    a = tables.account
    name = conn.execute(sa.select(a.c.name).where(a.c.id == account_id)).scalar()
    if name is None:
        raise NotFound(
            f"no account {account_id!r}", "pass one of the candidates' account ids, or --none"
        )
    return str(name)


def _apply(
    conn: Connection, kind: str, subject_id: str, account_id: str | None, why: list[str]
) -> None:
    values: dict[str, Any] = {
        "account_id": account_id,
        "match_status": "manual",
        "match_score": 100.0 if account_id else None,
        "match_reasons": why,
    }
    if kind == "lead":
        lead = tables.lead
        values["match_basis"] = decision_basis(conn, subject_id)
        conn.execute(lead.update().where(lead.c.id == subject_id).values(values))
        if account_id is not None:  # the account's list membership now speaks for it
            llm = tables.lead_list_match
            conn.execute(llm.delete().where(llm.c.lead_id == subject_id))
    elif kind == "list_entry":
        entry = tables.named_list_entry
        conn.execute(entry.update().where(entry.c.id == _int_id(subject_id)).values(values))
    else:
        raise InvalidInput(f"unknown review subject {kind!r}", f"one of {', '.join(SUBJECTS)}")


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
    for chunk in _lead_chunks(store, where):
        results = [noted(index.match(record), reopened) for record in chunk]
        with store.begin() as conn:
            _store_lead_matches(conn, results, run, now)
            store_list_matches(conn, list(zip(chunk, results, strict=True)), lists)
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


def _lead_chunks(store: Store, where: sa.ColumnElement[bool]) -> Iterator[list[MatchRecord]]:
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


def _store_lead_matches(
    conn: Connection, results: list[MatchResult], run: MatchRun, now: datetime
) -> None:
    store_results(conn, tables.lead, results)
    for result in results:
        run.add(result)
    run.reviews_opened += sync_reviews(conn, subject_kind="lead", results=results, now=now)


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
