"""Authority gaps: does an open deal have an engaged contact who can approve its offering?

Hand-made deals (one account each, so their activities do not mix) cover the rules; the demo
company is checked against a hand computation of the same rules from plain SQL rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from onstrategy.demo import strategy_text
from onstrategy.engines.authority import (
    DealAuthority,
    authority_gaps,
    deal_authority,
    explain_deal,
)
from onstrategy.errors import NotFound
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy

STRATEGY = parse_strategy(strategy_text())
AS_OF = date(2026, 3, 15)
CONTACTS = {  # id: (account, title, seniority, function)
    "itm": ("acc1", "IT Manager", "manager", "it"),
    "buyer": ("acc1", "Buyer", "staff", "procurement"),
    "cio": ("acc1", "CIO", "executive", "it"),
    "itm2": ("acc2", "IT Manager", "manager", "it"),
    "cio2": ("acc2", "CIO", "executive", "it"),
    "itm3": ("acc3", "IT Manager", "manager", "it"),
    "vpp": ("acc4", "VP Procurement", "vp", "procurement"),
}


def insert(conn: sa.Connection, table: sa.Table, *rows: dict[str, Any]) -> None:
    for row in rows:
        conn.execute(table.insert().values(**row))


def activity(
    id_: str, kind: str, day: date, contact: str, *, owner: str = "r1", opp: str | None = None
) -> dict[str, Any]:
    return {
        "id": id_,
        "kind": kind,
        "occurred_on": day,
        "duration_minutes": 30,
        "owner_id": owner,
        "contact_id": contact,
        "account_id": CONTACTS[contact][0],
        "opportunity_id": opp,
    }


def deal(id_: str, account: str, product: str, amount: float, **extra: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "name": f"{account} - {product}",
        "account_id": account,
        "owner_id": "r1",
        "amount": amount,
        "product": product,
        "stage": "Proposal",
        "is_closed": False,
        "is_won": False,
        "created_on": date(2026, 1, 10),
        **extra,
    }


def seed(conn: sa.Connection) -> None:
    insert(conn, tables.team, {"id": "west", "name": "West"}, {"id": "east", "name": "East"})
    insert(
        conn,
        tables.user,
        {
            "id": "r1",
            "name": "Rita Rep",
            "email": "rita@x.test",
            "role": "rep",
            "team_id": "west",
            "active": True,
        },
        {"id": "r2", "name": "Other Rep", "role": "rep", "team_id": "east", "active": True},
    )
    insert(
        conn,
        tables.account,
        *[{"id": f"acc{i}", "name": f"Acme {i}", "owner_id": "r1"} for i in range(1, 5)],
    )
    insert(
        conn,
        tables.contact,
        *[
            {
                "id": cid,
                "account_id": acc,
                "first_name": title.split()[0],
                "last_name": "Doe",
                "title": title,
                "seniority": seniority,
                "function": function,
            }
            for cid, (acc, title, seniority, function) in CONTACTS.items()
        ],
    )
    insert(
        conn,
        tables.opportunity,
        deal("o1", "acc1", "SVC-MS", 90_000),
        deal(
            "o2",
            "acc1",
            "HW-SRV",
            5_000,
            is_closed=True,
            stage="Closed Lost",
            created_on=date(2025, 10, 1),
            closed_on=date(2025, 11, 1),
        ),
        deal("o3", "acc2", "SVC-MS", 70_000),
        deal("o4", "acc3", "CONSULTING", 20_000),
        deal("o5", "acc4", "SVC-MS", 60_000),
    )
    insert(
        conn,
        tables.activity,
        activity("a1", "meeting", date(2026, 2, 1), "itm", opp="o1"),
        activity("a2", "call", date(2026, 2, 3), "buyer"),  # on the account, no deal
        activity("a3", "call", date(2026, 2, 4), "cio", owner="r2"),  # another rep's call
        activity("a4", "meeting", date(2025, 12, 1), "cio"),  # before the deal existed
        activity("a5", "meeting", date(2026, 4, 1), "cio", opp="o1"),  # after AS_OF
        activity("a6", "meeting", date(2026, 2, 1), "itm2", opp="o3"),
        activity("a7", "meeting", date(2026, 2, 1), "itm3", opp="o4"),
    )
    insert(
        conn,
        tables.opportunity_contact,
        {"opportunity_id": "o3", "contact_id": "cio2", "role": "Economic Buyer"},
        {"opportunity_id": "o5", "contact_id": "vpp", "role": "Decision Maker"},
    )


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, copy_database) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """The hand-made deals, once per backend for the module (the tests only read)."""
    with copy_database(request.param, demo=False) as url:
        yield from _seeded(url)


def _seeded(url: str) -> Iterator[Store]:
    opened = Store.open(url)
    with opened.begin() as conn:
        seed(conn)
    yield opened
    opened.close()


def by_id(store: Store, as_of: date = AS_OF, strategy: Any = STRATEGY) -> dict[str, DealAuthority]:
    return {
        d.opportunity_id: d for d in deal_authority(store=store, strategy=strategy, as_of=as_of)
    }


def test_open_deals_only_largest_first(store: Store) -> None:
    deals = deal_authority(store=store, strategy=STRATEGY, as_of=AS_OF)
    assert [d.opportunity_id for d in deals] == ["o1", "o3", "o5", "o4"]  # o2 is closed


def test_it_manager_and_buyer_cannot_approve_managed_services(store: Store) -> None:
    deal = by_id(store)["o1"]
    assert deal.offering_id == "managed-services"
    assert deal.version == "fy26-services"
    assert deal.authority_gap is True
    assert sorted(c.contact_id for c in deal.contacts) == ["buyer", "itm"]
    assert (deal.engaged, deal.approvers, deal.at_required_level) == (2, 0, 0)
    assert (
        "engaged 2 contacts: IT Manager (manager/it), Buyer (staff/procurement)" in deal.reasons[0]
    )
    assert "managed-services needs vp/executive in it" in deal.reasons[0]
    assert any("Buyer (staff/procurement) cannot approve" in r for r in deal.reasons)
    meeting = next(c for c in deal.contacts if c.contact_id == "itm")
    assert (meeting.meetings, meeting.calls, meeting.last_on) == (1, 0, date(2026, 2, 1))


def test_an_engaged_approver_closes_the_gap(store: Store) -> None:
    later = by_id(store, as_of=date(2026, 4, 2))["o1"]  # the CIO meeting on 1 April counts
    assert later.authority_gap is False
    deal = by_id(store)["o3"]  # a CIO with a contact role
    assert deal.authority_gap is False
    assert deal.contacts[0].contact_id == "cio2"
    assert deal.contacts[0].role == "Economic Buyer"
    assert (deal.approvers, deal.at_required_level, deal.engaged) == (1, 1, 2)
    assert "CIO (executive/it) can approve managed-services" in deal.reasons[1]


def test_non_approvers_override_approvers(store: Store) -> None:
    text = strategy_text().replace(
        "        products: [SVC-MS]\n        approvers:\n"
        "          - {seniority: [vp, executive], function: [it]}",
        "        products: [SVC-MS]\n        approvers:\n          - {seniority: [vp, executive]}",
        1,
    )
    text = text.replace(
        "          - {seniority: [manager, staff], function: [procurement]}\n\n    territories:",
        "          - {function: [procurement]}\n\n    territories:",
        1,
    )
    offering = parse_strategy(text).version("fy26-services").offering_for_product("SVC-MS")
    assert offering is not None
    assert any(p.matches("vp", "procurement") for p in offering.approvers)
    deal = by_id(store, strategy=parse_strategy(text))["o5"]
    vpp = deal.contacts[0]
    assert vpp.at_required_level  # a VP ...
    assert not vpp.can_approve  # ... but in procurement, which never approves
    assert deal.authority_gap is True
    assert any("VP Procurement (vp/procurement) cannot approve" in r for r in deal.reasons)


def test_a_product_without_an_offering_is_not_judged(store: Store) -> None:
    deal = by_id(store)["o4"]
    assert deal.offering_id is None
    assert deal.authority_gap is None
    assert "belongs to no offering in fy26-services" in deal.reasons[0]


def test_gaps_by_rep_and_team_and_explaining_one_deal(store: Store) -> None:
    report = authority_gaps(store=store, strategy=STRATEGY, as_of=AS_OF, rep="rita@x.test")
    assert [d.opportunity_id for d in report.gapped] == ["o1", "o5"]
    assert report.as_dict()["by_offering"]["managed-services"]["gapped_amount"] == 150_000
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
def demo(request: pytest.FixtureRequest, copy_database) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """The demo company, one copy per backend for the whole module (the tests only read)."""
    with copy_database(request.param, demo=True) as url:
        yield from _opened(url)


def _opened(url: str) -> Iterator[Store]:
    opened = Store.open(url)
    yield opened
    opened.close()


def _hand_engaged(store: Store, today: date) -> dict[str, set[str]]:
    """Engaged contacts per open deal, from plain SQL rows and the documented rules."""
    with store.begin() as conn:
        opps = {
            o["id"]: o
            for o in conn.execute(
                sa.select(tables.opportunity).where(~tables.opportunity.c.is_closed)
            ).mappings()
        }
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
                if (opp["account_id"], opp["owner_id"]) == (
                    act["account_id"],
                    act["owner_id"],
                ) and act["occurred_on"] >= opp["created_on"]:
                    out[oid].add(act["contact_id"])
    for role in roles:
        if role["opportunity_id"] in out:
            out[role["opportunity_id"]].add(role["contact_id"])
    return out


def test_demo_gaps_match_a_hand_computation(demo: Store) -> None:
    demo_strategy = parse_strategy(strategy_text())
    deals = deal_authority(store=demo, strategy=demo_strategy, as_of=date(2026, 11, 30))
    expected = _hand_engaged(demo, date(2026, 11, 30))
    assert {d.opportunity_id: {c.contact_id for c in d.contacts} for d in deals} == expected
    services = [d for d in deals if d.offering_id in ("installation", "managed-services")]
    assert services
    assert all(d.required for d in services)
    for deal in deals:
        offering = demo_strategy.version_on(date(2026, 11, 30)).offering_for_product(deal.product)
        assert offering is not None
        approvers = [c for c in deal.contacts if offering.can_approve(c.seniority, c.function)]
        assert deal.authority_gap is (not approvers)
    assert deals == sorted(deals, key=lambda d: -d.amount)
