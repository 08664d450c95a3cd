"""Off-profile exceptions: a rep who wants to pursue a lead or deal outside the ICP says why.

The article: "require a clear rationale from any salesperson pursuing leads that don't match
your ideal client profile". The workflow:

* **request** — the subject's owner (or their manager) gives a reason code from the strategy,
  a rationale with substance (enough words, not a placeholder, not the label copied), an
  expected value and a duration (at most ``exceptions.max_days``). Only an off-profile
  subject, under the version in force, can be excused; an in-profile one needs nothing.
* **decide** — the rep's team manager approves or rejects with a comment. When approving
  would take the rep's off-profile share of open pipeline above ``goals.exception_budget``
  the request *needs escalation*: only a user with role ``exceptions.escalate_to`` may
  approve it. Approval runs from the decision day for the requested days.
* **expire / renew** — an approval ends at ``expires_on``; a renewal is a new request that
  points at the old one (``renews_id``) and is decided like any other.

History is append-only: every step is an event in ``off_profile_exception_event`` (the
database refuses UPDATE and DELETE there) and an entry in the audit log. The row keeps the
current status for quick reads; a decided exception is never decided again.

(Over 500 lines: the rules, the writes and the reads of one workflow change together; split
it into a package — rules, workflow, reads — when the API and web shells arrive.)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.engines.fit import AccountFit, explain, fit_table
from onstrategy.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.model import ExceptionPolicy, ReasonCode, Strategy, Version

X = tables.off_profile_exception
EVENTS = tables.off_profile_exception_event
KINDS = ("lead", "opportunity")
STATUSES = ("pending", "approved", "rejected", "expired")
PLACEHOLDERS = {
    "n/a",
    "na",
    "n.a.",
    "tbd",
    "tba",
    "none",
    "nothing",
    "asdf",
    "test",
    "todo",
    "-",
    "--",
    "...",
    "x",
    "xx",
    "xxx",
    "?",
    "see above",
    "see notes",
    "no reason",
    "because",
    "same",
    "idk",
    "nil",
    "null",
    "ok",
    "fine",
    "lorem ipsum",
}
FILLER = {"asdf", "qwerty", "qwer", "zxcv", "lorem", "ipsum", "blah", "xxx", "xx", "foo", "tbd"}
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    email: str | None
    role: str
    team_id: str | None


@dataclass(frozen=True)
class Subject:
    """The lead or opportunity an exception is for, with its fit under a version."""

    kind: str
    id: str
    name: str | None
    owner_id: str | None
    account_id: str | None
    value: float | None
    is_open: bool
    fit: AccountFit | None  # None: no account and no firmographics to judge

    @property
    def in_profile(self) -> bool:
        return bool(self.fit and self.fit.in_profile)

    def why_off(self) -> list[str]:
        if self.fit is None:
            return ["no account is linked, so nothing places it in the ICP"]
        return [r.text for r in self.fit.reasons if not r.met]


@dataclass(frozen=True)
class Budget:
    """The rep's off-profile share of open pipeline if this exception were approved."""

    rep_id: str
    open_pipeline: float
    off_profile: float
    added: float
    limit: float

    @property
    def share_after(self) -> float:
        total = self.open_pipeline + self.added
        return (self.off_profile + self.added) / total if total else 0.0

    @property
    def exceeded(self) -> bool:
        return self.share_after > self.limit + 1e-9

    def describe(self) -> str:
        verb = "above" if self.exceeded else "within"
        return (
            f"off-profile open pipeline would be {self.off_profile + self.added:,.0f} of "
            f"{self.open_pipeline + self.added:,.0f} ({self.share_after:.0%}), {verb} the "
            f"exception budget of {self.limit:.0%}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "open_pipeline": round(self.open_pipeline, 2),
            "off_profile": round(self.off_profile, 2),
            "added": round(self.added, 2),
            "share_after": round(self.share_after, 4),
            "limit": self.limit,
            "exceeded": self.exceeded,
            "text": self.describe(),
        }


