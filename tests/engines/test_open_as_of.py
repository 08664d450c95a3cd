"""The exception workflow counts a deal as open on a day by the one definition
(``engines.definitions.open_on``): a deal closed *after* the day asked about was open on it.

Before, the budget check and the unexcused off-profile flags took "not closed now and
created by the day", so looking back at a day before a deal closed missed it: the rep's
off-profile share looked smaller and the deal was never flagged. Both databases, small
hand-made data.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from onstrategy.engines import exceptions as ex
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy
from onstrategy.strategy.model import Strategy

DAY = date(2026, 3, 2)  # the day looked at
CLOSES = date(2026, 4, 15)  # the off-profile deal is lost after it
AFTER = date(2026, 4, 20)
NOW = datetime(2026, 4, 20, 9, 0)
RATIONALE = (
    "Northwind Hotels runs forty sites and is consolidating vendors this year; "
    "a win here gives us a reference across the whole hospitality group"
)
STRATEGY = """
name: Test Co
versions:
  - id: v1
    effective_from: 2025-01-01
    icp:
      segments: [{name: US manufacturing, industries: [Manufacturing], employees: {min: 500},
                  countries: [US]}]
      tiers: {A: 90, B: 60, C: 30}
    goals: {exception_budget: 0.2}
    exceptions:
      reason_codes: [{code: strategic-logo, label: Strategic logo or reference customer}]
      min_rationale_words: 8
"""
DEALS = [  # id, account, amount, created, closed on (None: open)
    ("O-icp", "A-icp", 200_000.0, date(2026, 1, 5), None),
    ("O-closes-later", "A-off", 60_000.0, date(2026, 1, 5), CLOSES),  # open on DAY
    ("O-closed-before", "A-off", 5_000.0, date(2026, 1, 5), date(2026, 2, 1)),  # never on DAY
    ("O-created-later", "A-off", 7_000.0, date(2026, 3, 20), None),  # not yet on DAY
]


def _seed(store: Store) -> None:
    users = [("ana", "rep", "west"), ("mia", "manager", "west"), ("eve", "executive", None)]
    accounts = [("A-icp", "Acme Manufacturing", "Manufacturing", 2000),
                ("A-off", "Northwind Hotels", "Hospitality", 80)]  # fmt: skip
    with store.begin() as conn:
        conn.execute(tables.team.insert().values(id="west", name="West", manager_id="mia"))
        conn.execute(tables.user.insert(), [
            {"id": u, "name": u.title(), "email": f"{u}@t.example", "role": r, "team_id": t,
             "active": True} for u, r, t in users
        ])  # fmt: skip
        conn.execute(tables.account.insert(), [
            {"id": i, "name": n, "industry": ind, "employees": e, "country": "US",
             "owner_id": "ana", "gate_status": "active"} for i, n, ind, e in accounts
        ])  # fmt: skip
        conn.execute(tables.opportunity.insert(), [
            {"id": i, "name": i, "account_id": a, "owner_id": "ana", "amount": amount,
             "is_closed": closed is not None, "is_won": False, "created_on": created,
             "closed_on": closed, "stage": "Closed Lost" if closed else "Proposal"}
            for i, a, amount, created, closed in DEALS
        ])  # fmt: skip
        conn.execute(tables.lead.insert().values(
            id="L-off", company="Tiny Cafe", industry="Hospitality", employees=9, country="US",
            owner_id="ana", created_on=date(2026, 2, 1), gate_status="active",
        ))  # fmt: skip


@pytest.fixture
def world(store: Store) -> tuple[Store, Strategy]:
    _seed(store)
    return store, parse_strategy(STRATEGY, source="test")


def _ask(world: tuple[Store, Strategy], day: date) -> ex.OffProfileException:
    store, strategy = world
    return ex.request_exception(
        store=store, strategy=strategy, subject_kind="lead", subject_id="L-off", rep="ana",
        reason_code="strategic-logo", rationale=RATIONALE, expected_value=10_000.0, days=20,
        as_of=day, now=NOW,
    )  # fmt: skip


def _budget(store: Store, exception_id: int) -> dict[str, float]:
    events = tables.off_profile_exception_event
    query = events.select().where(
        events.c.exception_id == exception_id, events.c.event == "requested"
    )
    with store.begin() as conn:
        requested = conn.execute(query).mappings().one()
    return requested["details"]["budget"]  # type: ignore[no-any-return]


def test_a_deal_closed_after_the_day_counts_in_that_days_exception_budget(world) -> None:  # type: ignore[no-untyped-def]
    store, _ = world
    asked = _ask(world, DAY)
    budget = _budget(store, asked.id)
    # open on DAY: 200k in profile + 60k off (closes later); (60k + 10k) / 270k = 26% > 20%
    assert (budget["open_pipeline"], budget["off_profile"]) == (260_000.0, 60_000.0)
    assert budget["share_after"] == pytest.approx(70 / 270, abs=1e-4)
    assert asked.needs_escalation


def test_after_it_closed_the_deal_no_longer_weighs_on_the_budget(world) -> None:  # type: ignore[no-untyped-def]
    store, _ = world
    asked = _ask(world, AFTER)
    budget = _budget(store, asked.id)
    # open on AFTER: 200k in profile + the 7k created since; (7k + 10k) / 217k = 8%
    assert (budget["open_pipeline"], budget["off_profile"]) == (207_000.0, 7_000.0)
    assert not asked.needs_escalation


def test_the_unexcused_flags_of_a_past_day_include_a_deal_closed_since(world) -> None:  # type: ignore[no-untyped-def]
    store, strategy = world
    flagged = ex.unexcused_off_profile(store=store, strategy=strategy, as_of=DAY)
    assert [f.opportunity_id for f in flagged] == ["O-closes-later"]
    assert flagged[0].team_id == "west"
    later = ex.unexcused_off_profile(store=store, strategy=strategy, as_of=AFTER, rep="ana")
    assert [f.opportunity_id for f in later] == ["O-created-later"]
    by_team = ex.unexcused_off_profile(store=store, strategy=strategy, as_of=DAY, team="west")
    assert [f.opportunity_id for f in by_team] == ["O-closes-later"]
    assert ex.unexcused_off_profile(store=store, strategy=strategy, as_of=DAY, team="east") == []


def test_open_pipeline_is_the_deals_open_on_the_day(world) -> None:  # type: ignore[no-untyped-def]
    store, strategy = world
    version = strategy.version_on(DAY)
    on_day = ex.open_pipeline(store, version, "ana", DAY)
    assert [r["id"] for r in on_day] == ["O-closes-later", "O-icp"]
    assert [r["id"] for r in ex.open_pipeline(store, version, "ana", CLOSES)] == [
        "O-created-later",
        "O-icp",
    ]  # closed on CLOSES: no longer open that day
