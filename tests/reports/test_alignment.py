"""The strategy-execution report on the demo company, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from onstrategy.reports.alignment import alignment_report
from onstrategy.store import tables

START, END = date(2025, 1, 1), date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 9, 0)


def _hand_computed_pipeline(demo, version_of) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Pipeline totals computed with plain SQL rows and the strategy model, not Ibis."""
    with demo.store.begin() as conn:
        accounts = {a["id"]: a for a in conn.execute(sa.select(tables.account)).mappings()}
        lists = {
            (e["list_id"], e["account_id"])
            for e in conn.execute(sa.select(tables.named_list_entry)).mappings()
        }
        opps = list(
            conn.execute(
                sa.select(tables.opportunity).where(
                    tables.opportunity.c.created_on.between(START, END)
                )
            ).mappings()
        )
    total = icp = 0.0
    for opp in opps:
        amount = opp["amount"] or 0.0
        total += amount
        account = accounts.get(opp["account_id"])
        if account and _in_profile(account, version_of(opp["created_on"]), lists):
            icp += amount
    return total, icp


def _in_profile(account, version, lists) -> bool:  # type: ignore[no-untyped-def]
    icp = version.icp
    best = 0.0
    for segment in icp.segments:
        met = {
            "industry": (account["industry"] or "").strip().lower()
            in [i.lower() for i in segment.industries],
            "employees": segment.employees is not None
            and segment.employees.contains(account["employees"]),
            "annual_revenue": segment.annual_revenue is not None
            and segment.annual_revenue.contains(account["annual_revenue"]),
            "geography": (not segment.countries or account["country"] in segment.countries)
            and (not segment.states or account["state"] in segment.states),
            "named_list": any((name, account["id"]) in lists for name in segment.named_lists),
        }
        criteria = segment.criteria()
        total = sum(icp.weights.of(c) for c in criteria)
        best = max(best, round(sum(icp.weights.of(c) for c in criteria if met[c]) * 100 / total, 1))
    return icp.tiers.tier_of(best) in icp.in_profile


def test_pipeline_share_matches_a_hand_computation(demo_store) -> None:  # type: ignore[no-untyped-def]
    report = alignment_report(
        store=demo_store.store, strategy=demo_store.strategy, date_from=START, date_to=END, now=NOW
    )
    total, icp = _hand_computed_pipeline(demo_store, demo_store.strategy.version_on)
    assert report.company.totals["pipeline"] == pytest.approx(total)
    assert report.company.icp["pipeline"] == pytest.approx(icp)
    assert 0 < icp < total


def test_company_is_the_sum_of_its_reps(demo_store) -> None:  # type: ignore[no-untyped-def]
    report = alignment_report(
        store=demo_store.store, strategy=demo_store.strategy, date_from=START, date_to=END, now=NOW
    )
    for metric in ("leads", "pipeline", "bookings", "hours"):
        assert sum(r.totals[metric] for r in report.reps) == pytest.approx(
            report.company.totals[metric]
        )
    assert {t.name for t in report.teams} >= {"West", "Central", "East"}


def test_chasers_are_below_on_strategy_reps(demo_store) -> None:  # type: ignore[no-untyped-def]
    from onstrategy.demo import PERSONAS  # the generator's own labels

    report = alignment_report(
        store=demo_store.store, strategy=demo_store.strategy, date_from=START, date_to=END, now=NOW
    )
    by_persona: dict[str, list[float]] = {}
    for rep in report.reps:
        persona = PERSONAS.get(rep.id)
        share = rep.share("pipeline")
        if persona and share is not None:
            by_persona.setdefault(persona, []).append(share)
    mean = {p: sum(v) / len(v) for p, v in by_persona.items()}
    assert mean["chaser"] < mean["on_strategy"] - 0.15


def test_forcing_a_version_judges_everything_by_it(demo_store) -> None:  # type: ignore[no-untyped-def]
    first = demo_store.strategy.versions[0].id
    forced = alignment_report(
        store=demo_store.store,
        strategy=demo_store.strategy,
        date_from=START,
        date_to=END,
        version_id=first,
        now=NOW,
    )
    _, icp = _hand_computed_pipeline(demo_store, lambda _day: demo_store.strategy.version(first))
    assert forced.company.icp["pipeline"] == pytest.approx(icp)
    assert [v.id for v in forced.versions] == [first]


def test_every_account_has_a_score_tier_and_reasons(demo_store) -> None:  # type: ignore[no-untyped-def]
    report = alignment_report(
        store=demo_store.store, strategy=demo_store.strategy, date_from=START, date_to=END, now=NOW
    )
    with demo_store.store.begin() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(tables.account)).scalar()
    assert len(report.accounts) == count
    top = report.accounts[0]
    assert top.tier == "A"
    assert top.in_profile
    assert top.reasons
    assert sum(r.points for r in top.reasons) == pytest.approx(top.score, abs=0.2)
    bottom = report.accounts[-1]
    assert any(not r.met for r in bottom.reasons)


def test_empty_period_has_no_shares(demo_store) -> None:  # type: ignore[no-untyped-def]
    report = alignment_report(
        store=demo_store.store,
        strategy=demo_store.strategy,
        date_from=date(2030, 1, 1),
        date_to=date(2030, 12, 31),
        now=NOW,
    )
    company = report.as_dict()["company"]
    for metric in ("leads", "pipeline", "bookings", "hours"):
        assert company[metric]["total"] == 0
        assert company[metric]["share"] is None
        assert company[metric]["meets_goal"] is None
    assert report.reps == []