@dataclass(frozen=True)
class OffProfileException:
    id: int
    subject_kind: str
    subject_id: str
    rep_id: str
    reason_code: str
    rationale: str
    expected_value: float | None
    requested_days: int
    requested_at: datetime
    strategy_version: str
    needs_escalation: bool
    status: str  # as of the day asked for: an approval past its end reads "expired"
    stored_status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_comment: str | None
    starts_on: date | None
    expires_on: date | None  # first day it no longer covers the subject
    renews_id: int | None
    reasons: list[str] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: Any, as_of: date) -> OffProfileException:
        data = dict(row._mapping if hasattr(row, "_mapping") else row)
        stored = data["status"]
        lapsed = stored == "approved" and data["expires_on"] and as_of >= data["expires_on"]
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**{**fields, "stored_status": stored, "status": "expired" if lapsed else stored})

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Flag:
    """An open off-profile opportunity that no approved, unexpired exception covers."""

    opportunity_id: str
    name: str | None
    account_id: str | None
    account_name: str | None
    owner_id: str | None
    team_id: str | None
    amount: float
    stage: str | None
    created_on: date | None
    fit_tier: str | None
    fit_score: float | None
    why: list[str]
    exception_id: int | None
    exception_status: str | None
    version: str


# ------------------------------------------------------------------ rules


def rationale_problems(
    text: str, *, policy: ExceptionPolicy, reason: ReasonCode | None
) -> list[str]:
    """What a rationale lacks, in plain words; empty when it has substance."""
    cleaned = " ".join((text or "").split())
    words = [w.lower() for w in WORD.findall(cleaned)]
    if not words:
        return ["the rationale is empty: say why this client is worth pursuing off-profile"]
    if cleaned.lower().strip(" .!") in PLACEHOLDERS:
        return [f"{cleaned!r} is a placeholder, not a rationale"]
    need = policy.min_rationale_words
    problems = []
    if len(words) < need:
        problems.append(
            f"the rationale has {len(words)} words; the strategy asks for at least "
            f"{need}: who the client is, why it is worth the time, what you expect"
        )
    if len(set(words)) < max(3, math.ceil(need / 2)):
        problems.append("the rationale repeats the same few words")
    if sum(w in FILLER for w in words) >= max(1, len(words) / 4):
        problems.append("the rationale is mostly filler (asdf, lorem ipsum, ...)")
    if reason is not None:
        label = {w.lower() for w in WORD.findall(f"{reason.label} {reason.code}")}
        own = [w for w in words if w not in label]
        if len(own) < max(3, math.ceil(need / 2)):
            problems.append(
                f"the rationale mostly copies the reason's label ({reason.label!r}): "
                "add what is specific to this client"
            )
    return problems


def _check_request(
    version: Version,
    *,
    reason_code: str,
    rationale: str,
    days: int,
    expected_value: float | None,
) -> ReasonCode:
    policy = version.exceptions
    problems: list[Problem] = []
    reason = next((r for r in policy.reason_codes if r.code == reason_code), None)
    if reason is None:
        known = ", ".join(r.code for r in policy.reason_codes)
        problems.append(
            Problem(
                "reason",
                f"unknown reason code {reason_code!r}",
                f"version {version.id} allows: {known}",
            )
        )
    problems += [
        Problem("rationale", p) for p in rationale_problems(rationale, policy=policy, reason=reason)
    ]
    if not 1 <= days <= policy.max_days:
        problems.append(
            Problem(
                "days",
                f"{days} days is outside 1–{policy.max_days}",
                f"version {version.id} allows at most {policy.max_days} days; renew when it ends",
            )
        )
    if expected_value is None or expected_value <= 0:
        problems.append(
            Problem(
                "expected_value",
                "an expected value above 0 is required",
                "what the deal is worth if won, in the strategy's currency",
            )
        )
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise InvalidInput(
            f"the exception request has {len(problems)} {noun}",
            "fix each line above and ask again",
            problems,
        )
    assert reason is not None
    return reason


# ------------------------------------------------------------------ lookups


