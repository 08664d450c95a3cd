"""Drift alerts on the demo company: the chasers show up, with the deals behind the numbers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from onstrategy.demo import PERSONAS
from onstrategy.engines.alerts import drift_alerts
from onstrategy.reports.alignment import alignment_report
from onstrategy.store import tables

AS_OF = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 9, 0)


def _active_reps(store, start: date) -> set[str]:  # type: ignore[no-untyped-def]
    act = tables.activity
    with store.begin() as conn:
        return set(
            conn.execute(sa.select(act.c.owner_id).where(act.c.occurred_on >= start)).scalars()
        )


def test_chasers_are_alerted_with_deal_evidence(demo_store) -> None:  # type: ignore[no-untyped-def]
    store, strategy = demo_store.store, demo_store.strategy
    report = drift_alerts(store=store, strategy=strategy, as_of=AS_OF, window_days=90, now=NOW)
    start = AS_OF - timedelta(days=89)
    assert report.date_from == start
    reps = [a for a in report.alerts if a.level == "rep"]
    chasers = {r for r, p in PERSONAS.items() if p == "chaser"} & _active_reps(store, start)
    assert chasers
    assert chasers <= {a.id for a in reps}
    assert PERSONAS[reps[0].id] == "chaser"  # the worst drift comes first

    aligned = {
        r.id: r
        for r in alignment_report(
            store=store, strategy=strategy, date_from=start, date_to=AS_OF, now=NOW
        ).reps
    }
    with store.begin() as conn:
        opps = {o["id"]: o for o in conn.execute(sa.select(tables.opportunity)).mappings()}
    pipeline = [a for a in reps if a.kind == "pipeline_below_goal" and a.id in chasers]
    assert pipeline
    for alert in pipeline:
        shares = aligned[alert.id]
        assert alert.value == round(shares.share("pipeline"), 4)  # the alignment report's share
        off = shares.totals["pipeline"] - shares.icp["pipeline"]
        assert alert.evidence_total == round(off, 2)  # the deals add up to the gap
        for row in alert.evidence:
            opp = opps[row["opportunity_id"]]
            assert (opp["owner_id"], opp["amount"]) == (alert.id, row["amount"])
            assert start <= opp["created_on"] <= AS_OF
    hours = [a for a in reps if a.kind == "off_icp_hours_above_max"]
    assert all(a.value > a.goal and a.evidence for a in hours)  # type: ignore[operator]
    assert {a.kind for a in report.alerts} >= {"pipeline_below_goal", "unexcused_off_profile"}
    unexcused = [a for a in report.alerts if a.kind == "unexcused_off_profile"]
    assert all(not opps[r["opportunity_id"]]["is_closed"] for a in unexcused for r in a.evidence)
    teams = [a for a in report.alerts if a.level == "team"]
    assert teams
    assert report.alerts[: len(teams)] == teams

    narrow = drift_alerts(
        store=store, strategy=strategy, as_of=AS_OF, window_days=90, now=NOW, team="west"
    )
    assert {a.team or a.id for a in narrow.alerts} == {"west"}
