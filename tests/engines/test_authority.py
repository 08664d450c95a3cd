"""Authority gaps: does an open deal have an engaged contact who can approve its offering?"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from onstrategy.demo import strategy_text
from onstrategy.engines.authority import authority_gaps, deal_authority, explain_deal
from onstrategy.errors import NotFound
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy

STRATEGY = parse_strategy(strategy_text())
AS_OF = date(2026, 3, 15)
CONTACTS = {  # id: (title, seniority, function)
    "itm": ("IT Manager", "manager", "it"),
    "buyer": ("Buyer", "staff", "procurement"),
    "cio": ("CIO", "executive", "it"),
    "vpp": ("VP Procurement", "vp", "procurement"),
}


def insert(store: Store, table: sa.Table, *rows: dict[str, Any]) -> None:
    with store.begin() as conn:
        for row in rows:
            conn.execute(table.insert().values(**row))


def activity(id_: str, kind: str, day: date, contact: str, *, owner: str = "r1",
             opp: str | None = None) -> dict[str, Any]:
    return {"id": id_, "kind": kind, "occurred_on": day, "duration_minutes": 30,
            "owner_id": owner, "contact_id": contact, "account_id": "acc1",
            "opportunity_id": opp}


def seed(store: Store, product: str = "SVC-MS") -> None:
    insert(store, tables.team, {"id": "west", "name": "West"}, {"id": "east", "name": "East"})
    insert(store, tables.user, {"id": "r1", "name": "Rita Rep", "email": "rita@x.test",
                                "role": "rep", "team_id": "west", "active": True},
           {"id": "r2", "name": "Other Rep", "role": "rep", "team_id": "east", "active": True})
    insert(store, tables.account, {"id": "acc1", "name": "Acme Health", "owner_id": "r1"})
    insert(store, tables.contact, *[
        {"id": cid, "account_id": "acc1", "first_name": title.split()[0], "last_name": "Doe",
         "title": title, "seniority": seniority, "function": function}
        for cid, (title, seniority, function) in CONTACTS.items()])
    insert(store, tables.opportunity,
           {"id": "o1", "name": "Acme - Managed services", "account_id": "acc1",
            "owner_id": "r1", "amount": 90_000, "product": product, "stage": "Proposal",
            "is_closed": False, "is_won": False, "created_on": date(2026, 1, 10)},
           {"id": "o2", "name": "Acme - Servers (lost)", "account_id": "acc1",
            "owner_id": "r1", "amount": 5_000, "product": "HW-SRV", "stage": "Closed Lost",
            "is_closed": True, "is_won": False, "created_on": date(2025, 10, 1),
            "closed_on": date(2025, 11, 1)})
    insert(store, tables.activity,
           activity("a1", "meeting", date(2026, 2, 1), "itm", opp="o1"),
           activity("a2", "call", date(2026, 2, 3), "buyer"),  # on the account, no deal
           activity("a3", "call", date(2026, 2, 4), "cio", owner="r2"),  # another rep's call
           activity("a4", "meeting", date(2025, 12, 1), "cio"),  # before the deal existed
           activity("a5", "meeting", date(2026, 4, 1), "cio", opp="o1"))  # after AS_OF


def one(store: Store, as_of: date = AS_OF, strategy: Any = STRATEGY) -> Any:
    deals = deal_authority(store=store, strategy=strategy, as_of=as_of)
    assert [d.opportunity_id for d in deals] == ["o1"]  # the closed deal is not open
    return deals[0]


def test_it_manager_and_buyer_cannot_approve_managed_services(store: Store) -> None:
    seed(store)
    deal = one(store)
    assert deal.offering_id == "managed-services"
    assert deal.version == "fy26-services"
    assert deal.authority_gap is True
    assert sorted(c.contact_id for c in deal.contacts) == ["buyer", "itm"]
    assert (deal.engaged, deal.approvers, deal.at_required_level) == (2, 0, 0)
    assert "engaged 2 contacts: IT Manager (manager/it), Buyer (staff/procurement)" in \
        deal.reasons[0]
    assert "managed-services needs vp/executive in it" in deal.reasons[0]
    assert any("Buyer (staff/procurement) cannot approve" in r for r in deal.reasons)
    meeting = next(c for c in deal.contacts if c.contact_id == "itm")
    assert (meeting.meetings, meeting.calls, meeting.last_on) == (1, 0, date(2026, 2, 1))


def test_an_engaged_approver_closes_the_gap(store: Store) -> None:
    seed(store)
    assert one(store, as_of=date(2026, 4, 2)).authority_gap is False  # the CIO meeting counts
    insert(store, tables.opportunity_contact,
           {"opportunity_id": "o1", "contact_id": "cio", "role": "Economic Buyer"})
    deal = one(store)
    assert deal.authority_gap is False
    assert deal.contacts[0].contact_id == "cio"
    assert deal.contacts[0].role == "Economic Buyer"
    assert (deal.approvers, deal.at_required_level, deal.engaged) == (1, 1, 3)
    assert "CIO (executive/it) can approve managed-services" in deal.reasons[1]


def test_non_approvers_override_approvers(store: Store) -> None:
    text = strategy_text().replace(
        "          - {seniority: [vp, executive], function: [it]}\n"
        "          - {seniority: [executive], function: [executive]}\n"
        "        non_approvers:\n"
        "          - {seniority: [manager, staff], function: [procurement]}\n"
        "      - id: managed-services",
        "          - {seniority: [vp, executive], function: [it]}\n"
        "          - {seniority: [executive], function: [executive]}\n"
        "        non_approvers:\n"
        "          - {seniority: [manager, staff], function: [procurement]}\n"
        "      - id: managed-services-any-senior", 1)
    text = text.replace(
        "        products: [SVC-MS]\n        approvers:\n"
        "          - {seniority: [vp, executive], function: [it]}",
        "        products: [SVC-MS]\n        approvers:\n"
        "          - {seniority: [vp, executive]}", 1)
    text = text.replace("          - {seniority: [manager, staff], function: [procurement]}\n\n"
                        "    territories:",
                        "          - {function: [procurement]}\n\n    territories:", 1)
    strategy = parse_strategy(text)
    offering = strategy.version("fy26-services").offering_for_product("SVC-MS")
    assert offering is not None
    assert offering.id == "managed-services-any-senior"
    seed(store)
    insert(store, tables.opportunity_contact,
           {"opportunity_id": "o1", "contact_id": "vpp", "role": "Decision Maker"})
    deal = one(store, strategy=strategy)
    vpp = next(c for c in deal.contacts if c.contact_id == "vpp")
    assert vpp.at_required_level
    assert not vpp.can_approve
    assert deal.authority_gap is True
    assert any("VP Procurement (vp/procurement) cannot approve" in r for r in deal.reasons)


def test_a_product_without_an_offering_is_not_judged(store: Store) -> None:
    seed(store, product="CONSULTING")
    deal = one(store)
    assert deal.offering_id is None
    assert deal.authority_gap is None
    assert "belongs to no offering in fy26-services" in deal.reasons[0]
    assert authority_gaps(store=store, strategy=STRATEGY, as_of=AS_OF).gapped == []


def test_gaps_by_rep_and_team_and_explaining_one_deal(store: Store) -> None:
    seed(store)
    report = authority_gaps(store=store, strategy=STRATEGY, as_of=AS_OF, rep="rita@x.test")
    assert [d.opportunity_id for d in report.gapped] == ["o1"]
    assert report.as_dict()["by_offering"]["managed-services"]["gapped_amount"] == 90_000
    assert authority_gaps(store=store, strategy=STRATEGY, as_of=AS_OF, team="east").deals == []
    with pytest.raises(NotFound, match="no team 'north'"):
        authority_gaps(store=store, strategy=STRATEGY, as_of=AS_OF, team="north")
    with pytest.raises(NotFound, match="no user"):
        authority_gaps(store=store, strategy=STRATEGY, as_of=AS_OF, rep="nobody@x.test")
    closed = explain_deal(store=store, strategy=STRATEGY, opportunity_id="o2", as_of=AS_OF)
    assert closed.is_closed
    assert closed.version == "fy26-services"
    with pytest.raises(NotFound, match="no opportunity 'o9'"):
        explain_deal(store=store, strategy=STRATEGY, opportunity_id="o9", as_of=AS_OF)


# ------------------------------------------------------------------ the demo company


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo company, one copy per backend for the whole module (the tests only read)."""
    import shutil
    import uuid

    from conftest import _pg_admin, _pg_url

    if request.param == "sqlite":
        target = tmp_path_factory.mktemp("authority") / "demo.db"
        shutil.copy(request.getfixturevalue("demo_sqlite_template"), target)
        url = f"sqlite:///{target}"
    else:
        template = request.getfixturevalue("demo_pg_template")
        name = f"auth_{uuid.uuid4().hex[:10]}"
        with _pg_admin().connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        url = _pg_url(name)
    opened = Store.open(url)
    yield opened
    opened.close()
    if request.param == "postgres":
        with _pg_admin().connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _hand_engaged(store: Store, today: date) -> dict[str, set[str]]:
    """Engaged contacts per open deal, from plain SQL rows and the documented rules."""
    with store.begin() as conn:
        opps = {o["id"]: o for o in conn.execute(sa.select(tables.opportunity).where(
            ~tables.opportunity.c.is_closed)).mappings()}
        acts = list(conn.execute(sa.select(tables.activity)).mappings())
        roles = list(conn.execute(sa.select(tables.opportunity_contact)).mappings())
    out: dict[str, set[str]] = {oid: set() for oid in opps}
    for act in acts:
        if not act["contact_id"] or act["occurred_on"] > today:
            continue
        if act["opportunity_id"] in opps:
            out[act["opportunity_id"]].add(act["contact_id"])
        if act["opportunity_id"] is None:
            for oid, opp in opps.items():
                if (opp["account_id"], opp["owner_id"]) == (act["account_id"], act["owner_id"]) \
                        and act["occurred_on"] >= opp["created_on"]:
                    out[oid].add(act["contact_id"])
    for role in roles:
        if role["opportunity_id"] in out:
            out[role["opportunity_id"]].add(role["contact_id"])
    return out


def test_demo_gaps_match_a_hand_computation(demo: Store) -> None:
    from conftest import DEMO_TODAY

    demo_strategy = parse_strategy(strategy_text())
    deals = deal_authority(store=demo, strategy=demo_strategy, as_of=DEMO_TODAY)
    expected = _hand_engaged(demo, DEMO_TODAY)
    assert {d.opportunity_id: {c.contact_id for c in d.contacts} for d in deals} == expected
    services = [d for d in deals if d.offering_id in ("installation", "managed-services")]
    assert services
    assert all(d.required for d in services)
    for deal in deals:
        offering = demo_strategy.version_on(DEMO_TODAY).offering_for_product(deal.product)
        assert offering is not None
        approvers = [c for c in deal.contacts if offering.can_approve(c.seniority, c.function)]
        assert deal.authority_gap is (not approvers)
    assert deals == sorted(deals, key=lambda d: -d.amount)
