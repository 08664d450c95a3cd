"""Do exceptions pay off? Counts per rep/team and exception deals vs ICP deals."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from onstrategy.engines import exceptions as ex
from onstrategy.reports.exceptions import exceptions_report
from onstrategy.store import tables
from onstrategy.strategy.load import parse_strategy

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 0)
WHY = (
    "Northwind Hotels runs forty sites and is consolidating vendors this year; a win "
    "gives us a reference across the hospitality group"
)
STRATEGY = """
name: Test Co
versions:
  - id: v1
    effective_from: 2025-01-01
    icp:
      segments: [{name: Manufacturing, industries: [Manufacturing], countries: [US]}]
      tiers: {A: 90, B: 60, C: 30}
    goals: {exception_budget: 0.9}
"""
OPPS = [  # id, account, amount, created
    ("O-icp", "A-icp", 50_000.0, date(2026, 1, 5)),
    ("O-off1", "A-off1", 10_000.0, date(2026, 2, 1)),
    ("O-off2", "A-off2", 30_000.0, date(2026, 2, 1)),
    ("O-free", "A-off2", 4_000.0, date(2026, 2, 1)),
]


@pytest.fixture
def world(store):  # type: ignore[no-untyped-def]
    with store.begin() as conn:
        conn.execute(tables.team.insert(), [{"id": "west", "name": "West", "manager_id": "mia"}])
        conn.execute(
            tables.user.insert(),
            [
                {"id": u, "name": u.title(), "role": r, "team_id": "west", "active": True}
                for u, r in (("ana", "rep"), ("mia", "manager"))
            ],
        )
        conn.execute(
            tables.account.insert(),
            [
                {"id": i, "name": i, "industry": ind, "country": "US", "gate_status": "active"}
                for i, ind in (
                    ("A-icp", "Manufacturing"),
                    ("A-off1", "Hospitality"),
                    ("A-off2", "Retail"),
                )
            ],
        )
        conn.execute(
            tables.opportunity.insert(),
            [
                {
                    "id": i,
                    "account_id": a,
                    "owner_id": "ana",
                    "amount": amt,
                    "list_amount": amt / 0.8,
                    "is_closed": False,
                    "is_won": False,
                    "created_on": d,
                }
                for i, a, amt, d in OPPS
            ],
        )
    strategy = parse_strategy(STRATEGY, source="test")
    for subject, approve in (("O-off1", True), ("O-off2", False)):
        asked = ex.request_exception(
            store=store,
            strategy=strategy,
            subject_kind="opportunity",
            subject_id=subject,
            rep="ana",
            reason_code="quick-win",
            rationale=WHY,
            expected_value=None,
            days=30,
            as_of=DAY,
            now=NOW,
        )
        ex.decide_exception(
            store=store,
            strategy=strategy,
            exception_id=asked.id,
            approve=approve,
            decider="mia",
            comment="Considered",
            as_of=DAY,
            now=NOW,
        )
    close = {
        "O-off1": (True, date(2026, 3, 20)),
        "O-icp": (False, date(2026, 3, 25)),
        "O-free": (True, date(2026, 3, 10)),
    }
    with store.begin() as conn:
        for opp_id, (won, day) in close.items():
            conn.execute(
                tables.opportunity.update()
                .where(tables.opportunity.c.id == opp_id)
                .values(is_closed=True, is_won=won, closed_on=day)
            )
    return store, strategy


def test_counts_and_outcomes(world) -> None:  # type: ignore[no-untyped-def]
    store, strategy = world
    report = exceptions_report(
        store=store,
        strategy=strategy,
        date_from=date(2026, 1, 1),
        date_to=date(2026, 6, 30),
        now=NOW,
    )
    rep = report.reps[0].as_dict()
    assert (rep["id"], rep["requested"], rep["approved"], rep["rejected"]) == ("ana", 2, 1, 1)
    assert rep["approval_rate"] == 0.5
    assert report.teams[0].as_dict()["requested"] == report.company.as_dict()["requested"] == 2
    out = report.outcomes
    excused, icp, other = (
        out[k] for k in ("approved_exceptions", "icp", "off_profile_without_exception")
    )
    assert (excused.closed, excused.won, icp.closed, icp.won, other.closed) == (1, 1, 1, 0, 1)
    assert excused.price_realisation.value == pytest.approx(0.8)
    assert excused.cycle_days.value == 47  # 2026-02-01 → 2026-03-20
    assert "won 100%" in report.verdict[0]
    assert "anecdote" in report.verdict[1]


def test_period_and_version_filter_requests(world) -> None:  # type: ignore[no-untyped-def]
    store, strategy = world
    empty = exceptions_report(
        store=store,
        strategy=strategy,
        date_from=date(2025, 1, 1),
        date_to=date(2025, 12, 31),
        now=NOW,
    )
    assert empty.reps == []
    assert empty.verdict == ["no closed deal has an approved exception yet: nothing to judge"]
    with store.begin() as conn:
        count = conn.execute(
            sa.select(sa.func.count()).select_from(tables.off_profile_exception)
        ).scalar()
    assert count == 2
    data = exceptions_report(
        store=store,
        strategy=strategy,
        date_from=date(2026, 1, 1),
        date_to=date(2026, 6, 30),
        version_id="v1",
        now=NOW,
    ).as_dict()
    assert data["company"]["requested"] == 2
    assert data["outcomes"]["approved_exceptions"]["win_rate"]["n"] == 1
