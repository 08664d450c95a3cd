"""Territory assignment: precedence, tie-break, rules in words, and `territories check`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from onstrategy.engines.territories import TerritoryRecord, assign_accounts, assign_territory
from onstrategy.reports.territories import territories_check
from onstrategy.store import tables as t
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy
from onstrategy.strategy.model import Strategy

DAY = date(2026, 6, 1)

STRATEGY = """
name: Territory Test Co
reps:
  - {id: ana, name: Ana}
  - {id: bo, name: Bo}
  - {id: cy, name: Cy}
  - {id: di, name: Di}
versions:
  - id: v1
    effective_from: 2026-01-01
    icp:
      segments:
        - name: Manufacturing
          industries: [Manufacturing]
          employees: {min: 100}
      tiers: {A: 90, B: 75, C: 50}
    territories:
      - id: named
        name: Named Accounts
        priority: 500
        rules: {accounts: [ACC-NAMED]}
        reps: [{rep: ana, capacity: 2}]
      - id: f1000
        name: Fortune 1000
        priority: 900
        rules: {named_lists: [f1000]}
        reps: [{rep: bo}]
      - id: west
        name: West
        rules: {countries: [US], states: [CA, WA]}
        reps: [{rep: cy}]
      - id: bay-mfg
        name: Bay Area manufacturing
        rules: {countries: [US], postal_prefixes: ["941"], industries: [manufacturing]}
        reps: [{rep: di}]
      - id: big-west
        name: Big West
        priority: 50
        rules: {states: [WA], employees: {min: 5000}}
        reps: [{rep: di}]
      - id: alpha-ca
        name: Alpha CA
        rules: {countries: [US], states: [CA, OR]}
        reps: [{rep: di}]
