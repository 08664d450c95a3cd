"""Did sales shift when the strategy did? The demo's familiar reps did not; on-strategy reps did."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from onstrategy.demo import PERSONAS, strategy_text
from onstrategy.errors import InvalidInput, NotFound
from onstrategy.reports.shift import Period, RepShift, ShiftReport, shift_report, verdict
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy

STRATEGY = parse_strategy(strategy_text())
TODAY = date(2026, 11, 30)
SHIFT = date(2025, 12, 1)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo(request: pytest.FixtureRequest, copy_database) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """The demo company, one copy per backend for the whole module (the tests only read)."""
    with copy_database(request.param, demo=True) as url:
        yield from _opened(url)


def _opened(url: str) -> Iterator[Store]:
    opened = Store.open(url)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def report(demo: Store) -> ShiftReport:
    return shift_report(store=demo, strategy=STRATEGY, as_of=TODAY)


def test_familiar_reps_have_not_shifted_and_on_strategy_reps_have(report: ShiftReport) -> None:
    verdicts = {r.id: r.shifted for r in report.reps}
    familiar = [rep for rep, persona in PERSONAS.items() if persona == "familiar"]
    on_strategy = [rep for rep, persona in PERSONAS.items() if persona == "on_strategy"]
    assert familiar
    assert on_strategy
    assert {verdicts[rep] for rep in familiar} == {False}
    assert {verdicts[rep] for rep in on_strategy} == {True}
    data = report.as_dict()
    assert set(familiar) <= set(data["not_shifted"])
    assert data["version"] == "fy26-services"
    assert data["previous_version"] == "fy25-hardware"
    assert [o["id"] for o in data["new_offerings"]] == ["installation", "managed-services"]


def test_not_shifted_reps_come_with_the_non_approvers_they_keep_meeting(
    report: ShiftReport,
) -> None:
    lagging = [r for r in report.reps if r.verdict == "not shifted"]
    assert lagging
    for rep in lagging:
        assert rep.kept_contacts, rep.name
        assert rep.accounts, rep.name
        assert any("below" in r or "gained less" in r for r in rep.reasons)
        for contact in rep.kept_contacts:
            seniority, function = contact.persona.split("/")
            assert not any(o.can_approve(seniority, function) for o in report.new_offerings)
            assert contact.after > 0
        ranked = [c.after for c in rep.kept_contacts]
        assert ranked == sorted(ranked, reverse=True)


def _hand_shares(demo: Store, owner: str, start: date, end: date) -> tuple[int, int]:
    """(calls and meetings, with approvers of a new offering) from plain SQL rows."""
    new = [
        o
        for o in STRATEGY.version("fy26-services").offerings
        if o.id in ("installation", "managed-services")
    ]
    with demo.begin() as conn:
        people = {c["id"]: c for c in conn.execute(sa.select(tables.contact)).mappings()}
        acts = (
            conn.execute(
                sa.select(tables.activity).where(
                    tables.activity.c.owner_id == owner,
                    tables.activity.c.kind.in_(["call", "meeting"]),
                    tables.activity.c.occurred_on.between(start, end),
                )
            )
            .mappings()
            .all()
        )
    approver = 0
    for act in acts:
        person = people.get(act["contact_id"]) or {}
        seniority, function = person.get("seniority"), person.get("function")
        approver += bool(
            seniority and function and any(o.can_approve(seniority, function) for o in new)
        )
    return len(acts), approver


def test_shares_and_pipeline_match_a_hand_computation(demo: Store, report: ShiftReport) -> None:
    rep = max(report.reps, key=lambda r: r.after.touches)
    end = SHIFT + timedelta(days=180)
    assert (rep.after.touches, rep.after.approver_touches) == _hand_shares(demo, rep.id, SHIFT, end)
    assert (rep.before.touches, rep.before.approver_touches) == _hand_shares(
        demo, rep.id, SHIFT - timedelta(days=180), SHIFT - timedelta(days=1)
    )
    with demo.begin() as conn:
        created = conn.execute(
            sa.select(sa.func.sum(tables.opportunity.c.amount)).where(
                tables.opportunity.c.created_on.between(SHIFT, end)
            )
        ).scalar_one()
    assert sum(report.company[1].pipeline.values()) == pytest.approx(created)


def test_the_first_version_compares_all_its_offerings_and_a_future_one_is_refused(
    demo: Store,
) -> None:
    first = shift_report(
        store=demo, strategy=STRATEGY, as_of=TODAY, version_id="fy25-hardware", window_days=90
    )
    assert first.previous is None
    assert {o.id for o in first.new_offerings} == {
        o.id for o in STRATEGY.version("fy25-hardware").offerings
    }
    assert first.after == (date(2024, 12, 1), date(2025, 3, 1))
    with pytest.raises(InvalidInput, match="starts on 2025-12-01, after 2025-06-30"):
        shift_report(
            store=demo, strategy=STRATEGY, as_of=date(2025, 6, 30), version_id="fy26-services"
        )
    with pytest.raises(NotFound, match="no strategy version 'fy27'"):
        shift_report(store=demo, strategy=STRATEGY, as_of=TODAY, version_id="fy27")


def _rep(before: tuple[int, int], after: tuple[int, int]) -> RepShift:
    def period(touches: int, approvers: int) -> Period:
        cell = Period()
        cell.count("approver", approvers, approvers * 0.5)
        cell.count("non_approver", touches - approvers, (touches - approvers) * 0.5)
        return cell

    return RepShift("r", "Rep", None, period(*before), period(*after))


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ((20, 2), (20, 10), "shifted"),
        ((20, 8), (20, 8), "already aligned"),
        ((20, 2), (20, 3), "not shifted"),
        ((20, 1), (20, 5), "not shifted"),  # +20 points, but still only a quarter of the time
        ((20, 2), (5, 5), "too little activity"),
    ],
)
def test_verdict_rule(before: tuple[int, int], after: tuple[int, int], expected: str) -> None:
    outcome, reasons = verdict(_rep(before, after), min_share=0.3, min_gain=0.1, min_touches=10)
    assert outcome == expected
    assert reasons
