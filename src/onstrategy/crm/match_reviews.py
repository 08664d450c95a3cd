"""The match review queue: matches too close to call, left for a person instead of guessed.

An ambiguous result of lead matching or named-list matching opens one ``match_review`` item
per subject (lead or named-list entry) with the candidates and their reasons; a later run
updates it, or withdraws it when the answer became clear.

**Who decides.** Admins and executives decide any item. A manager decides the items of
their teams' leads — the one rule routing and the web use too
(:mod:`onstrategy.engines.lead_team`: leads their reps own, or that routing hands to their
teams) — and every named-list entry: a list is company-wide and not confidential, and its
entries are not a team's book. Reps do not decide. The choice is applied to the lead or list
entry at once (``match_status = "manual"``, kept by later runs), and the audit log records
who chose what (``match.resolve``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.actors import Actor, resolve_actor, visible_reps
from onstrategy.crm.match_decisions import decision_basis
from onstrategy.engines.lead_team import acts_on_lead, require_lead_access
from onstrategy.engines.matching import MatchResult
from onstrategy.errors import Conflict, Forbidden, InvalidInput, NotFound
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy

REVIEWERS = ("admin", "manager", "executive")
SUBJECTS = ("lead", "list_entry")


def require_role(conn: Connection, who: str, roles: tuple[str, ...], doing: str) -> Actor:
    """The acting user (id or email, active), when their role is one of ``roles``."""
    actor = resolve_actor(conn, who)
    if actor.role not in roles:
        raise Forbidden(
            f"{actor.name} ({actor.role}) may not {doing}",
            f"only {' or '.join(r + 's' for r in roles)} may; pass --as with one of them",
        )
    return actor


def candidates_of(result: MatchResult) -> list[dict[str, Any]]:
    return [
        {"account_id": c.to_id, "name": c.name, "score": c.score, "reasons": list(c.reasons)}
        for c in result.candidates
    ]


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


STATUSES = ("open", "resolved", "withdrawn", "all")
_SHOWN = {
    "lead": "id first_name last_name email company website city state country source owner_id",
    "list_entry": "id list_id name website city state country",
}
_R, _L, _E = tables.match_review, tables.lead, tables.named_list_entry
_SUBJECTS = _R.outerjoin(
    _L, sa.and_(_R.c.subject_kind == "lead", _L.c.id == _R.c.subject_id)
).outerjoin(
    _E, sa.and_(_R.c.subject_kind == "list_entry", sa.cast(_E.c.id, sa.String) == _R.c.subject_id)
)


@dataclass
class ReviewPage:
    """One page of the review queue and how many items the whole queue holds."""

    total: int
    offset: int
    limit: int | None
    reviews: list[dict[str, Any]]


def review_queue(
    *, store: Store, status: str = "open", subject_kind: str | None = None,
    limit: int | None = None, offset: int = 0, actor: str | None = None,
    strategy: Strategy | None = None, as_of: date | None = None,
) -> ReviewPage:  # fmt: skip
    """Review items (open by default), oldest first, each with what it is about (the lead or
    list entry), candidates and reasons: ``limit`` of them from ``offset``, and the total.

    With ``actor`` (a reviewer), only what they decide: a manager sees their teams' leads
    (:mod:`onstrategy.engines.lead_team`, read with ``strategy`` on ``as_of`` for a lead
    nobody owns) and every list entry. Two queries (the count and the page) whatever the
    queue's length; a manager's page first reads the queue's ids and lead owners.
    """
    where = _queue_filter(status, subject_kind)
    with store.begin() as conn:
        person = require_role(conn, actor, REVIEWERS, "work the match review queue") \
            if actor else None  # fmt: skip
        if person is None or person.role != "manager":
            total = conn.execute(sa.select(sa.func.count()).select_from(_R).where(where))
            return ReviewPage(total.scalar_one(), offset, limit,
                              _page(conn, where, limit, offset))  # fmt: skip
        ids = _decided_by(conn, person, where, strategy, as_of)
        chosen = ids[offset : None if limit is None else offset + limit]
        return ReviewPage(len(ids), offset, limit, _page(conn, _R.c.id.in_(chosen), None, 0))


def list_reviews(
    *, store: Store, status: str = "open", subject_kind: str | None = None,
    limit: int | None = None, offset: int = 0,
) -> list[dict[str, Any]]:  # fmt: skip
    """:func:`review_queue`'s items without the total (every item unless ``limit``)."""
    page = review_queue(store=store, status=status, subject_kind=subject_kind, limit=limit,
                        offset=offset)  # fmt: skip
    return page.reviews


def _queue_filter(status: str, subject_kind: str | None) -> sa.ColumnElement[bool]:
    if status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}", f"one of: {', '.join(STATUSES)}")
    if subject_kind not in (None, *SUBJECTS):
        raise InvalidInput(f"unknown kind {subject_kind!r}", f"one of: {', '.join(SUBJECTS)}")
    where = sa.true() if status == "all" else _R.c.status == status
    return sa.and_(where, _R.c.subject_kind == subject_kind) if subject_kind else where


def _page(
    conn: Connection, where: sa.ColumnElement[bool], limit: int | None, offset: int
) -> list[dict[str, Any]]:
    """The items ``where`` selects, each with its subject, in one query (joins)."""
    shown = {k: [(f"{k}_{c}", c) for c in v.split()] for k, v in _SHOWN.items()}
    table = {"lead": _L, "list_entry": _E}
    labels = [table[k].c[c].label(name) for k, pairs in shown.items() for name, c in pairs]
    query = sa.select(_R, *labels).select_from(_SUBJECTS).where(where).order_by(_R.c.id)
    query = query.offset(offset).limit(limit) if limit is not None else query.offset(offset)
    rows = []
    for found in conn.execute(query).mappings():
        row = {c.name: found[c.name] for c in _R.c}
        subject = {c: found[name] for name, c in shown[row["subject_kind"]]}
        missing = subject["id"] is None
        row["subject"] = {"id": row["subject_id"], "missing": True} if missing else subject
        rows.append(row)
    return rows


def _decided_by(
    conn: Connection, person: Actor, where: sa.ColumnElement[bool], strategy: Strategy | None,
    as_of: date | None,
) -> list[int]:  # fmt: skip
    """The ids of the items ``where`` selects that the manager decides (see review_queue)."""
    reps = visible_reps(conn, person) or set()
    columns = (_R.c.id, _R.c.subject_kind, _L.c.id.label("lead"), _L.c.owner_id)
    query = sa.select(*columns).select_from(_SUBJECTS).where(where).order_by(_R.c.id)

    def decides(item: Any) -> bool:
        if item.subject_kind != "lead":
            return True
        if item.owner_id or item.lead is None or as_of is None:
            return item.owner_id in reps
        return acts_on_lead(conn, actor=person, lead_id=item.lead, strategy=strategy, as_of=as_of)

    return [item.id for item in conn.execute(query).all() if decides(item)]


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
    strategy: Strategy | None = None,
) -> Resolution:
    """Record a person's decision on a review item and apply it to its lead or list entry.

    ``account_id`` None means "no account: this is a new company". Admins and executives
    decide any item; a manager a lead of their teams (:mod:`onstrategy.engines.lead_team`,
    read with ``strategy`` on ``now``'s day for a lead nobody owns) and any list entry. The
    decision is audit-logged and never overwritten by a rerun.
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
        if item["subject_kind"] == "lead":
            require_lead_access(conn, actor=person, lead_id=item["subject_id"],
                                strategy=strategy, as_of=now.date(),
                                doing="resolve the match of")  # fmt: skip
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