def resolve_actor(conn: Connection, who: str, *, acting: bool = True) -> Actor:
    """A user by id or email; inactive users may not act (but may be looked up)."""
    u = tables.user
    key = (who or "").strip()
    row = (
        conn.execute(
            sa.select(u).where(sa.or_(u.c.id == key, sa.func.lower(u.c.email) == key.lower()))
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no user {key!r}", "use a user id or email from the users import")
    if acting and not row["active"]:
        raise Forbidden(f"{row['name']} is not an active user", "ask an admin")
    return Actor(row["id"], row["name"], row["email"], row["role"], row["team_id"])


def team_manager(conn: Connection, rep_id: str) -> str | None:
    u, t = tables.user, tables.team
    return conn.execute(
        sa.select(t.c.manager_id)
        .select_from(u.join(t, u.c.team_id == t.c.id))
        .where(u.c.id == rep_id)
    ).scalar()


def _fit_rows(store: Store, version: Version, table: str, ids: list[str]) -> dict[str, Any]:
    if not ids:
        return {}
    fitted = fit_table(
        table=store.table(table),
        key="id",
        version=version,
        list_entries=store.table("named_list_entry"),
    )
    rows = fitted.filter(fitted.id.isin(ids)).to_pyarrow().to_pylist()
    return {r["id"]: explain(r, version=version) for r in rows}


def account_fits(store: Store, version: Version, ids: list[str]) -> dict[str, AccountFit]:
    return _fit_rows(store, version, "account", sorted({i for i in ids if i}))


def load_subject(store: Store, version: Version, kind: str, subject_id: str) -> Subject:
    if kind not in KINDS:
        raise InvalidInput(f"unknown subject kind {kind!r}", "use lead or opportunity")
    table = tables.opportunity if kind == "opportunity" else tables.lead
    with store.begin() as conn:
        row = conn.execute(sa.select(table).where(table.c.id == subject_id)).mappings().first()
    if row is None:
        raise NotFound(f"no {kind} {subject_id!r}", f"check the {kind} id in the CRM export")
    account_id = row["account_id"]
    fit = account_fits(store, version, [account_id]).get(account_id) if account_id else None
    if kind == "lead" and fit is None:
        fit = _fit_rows(store, version, "lead", [subject_id]).get(subject_id)
    if kind == "opportunity":
        return Subject(
            kind,
            subject_id,
            row["name"],
            row["owner_id"],
            account_id,
            row["amount"],
            not row["is_closed"],
            fit,
        )
    name = row["company"] or " ".join(filter(None, (row["first_name"], row["last_name"])))
    return Subject(
        kind,
        subject_id,
        name,
        row["owner_id"],
        account_id,
        None,
        (row["status"] or "").lower() not in ("converted", "disqualified"),
        fit,
    )


def open_pipeline(store: Store, version: Version, rep_id: str, as_of: date) -> list[dict[str, Any]]:
    """The rep's open opportunities on ``as_of`` with the fit of their accounts."""
    opp = tables.opportunity
    with store.begin() as conn:
        rows = [
            dict(r)
            for r in conn.execute(
                sa.select(
                    opp.c.id,
                    opp.c.name,
                    opp.c.account_id,
                    opp.c.amount,
                    opp.c.stage,
                    opp.c.created_on,
                    opp.c.owner_id,
                ).where(
                    opp.c.owner_id == rep_id,
                    opp.c.is_closed.is_(False),
                    sa.or_(opp.c.created_on.is_(None), opp.c.created_on <= as_of),
                )
            ).mappings()
        ]
    fits = account_fits(store, version, [r["account_id"] for r in rows])
    for row in rows:
        row["fit"] = fits.get(row["account_id"])
    return rows


def budget_for(
    store: Store, version: Version, subject: Subject, value: float, as_of: date
) -> Budget:
    rep = subject.owner_id or ""
    rows = open_pipeline(store, version, rep, as_of)
    total = sum(r["amount"] or 0.0 for r in rows)
    off = sum(r["amount"] or 0.0 for r in rows if not (r["fit"] and r["fit"].in_profile))
    counted = subject.kind == "opportunity" and any(r["id"] == subject.id for r in rows)
    return Budget(rep, total, off, 0.0 if counted else value, version.goals.exception_budget)


# ------------------------------------------------------------------ the workflow


def _may_act_for(conn: Connection, actor: Actor, rep_id: str | None) -> bool:
    if actor.role in ("executive", "admin") or actor.id == rep_id:
        return True
    return actor.role == "manager" and rep_id is not None and team_manager(conn, rep_id) == actor.id


def _event(
    conn: Connection,
    store: Store,
    exception_id: int,
    *,
    actor: str,
    event: str,
    status: str,
    as_of: date,
    now: datetime,
    comment: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    details = _plain(details or {})
    conn.execute(
        EVENTS.insert().values(
            exception_id=exception_id,
            at=now,
            as_of=as_of,
            actor=actor,
            event=event,
            status=status,
            comment=comment,
            details=details,
        )
    )
    store.audit(
        conn,
        actor=actor,
        action=f"exception.{event}",
        entity="off_profile_exception",
        entity_id=str(exception_id),
        details={"status": status, "comment": comment, "as_of": as_of.isoformat(), **details},
    )


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, containers walked."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


def _live(conn: Connection, kind: str, subject_id: str, as_of: date, skip: int | None) -> Any:
    live = sa.or_(
        X.c.status == "pending", sa.and_(X.c.status == "approved", X.c.expires_on > as_of)
    )
    query = sa.select(X).where(X.c.subject_kind == kind, X.c.subject_id == subject_id, live)
    if skip is not None:
        query = query.where(X.c.id != skip)
    return conn.execute(query).mappings().first()


def request_exception(
    *,
    store: Store,
    strategy: Strategy,
    subject_kind: str,
    subject_id: str,
    rep: str,
    reason_code: str,
    rationale: str,
    expected_value: float | None,
    days: int,
    as_of: date,
    now: datetime,
    renews_id: int | None = None,
) -> OffProfileException:
    """File a request; ``rep`` is who asks (the owner, their manager, or an executive)."""
    version = strategy.version_on(as_of)
    subject = load_subject(store, version, subject_kind, subject_id)
    value = expected_value if expected_value is not None else subject.value
    reason = _check_request(
        version, reason_code=reason_code, rationale=rationale, days=days, expected_value=value
    )
    _check_subject(subject, version)
    expire_exceptions(store=store, as_of=as_of, now=now)
    budget = budget_for(store, version, subject, float(value or 0.0), as_of)
    with store.begin() as conn:
        actor = resolve_actor(conn, rep)
        if not _may_act_for(conn, actor, subject.owner_id):
            raise Forbidden(
                f"{actor.name} may not ask for an exception on {subject.kind} "
                f"{subject.id}, owned by {subject.owner_id or 'nobody'}",
                "a rep asks for their own book; a manager for their team",
            )
        _refuse_duplicate(conn, subject, as_of, renews_id)
        new_id = _insert(
            conn, subject, reason, rationale, value, days, version, budget, now, renews_id
        )
        details = {
            "version": version.id,
            "why_off_profile": subject.why_off(),
            "budget": budget.as_dict(),
            "renews_id": renews_id,
        }
        _event(
            conn,
            store,
            new_id,
            actor=actor.id,
            event="requested",
            status="pending",
            as_of=as_of,
            now=now,
            comment=rationale,
            details=details,
        )
        if renews_id is not None:
            _event(
                conn,
                store,
                renews_id,
                actor=actor.id,
                event="renewal_requested",
                status=_status_of(conn, renews_id),
                as_of=as_of,
                now=now,
                details={"renewal_id": new_id},
            )
        return _get(conn, new_id, as_of)


def _check_subject(subject: Subject, version: Version) -> None:
    if subject.in_profile:
        fit = subject.fit
        assert fit is not None
        raise InvalidInput(
            f"{subject.kind} {subject.id} is in profile under {version.id} (tier {fit.tier}, "
            f"{fit.segment}): it needs no exception",
            "exceptions are for off-profile work only",
        )
    if subject.kind == "opportunity" and not subject.is_open:
        raise InvalidInput(
            f"opportunity {subject.id} is closed",
            "an exception is asked before pursuing, while the deal is open",
        )


def _refuse_duplicate(conn: Connection, subject: Subject, as_of: date, skip: int | None) -> None:
    live = _live(conn, subject.kind, subject.id, as_of, skip)
    if live is not None:
        raise Conflict(
            f"{subject.kind} {subject.id} already has exception {live['id']} ({live['status']})",
            f"see `onstrategy exceptions history {live['id']}`; renew it when it ends",
        )


def _insert(
    conn: Connection,
    subject: Subject,
    reason: ReasonCode,
    rationale: str,
    value: float | None,
    days: int,
    version: Version,
    budget: Budget,
    now: datetime,
    renews_id: int | None,
) -> int:
    result = conn.execute(
        X.insert().values(
            subject_kind=subject.kind,
            subject_id=subject.id,
            rep_id=subject.owner_id or "",
            reason_code=reason.code,
            rationale=" ".join(rationale.split()),
            expected_value=value,
            requested_days=days,
            requested_at=now,
            strategy_version=version.id,
            needs_escalation=budget.exceeded,
            status="pending",
            renews_id=renews_id,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _status_of(conn: Connection, exception_id: int) -> str:
    return str(conn.execute(sa.select(X.c.status).where(X.c.id == exception_id)).scalar())


def _get(conn: Connection, exception_id: int, as_of: date) -> OffProfileException:
    row = conn.execute(sa.select(X).where(X.c.id == exception_id)).first()
    if row is None:
        raise NotFound(f"no exception {exception_id}", "see `onstrategy exceptions list`")
    return OffProfileException.from_row(row, as_of)


def decide_exception(
    *,
    store: Store,
    strategy: Strategy,
    exception_id: int,
    approve: bool,
    decider: str,
    comment: str,
    as_of: date,
    now: datetime,
) -> OffProfileException:
    """Approve or reject a pending request; a decision is final."""
    if not (comment or "").strip():
        raise InvalidInput("a decision needs a comment", "say why, for the rep and the record")
    expire_exceptions(store=store, as_of=as_of, now=now)
    with store.begin() as conn:
        current = _get(conn, exception_id, as_of)
        actor = resolve_actor(conn, decider)
    _refuse_decided(current)
    version = strategy.version_on(as_of)
    subject = load_subject(store, version, current.subject_kind, current.subject_id)
    budget = budget_for(store, version, subject, float(current.expected_value or 0), as_of)
    escalate = current.needs_escalation or budget.exceeded
    with store.begin() as conn:
        _authorise(conn, actor, current, approve=approve, escalate=escalate, version=version)
        status = "approved" if approve else "rejected"
        values: dict[str, Any] = {
            "status": status,
            "decided_by": actor.id,
            "decided_at": now,
            "decision_comment": comment.strip(),
        }
        if approve:
            start = _start_of(conn, current, as_of)
            values |= {
                "starts_on": start,
                "expires_on": start + timedelta(days=current.requested_days),
            }
        done = conn.execute(
            X.update().where(X.c.id == exception_id, X.c.status == "pending").values(**values)
        )
        if done.rowcount != 1:
            raise Conflict(f"exception {exception_id} was decided meanwhile", "reload it")
        _event(
            conn,
            store,
            exception_id,
            actor=actor.id,
            event=status,
            status=status,
            as_of=as_of,
            now=now,
            comment=comment.strip(),
            details={
                "version": version.id,
                "budget": budget.as_dict(),
                "escalated": escalate,
                "expires_on": values.get("expires_on"),
            },
        )
        return _get(conn, exception_id, as_of)


def _start_of(conn: Connection, current: OffProfileException, as_of: date) -> date:
    """A renewal approved while the old approval still runs starts when that one ends."""
    if current.renews_id is None:
        return as_of
    old = _get(conn, current.renews_id, as_of)
    running = old.status == "approved" and old.expires_on is not None
    return max(as_of, old.expires_on) if running and old.expires_on else as_of


def _refuse_decided(current: OffProfileException) -> None:
    if current.stored_status != "pending":
        when = current.decided_at.date().isoformat() if current.decided_at else "earlier"
        raise Conflict(
            f"exception {current.id} is already {current.stored_status} "
            f"(by {current.decided_by or 'the system'}, {when}); a decision is final",
            "ask for a renewal or a new exception instead",
        )


def _authorise(
    conn: Connection,
    actor: Actor,
    current: OffProfileException,
    *,
    approve: bool,
    escalate: bool,
    version: Version,
) -> None:
    higher = version.exceptions.escalate_to
    if actor.id == current.rep_id or _requested_by(conn, current.id) == actor.id:
        raise Forbidden(
            f"{actor.name} asked for exception {current.id} and cannot decide it",
            "the rep's manager decides",
        )
    is_manager = team_manager(conn, current.rep_id) == actor.id
    if not (is_manager or actor.role in ("executive", "admin")):
        raise Forbidden(
            f"{actor.name} is not the manager of {current.rep_id}'s team",
            "the rep's team manager decides (or an executive)",
        )
    if approve and escalate and actor.role != higher:
        raise Forbidden(
            f"exception {current.id} needs escalation: approving it would take the rep above "
            f"the exception budget of {version.goals.exception_budget:.0%}",
            f"a user with role {higher} must approve it (a manager may still reject it)",
        )


def _requested_by(conn: Connection, exception_id: int) -> str | None:
    return conn.execute(
        sa.select(EVENTS.c.actor).where(
            EVENTS.c.exception_id == exception_id, EVENTS.c.event == "requested"
        )
    ).scalar()


def renew_exception(
    *,
    store: Store,
    strategy: Strategy,
    exception_id: int,
    actor: str,
    days: int,
    rationale: str,
    as_of: date,
    now: datetime,
    expected_value: float | None = None,
) -> OffProfileException:
    """A new request for the same subject and reason, pointing at the approval it renews."""
    with store.begin() as conn:
        old = _get(conn, exception_id, as_of)
    if old.stored_status not in ("approved", "expired"):
        raise Conflict(
            f"exception {old.id} is {old.stored_status}; only an approved or "
            "expired exception can be renewed",
            "ask for a new exception instead",
        )
    return request_exception(
        store=store,
        strategy=strategy,
        subject_kind=old.subject_kind,
        subject_id=old.subject_id,
        rep=actor,
        reason_code=old.reason_code,
        rationale=rationale,
        days=days,
        as_of=as_of,
        now=now,
        renews_id=old.id,
        expected_value=expected_value if expected_value is not None else old.expected_value,
    )


def expire_exceptions(
    *, store: Store, as_of: date, now: datetime, actor: str = "onstrategy"
) -> list[OffProfileException]:
    """Mark approvals whose duration has ended as expired (each with its event)."""
    with store.begin() as conn:
        rows = conn.execute(
            sa.select(X).where(X.c.status == "approved", X.c.expires_on <= as_of)
        ).all()
        for row in rows:
            conn.execute(
                X.update()
                .where(X.c.id == row.id, X.c.status == "approved")
                .values(status="expired")
            )
            _event(
                conn,
                store,
                row.id,
                actor=actor,
                event="expired",
                status="expired",
                as_of=as_of,
                now=now,
                details={"expires_on": row.expires_on},
            )
        return [
            replace(OffProfileException.from_row(r, as_of), stored_status="expired") for r in rows
        ]


# ------------------------------------------------------------------ reading


def visible_reps(conn: Connection, actor: Actor | None) -> set[str] | None:
    """Rep ids ``actor`` may see (None: all)."""
    if actor is None or actor.role in ("executive", "admin"):
        return None
    if actor.role == "manager":
        teams = (
            conn.execute(sa.select(tables.team.c.id).where(tables.team.c.manager_id == actor.id))
            .scalars()
            .all()
        )
        members = (
            conn.execute(sa.select(tables.user.c.id).where(tables.user.c.team_id.in_(teams)))
            .scalars()
            .all()
        )
        return {actor.id, *members}
    return {actor.id}


def list_exceptions(
    *,
    store: Store,
    as_of: date,
    status: str | None = None,
    rep: str | None = None,
    team: str | None = None,
    viewer: str | None = None,
) -> list[OffProfileException]:
    """Exceptions, newest first, with their status as of ``as_of``."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}", f"use one of {', '.join(STATUSES)}")
    with store.begin() as conn:
        query = sa.select(X).order_by(X.c.id.desc())
        if rep:
            query = query.where(X.c.rep_id == resolve_actor(conn, rep, acting=False).id)
        if team:
            query = query.where(
                X.c.rep_id.in_(sa.select(tables.user.c.id).where(tables.user.c.team_id == team))
            )
        allowed = visible_reps(conn, resolve_actor(conn, viewer) if viewer else None)
        found = [OffProfileException.from_row(r, as_of) for r in conn.execute(query)]
    return [
        e
        for e in found
        if (status is None or e.status == status) and (allowed is None or e.rep_id in allowed)
    ]


def exception_history(
    *, store: Store, exception_id: int, as_of: date
) -> tuple[OffProfileException, list[dict[str, Any]]]:
    """The exception and every event of it and of the exceptions it renews, oldest first."""
    with store.begin() as conn:
        current = _get(conn, exception_id, as_of)
        chain, cursor = [current.id], current.renews_id
        while cursor is not None and cursor not in chain:
            chain.append(cursor)
            cursor = conn.execute(sa.select(X.c.renews_id).where(X.c.id == cursor)).scalar()
        events = (
            conn.execute(
                sa.select(EVENTS)
                .where(EVENTS.c.exception_id.in_(chain))
                .order_by(EVENTS.c.at, EVENTS.c.id)
            )
            .mappings()
            .all()
        )
    return current, [dict(e) for e in events]


def unexcused_off_profile(
    *,
    store: Store,
    strategy: Strategy,
    as_of: date,
    team: str | None = None,
    rep: str | None = None,
) -> list[Flag]:
    """Open off-profile opportunities with no approved, unexpired exception: the flag list."""
    version = strategy.version_on(as_of)
    opp, u = tables.opportunity, tables.user
    query = sa.select(opp, u.c.team_id).select_from(opp.outerjoin(u, opp.c.owner_id == u.c.id))
    query = query.where(
        opp.c.is_closed.is_(False), sa.or_(opp.c.created_on.is_(None), opp.c.created_on <= as_of)
    )
    if team:
        query = query.where(u.c.team_id == team)
    if rep:
        query = query.where(opp.c.owner_id == rep)
    with store.begin() as conn:
        opps = conn.execute(query).mappings().all()
        latest = _latest_exceptions(conn, as_of)
    fits = account_fits(store, version, [o["account_id"] for o in opps])
    flags = [_flag(o, fits.get(o["account_id"]), latest.get(o["id"]), version) for o in opps]
    kept = [f for f in flags if f is not None]
    return sorted(kept, key=lambda f: (-f.amount, f.opportunity_id))


def _latest_exceptions(conn: Connection, as_of: date) -> dict[str, OffProfileException]:
    rows = conn.execute(sa.select(X).where(X.c.subject_kind == "opportunity").order_by(X.c.id))
    latest: dict[str, OffProfileException] = {}
    for row in rows:
        record = OffProfileException.from_row(row, as_of)
        if latest.get(record.subject_id) is None or latest[record.subject_id].status != "approved":
            latest[record.subject_id] = record
    return latest


def _flag(
    opp: Any, fit: AccountFit | None, excuse: OffProfileException | None, version: Version
) -> Flag | None:
    if (fit and fit.in_profile) or (excuse and excuse.status == "approved"):
        return None
    why = [r.text for r in fit.reasons if not r.met] if fit else ["no account is linked"]
    return Flag(
        opp["id"],
        opp["name"],
        opp["account_id"],
        fit.name if fit else None,
        opp["owner_id"],
        opp["team_id"],
        float(opp["amount"] or 0.0),
        opp["stage"],
        opp["created_on"],
        fit.tier if fit else None,
        fit.score if fit else None,
        why,
        excuse.id if excuse else None,
        excuse.status if excuse else None,
        version.id,
    )
