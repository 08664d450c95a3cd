"""After an accounts import: the leads it reaches.

A new account can be the company a waiting lead is from (the lead "Initech" had no account
until the Initech account arrived), and a changed account changes the fit of every lead
judged on it. After each accounts import, once the named lists are matched again
(:mod:`onstrategy.crm.lists`, whose hook runs first so the leads' lists are current):

1. **Matching.** The leads with no account and no standing person's decision (``none``,
   ``ambiguous`` or never matched; a person's "none of them" stands) are screened against
   the accounts the import created or changed (``account.last_batch_id``) only: an index of
   those accounts, at a generous threshold, finds the leads that could be one of them.
   Each such lead is then matched against every account, so a better existing account is
   never overlooked, and stored as lead matching stores it (account, score, reasons, the
   review queue, the white-space lists). An import that brings most of the accounts (a
   first load) skips the screen: every lead waiting is matched against every account.
2. **The intake gate.** The leads the gate has judged whose account the import changed, or
   that it gave an account, are judged again under the version in force on the import's
   ``as_of`` (:func:`onstrategy.engines.gate.regate_leads`): only those whose basis (what
   the ICP reads: the account's industry, employees, revenue, country, state, named lists)
   or judgement changed are stored, a released lead only when its basis changed.

The import's notes count both; the audit log has ``match.leads`` (entity ``account``) and
``gate.regate`` for the batch. An import that changed no account does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import onstrategy.crm.lists  # noqa: F401  (its accounts hook, re-matching the lists, runs first)
from onstrategy.crm.lead_lists import list_indexes
from onstrategy.crm.lead_matching import (
    MatchRun,
    account_records,
    lead_chunks,
    load_account_index,
    store_lead_matches,
)
from onstrategy.engines.gate import GateRun, regate_leads
from onstrategy.engines.matching import AccountIndex, MatchRecord
from onstrategy.errors import OnstrategyError
from onstrategy.ingest.importer import AfterImport, register_after_import
from onstrategy.store import tables
from onstrategy.store.connect import Store

SCREEN = 50.0  # the changed accounts' index sends a lead on from this score (review: 70)
CHUNK = 2000
_LEAD, _ACCOUNT = tables.lead, tables.account
WAITING = sa.and_(  # no account, and no person's decision that stands
    _LEAD.c.account_id.is_(None),
    sa.or_(_LEAD.c.match_status.is_(None), _LEAD.c.match_status != "manual"),
)


@dataclass
class Reach:
    """What an accounts import did for the leads waiting for an account."""

    accounts: int = 0  # accounts the import created or changed
    considered: int = 0  # leads with no account screened against them
    run: MatchRun = field(default_factory=MatchRun)  # those screened in, matched on all
    matched: list[str] = field(default_factory=list)  # lead ids that now have an account

    def note(self) -> str:
        if not self.considered:
            return ""
        c, one = self.run.counts, self.accounts == 1
        head = f"leads without an account: {self.considered:,} checked against the "
        head += f"{self.accounts:,} account{'' if one else 's'} this import created or changed"
        if not self.run.considered:
            return head + f" — none is {'it' if one else 'one of them'}"
        review = f", {c['ambiguous']:,} to review" if c["ambiguous"] else ""
        opened = f" ({self.run.reviews_opened:,} new in `onstrategy matches review`)"
        return (f"{head} — {c['matched']:,} now matched to an account{review}"
                + (opened if self.run.reviews_opened else ""))  # fmt: skip


def rematch_waiting_leads(
    *, store: Store, batch_id: int, now: datetime, actor: str = "system",
    progress: Callable[[int, int], None] | None = None,
) -> Reach:  # fmt: skip
    """Match the leads waiting for an account against the accounts import ``batch_id``
    created or changed (screened on those, decided on every account; see the module
    docstring), store the outcome and audit it."""
    with store.begin() as conn:
        if conn.execute(sa.select(_LEAD.c.id).where(WAITING).limit(1)).first() is None:
            return Reach()  # no lead waits for an account
        changed = list(account_records(conn, _ACCOUNT.c.last_batch_id == batch_id))
        everyone = conn.execute(sa.select(sa.func.count()).select_from(_ACCOUNT)).scalar_one()
    reach = Reach(accounts=len(changed))
    if not changed:
        return reach
    # most accounts are new (a first load): no screen, every lead waiting is matched on all
    screen = AccountIndex.build(changed, review_threshold=SCREEN) if len(changed) * 2 < everyone \
        else None  # fmt: skip
    seen = _Seen()
    hits = [r for chunk in lead_chunks(store, WAITING) for r in _screened(chunk, screen, seen)]
    reach.considered = seen.leads
    if hits:
        _decide_on_all(store, hits, reach, now, progress)
    with store.begin() as conn:
        store.audit(
            conn, actor=actor, action="match.leads", entity="account", entity_id=str(batch_id),
            details={"accounts": reach.accounts, "waiting": reach.considered,
                     "screened_in": len(hits), **reach.run.counts},
        )  # fmt: skip
    return reach


@dataclass
class _Seen:
    """Screen outcomes by company (name, domain, place): a company's leads screened once."""

    leads: int = 0
    outcomes: dict[tuple[str | None, ...], bool] = field(default_factory=dict)


