"""The intake gate and its report (both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from onstrategy.engines.gate import apply_gate, list_gated, release
from onstrategy.errors import Conflict, Forbidden, InvalidInput
from onstrategy.ingest.importer import import_file
from onstrategy.reports.gate import gate_report
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import load_strategy
from onstrategy.strategy.model import Strategy

DATA = Path(__file__).resolve().parents[1] / "data" / "right_leads"
AS_OF = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def strategy() -> Strategy:
    return load_strategy(DATA.parent / "strategy_small.yaml")


@pytest.fixture
def crm(store: Store, strategy: Strategy) -> Store:
    for kind in ("users", "accounts", "opportunities"):
        import_file(store=store, kind=kind, path=DATA / f"{kind}.csv")
    import_file(store=store, kind="leads", path=DATA / "leads.csv", strategy=strategy, as_of=AS_OF)
    return store


def _lead(store: Store, lead_id: str) -> dict:
    with store.begin() as conn:
        row = conn.execute(sa.select(tables.lead).where(tables.lead.c.id == lead_id))
        return dict(row.mappings().one())


def test_off_profile_lead_is_quarantined_with_reasons_and_kept(crm: Store) -> None:
    tiny = _lead(crm, "l-tiny")
    assert tiny["gate_status"] == "quarantined"
    reasons = tiny["gate_reasons"]
    assert (reasons["version"], reasons["tier"], reasons["in_profile"]) == ("v2", "D", False)
    assert reasons["failed"] == ["employees 12 is not in the target range ≥ 1,000"]
    assert "own firmographics" in reasons["judged_on"]
    found = list_gated(store=crm, source="purchased list", search="tiny")
    assert [r["id"] for r in found] == ["l-tiny"]  # visible and searchable, never deleted


def test_in_profile_lead_is_active_and_a_matched_lead_takes_its_accounts_fit(crm: Store) -> None:
    assert _lead(crm, "l-mega")["gate_status"] == "active"
    small_at_acme = _lead(crm, "l-acme2")  # 10 employees itself, but Acme has 5,000
    assert small_at_acme["gate_status"] == "active"
    assert small_at_acme["gate_reasons"]["judged_on"].startswith("matched account Acme")


def test_release_needs_an_admin_is_audited_and_sticks(crm: Store, strategy: Strategy) -> None:
    with pytest.raises(Forbidden, match="Mia Manager \\(manager\\) may not release"):
        release(
            store=crm,
            kind="leads",
            record_id="l-tiny",
            actor="u-mgr",
            reason="owner is a friend of the CEO",
            now=NOW,
        )
    with pytest.raises(InvalidInput, match="say why"):
        release(store=crm, kind="leads", record_id="l-tiny", actor="u-admin", reason="", now=NOW)
    release(
        store=crm,
        kind="leads",
        record_id="l-tiny",
        actor="ada@test.example",
        reason="referral from our best customer",
        now=NOW,
    )
    tiny = _lead(crm, "l-tiny")
    assert tiny["gate_status"] == "released"
    assert tiny["gate_reasons"]["release"]["by"] == "u-admin"
    with crm.begin() as conn:
        log = tables.audit_log
        (entry,) = conn.execute(sa.select(log).where(log.c.action == "gate.release")).mappings()
    assert (entry["actor"], entry["entity_id"]) == ("u-admin", "l-tiny")
    run = apply_gate(store=crm, strategy=strategy, kind="leads", as_of=AS_OF)
    assert run.counts["released"] == 1
    assert _lead(crm, "l-tiny")["gate_status"] == "released"  # not quarantined again
    with pytest.raises(Conflict, match="is released, not quarantined"):
        release(
            store=crm,
            kind="leads",
            record_id="l-tiny",
            actor="u-admin",
            reason="again for no reason",
            now=NOW,
        )


def test_without_a_strategy_the_gate_says_how_to_apply_it(store: Store) -> None:
    import_file(store=store, kind="users", path=DATA / "users.csv")
    result = import_file(store=store, kind="leads", path=DATA / "leads.csv")
    assert any(
        n.startswith("intake gate not applied: no strategy given")
        and f"--batch {result.batch_id}" in n
        for n in result.notes
    )
    assert _lead(store, "l-tiny")["gate_reasons"] is None


def test_accounts_with_deals_are_never_quarantined(crm: Store, strategy: Strategy) -> None:
    with crm.begin() as conn:
        batch = conn.execute(
            sa.select(tables.account.c.import_batch_id).where(tables.account.c.id == "a-umbrella")
        ).scalar()
    run = apply_gate(store=crm, strategy=strategy, kind="accounts", as_of=AS_OF, batch_id=batch)
    assert run.counts["protected"] == 1
    quarantined = {r["id"] for r in list_gated(store=crm, kind="accounts")}
    assert quarantined == {"a-globex", "a-ini-aus", "a-ini-dal", "a-gmail"}
    umbrella = list_gated(store=crm, kind="accounts", status="active", search="umbrella")[0]
    assert umbrella["gate_reasons"]["protected"] == "never quarantined: it has opportunities"
    with pytest.raises(InvalidInput, match="one import batch at a time"):
        apply_gate(store=crm, strategy=strategy, kind="accounts", as_of=AS_OF)


def test_report_counts_prospects_and_in_target_share_by_source(
    crm: Store, strategy: Strategy
) -> None:
    report = gate_report(
        store=crm,
        strategy=strategy,
        date_from=date(2026, 1, 1),
        date_to=date(2026, 6, 30),
        by="month",
        now=NOW,
    ).as_dict()
    by_source = {s["source"]: s for s in report["sources"]}
    assert (by_source["Web"]["prospects"], by_source["Web"]["in_target"]) == (3, 2)
    assert by_source["Purchased List"]["prospects"] == 2  # tiny (off) and Acme's buyer (on)
    assert by_source["Purchased List"]["share_in_target"] == 0.5
    assert [p["period"] for p in report["periods"]] == ["2026-03", "2026-04"]
    assert report["total"]["quarantined"] == 3


def test_demo_purchased_list_feeds_the_most_off_target_names(demo_store) -> None:  # type: ignore[no-untyped-def]
    report = gate_report(
        store=demo_store.store,
        strategy=demo_store.strategy,
        date_from=date(2025, 12, 1),
        date_to=date(2026, 11, 30),
        by="quarter",
        now=NOW,
    ).as_dict()
    worst = report["sources"][0]
    assert worst["source"] == "Purchased List"
    others = [s["share_in_target"] for s in report["sources"][1:]]
    assert worst["share_in_target"] < 0.5 * min(others)
    assert report["notes"][0].startswith("Purchased List feeds the most off-target names")
    assert worst["quarantined"] >= worst["off_target"] * 0.8  # the gate held them back


def test_a_customer_status_protects_an_account(
    crm: Store, strategy: Strategy, tmp_path: Path
) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(
        "Account ID,Account Name,Employees,Billing Country,Type\n"
        "a-old,Old Friend Ltd,8,US,Customer - Direct\n"
        "a-new,New Prospect Ltd,8,US,Prospect\n"
    )
    batch = import_file(store=crm, kind="accounts", path=path).batch_id
    run = apply_gate(store=crm, strategy=strategy, kind="accounts", as_of=AS_OF, batch_id=batch)
    assert (run.counts["protected"], run.counts["quarantined"]) == (1, 1)
    (kept,) = list_gated(store=crm, kind="accounts", status="active", search="old friend")
    assert kept["gate_reasons"]["protected"] == "never quarantined: Type is 'Customer - Direct'"
    assert kept["gate_reasons"]["failed"]  # the reasons it is off profile are still shown
    assert [r["id"] for r in list_gated(store=crm, kind="accounts")] == ["a-new"]


def test_why_did_i_get_this_lead_has_both_answers(crm: Store) -> None:
    from onstrategy.crm.lead_matching import lead_match

    why = lead_match(store=crm, lead_id="l-acme2")
    assert (why["account_id"], why["gate_status"]) == ("a-acme", "active")
    assert "same domain acme.com" in why["match_reasons"]
    assert why["gate_reasons"]["met"] == [
        "employees 5,000 is in the target range ≥ 1,000",
        "location TX/US is in the target area (US)",
    ]


def test_a_lead_from_a_white_space_list_company_is_in_profile(
    crm: Store, strategy: Strategy, tmp_path: Path
) -> None:
    from onstrategy.crm.lead_matching import lead_match
    from onstrategy.crm.lists import import_list

    import_list(store=crm, list_id="top-accounts", path=DATA / "list.csv", now=NOW)
    path = tmp_path / "leads.csv"
    path.write_text(
        "Record ID,Email,Company Name,Number of Employees,Country/Region,Create Date\n"
        "l-hooli,gav@hooli.example.net,Hooli,40,US,2026-05-02\n"
        "l-other,ann@smallco.example.org,Smallco,40,US,2026-05-02\n"
    )
    import_file(store=crm, kind="leads", path=path, strategy=strategy, as_of=AS_OF)
    hooli = lead_match(store=crm, lead_id="l-hooli")
    assert hooli["account_id"] is None  # Hooli is on the list but not in the CRM yet
    assert [x["list_id"] for x in hooli["lists"]] == ["top-accounts"]
    assert hooli["gate_status"] == "active"
    assert hooli["gate_reasons"]["met"] == ["on the named-account list top-accounts"]
    assert lead_match(store=crm, lead_id="l-other")["gate_status"] == "quarantined"
    report = gate_report(
        store=crm, strategy=strategy, date_from=date(2026, 5, 1), date_to=date(2026, 5, 31), now=NOW
    ).as_dict()
    assert (report["total"]["prospects"], report["total"]["in_target"]) == (2, 1)
