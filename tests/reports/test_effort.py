"""Effort off strategy: hours, emails and cost on ICP vs off-ICP accounts, both databases."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from onstrategy.reports.alignment import alignment_report
from onstrategy.reports.effort import effort_report
from onstrategy.store import tables
from onstrategy.strategy.load import parse_strategy

NOW = datetime(2026, 11, 30, 9, 0)
# v2 (from 2026-07-01) adds hospitality to the ICP and raises the hourly cost to 200.
STRATEGY = """
name: Test Co
versions:
  - id: v1
    effective_from: 2025-01-01
    icp:
      segments: [{name: Manufacturing, industries: [Manufacturing], countries: [US]}]
      tiers: {A: 90, B: 60, C: 30}
    costs: {loaded_hourly_cost: 100, meeting_hours_default: 0.5, call_hours_default: 0.25}
  - id: v2
    effective_from: 2026-07-01
    icp:
      segments: [{name: Core, industries: [Manufacturing, Hospitality], countries: [US]}]
      tiers: {A: 90, B: 60, C: 30}
    goals: {off_strategy_hours_max: 0.3, icp_share_of_hours: 0.6}
    costs: {loaded_hourly_cost: 200, meeting_hours_default: 0.5, call_hours_default: 0.25}
"""
ACTIVITIES = [  # id, kind, day, minutes, owner, account, contact
    ("a1", "call", date(2026, 3, 3), 30, "ana", "A-icp", None),
    ("a2", "meeting", date(2026, 3, 4), 60, "ana", "A-off1", None),
    ("a3", "call", date(2026, 3, 5), None, "ana", "A-off2", None),  # default 0.25 h
    ("a4", "email", date(2026, 3, 6), 0, "ana", "A-off1", None),
    ("a5", "meeting", date(2026, 4, 10), None, "ana", None, "C-shop"),  # contact's account
    ("a6", "meeting", date(2026, 7, 2), 60, "ana", "A-off1", None),  # ICP under v2
    ("a7", "call", date(2026, 7, 3), 30, "ana", "A-off2", None),  # at 200 an hour
    ("a8", "call", date(2026, 3, 10), 60, "bo", "A-icp", None),
]


@pytest.fixture
def small(store):  # type: ignore[no-untyped-def]
    with store.begin() as conn:
        conn.execute(tables.team.insert(), [{"id": "west", "name": "West", "manager_id": "mia"}])
        conn.execute(
            tables.user.insert(),
            [
                {"id": u, "name": u.title(), "role": "rep", "team_id": "west", "active": True}
                for u in ("ana", "bo")
            ],
        )
        conn.execute(
            tables.account.insert(),
            [
                {"id": i, "name": n, "industry": ind, "country": "US", "gate_status": "active"}
                for i, n, ind in (
                    ("A-icp", "Acme Mfg", "Manufacturing"),
                    ("A-off1", "Northwind Hotels", "Hospitality"),
                    ("A-off2", "Corner Shop", "Retail"),
                )
            ],
        )
        conn.execute(tables.contact.insert(), [{"id": "C-shop", "account_id": "A-off2"}])
        conn.execute(
            tables.activity.insert(),
            [
                {
                    "id": i,
                    "kind": k,
                    "occurred_on": d,
                    "duration_minutes": m,
                    "owner_id": o,
                    "account_id": a,
                    "contact_id": c,
                }
                for i, k, d, m, o, a, c in ACTIVITIES
            ],
        )
    return store, parse_strategy(STRATEGY, source="test")


def test_hours_emails_and_cost_match_a_hand_computation(small) -> None:  # type: ignore[no-untyped-def]
    store, strategy = small
    report = effort_report(
        store=store,
        strategy=strategy,
        date_from=date(2026, 1, 1),
        date_to=date(2026, 9, 30),
        by="quarter",
        now=NOW,
    )
    ana = next(r for r in report.reps if r.id == "ana")
    assert ana.icp_hours == pytest.approx(0.5 + 1.0)
    assert ana.off_hours == pytest.approx(1.0 + 0.25 + 0.5 + 0.5)
    assert ana.off_cost == pytest.approx(100 + 25 + 50 + 100)
    assert (ana.icp_emails, ana.off_emails, ana.calls, ana.meetings) == (0, 1, 3, 3)
    row = ana.as_dict(report.goals)
    assert row["off_icp_share"] == pytest.approx(0.6)
    assert (row["over_limit"], row["meets_icp_goal"]) == (True, False)
    assert [(a["account_id"], a["hours"], a["cost"]) for a in ana.top_off_accounts] == [
        ("A-off2", 1.25, 175.0),
        ("A-off1", 1.0, 100.0),
    ]
    bo = next(r for r in report.reps if r.id == "bo").as_dict(report.goals)
    assert (bo["off_icp_share"], bo["over_limit"]) == (0.0, False)


def test_periods_teams_and_company_add_up(small) -> None:  # type: ignore[no-untyped-def]
    store, strategy = small
    report = effort_report(
        store=store,
        strategy=strategy,
        date_from=date(2026, 1, 1),
        date_to=date(2026, 9, 30),
        by="quarter",
        now=NOW,
    )
    periods = {(p.id, p.period): (p.icp_hours, p.off_hours, p.off_cost) for p in report.periods}
    assert periods[("ana", "2026-Q1")] == pytest.approx((0.5, 1.25, 125.0))
    assert periods[("ana", "2026-Q2")] == pytest.approx((0.0, 0.5, 50.0))
    assert periods[("ana", "2026-Q3")] == pytest.approx((1.0, 0.5, 100.0))
    assert [t.name for t in report.teams] == ["West"]
    west = {t.period: t.off_hours for t in report.team_periods}
    assert west == pytest.approx({"2026-Q1": 1.25, "2026-Q2": 0.5, "2026-Q3": 0.5})
    assert [p.period for p in report.company_periods] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert report.company_periods[0].hours == pytest.approx(0.5 + 1.25 + 1.0)  # with Bo's call
    assert report.teams[0].hours == pytest.approx(report.company.hours) == pytest.approx(4.75)
    monthly = effort_report(
        store=store,
        strategy=strategy,
        date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 31),
        now=NOW,
    )
    assert {p.period for p in monthly.periods} == {"2026-03"}
    assert monthly.company.off_cost == pytest.approx(125.0)


def test_demo_effort_agrees_with_the_alignment_hours(demo_store) -> None:  # type: ignore[no-untyped-def]
    from onstrategy.demo import PERSONAS

    start, end = date(2025, 1, 1), date(2026, 11, 30)
    report = effort_report(
        store=demo_store.store, strategy=demo_store.strategy, date_from=start, date_to=end, now=NOW
    )
    aligned = alignment_report(
        store=demo_store.store, strategy=demo_store.strategy, date_from=start, date_to=end, now=NOW
    )
    hours = {r.id: (r.totals["hours"], r.icp["hours"]) for r in aligned.reps}
    for rep in report.reps:
        assert (rep.hours, rep.icp_hours) == pytest.approx(hours[rep.id], abs=0.01)
        assert 95 * rep.off_hours <= rep.off_cost + 0.01 <= 98 * rep.off_hours + 0.02
    share: dict[str, list[float]] = {}
    for rep in report.reps:
        if rep.id in PERSONAS and rep.off_share is not None:
            share.setdefault(PERSONAS[rep.id], []).append(rep.off_share)
    mean = {k: sum(v) / len(v) for k, v in share.items()}
    assert mean["chaser"] > mean["on_strategy"] + 0.15
    assert all(r.top_off_accounts for r in report.reps if r.off_hours)
