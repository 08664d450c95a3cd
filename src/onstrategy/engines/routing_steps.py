"""The steps of one routing decision (:mod:`onstrategy.engines.routing` runs, stores and
explains them): the account owner, the profile (with its exception), the territory with its
round robin, the fallback queue. Each step appends what it checked, fired or not, with its
reason; :mod:`onstrategy.engines.lead_team` runs the same steps without a round-robin turn to
say whose lead it is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.lead_lists import lists_of_lead
from onstrategy.engines.fit import AccountFit, record_fit
from onstrategy.engines.round_robin import pick_rep, rep_statuses
from onstrategy.engines.territories import TerritoryRecord, assign_territory
from onstrategy.errors import NotFound
from onstrategy.store import tables as t
from onstrategy.strategy.model import Version

_LEAD = sa.select(t.lead).where(t.lead.c.id == sa.bindparam("id"))
_ACCOUNT = sa.select(t.account).where(t.account.c.id == sa.bindparam("id"))
_EXC = t.off_profile_exception
_EXCEPTION = (
    sa.select(_EXC.c.id, _EXC.c.reason_code, _EXC.c.decided_by, _EXC.c.expires_on)
    .where(
        _EXC.c.subject_kind == "lead",
        _EXC.c.subject_id == sa.bindparam("id"),
        _EXC.c.status == "approved",
        _EXC.c.expires_on > sa.bindparam("day", type_=sa.Date),  # the first day not covered
        sa.or_(_EXC.c.starts_on.is_(None), _EXC.c.starts_on <= sa.bindparam("day")),
    )
    .order_by(_EXC.c.expires_on.desc(), _EXC.c.id)
)


@dataclass(frozen=True)
class Step:
    """One routing rule, fired or not, with its reason in words."""

    rule: str
    fired: bool
    reason: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """Where a decision sends the lead (``territory``: before the round robin, see
    :func:`decide`)."""

    outcome: str
    assigned_to: str
    territory_id: str | None = None
    assigned_name: str | None = None
    ledger: dict[str, tuple[int, float]] | None = None  # round-robin state to store


def lead_row(conn: Connection, lead_id: str) -> dict[str, Any]:
    row = conn.execute(_LEAD, {"id": lead_id}).first()
    if row is None:
        raise NotFound(f"no lead {lead_id!r}", "check the id with your CRM export (Lead ID)")
    return dict(row._mapping)


def decide(
    conn: Connection, *, lead: dict[str, Any], version: Version, as_of: date, steps: list[Step],
    pick: bool = True,
) -> Outcome:  # fmt: skip
    """The decision; without ``pick``, a territory outcome stops before the round robin."""
    account_id = lead.get("account_id")
    row = conn.execute(_ACCOUNT, {"id": account_id}).first() if account_id else None
    account = dict(row._mapping) if row else None
    owner = _account_owner_step(conn, account=account, as_of=as_of, steps=steps)
    if owner:
        return owner
    lists = lists_of_lead(conn, lead_id=lead["id"], account_id=account_id)
    fit = record_fit(account or lead, key=account_id or lead["id"], lists=lists, version=version)
    queue = version.routing.nurture_queue
    queued = _profile_step(conn, lead=lead, fit=fit, judged=account, queue=queue, as_of=as_of,
                           steps=steps)  # fmt: skip
    if queued:
        return queued
    return _territory_step(conn, lead=lead, lists=lists, version=version, as_of=as_of,
                           steps=steps, pick=pick)  # fmt: skip


# ------------------------------------------------------------------ step 1: account owner


def _account_owner_step(
    conn: Connection, *, account: dict[str, Any] | None, as_of: date, steps: list[Step]
) -> Outcome | None:
    if account is None:
        steps.append(Step("account_owner", False, "the lead is not matched to an account"))
        return None
    name, owner_id = account.get("name") or account["id"], account.get("owner_id")
    details = {"account_id": account["id"], "owner_id": owner_id}
    if not owner_id:
        steps.append(Step("account_owner", False, f"matched account {name} has no owner"))
        return None
    status = rep_statuses(conn, [owner_id], as_of)[owner_id]
    if not status.active:
        why = f"matched account {name} belongs to {status.label}, who is {status.why}"
        steps.append(Step("account_owner", False, f"{why} on {as_of.isoformat()}", details))
        return None
    away = f" (out of office until {status.back}; the account stays with its owner)" \
        if status.out_of_office else ""  # fmt: skip
    reason = f"the lead matches account {name}, owned by {status.label}{away}"
    steps.append(Step("account_owner", True, reason, details))
    return Outcome("rep", owner_id, assigned_name=status.name)


# ------------------------------------------------------------------ step 2: profile


def _profile_step(
    conn: Connection, *, lead: dict[str, Any], fit: AccountFit, judged: dict[str, Any] | None,
    queue: str, as_of: date, steps: list[Step],
) -> Outcome | None:  # fmt: skip
    """None when the lead may go on to its territory; a nurture outcome otherwise."""
    whose = f"matched account {judged.get('name')}" if judged else "the lead"
    details = {
        "score": fit.score, "tier": fit.tier, "segment": fit.segment,
        "judged": "account" if judged else "lead", "reasons": [r.text for r in fit.reasons],
    }  # fmt: skip
    words = f"{whose} scores {fit.score:g} (tier {fit.tier}, best segment {fit.segment})"
    verdict = f"{words}: {'in' if fit.in_profile else 'off'} profile"
    steps.append(Step("off_profile", not fit.in_profile, verdict, details))
    if fit.in_profile:
        return None
    exception = conn.execute(_EXCEPTION, {"id": lead["id"], "day": as_of}).first()
    if exception is None:
        steps.append(Step("exception", False, "no approved, unexpired off-profile exception"))
        steps.append(Step("nurture", True, f"off-profile leads wait in the {queue} queue"))
        return Outcome("queue", queue)
    reason = (
        f"off-profile exception #{exception.id} ({exception.reason_code}) approved by "
        f"{exception.decided_by}, valid until {exception.expires_on.isoformat()}"
    )
    steps.append(Step("exception", True, reason, {"exception_id": exception.id}))
    return None


# ------------------------------------------------------------------ step 3: territory


def _territory_step(
    conn: Connection, *, lead: dict[str, Any], lists: frozenset[str], version: Version,
    as_of: date, steps: list[Step], pick: bool = True,
) -> Outcome:  # fmt: skip
    record = TerritoryRecord.from_row(lead, account_id=lead.get("account_id"), named_lists=lists)
    match = assign_territory(record=record, version=version)
    if match.territory_id is None:
        steps.append(Step("territory", False, "no territory's rules cover the lead"))
        return _fallback(version, steps, "no territory covers the lead")
    rivals = ", ".join(f"{b.territory_id} (lost on {b.beaten_by})" for b in match.beaten)
    reason = f"territory {match.name} ({match.level}): {'; '.join(match.reasons)}"
    details = {"territory_id": match.territory_id, "level": match.level,
               "beaten": [asdict(b) for b in match.beaten]}  # fmt: skip
    steps.append(Step("territory", True, reason + (f"; beat {rivals}" if rivals else ""), details))
    territory = next(x for x in version.territories if x.id == match.territory_id)
    if not pick:  # whose lead it is: the territory, before anyone's turn (no lock taken)
        return Outcome("territory", territory.id, territory.id)
    turn = pick_rep(conn, version=version, territory=territory, as_of=as_of)
    steps.append(Step("round_robin", turn.rep_id is not None, turn.reason,
                      {"candidates": turn.candidates}))  # fmt: skip
    if turn.rep_id is None:
        return _fallback(version, steps, f"no rep in {territory.name} is free", territory.id)
    return Outcome("rep", turn.rep_id, territory.id, turn.rep_name, turn.ledger)


def _fallback(
    version: Version, steps: list[Step], why: str, territory_id: str | None = None
) -> Outcome:
    queue = version.routing.fallback_queue
    steps.append(Step("fallback", True, f"{why}: the lead waits in the {queue} queue"))
    return Outcome("queue", queue, territory_id)
