"""Does consultative selling pay? The demo's pitchers score below its on-strategy reps, and
better-scored deals win more often; figures checked against a hand computation."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa

from onstrategy.crm.call_records import list_calls
from onstrategy.demo import PERSONAS, strategy_text
from onstrategy.engines.conversation import ConsultativeTargets
from onstrategy.errors import InvalidInput
from onstrategy.reports.consultative import (
    ConsultativeReport,
    consultative_report,
    headline,
    verdict,
    wilson,
)
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy

STRATEGY = parse_strategy(strategy_text())
TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo(request: pytest.FixtureRequest, copy_database) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """The demo company (calls imported by the bundle), one copy per backend for the module."""
    with copy_database(request.param, demo=True) as url:
        opened = Store.open(url)
        yield opened
        opened.close()


@pytest.fixture(scope="module")
def report(demo: Store) -> ConsultativeReport:
    return consultative_report(store=demo, strategy=STRATEGY, as_of=TODAY)


def _persona_scores(report: ConsultativeReport) -> dict[str, list[float]]:
    scores: dict[str, list[float]] = {}
    for rep in report.reps:
        persona = PERSONAS.get(rep["owner_id"], "")
        scores.setdefault(persona, []).extend([rep["total"]["score"]] * rep["total"]["calls"])
    return scores


def test_the_demo_calls_are_imported_by_the_bundle(demo: Store) -> None:
    calls = list_calls(store=demo)
    assert len(calls) >= 8
    assert all(c["opportunity_id"] and c["account_id"] and c["owner_id"] for c in calls)
    assert all(c["rep"] for c in calls)


def test_pitchers_score_below_on_strategy_reps(report: ConsultativeReport) -> None:
    scores = _persona_scores(report)
    assert scores["pitcher"]
    assert scores["on_strategy"]
    assert max(scores["pitcher"]) < min(scores["on_strategy"])
    assert statistics.mean(scores["on_strategy"]) - statistics.mean(scores["pitcher"]) > 30


def test_better_scored_deals_win_more_often(report: ConsultativeReport) -> None:
    bands = {b["band"]: b for b in report.outcomes}
    assert list(bands) == ["<40", "40-70", ">=70"]
    low, high = bands["<40"], bands[">=70"]
    assert low["closed"]
    assert high["closed"]
    assert high["win_rate"] > low["win_rate"]
    assert (high["win_rate_low"], high["win_rate_high"]) == wilson(high["won"], high["closed"])
    assert "won" in report.headline


def test_bands_match_a_hand_computation(demo: Store, report: ConsultativeReport) -> None:
    """Each deal's mean call score from the stored calls, its outcome from the deal itself."""
    per_deal: dict[str, list[float]] = {}
    for call in list_calls(store=demo):
        per_deal.setdefault(call["opportunity_id"], []).append(call["consultative_score"])
    with demo.begin() as conn:
        deals = {
            d["id"]: d
            for d in conn.execute(sa.select(tables.opportunity).where(
                tables.opportunity.c.id.in_(list(per_deal)))).mappings()
        }  # fmt: skip
    expected: dict[str, list[int]] = {"<40": [0, 0, 0], "40-70": [0, 0, 0], ">=70": [0, 0, 0]}
    won_amounts: dict[str, list[float]] = {}
    for deal_id, scores in per_deal.items():
        score, deal = statistics.mean(scores), deals[deal_id]
        band = "<40" if score < 40 else "40-70" if score < 70 else ">=70"
        won = bool(deal["is_closed"] and deal["is_won"])
        counts = (1, int(deal["is_closed"]), int(won))
        expected[band] = [a + b for a, b in zip(expected[band], counts, strict=True)]
        if won:
            won_amounts.setdefault(band, []).append(deal["amount"])
    got = {b["band"]: [b["deals"], b["closed"], b["won"]] for b in report.outcomes}
    assert got == expected
    for b in report.outcomes:
        amounts = won_amounts.get(b["band"])
        assert b["avg_won_amount"] == (round(statistics.mean(amounts), 2) if amounts else None)
    assert {d["opportunity_id"] for d in report.deals} == set(per_deal)


