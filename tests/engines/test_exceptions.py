"""The off-profile exception workflow, on SQLite and PostgreSQL, with small hand-made data."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from onstrategy.engines import exceptions as ex
from onstrategy.errors import Conflict, Forbidden, InvalidInput
from onstrategy.store import tables
from onstrategy.strategy.load import parse_strategy

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 0)
GOOD = (
    "Northwind Hotels runs forty sites and is consolidating vendors this year; "
    "a win here gives us a reference across the whole hospitality group"
)
STRATEGY = """
name: Test Co
teams: [{id: west, name: West, manager: mia}, {id: east, name: East, manager: zed}]
versions:
  - id: v1
    effective_from: 2025-01-01
    icp:
      segments: [{name: US manufacturing, industries: [Manufacturing], employees: {min: 500},
                  countries: [US]}]
      tiers: {A: 90, B: 60, C: 30}
    goals: {exception_budget: 0.2}
    exceptions:
      reason_codes:
        - {code: strategic-logo, label: Strategic logo or reference customer}
        - {code: quick-win, label: Low effort and high certainty}
      min_rationale_words: 8
      max_days: 30
      escalate_to: executive
"""


def seed(store) -> None:  # type: ignore[no-untyped-def]
    """Ana (rep, West, manager Mia) owns 240k of open pipeline, 40k of it off-profile."""
    users = [
        ("ana", "rep", "west", True),
        ("bo", "rep", "west", True),
        ("mia", "manager", "west", True),
        ("zed", "manager", "east", True),
        ("eve", "executive", None, True),
        ("old", "rep", "west", False),
    ]
    accounts = [
        ("A-icp", "Acme Manufacturing", "Manufacturing", 2000),
        ("A-off1", "Northwind Hotels", "Hospitality", 80),
        ("A-off2", "Corner Shop", "Retail", 12),
    ]
    opps = [
        ("O-icp", "A-icp", 200_000.0, False, False),
        ("O-off1", "A-off1", 10_000.0, False, False),
        ("O-off2", "A-off2", 30_000.0, False, False),
        ("O-closed", "A-off2", 5_000.0, True, True),
    ]
    with store.begin() as conn:
        conn.execute(
            tables.team.insert(),
            [
                {"id": "west", "name": "West", "manager_id": "mia"},
                {"id": "east", "name": "East", "manager_id": "zed"},
            ],
        )
        conn.execute(
            tables.user.insert(),
            [
                {
                    "id": u,
                    "name": u.title(),
                    "email": f"{u}@t.example",
                    "role": r,
                    "team_id": t,
                    "active": a,
                }
                for u, r, t, a in users
            ],
        )
        conn.execute(
            tables.account.insert(),
            [
                {
                    "id": i,
                    "name": n,
                    "industry": ind,
                    "employees": e,
                    "country": "US",
                    "owner_id": "ana",
                    "gate_status": "active",
                }
                for i, n, ind, e in accounts
            ],
        )
        conn.execute(
            tables.opportunity.insert(),
            [
                {
                    "id": i,
                    "name": f"{i} deal",
                    "account_id": a,
                    "owner_id": "ana",
                    "amount": amt,
                    "list_amount": amt * 1.1,
                    "is_closed": c,
                    "is_won": w,
                    "created_on": date(2026, 1, 5),
                    "closed_on": date(2026, 2, 1) if c else None,
                }
                for i, a, amt, c, w in opps
            ],
        )
        conn.execute(
            tables.lead.insert(),
            [
                {
                    "id": "L-off",
                    "company": "Tiny Cafe",
                    "industry": "Hospitality",
                    "employees": 9,
                    "country": "US",
                    "owner_id": "ana",
                    "created_on": date(2026, 2, 1),
                    "gate_status": "active",
                }
            ],
        )


@pytest.fixture
def world(store):  # type: ignore[no-untyped-def]
    seed(store)
    return store, parse_strategy(STRATEGY, source="test")


def ask(world, subject="O-off1", kind="opportunity", rep="ana", **kw):  # type: ignore[no-untyped-def]
    store, strategy = world
    args = {
        "reason_code": "strategic-logo",
        "rationale": GOOD,
        "expected_value": None,
        "days": 20,
        "as_of": DAY,
        "now": NOW,
        **kw,
    }
    return ex.request_exception(
        store=store, strategy=strategy, subject_kind=kind, subject_id=subject, rep=rep, **args
    )


def decide(world, exception_id, who, approve=True, day=DAY):  # type: ignore[no-untyped-def]
    store, strategy = world
    return ex.decide_exception(
        store=store,
        strategy=strategy,
        exception_id=exception_id,
        approve=approve,
        decider=who,
        comment="Fine, go for it",
        as_of=day,
        now=NOW,
    )


def events(store, exception_id=None):  # type: ignore[no-untyped-def]
    query = sa.select(tables.off_profile_exception_event).order_by(
        tables.off_profile_exception_event.c.id
    )
    with store.begin() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    return [r for r in rows if exception_id is None or r["exception_id"] == exception_id]


# ------------------------------------------------------------------ rationale substance


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("n/a", "placeholder"),
        ("TBD", "placeholder"),
        ("good deal, want it", "has 4 words"),
        ("deal deal deal deal deal deal deal deal deal deal", "repeats"),
        ("asdf asdf qwerty lorem ipsum blah customer value here now", "filler"),
        ("Strategic logo or reference customer, strategic logo reference customer", "copies"),
    ],
)
def test_rationale_without_substance_is_refused(text: str, problem: str) -> None:
    policy = parse_strategy(STRATEGY, source="t").versions[0].exceptions
    found = ex.rationale_problems(text, policy=policy, reason=policy.reason_codes[0])
    assert any(problem in p for p in found), found


def test_a_real_rationale_passes() -> None:
    policy = parse_strategy(STRATEGY, source="t").versions[0].exceptions
    assert ex.rationale_problems(GOOD, policy=policy, reason=policy.reason_codes[0]) == []


# ------------------------------------------------------------------ the workflow


def test_request_then_manager_approval_is_recorded_and_final(world) -> None:  # type: ignore[no-untyped-def]
    store, _ = world
    asked = ask(world)
    assert (asked.status, asked.rep_id, asked.strategy_version) == ("pending", "ana", "v1")
    assert asked.expected_value == 10_000.0
    assert not asked.needs_escalation
    done = decide(world, asked.id, "mia@t.example")
    assert (done.status, done.decided_by) == ("approved", "mia")
    assert (done.starts_on, done.expires_on) == (DAY, DAY + timedelta(days=20))
    before = events(store, asked.id)
    assert [e["event"] for e in before] == ["requested", "approved"]
    assert [e["actor"] for e in before] == ["ana", "mia"]
    with pytest.raises(Conflict, match="already approved"):
        decide(world, asked.id, "mia", approve=False)
    with pytest.raises(Conflict):
        decide(world, asked.id, "eve")
    assert events(store, asked.id) == before  # a refused decision leaves no trace
    with store.begin() as conn:
        audit = (
            conn.execute(
                sa.select(tables.audit_log.c.action).where(
                    tables.audit_log.c.entity_id == str(asked.id)
                )
            )
            .scalars()
            .all()
        )
    assert audit == ["exception.requested", "exception.approved"]


def test_history_cannot_be_edited_or_deleted(world) -> None:  # type: ignore[no-untyped-def]
    store, _ = world
    asked = ask(world)
    table = tables.off_profile_exception_event
    for statement in (table.update().values(actor="someone else"), table.delete()):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.begin() as conn:
            conn.execute(statement)
    assert [e["actor"] for e in events(store, asked.id)] == ["ana"]


def test_every_problem_of_a_request_is_reported_at_once(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        ask(world, reason_code="golf-buddy", rationale="n/a", days=45)
    where = [p.where for p in caught.value.problems]
    assert where == ["reason", "rationale", "days"]
    assert "strategic-logo, quick-win" in caught.value.problems[0].hint
    assert "at most 30 days" in caught.value.problems[2].hint


def test_in_profile_and_closed_subjects_need_no_exception(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match=r"is in profile under v1 .*needs no exception"):
        ask(world, subject="O-icp")
    with pytest.raises(InvalidInput, match="is closed"):
        ask(world, subject="O-closed")


def test_only_the_owner_or_their_manager_may_ask(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden, match="may not ask"):
        ask(world, rep="bo")
    with pytest.raises(Forbidden, match="not an active user"):
        ask(world, rep="old")
    assert ask(world, rep="mia").status == "pending"
    with pytest.raises(Conflict, match="already has exception"):
        ask(world, rep="ana")


def test_wrong_approvers_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    asked = ask(world)
    for who, message in (
        ("ana", "cannot decide"),
        ("bo", "not the manager"),
        ("zed", "not the manager"),
    ):
        with pytest.raises(Forbidden, match=message):
            decide(world, asked.id, who)
    assert decide(world, asked.id, "eve").status == "approved"  # an executive acts on all


def test_over_budget_needs_a_higher_approver(world) -> None:  # type: ignore[no-untyped-def]
    store, _ = world
    asked = ask(world, subject="L-off", kind="lead", expected_value=50_000)
    # (40k off-profile + 50k) of (240k + 50k) = 31% > 20%
    assert asked.needs_escalation
    details = events(store, asked.id)[0]["details"]
    assert details["budget"]["share_after"] == pytest.approx(90 / 290, abs=1e-4)
    with pytest.raises(Forbidden, match=r"needs escalation.*20%"):
        decide(world, asked.id, "mia")
    assert decide(world, asked.id, "eve").status == "approved"


def test_a_manager_may_reject_an_escalated_request(world) -> None:  # type: ignore[no-untyped-def]
    asked = ask(world, subject="L-off", kind="lead", expected_value=50_000)
    assert decide(world, asked.id, "mia", approve=False).status == "rejected"


def test_expiry_and_renewal(world) -> None:  # type: ignore[no-untyped-def]
    store, strategy = world
    asked = ask(world, days=10)
    decide(world, asked.id, "mia")
    later = DAY + timedelta(days=10)
    listed = ex.list_exceptions(store=store, as_of=later - timedelta(days=1))
    assert [e.status for e in listed] == ["approved"]
    assert [e.status for e in ex.list_exceptions(store=store, as_of=later)] == ["expired"]
    flagged = ex.unexcused_off_profile(store=store, strategy=strategy, as_of=later)
    assert "O-off1" in {f.opportunity_id for f in flagged}
    ended = ex.expire_exceptions(store=store, as_of=later, now=NOW)
    assert [e.id for e in ended] == [asked.id]
    assert ex.expire_exceptions(store=store, as_of=later, now=NOW) == []  # once only
    renewed = ex.renew_exception(
        store=store,
        strategy=strategy,
        exception_id=asked.id,
        actor="ana",
        days=10,
        rationale=GOOD + " again",
        as_of=later,
        now=NOW,
    )
    assert (renewed.status, renewed.renews_id) == ("pending", asked.id)
    record, trail = ex.exception_history(store=store, exception_id=renewed.id, as_of=later)
    assert [(e["exception_id"], e["event"]) for e in trail] == [
        (asked.id, "requested"),
        (asked.id, "approved"),
        (asked.id, "expired"),
        (renewed.id, "requested"),
        (asked.id, "renewal_requested"),
    ]
    assert record.id == renewed.id


def test_a_rejected_exception_cannot_be_renewed(world) -> None:  # type: ignore[no-untyped-def]
    store, strategy = world
    asked = ask(world)
    decide(world, asked.id, "mia", approve=False)
    with pytest.raises(Conflict, match="only an approved or expired"):
        ex.renew_exception(
            store=store,
            strategy=strategy,
            exception_id=asked.id,
            actor="ana",
            days=10,
            rationale=GOOD,
            as_of=DAY,
            now=NOW,
        )


def test_flags_are_open_off_profile_deals_without_an_approval(world) -> None:  # type: ignore[no-untyped-def]
    store, strategy = world
    flagged = ex.unexcused_off_profile(store=store, strategy=strategy, as_of=DAY)
    assert [f.opportunity_id for f in flagged] == ["O-off2", "O-off1"]  # largest first
    assert "Retail is not a target industry" in flagged[0].why[0]
    asked = ask(world)
    pending = ex.unexcused_off_profile(store=store, strategy=strategy, as_of=DAY)
    assert {f.opportunity_id: f.exception_status for f in pending}["O-off1"] == "pending"
    decide(world, asked.id, "mia")
    left = ex.unexcused_off_profile(store=store, strategy=strategy, as_of=DAY)
    assert [f.opportunity_id for f in left] == ["O-off2"]
    assert ex.unexcused_off_profile(store=store, strategy=strategy, as_of=DAY, team="east") == []


def test_list_scopes_to_what_the_viewer_may_see(world) -> None:  # type: ignore[no-untyped-def]
    store, _ = world
    ask(world)
    assert len(ex.list_exceptions(store=store, as_of=DAY, viewer="mia")) == 1
    assert ex.list_exceptions(store=store, as_of=DAY, viewer="zed") == []
    assert ex.list_exceptions(store=store, as_of=DAY, viewer="bo") == []
    assert len(ex.list_exceptions(store=store, as_of=DAY, team="west", status="pending")) == 1
    with pytest.raises(InvalidInput, match="unknown status"):
        ex.list_exceptions(store=store, as_of=DAY, status="maybe")


def test_an_early_renewal_starts_when_the_approval_ends(world) -> None:  # type: ignore[no-untyped-def]
    store, strategy = world
    asked = ask(world, days=10)
    decide(world, asked.id, "mia")
    soon = DAY + timedelta(days=8)
    renewed = ex.renew_exception(
        store=store,
        strategy=strategy,
        exception_id=asked.id,
        actor="ana",
        days=10,
        rationale=GOOD,
        as_of=soon,
        now=NOW,
    )
    done = decide(world, renewed.id, "mia", day=soon)
    assert (done.starts_on, done.expires_on) == (DAY + timedelta(days=10), DAY + timedelta(days=20))


def test_a_request_dated_before_the_deal_closed_sees_it_open(world) -> None:  # type: ignore[no-untyped-def]
    """O-closed closed on 2026-02-01: asked about on 2026-01-20 it was open (a backdated
    request, as the flags for that day list it); on the close day it is closed."""
    made = ask(world, subject="O-closed", as_of=date(2026, 1, 20))
    assert made.status == "pending"
    with pytest.raises(InvalidInput, match="is closed"):
        ask(world, subject="O-closed", as_of=date(2026, 2, 1))