def _screened(
    chunk: list[MatchRecord], screen: AccountIndex | None, seen: _Seen
) -> list[MatchRecord]:
    """The leads of ``chunk`` that could be one of the changed accounts (all, unscreened)."""
    seen.leads += len(chunk)
    if screen is None:
        return chunk
    found = []
    for record in chunk:
        mail = record.email.rpartition("@")[2].lower() if record.email else None
        key = (record.name, record.domain, record.website, mail, *_place(record))
        hit = seen.outcomes.get(key)
        if hit is None:  # the result depends on nothing else (an email's domain, not its name)
            hit = seen.outcomes[key] = screen.match(record).status != "none"
        if hit:
            found.append(record)
    return found


def _place(record: MatchRecord) -> tuple[str | None, ...]:
    return (record.city, record.state, record.country)


def _decide_on_all(
    store: Store, hits: list[MatchRecord], reach: Reach, now: datetime,
    progress: Callable[[int, int], None] | None,
) -> None:  # fmt: skip
    index, lists = load_account_index(store=store), list_indexes(store)
    for start in range(0, len(hits), CHUNK):
        chunk = hits[start : start + CHUNK]
        results = [index.match(record) for record in chunk]
        with store.begin() as conn:
            store_lead_matches(conn, chunk, results, lists=lists, run=reach.run, now=now)
        reach.matched += [r.from_id for r in results if r.status == "matched"]
        if progress:
            progress(start + len(chunk), len(hits))


# ------------------------------------------------------------------ the intake gate


def leads_to_regate(
    conn: Connection, *, batch_id: int, matched: list[str]
) -> tuple[int, list[str]]:
    """The leads the gate has judged that import ``batch_id`` reached: how many are judged on
    an account it created or changed, and those it gave another account (of ``matched``)."""
    changed = sa.select(_ACCOUNT.c.id).where(_ACCOUNT.c.last_batch_id == batch_id)
    judged = _LEAD.c.gate_reasons.is_not(None)
    on_changed = sa.select(sa.func.count()).where(judged, _LEAD.c.account_id.in_(changed))
    also: list[str] = []
    for start in range(0, len(matched), 500):
        part = matched[start : start + 500]
        elsewhere = sa.or_(_LEAD.c.account_id.is_(None), _LEAD.c.account_id.not_in(changed))
        query = sa.select(_LEAD.c.id).where(judged, _LEAD.c.id.in_(part), elsewhere)
        also += conn.execute(query).scalars()
    return int(conn.execute(on_changed).scalar_one()), sorted(also)


def gate_note(run: GateRun, checked: int) -> str:
    """The import's note on the leads the gate judged again."""
    c = run.counts
    head = f"intake gate ({run.version}, as of {run.as_of.isoformat()}): {checked:,} leads "
    head += "judged on accounts this import created, changed or matched them to"
    if not run.judged:
        return head + " — none changed in what the ICP reads, so none was judged again"
    in_profile = c["active"] + c["protected"]
    text = f"{head} — {run.judged:,} judged again: {in_profile:,} in profile, "
    text += f"{c['quarantined']:,} quarantined, {c['status_changed']:,} changed status"
    if c["released_regated"]:
        text += f"; {c['released_regated']:,} of them released earlier"
    return text + "; see `onstrategy gate list`"


def _regate(ctx: AfterImport, reach: Reach) -> list[str]:
    with ctx.store.begin() as conn:
        on_changed, also = leads_to_regate(conn, batch_id=ctx.batch_id, matched=reach.matched)
    checked = on_changed + len(also)
    if not checked:
        return []
    if ctx.strategy is None:
        return [
            f"intake gate not applied to the {checked:,} leads judged on accounts this import "
            "created, changed or matched them to: no strategy given. Apply it with "
            "`onstrategy --strategy FILE gate apply --kind leads`"
        ]
    try:
        run = regate_leads(store=ctx.store, strategy=ctx.strategy, as_of=ctx.as_of,
                           batch_id=ctx.batch_id, also=also, actor=ctx.actor)  # fmt: skip
    except OnstrategyError as err:  # e.g. no version in force yet: the import still stands
        return [f"intake gate not applied: {err.message}. {err.hint}".strip()]
    return [gate_note(run, checked)]


# ------------------------------------------------------------------ after an accounts import


def after_accounts_import(ctx: AfterImport) -> list[str]:
    """The leads an accounts import reaches: matched, then judged again (module docstring)."""
    reach = rematch_waiting_leads(
        store=ctx.store, batch_id=ctx.batch_id, now=datetime.now(UTC), actor=ctx.actor
    )
    return [note for note in (reach.note(),) if note] + _regate(ctx, reach)


register_after_import("accounts", after_accounts_import)