def test_style_per_rep_and_period_matches_the_calls(
    demo: Store, report: ConsultativeReport
) -> None:
    calls = list_calls(store=demo)
    by_rep: dict[str, list[dict[str, object]]] = {}
    for call in calls:
        by_rep.setdefault(str(call["owner_id"]), []).append(call)
    assert {r["owner_id"] for r in report.reps} == set(by_rep)
    for rep in report.reps:
        mine, total = by_rep[rep["owner_id"]], rep["total"]
        assert total["calls"] == len(mine)
        assert total["score"] == pytest.approx(
            statistics.mean(float(c["consultative_score"]) for c in mine),
            abs=1e-3,  # type: ignore[arg-type]
        )
        assert total["talk_ratio"] == pytest.approx(
            statistics.mean(float(c["talk_ratio"]) for c in mine),
            abs=1e-3,  # type: ignore[arg-type]
        )
        assert sum(p["calls"] for p in rep["periods"]) == len(mine)
        assert all(p["period"][4:6] in ("-Q",) for p in rep["periods"])
        periods = [p["period"] for p in rep["periods"]]
        assert periods == sorted(periods)
        if len(periods) > 1:
            first, last = rep["periods"][0]["score"], rep["periods"][-1]["score"]
            assert rep["trend"] == round(last - first, 1)
    assert sum(p["calls"] for p in report.company) == len(calls)
    assert sum(t["total"]["calls"] for t in report.teams) == len(calls)


def test_month_periods_dates_and_max_deal_score(demo: Store) -> None:
    monthly = consultative_report(store=demo, strategy=STRATEGY, as_of=TODAY, by="month",
                                  date_from=date(2025, 7, 1), date_to=date(2025, 12, 31),
                                  deal_score="max", bands=(50,))  # fmt: skip
    periods = [row["period"] for row in monthly.company]
    assert periods
    assert all("2025-07" <= p <= "2025-12" and len(p) == 7 for p in periods)
    assert [b["band"] for b in monthly.outcomes] == ["<50", ">=50"]
    inside = [c for c in list_calls(store=demo) if date(2025, 7, 1) <= c["occurred_on"]
              <= date(2025, 12, 31)]  # fmt: skip
    assert sum(row["calls"] for row in monthly.company) == len(inside)
    best = {}
    for call in inside:
        best[call["opportunity_id"]] = max(best.get(call["opportunity_id"], 0.0),
                                           call["consultative_score"])  # fmt: skip
    assert {d["opportunity_id"]: d["call_score"] for d in monthly.deals} == best
    assert monthly.as_dict()["strategy_version"] == "fy26-services"


def test_each_rep_gets_a_verdict_against_the_targets(report: ConsultativeReport) -> None:
    pitchers = [r for r in report.reps if PERSONAS.get(r["owner_id"]) == "pitcher"]
    for rep in pitchers:
        assert rep["verdict"]["gaps"], rep["rep"]
        assert any("pitch" in gap for gap in rep["verdict"]["gaps"])


def test_verdict_and_headline_rules() -> None:
    targets = ConsultativeTargets()
    good = {"score": 90.0, "talk_ratio": 0.45, "questions_per_call": 12.0,
            "open_question_share": 0.6, "discovery_share": 0.3, "pitch_share": 0.1,
            "longest_monologue_seconds": 40.0}  # fmt: skip
    assert verdict(totals=good, targets=targets) == {"summary": "mean score 90, on target",
                                                     "gaps": []}  # fmt: skip
    loose = ConsultativeTargets(talk_ratio=0.7)
    talky = good | {"talk_ratio": 0.7}
    assert verdict(totals=talky, targets=loose)["gaps"] == []
    assert verdict(totals=talky, targets=targets)["gaps"] == [
        "talks too much: 70% of the call (target 43%)"
    ]
    assert wilson(0, 0) == (None, None)
    assert wilson(0, 5) == (0.0, 0.434)
    clear = [_band("<40", 1, 20), _band(">=70", 18, 20)]
    assert headline(clear).startswith("yes: won 18 of 20")
    assert headline(clear[:1]).startswith("not enough closed deals")
    assert headline([_band("<40", 1, 3), _band(">=70", 2, 3)]).startswith("not conclusive")


def _band(label: str, won: int, closed: int) -> dict[str, object]:
    low, high = wilson(won, closed)
    return {"band": label, "won": won, "closed": closed, "win_rate": won / closed,
            "win_rate_low": low, "win_rate_high": high}  # fmt: skip


def test_bands_must_rise(demo: Store) -> None:
    with pytest.raises(InvalidInput, match="rising cut points"):
        consultative_report(store=demo, strategy=STRATEGY, as_of=TODAY, bands=(70, 40))