"""


@pytest.fixture(scope="module")
def strategy() -> Strategy:
    return parse_strategy(STRATEGY, source="test")


def record(**values: Any) -> TerritoryRecord:
    base: dict[str, Any] = {"id": "x", "account_id": None, "country": "US"}
    return TerritoryRecord(**{**base, **values})


def test_named_account_beats_named_list_beats_rules(strategy: Strategy) -> None:
    version = strategy.version_on(DAY)
    on_list = frozenset({"f1000"})
    named = assign_territory(
        record=record(account_id="ACC-NAMED", state="CA", named_lists=on_list), version=version
    )
    assert (named.territory_id, named.level) == ("named", "named account")
    assert {b.territory_id: b.beaten_by for b in named.beaten} == {
        "f1000": "precedence",
        "alpha-ca": "precedence",
        "west": "precedence",
    }
    listed = assign_territory(
        record=record(account_id="A2", state="CA", named_lists=on_list), version=version
    )
    assert listed.territory_id == "f1000"  # a list beats rules despite its priority 900
    assert listed.reasons == ("the account is on the named-account list f1000",)
    plain = assign_territory(record=record(account_id="A3", state="TX"), version=version)
    assert plain.territory_id is None
    assert plain.beaten == ()


def test_tie_break_priority_then_specificity_then_id(strategy: Strategy) -> None:
    version = strategy.version_on(DAY)
    big = assign_territory(record=record(state="WA", employees=9000), version=version)
    assert big.territory_id == "big-west"  # priority 50 beats west's 100
    assert {b.territory_id: b.beaten_by for b in big.beaten} == {"west": "priority"}
    bay = assign_territory(
        record=record(state="CA", postal_code="94105", industry="Manufacturing"), version=version
    )
    assert bay.territory_id == "bay-mfg"  # three rules beat two
    assert "postal code 94105 starts with 941" in bay.reasons
    assert {b.territory_id: b.beaten_by for b in bay.beaten} == {
        "alpha-ca": "specificity",
        "west": "specificity",
    }
    tie = assign_territory(record=record(state="CA", postal_code="90210"), version=version)
    assert tie.territory_id == "alpha-ca"  # same level, priority and rule count: id decides
    assert [(b.territory_id, b.beaten_by) for b in tie.same_level_claims] == [
        ("west", "territory id")
    ]


def test_rules_must_all_hold(strategy: Strategy) -> None:
    version = strategy.version_on(DAY)
    not_mfg = assign_territory(
        record=record(state="NV", postal_code="941 05", industry="Retail"), version=version
    )
    assert not_mfg.territory_id is None
    small = assign_territory(record=record(state="WA", employees=10), version=version)
    assert small.territory_id == "west"
    assert small.reasons == ("country US is in US", "state WA is in CA, WA")


def _accounts(store: Store, rows: list[dict[str, Any]]) -> None:
    defaults = {
        "country": "US",
        "industry": "Manufacturing",
        "employees": 500,
        "gate_status": "active",
        "owner_id": None,
        "state": None,
        "postal_code": None,
    }
    with store.begin() as conn:
        conn.execute(
            t.user.insert(),
            [
                {"id": rep, "name": rep.title(), "role": "rep", "active": True}
                for rep in ("ana", "bo", "cy", "di")
            ],
        )
        conn.execute(t.account.insert(), [{**defaults, **row} for row in rows])
        conn.execute(
            t.named_list_entry.insert(),
            [{"list_id": "f1000", "entry_key": "acme", "account_id": "L1"}],
        )


ACCOUNTS = [
    {"id": "N1", "name": "Named One", "owner_id": "ana"},
    {"id": "ACC-NAMED", "name": "Named Two", "owner_id": "ana", "state": "TX"},
    {"id": "L1", "name": "Listed", "state": "TX", "owner_id": "ana"},
    {"id": "W1", "name": "West One", "state": "WA", "owner_id": "cy"},
    {"id": "C1", "name": "Cal Tie", "state": "CA", "postal_code": "90210", "owner_id": "ana"},
    {"id": "T1", "name": "Texas ICP", "state": "TX"},
    {"id": "T2", "name": "Texas off-ICP", "state": "TX", "industry": "Retail"},
    {"id": "Q1", "name": "Quarantined", "state": "TX", "gate_status": "quarantined"},
]


def test_bulk_assignment_equals_single_decisions(store: Store, strategy: Strategy) -> None:
    _accounts(store, ACCOUNTS)
    version = strategy.version_on(DAY)
    assigned = {
        row["id"]: m.territory_id for row, m in assign_accounts(store=store, version=version)
    }
    assert assigned == {
        "N1": None,
        "ACC-NAMED": "named",
        "L1": "f1000",
        "W1": "west",
        "C1": "alpha-ca",
        "T1": None,
        "T2": None,
        "Q1": None,
    }


def test_check_reports_gaps_double_claims_and_load(store: Store, strategy: Strategy) -> None:
    _accounts(store, ACCOUNTS)
    with store.begin() as conn:
        conn.execute(
            t.lead.insert(),
            [
                {
                    "id": lead,
                    "owner_id": "ana",
                    "status": status,
                    "gate_status": "active",
                    "created_on": created,
                }
                for lead, status, created in (
                    ("LD1", "Working", DAY - timedelta(days=29)),  # open, counts
                    ("LD2", "Unqualified", DAY),  # closed
                    ("LD3", "Working", DAY - timedelta(days=30)),  # stale after 30 days
                    ("LD4", "New", None),  # age unknown: counts
                )
            ],
        )
        conn.execute(
            t.opportunity.insert(),
            [
                {
                    "id": "O1",
                    "owner_id": "ana",
                    "amount": 1000.0,
                    "is_closed": False,
                    "is_won": False,
                    "created_on": date(2026, 5, 1),
                    "closed_on": None,
                },
                {
                    "id": "O2",
                    "owner_id": "ana",
                    "amount": 500.0,
                    "is_closed": True,
                    "is_won": True,
                    "created_on": date(2026, 2, 1),
                    "closed_on": date(2026, 7, 1),
                },
                {
                    "id": "O3",
                    "owner_id": "ana",
                    "amount": 90.0,
                    "is_closed": True,
                    "is_won": False,
                    "created_on": date(2026, 2, 1),
                    "closed_on": date(2026, 3, 1),
                },
            ],
        )
    report = territories_check(store=store, strategy=strategy, as_of=DAY)
    assert sorted(a["id"] for a in report.uncovered) == ["N1", "T1"]  # T2 is off profile
    assert [
        (c["id"], [o["territory_id"] for o in c["also_claimed_by"]]) for c in report.double_claims
    ] == [("C1", ["west"])]
    ana = next(r for r in report.loads if r.rep_id == "ana")
    assert (ana.accounts, ana.icp_accounts, ana.open_leads) == (4, 4, 2)
    assert (ana.open_pipeline, ana.open_opportunities) == (1500.0, 2)  # O2 still open on DAY
    assert (ana.load, ana.capacity, ana.over_capacity) == (6, 2, True)
    assert report.loads[0].rep_id == "ana"  # over-capacity reps first
    assert report.coverage["west"] == {"accounts": 1, "icp_accounts": 1}
    assert report.problems == 2 + 1 + 1


def test_demo_company_every_icp_account_but_abroad_is_covered(demo_store: Any) -> None:
    report = territories_check(
        store=demo_store.store, strategy=demo_store.strategy, as_of=date(2026, 11, 30)
    )
    assert report.icp_accounts > 20
    assert report.uncovered, "the demo has in-profile accounts outside the US"
    assert all(a["country"] != "US" for a in report.uncovered)
    assert report.double_claims == []
    owned = sum(r.accounts for r in report.loads)
    with demo_store.store.begin() as conn:
        expected = conn.execute(
            t.account.select().where(
                t.account.c.owner_id.isnot(None), t.account.c.gate_status == "active"
            )
        ).all()
    assert owned == len(expected)


def test_a_territory_without_rules_catches_the_rest(strategy: Strategy) -> None:
    text = STRATEGY.replace(
        "      - id: alpha-ca\n",
        "      - id: rest\n        name: Rest of World\n        rules: {}\n"
        "        reps: [{rep: cy}]\n      - id: alpha-ca\n",
    )
    version = parse_strategy(text, source="test").version_on(DAY)
    anywhere = assign_territory(record=record(country="DE", state=None), version=version)
    assert anywhere.territory_id == "rest"
    assert anywhere.reasons == ("Rest of World has no rules: it covers every record",)
    west = assign_territory(record=record(state="WA"), version=version)
    assert west.territory_id == "west"
    assert ("rest", "specificity") in [(b.territory_id, b.beaten_by) for b in west.beaten]
