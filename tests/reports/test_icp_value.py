"""Does the ICP pay? Intervals, sample sizes and segment hints, on the demo company."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from onstrategy.reports.icp_value import (
    band_of,
    bootstrap_mean,
    icp_value_report,
    mean_interval,
    wilson,
)
from onstrategy.store import tables

NOW = datetime(2026, 11, 30, 9, 0)


def test_wilson_interval_known_values() -> None:
    half = wilson(5, 10)
    assert (half.low, half.high) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    none = wilson(0, 10)
    assert none.value == 0.0
    assert none.low == 0.0
    assert none.high == pytest.approx(0.2775, abs=1e-4)
    assert wilson(0, 0).value is None


def test_mean_intervals() -> None:
    t = mean_interval([1.0, 2.0, 3.0, 4.0])
    assert (t.value, t.low, t.high) == pytest.approx((2.5, 0.4457, 4.5543), abs=1e-3)
    assert mean_interval([7.0]).low is None
    skewed = [0.0] * 30 + [100_000.0]
    boot = bootstrap_mean(skewed)
    assert boot == bootstrap_mean(skewed)  # a fixed seed: the same data, the same interval
    assert boot.low is not None
    assert 0.0 <= boot.low < boot.value < boot.high  # type: ignore[operator]
    assert (mean_interval(skewed).low or 0) < 0  # why money gets the bootstrap


def test_size_bands() -> None:
    assert [band_of(n) for n in (None, 5, 200, 999, 1000, 5000)] == [
        "unknown size",
        "1–199",
        "200–999",
        "200–999",
        "1,000–4,999",
        "5,000+",
    ]


def test_demo_icp_deals_win_more_and_counts_match(demo_store) -> None:  # type: ignore[no-untyped-def]
    strategy = demo_store.strategy
    report = icp_value_report(store=demo_store.store, strategy=strategy, now=NOW)
    first = min(v.effective_from for v in strategy.versions)
    opp = tables.opportunity
    with demo_store.store.begin() as conn:
        closed = conn.execute(
            sa.select(sa.func.count())
            .select_from(opp)
            .where(
                opp.c.is_closed.is_(True), opp.c.closed_on.isnot(None), opp.c.created_on >= first
            )
        ).scalar()
        won = conn.execute(
            sa.select(sa.func.count())
            .select_from(opp)
            .where(opp.c.is_won.is_(True), opp.c.created_on >= first)
        ).scalar()
    pooled = report.all_versions
    assert pooled.icp.closed + pooled.non_icp.closed == closed
    assert pooled.icp.won + pooled.non_icp.won == won
    assert [v.version for v in report.versions] == [v.id for v in strategy.versions]
    assert sum(v.icp.closed + v.non_icp.closed for v in report.versions) == closed
    for block in [*report.versions, pooled]:
        icp, non = block.icp, block.non_icp
        assert icp.win_rate.value > non.win_rate.value  # type: ignore[operator]
        assert icp.discount.value < non.discount.value  # type: ignore[operator]
        for est in (icp.win_rate, icp.deal_size, icp.discount, icp.cycle_days, non.win_rate):
            assert est.low <= est.value <= est.high  # type: ignore[operator]
        assert icp.win_rate.n == icp.closed
        assert block.verdict
    assert "intervals do not overlap" in pooled.verdict[0]
    data = report.as_dict()
    assert data["all_versions"]["segments"][0]["closed"] >= 1


def test_forcing_a_version_judges_every_deal_by_it(demo_store) -> None:  # type: ignore[no-untyped-def]
    first = demo_store.strategy.versions[0].id
    report = icp_value_report(
        store=demo_store.store,
        strategy=demo_store.strategy,
        version_id=first,
        date_from=date(2026, 1, 1),
        now=NOW,
    )
    assert [v.version for v in report.versions] == [first]
    assert report.all_versions.icp.closed == report.versions[0].icp.closed


# The bright spot needs more deals than the shared 0.1 demo has (there it has 11 closed
# deals and no segment earns a hint, which the report says); a 0.3 demo on SQLite has 54.


@pytest.fixture(scope="module")
def larger_demo(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path):  # type: ignore[no-untyped-def]
    import shutil

    from onstrategy.demo import generate_demo, write_demo
    from onstrategy.ingest.bundle import import_bundle
    from onstrategy.store.connect import Store
    from onstrategy.strategy.load import load_strategy

    folder = tmp_path_factory.mktemp("demo03")
    files = write_demo(generate_demo(seed=7, scale=0.3, today=date(2026, 11, 30)), folder)
    path = folder / "demo.db"
    shutil.copy(sqlite_template, path)
    store = Store.open(f"sqlite:///{path}")
    strategy = load_strategy(files["strategy"])
    import_bundle(
        store=store, directory=folder, strategy=strategy, as_of=date(2026, 11, 30), actor="test"
    )
    yield store, strategy
    store.close()


@pytest.mark.slow
def test_the_demo_bright_spot_is_the_one_hint(larger_demo) -> None:  # type: ignore[no-untyped-def]
    store, strategy = larger_demo
    report = icp_value_report(store=store, strategy=strategy, now=NOW)
    hints = [(s.industry, s.band) for s in report.all_versions.segments if s.hint]
    assert hints == [("Transportation & Logistics", "200–999")]
    top = report.all_versions.segments[0]
    assert (top.industry, top.band) == hints[0]
    assert any("candidate for the next version" in r for r in top.reasons)
    icp, non = report.all_versions.icp, report.all_versions.non_icp
    assert top.stats.win_rate.low > non.win_rate.value  # type: ignore[operator]
    assert top.stats.discount.value <= icp.discount.value + 0.02  # type: ignore[operator]
