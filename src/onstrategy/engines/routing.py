"""Lead routing: who gets a lead, and a stored answer to "why did I get this lead?".

Each decision walks these steps in order and records every one, fired or not, with its
reason, the strategy version in force on ``as_of`` and the time:

1. **account owner** — the lead is matched to an account (``lead.account_id``) whose owner is
   active (``user_account.active`` and no ``inactive`` availability covering the date): the
   owner gets it, even when out of office (account continuity beats speed; the reason says so).
2. **profile** — the lead's ICP fit (its matched account's fit if it has one, else the lead's
   own firmographics; the fit engine's definition under the version in force) is off profile:
   it goes to the nurture queue (``routing.nurture_queue``), unless an approved, unexpired
   off-profile exception exists for the lead.
3. **territory** — the lead's territory (``engines.territories``; named accounts and lists via
   its matched account) hands it to one of its reps by weighted round robin (below).
4. **fallback** — no territory covers the lead, or no rep in it is free:
   ``routing.fallback_queue`` (default ``unrouted``).

**Weighted round robin.** Each territory keeps a ledger (table ``routing_ledger``) with each
rep's ``credit``: the leads round robin gave them. Among the reps free on ``as_of`` — active,
not out of office, below capacity — the next lead goes to the rep with the smallest
``(credit + 1) / weight`` (ties: the order of reps in the strategy file). Over many leads each
rep's share is proportional to its weight (2:1 weights, 2:1 leads). The ledger is stored and
updated in the decision's transaction, so restarts change nothing and the same inputs give the
same decision.

**Catch-up protection.** A rep who was away (out of office, inactive, at capacity) or is new
would otherwise receive every lead until their credit caught up. Before choosing, a free rep's
credit is raised to at least ``weight × (average credit per weight of the other free reps) −
routing.catch_up_cap``: they receive at most ``catch_up_cap`` leads above the territory's
average share, then take turns again. The raise is recorded in the decision.

**Capacity.** A rep's load is the active accounts they own plus the open leads they own (a
lead is open unless its status is one of ``CLOSED_LEAD_STATUSES``); a rep whose load has
reached the ``capacity`` of their coverage in the territory is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.engines.fit import AccountFit, explain
from onstrategy.engines.territories import TerritoryRecord, assign_territory
from onstrategy.errors import Conflict, NotFound
from onstrategy.store import tables as t
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Segment, Strategy, Territory, Version

CLOSED_LEAD_STATUSES = frozenset(
    {
        "unqualified",
        "disqualified",
        "converted",
        "closed",
        "closed - converted",
        "closed - not converted",
        "closed won",
        "closed lost",
        "open deal",
        "bad timing",
        "junk",
        "recycled",
    }
)
ACTOR = "routing"


@dataclass(frozen=True)
class Step:
    """One routing rule, fired or not, with its reason in words."""

    rule: str
    fired: bool
    reason: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RoutingDecision:
    lead_id: str
    decided_at: datetime
    as_of: date
    strategy_version: str
    outcome: str  # rep | queue
    assigned_to: str
    territory_id: str | None
    steps: tuple[Step, ...]
    id: int | None = None
    assigned_name: str | None = None
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Outcome:
    outcome: str
    assigned_to: str
    territory_id: str | None = None
    assigned_name: str | None = None
    ledger: dict[str, tuple[int, float]] | None = None  # rep -> (assigned, credit) to store


# ------------------------------------------------------------------ public functions


def route_lead(
    *,
    store: Store,
    strategy: Strategy,
    lead_id: str,
    as_of: date,
    now: datetime,
    dry_run: bool = False,
    actor: str = ACTOR,
) -> RoutingDecision:
    """Decide who gets ``lead_id`` on ``as_of``; store it (unless ``dry_run``) and return it."""
    with _transaction(store, dry_run) as conn:
        return _route(
            conn,
            store=store,
            strategy=strategy,
            lead_id=lead_id,
            as_of=as_of,
            now=now,
            dry_run=dry_run,
            actor=actor,
        )


def route_unassigned(
    *,
    store: Store,
    strategy: Strategy,
    as_of: date,
    now: datetime,
    dry_run: bool = False,
    include_queued: bool = False,
    actor: str = ACTOR,
    progress: Callable[[int, int], None] | None = None,
) -> list[RoutingDecision]:
    """Route every active lead without an owner, oldest first.

    Leads already waiting in a queue (a stored decision) are left alone unless
    ``include_queued``. A dry run routes them all in one transaction and rolls it back, so
    it shows exactly what a real run would do.
    """
    ids = unassigned_lead_ids(store=store, include_queued=include_queued)
    decisions: list[RoutingDecision] = []
    with _transaction(store, True) if dry_run else _nothing() as shared:
        for done, lead_id in enumerate(ids, start=1):
            # a real run commits each decision on its own; a dry run shares one transaction
            with _reuse(shared) if shared else _transaction(store, False) as conn:
                decisions.append(
                    _route(
                        conn,
                        store=store,
                        strategy=strategy,
                        lead_id=lead_id,
                        as_of=as_of,
                        now=now,
                        dry_run=dry_run,
                        actor=actor,
                    )
                )
            if progress:
                progress(done, len(ids))
    return decisions


def unassigned_lead_ids(*, store: Store, include_queued: bool = False) -> list[str]:
    lead = t.lead
    query = sa.select(lead.c.id).where(lead.c.owner_id.is_(None), lead.c.gate_status == "active")
    if not include_queued:
        decided = sa.select(t.routing_decision.c.lead_id)
        query = query.where(lead.c.id.not_in(decided))
    query = query.order_by(lead.c.created_on.is_(None), lead.c.created_on, lead.c.id)
    with store.begin() as conn:
        return [row[0] for row in conn.execute(query)]


def decisions_for(*, store: Store, lead_id: str) -> list[RoutingDecision]:
    """The stored decisions for a lead, newest first ("why did I get this lead?")."""
    d, u = t.routing_decision, t.user
    query = (
        sa.select(d, u.c.name.label("assigned_name"))
        .select_from(d.outerjoin(u, u.c.id == d.c.assigned_to))
        .where(d.c.lead_id == lead_id)
        .order_by(d.c.decided_at.desc(), d.c.id.desc())
    )
    with store.begin() as conn:
        _lead(conn, lead_id)
        return [_stored(row._mapping) for row in conn.execute(query)]


def _stored(row: Any) -> RoutingDecision:
    steps = tuple(
        Step(s["rule"], bool(s["fired"]), s["reason"], s.get("details") or {}) for s in row["rules"]
    )
    return RoutingDecision(
        lead_id=row["lead_id"],
        decided_at=row["decided_at"],
        as_of=row["as_of"],
        strategy_version=row["strategy_version"],
        outcome=row["outcome"],
        assigned_to=row["assigned_to"],
        territory_id=row["territory_id"],
        steps=steps,
        id=row["id"],
        assigned_name=row["assigned_name"],
    )


# ------------------------------------------------------------------ one decision


@contextmanager
def _transaction(store: Store, dry_run: bool) -> Iterator[Connection]:
    if not dry_run:
        with store.begin() as conn:
            yield conn
        return
    with store.engine.connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


@contextmanager
def _reuse(conn: Connection) -> Iterator[Connection]:
    yield conn


def _route(
    conn: Connection,
    *,
    store: Store,
    strategy: Strategy,
    lead_id: str,
    as_of: date,
    now: datetime,
    dry_run: bool,
    actor: str,
) -> RoutingDecision:
    lead = _lead(conn, lead_id)
    _check_routable(lead, dry_run)
    version = strategy.version_on(as_of)
    steps: list[Step] = []
    outcome = _decide(conn, lead=lead, version=version, as_of=as_of, steps=steps)
    decision = RoutingDecision(
        lead_id=lead_id,
        decided_at=now,
        as_of=as_of,
        strategy_version=version.id,
        outcome=outcome.outcome,
        assigned_to=outcome.assigned_to,
        territory_id=outcome.territory_id,
        steps=tuple(steps),
        assigned_name=outcome.assigned_name,
        dry_run=dry_run,
    )
    decision_id = _store(conn, store=store, decision=decision, outcome=outcome, actor=actor)
    return decision if dry_run else _with_id(decision, decision_id)


def _with_id(decision: RoutingDecision, decision_id: int) -> RoutingDecision:
    return RoutingDecision(**{**decision.__dict__, "id": decision_id})


def _lead(conn: Connection, lead_id: str) -> dict[str, Any]:
    row = conn.execute(sa.select(t.lead).where(t.lead.c.id == lead_id)).first()
    if row is None:
        raise NotFound(f"no lead {lead_id!r}", "check the id with your CRM export (Lead ID)")
    return dict(row._mapping)


def _check_routable(lead: dict[str, Any], dry_run: bool) -> None:
    if lead["gate_status"] != "active":
        raise Conflict(
            f"lead {lead['id']} is quarantined by the intake gate",
            "release it from quarantine before routing it",
        )
    if lead["owner_id"] and not dry_run:
        raise Conflict(
            f"lead {lead['id']} already belongs to {lead['owner_id']}",
            "`onstrategy route explain LEAD_ID` shows why; add --dry-run to see "
            "where routing would send it today",
        )


def _decide(
    conn: Connection, *, lead: dict[str, Any], version: Version, as_of: date, steps: list[Step]
) -> _Outcome:
    account = _account(conn, lead.get("account_id"))
    owner = _account_owner_step(conn, account=account, as_of=as_of, steps=steps)
    if owner:
        return owner
    lists = _lists_of(conn, lead.get("account_id"))
    queued = _profile_step(
        conn, lead=lead, account=account, lists=lists, version=version, as_of=as_of, steps=steps
    )
    if queued:
        return queued
    return _territory_step(conn, lead=lead, lists=lists, version=version, as_of=as_of, steps=steps)


def _account(conn: Connection, account_id: str | None) -> dict[str, Any] | None:
    if not account_id:
        return None
    row = conn.execute(sa.select(t.account).where(t.account.c.id == account_id)).first()
    return dict(row._mapping) if row else None


def _lists_of(conn: Connection, account_id: str | None) -> frozenset[str]:
    if not account_id:
        return frozenset()
    e = t.named_list_entry
    query = sa.select(e.c.list_id).where(e.c.account_id == account_id).distinct()
    return frozenset(row[0] for row in conn.execute(query))


# ------------------------------------------------------------------ step 1: account owner


def _account_owner_step(
    conn: Connection,
    *,
    account: dict[str, Any] | None,
    as_of: date,
    steps: list[Step],
) -> _Outcome | None:
    if account is None:
        steps.append(Step("account_owner", False, "the lead is not matched to an account"))
        return None
    owner_id = account.get("owner_id")
    name = account.get("name") or account["id"]
    if not owner_id:
        steps.append(
            Step(
                "account_owner",
                False,
                f"matched account {name} has no owner",
                {"account_id": account["id"]},
            )
        )
        return None
    status = _availability(conn, [owner_id], as_of).get(owner_id, _RepStatus(owner_id))
    if not status.active:
        steps.append(
            Step(
                "account_owner",
                False,
                f"matched account {name} belongs to {status.label}, who is "
                f"{status.why} on {as_of.isoformat()}",
                {"account_id": account["id"]},
            )
        )
        return None
    away = (
        f" (out of office until {status.back}; the account stays with its owner)"
        if status.out_of_office
        else ""
    )
    steps.append(
        Step(
            "account_owner",
            True,
            f"the lead matches account {name}, owned by {status.label}{away}",
            {"account_id": account["id"], "owner_id": owner_id},
        )
    )
    return _Outcome("rep", owner_id, assigned_name=status.name)


@dataclass
class _RepStatus:
    id: str
    name: str | None = None
    exists: bool = False
    flag_active: bool = False
    inactive_until: date | None = None
    back: date | None = None  # out of office until (inclusive)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id

    @property
    def active(self) -> bool:
        return self.exists and self.flag_active and self.inactive_until is None

    @property
    def out_of_office(self) -> bool:
        return self.back is not None

    @property
    def why(self) -> str:
        if not self.exists:
            return "not a known user"
        if not self.flag_active:
            return "inactive"
        if self.inactive_until:
            return f"inactive until {self.inactive_until.isoformat()}"
        return f"out of office until {self.back.isoformat()}" if self.back else "available"


def _availability(conn: Connection, keys: list[str], as_of: date) -> dict[str, _RepStatus]:
    """Status of users by id or email (the strategy may name reps either way), on ``as_of``."""
    u, a = t.user, t.availability
    lowered = [k.lower() for k in keys]
    users = conn.execute(
        sa.select(u.c.id, u.c.name, u.c.email, u.c.active).where(
            sa.or_(u.c.id.in_(keys), sa.func.lower(u.c.email).in_(lowered))
        )
    ).all()
    out: dict[str, _RepStatus] = {}
    for row in users:
        status = _RepStatus(row.id, row.name, True, bool(row.active))
        out[row.id] = status
        if row.email:
            out[row.email.lower()] = status
    ids = sorted({s.id for s in out.values()})
    spans = conn.execute(
        sa.select(a.c.user_id, a.c.kind, a.c.ends_on).where(
            a.c.user_id.in_(ids), a.c.starts_on <= as_of, a.c.ends_on >= as_of
        )
    ).all()
    for span in spans:
        status = out[span.user_id]
        if span.kind == "inactive":
            status.inactive_until = span.ends_on
        else:
            status.back = max(status.back or span.ends_on, span.ends_on)
    return {k: out.get(k) or out.get(k.lower()) or _RepStatus(k) for k in keys}


# ------------------------------------------------------------------ step 2: profile


def record_fit(
    record: dict[str, Any], *, key: str | None, lists: frozenset[str], version: Version
) -> AccountFit:
    """The fit engine's score for one record, evaluated in Python (no query per decision).

    Mirrors ``engines.fit.fit_table`` criterion by criterion (a test holds the two equal on
    the demo company) and explains it with ``engines.fit.explain``.
    """
    icp = version.icp
    row: dict[str, Any] = {**record, "fit_key": key or record.get("id")}
    scores = []
    for i, segment in enumerate(icp.segments):
        criteria = segment.criteria()
        total = sum(icp.weights.of(c) for c in criteria) or 1.0
        points = 0.0
        for criterion in criteria:
            met = _met(segment, criterion, record, key, lists)
            row[f"s{i}_{criterion}"] = met
            points += icp.weights.of(criterion) if met else 0.0
        scores.append(_round1(points * 100.0 / total))
    best = max(scores)
    tier = icp.tiers.tier_of(best)
    segment_name = next(s.name for s, v in zip(icp.segments, scores, strict=True) if v == best)
    row.update(
        fit_score=best, fit_tier=tier, fit_segment=segment_name, in_profile=tier in icp.in_profile
    )
    return explain(row, version=version)


def _round1(value: float) -> float:
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _met(
    segment: Segment,
    criterion: str,
    record: dict[str, Any],
    key: str | None,
    lists: frozenset[str],
) -> bool:
    if criterion == "industry":
        wanted = {i.strip().lower() for i in segment.industries}
        return (
            (record.get("industry") or "").strip().lower() in wanted
            if record.get("industry") is not None
            else False
        )
    if criterion in ("employees", "annual_revenue"):
        bounds = segment.employees if criterion == "employees" else segment.annual_revenue
        return bounds is not None and bounds.contains(record.get(criterion))
    if criterion == "geography":
        ok = not segment.countries or record.get("country") in segment.countries
        return ok and (not segment.states or record.get("state") in segment.states)
    return key is not None and bool(lists & set(segment.named_lists))


def _profile_step(
    conn: Connection,
    *,
    lead: dict[str, Any],
    account: dict[str, Any] | None,
    lists: frozenset[str],
    version: Version,
    as_of: date,
    steps: list[Step],
) -> _Outcome | None:
    source = account or lead
    fit = record_fit(source, key=lead.get("account_id"), lists=lists, version=version)
    whose = f"matched account {account.get('name')}" if account else "the lead"
    details = {
        "score": fit.score,
        "tier": fit.tier,
        "segment": fit.segment,
        "judged": "account" if account else "lead",
        "reasons": [r.text for r in fit.reasons],
    }
    words = f"{whose} scores {fit.score:g} (tier {fit.tier}, best segment {fit.segment})"
    if fit.in_profile:
        steps.append(Step("off_profile", False, f"{words}: in profile", details))
        return None
    steps.append(Step("off_profile", True, f"{words}: off profile", details))
    exception = _exception(conn, lead["id"], as_of)
    if exception is None:
        steps.append(Step("exception", False, "no approved, unexpired off-profile exception"))
        queue = version.routing.nurture_queue
        steps.append(Step("nurture", True, f"off-profile leads wait in the {queue} queue"))
        return _Outcome("queue", queue)
    steps.append(
        Step(
            "exception",
            True,
            f"off-profile exception #{exception['id']} ({exception['reason_code']}) "
            f"approved by {exception['decided_by']}, valid until "
            f"{exception['expires_on'].isoformat()}",
            {"exception_id": exception["id"]},
        )
    )
    return None


def _exception(conn: Connection, lead_id: str, as_of: date) -> dict[str, Any] | None:
    x = t.off_profile_exception
    query = (
        sa.select(x.c.id, x.c.reason_code, x.c.decided_by, x.c.expires_on)
        .where(
            x.c.subject_kind == "lead",
            x.c.subject_id == lead_id,
            x.c.status == "approved",
            x.c.expires_on >= as_of,
            sa.or_(x.c.starts_on.is_(None), x.c.starts_on <= as_of),
        )
        .order_by(x.c.expires_on.desc(), x.c.id)
    )
    row = conn.execute(query).first()
    return dict(row._mapping) if row else None


# ------------------------------------------------------------------ step 3: territory


def _territory_step(
    conn: Connection,
    *,
    lead: dict[str, Any],
    lists: frozenset[str],
    version: Version,
    as_of: date,
    steps: list[Step],
) -> _Outcome:
    record = TerritoryRecord.from_row(lead, account_id=lead.get("account_id"), named_lists=lists)
    match = assign_territory(record=record, version=version)
    if match.territory_id is None:
        steps.append(Step("territory", False, "no territory's rules cover the lead"))
        return _fallback(version, steps, "no territory covers the lead")
    rivals = [f"{b.territory_id} (lost on {b.beaten_by})" for b in match.beaten]
    beat = f"; beat {', '.join(rivals)}" if rivals else ""
    steps.append(
        Step(
            "territory",
            True,
            f"territory {match.name} ({match.level}): {'; '.join(match.reasons)}{beat}",
            {
                "territory_id": match.territory_id,
                "level": match.level,
                "beaten": [asdict(b) for b in match.beaten],
            },
        )
    )
    territory = next(x for x in version.territories if x.id == match.territory_id)
    pick = _pick_rep(conn, territory=territory, cap=version.routing.catch_up_cap, as_of=as_of)
    steps.append(
        Step("round_robin", pick.rep_id is not None, pick.reason, {"candidates": pick.candidates})
    )
    if pick.rep_id is None:
        return _fallback(version, steps, f"no rep in {territory.name} is free", territory.id)
    return _Outcome("rep", pick.rep_id, territory.id, pick.rep_name, pick.ledger)


def _fallback(
    version: Version, steps: list[Step], why: str, territory_id: str | None = None
) -> _Outcome:
    queue = version.routing.fallback_queue
    steps.append(Step("fallback", True, f"{why}: the lead waits in the {queue} queue"))
    return _Outcome("queue", queue, territory_id)


# ------------------------------------------------------------------ storing


def _store(
    conn: Connection, *, store: Store, decision: RoutingDecision, outcome: _Outcome, actor: str
) -> int:
    rules = [asdict(s) for s in decision.steps]
    result = conn.execute(
        t.routing_decision.insert().values(
            lead_id=decision.lead_id,
            decided_at=decision.decided_at,
            as_of=decision.as_of,
            strategy_version=decision.strategy_version,
            outcome=decision.outcome,
            assigned_to=decision.assigned_to,
            territory_id=decision.territory_id,
            rules=rules,
        )
    )
    decision_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    if outcome.ledger and decision.territory_id:
        _save_ledger(
            conn,
            territory_id=decision.territory_id,
            ledger=outcome.ledger,
            decision_id=decision_id,
            now=decision.decided_at,
        )
    if decision.outcome == "rep":
        conn.execute(
            t.lead.update()
            .where(t.lead.c.id == decision.lead_id)
            .values(owner_id=decision.assigned_to)
        )
    store.audit(
        conn,
        actor=actor,
        action="lead.route",
        entity="lead",
        entity_id=decision.lead_id,
        details={
            "decision_id": decision_id,
            "outcome": decision.outcome,
            "assigned_to": decision.assigned_to,
            "territory": decision.territory_id,
            "strategy_version": decision.strategy_version,
        },
    )
    return decision_id


# ------------------------------------------------------------------ weighted round robin


@dataclass
class _Seat:
    """A rep's seat in a territory's round robin on one date."""

    status: _RepStatus
    weight: float
    capacity: int
    order: int
    load: int
    assigned: int
    credit: float
    skip: str | None = None
    raised_from: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rep": self.status.id,
            "name": self.status.name,
            "weight": self.weight,
            "capacity": self.capacity,
            "load": self.load,
            "credit": round(self.credit, 3),
            "assigned": self.assigned,
            "skipped": self.skip,
            "caught_up_from": self.raised_from,
        }


@dataclass(frozen=True)
class _Pick:
    rep_id: str | None
    rep_name: str | None
    reason: str
    candidates: list[dict[str, Any]]
    ledger: dict[str, tuple[int, float]]


def _pick_rep(conn: Connection, *, territory: Territory, cap: int, as_of: date) -> _Pick:
    seats = _seats(conn, territory, as_of)
    free = [s for s in seats if s.skip is None]
    skipped = "; ".join(f"skipped {s.status.label}: {s.skip}" for s in seats if s.skip)
    if not free:
        return _Pick(
            None,
            None,
            f"no rep in {territory.name} is free ({skipped})",
            [s.as_dict() for s in seats],
            {},
        )
    _catch_up(free, cap)
    winner = min(free, key=lambda s: ((s.credit + 1) / s.weight, s.order))
    ledger = {s.status.id: (s.assigned, s.credit) for s in free if s.raised_from is not None}
    ledger[winner.status.id] = (winner.assigned + 1, winner.credit + 1)
    reason = (
        f"{winner.status.label} is next in {territory.name}'s weighted round robin: "
        f"{winner.credit:g} leads so far for weight {winner.weight:g}, the lowest share "
        f"among {len(free)} free reps" + (f"; {skipped}" if skipped else "")
    )
    if winner.raised_from is not None:
        reason += (
            f"; back from an absence, counted as {winner.credit:g} instead of "
            f"{winner.raised_from:g} (catch-up cap {cap})"
        )
    return _Pick(winner.status.id, winner.status.name, reason, [s.as_dict() for s in seats], ledger)


def _seats(conn: Connection, territory: Territory, as_of: date) -> list[_Seat]:
    keys = list(dict.fromkeys(c.rep for c in territory.reps))
    statuses = _availability(conn, keys, as_of)
    ids = sorted({s.id for s in statuses.values()})
    loads, ledger = _loads(conn, ids, as_of), _ledger(conn, territory.id)
    seats, seen = [], set()
    for order, coverage in enumerate(territory.reps):
        status = statuses[coverage.rep]
        if status.id in seen:
            continue
        seen.add(status.id)
        assigned, credit = ledger.get(status.id, (0, 0.0))
        seat = _Seat(
            status,
            coverage.weight,
            coverage.capacity,
            order,
            loads.get(status.id, 0),
            assigned,
            credit,
        )
        seat.skip = _skip_reason(seat)
        seats.append(seat)
    return seats


def _skip_reason(seat: _Seat) -> str | None:
    status = seat.status
    if not status.active or status.out_of_office:
        return status.why
    if seat.load >= seat.capacity:
        return f"at capacity ({seat.load} open accounts and leads, capacity {seat.capacity})"
    return None


def _catch_up(free: list[_Seat], cap: int) -> None:
    """Raise a far-behind rep's credit to the others' average share minus ``cap`` leads."""
    if len(free) < 2:
        return
    shares = [s.credit / s.weight for s in free]
    total = sum(shares)
    for seat, share in zip(free, shares, strict=True):
        floor = seat.weight * (total - share) / (len(free) - 1) - cap
        if seat.credit < floor:
            seat.raised_from, seat.credit = seat.credit, floor


def _loads(conn: Connection, rep_ids: list[str], as_of: date) -> dict[str, int]:
    """Active accounts plus open leads (created by ``as_of``) each rep owns."""
    a, ld = t.account, t.lead
    accounts = (
        sa.select(a.c.owner_id, sa.func.count())
        .where(a.c.owner_id.in_(rep_ids), a.c.gate_status == "active")
        .group_by(a.c.owner_id)
    )
    status = sa.func.lower(sa.func.coalesce(ld.c.status, ""))
    leads = (
        sa.select(ld.c.owner_id, sa.func.count())
        .where(
            ld.c.owner_id.in_(rep_ids),
            status.not_in(sorted(CLOSED_LEAD_STATUSES)),
        )
        .group_by(ld.c.owner_id)
    )
    loads: dict[str, int] = {}
    for query in (accounts, leads):
        for owner, count in conn.execute(query):
            loads[owner] = loads.get(owner, 0) + int(count)
    return loads


def _ledger(conn: Connection, territory_id: str) -> dict[str, tuple[int, float]]:
    r = t.routing_ledger
    query = (
        sa.select(r.c.rep_id, r.c.assigned, r.c.credit)
        .where(r.c.territory_id == territory_id)
        .with_for_update()
    )
    return {row.rep_id: (int(row.assigned), float(row.credit)) for row in conn.execute(query)}


def _save_ledger(
    conn: Connection,
    *,
    territory_id: str,
    ledger: dict[str, tuple[int, float]],
    decision_id: int,
    now: datetime,
) -> None:
    r = t.routing_ledger
    for rep_id, (assigned, credit) in sorted(ledger.items()):
        values = {
            "assigned": assigned,
            "credit": credit,
            "last_decision_id": decision_id,
            "updated_at": now,
        }
        done = conn.execute(
            r.update()
            .where(r.c.territory_id == territory_id, r.c.rep_id == rep_id)
            .values(**values)
        )
        if done.rowcount == 0:
            conn.execute(r.insert().values(territory_id=territory_id, rep_id=rep_id, **values))
