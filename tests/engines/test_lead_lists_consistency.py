"""One rule for the named lists a lead is on: the gate, routing, `route explain` and the
exception workflow agree about a lead whose company is a white-space list entry (both
databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from onstrategy.cli.main import app
from onstrategy.crm.lead_lists import (
    lead_list_entries,
    lead_named_lists,
    lists_of_lead,
    lists_of_leads,
)
from onstrategy.crm.lists import import_list
from onstrategy.engines.exceptions import load_subject, request_exception
from onstrategy.engines.fit import fit_table, record_fit
from onstrategy.engines.gate import apply_gate, release
from onstrategy.engines.routing import route_lead
from onstrategy.errors import InvalidInput
from onstrategy.ingest.importer import import_file
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy
from onstrategy.strategy.model import Strategy

AS_OF = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
STRATEGY = """
name: Lists Co
reps:
  - {id: ana, name: Ana Ruiz, email: ana@test.example}
  - {id: bo, name: Bo Chen, email: bo@test.example}
versions:
  - id: v1
    effective_from: 2026-01-01
    icp:
      segments:
        - {name: US enterprise, employees: {min: 1000}, countries: [US]}
        - {name: Top accounts, named_lists: [top-accounts]}
    territories:
      - id: strategic
        name: Strategic Accounts
        priority: 10
        rules: {named_lists: [top-accounts]}
        reps: [{rep: ana}]
      - id: usa
        name: USA
        rules: {countries: [US]}
        reps: [{rep: bo}]
"""
FILES = {
    "users.csv": """User ID,Full Name,Email,Profile
u-admin,Ada Admin,ada@test.example,admin
ana,Ana Ruiz,ana@test.example,rep
bo,Bo Chen,bo@test.example,rep
""",
    "accounts.csv": """Account ID,Account Name,Website,Industry,Employees,Billing State/Province,\
Billing Country,Account Owner ID
a-globex,Globex Inc,globex.com,Retail,40,NY,US,bo
""",
    "list.csv": """Rank,Company,Website,City,State
1,Acme Robotics,acmerobotics.com,Pittsburgh,PA
2,Globex Inc,globex.com,New York,NY
""",
    "list-without-acme.csv": """Rank,Company,Website,City,State
2,Globex Inc,globex.com,New York,NY
""",
    "leads.csv": """Record ID,First Name,Last Name,Email,Company Name,Industry,\
Number of Employees,Country/Region,State/Region,City,Create Date
L-acme,Jo,Park,jo@acmerobotics.com,Acme Robotics,Robotics,80,US,PA,Pittsburgh,2026-03-02
L-globex,Al,Ray,al@globex.com,Globex,Retail,40,US,NY,New York,2026-03-03
L-small,Tim,Tiny,tim@tinyshop.com,Tiny Shop,Retail,12,US,OH,Dayton,2026-03-04
""",
}


@pytest.fixture
def strategy() -> Strategy:
    return parse_strategy(STRATEGY)


@pytest.fixture
def crm(database_url: str, tmp_path: Path, strategy: Strategy) -> Iterator[Store]:
    """Users, one account, the top-accounts list (Acme Robotics is white space), leads."""
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    store = Store.open(database_url)
    for kind in ("users", "accounts"):
        import_file(store=store, kind=kind, path=tmp_path / f"{kind}.csv")
    import_list(store=store, list_id="top-accounts", path=tmp_path / "list.csv", now=NOW)
    import_file(
        store=store, kind="leads", path=tmp_path / "leads.csv", strategy=strategy, as_of=AS_OF
    )
    yield store
    store.close()


def _gate_status(store: Store, lead_id: str) -> str:
    with store.begin() as conn:
        query = sa.select(tables.lead.c.gate_status).where(tables.lead.c.id == lead_id)
        return str(conn.execute(query).scalar_one())


def _explain(url: str, lead_id: str) -> str:
    result = CliRunner().invoke(
        app, ["route", "explain", lead_id], env={"ONSTRATEGY_DATABASE_URL": url}
    )
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())


def test_a_white_space_lead_on_the_list_is_in_profile_everywhere(
    crm: Store, strategy: Strategy, database_url: str
) -> None:
    assert _gate_status(crm, "L-acme") == "active"  # on the list: in profile at the gate
    decision = route_lead(
        store=crm, strategy=strategy, lead_id="L-acme", as_of=AS_OF, now=NOW, actor="u-admin"
    )
    assert (decision.outcome, decision.assigned_to, decision.territory_id) == (
        "rep",
        "ana",
        "strategic",
    )
    [territory] = [s for s in decision.steps if s.rule == "territory"]
    assert "named list" in territory.reason
    assert "top-accounts" in territory.reason
    shown = _explain(database_url, "L-acme")
    assert "Strategic Accounts" in shown
    assert "top-accounts" in shown
    assert "nurture" not in shown
    version = strategy.version_on(AS_OF)
    subject = load_subject(crm, version, "lead", "L-acme", as_of=AS_OF)
    assert subject.fit is not None
    assert subject.fit.in_profile
    with pytest.raises(InvalidInput, match=r"is in profile under v1 .*it needs no exception"):
        request_exception(
            store=crm, strategy=strategy, subject_kind="lead", subject_id="L-acme", rep="ana",
            reason_code="quick-win", rationale="a small robotics firm that knows our CEO well",
            expected_value=10_000, days=30, as_of=AS_OF, now=NOW,
        )  # fmt: skip


def test_taken_off_the_list_the_same_lead_is_quarantined_and_nurtured(
    crm: Store, strategy: Strategy, tmp_path: Path
) -> None:
    path = tmp_path / "list-without-acme.csv"
    import_list(store=crm, list_id="top-accounts", path=path, now=NOW)
    with crm.begin() as conn:
        assert lists_of_lead(conn, lead_id="L-acme", account_id=None) == frozenset()
    apply_gate(store=crm, strategy=strategy, kind="leads", as_of=AS_OF)
    assert _gate_status(crm, "L-acme") == "quarantined"
    release(
        store=crm, kind="leads", record_id="L-acme", actor="u-admin",
        reason="marketing wants to keep the contact", now=NOW,
    )  # fmt: skip
    decision = route_lead(
        store=crm, strategy=strategy, lead_id="L-acme", as_of=AS_OF, now=NOW, dry_run=True
    )
    assert (decision.outcome, decision.assigned_to) == ("queue", "nurture")
    subject = load_subject(crm, strategy.version_on(AS_OF), "lead", "L-acme", as_of=AS_OF)
    assert subject.fit is not None
    assert not subject.fit.in_profile  # an exception is now what it would need


def _pairs(store: Store) -> set[tuple[str, str]]:
    rows = lead_named_lists(store).to_pyarrow().to_pylist()
    assert len(rows) == len({(r["lead_id"], r["list_id"]) for r in rows})  # one row per pair
    return {(r["lead_id"], r["list_id"]) for r in rows}


def test_the_set_form_and_the_single_lead_form_agree(crm: Store, strategy: Strategy) -> None:
    """On a lead via its account (L-globex), via white space (L-acme) and on none (L-small);
    and the fit the gate computes from them equals routing's, lead by lead."""
    pairs = _pairs(crm)
    assert pairs == {("L-acme", "top-accounts"), ("L-globex", "top-accounts")}
    with crm.begin() as conn:
        leads = conn.execute(sa.select(tables.lead)).mappings().all()
        single = {
            lead["id"]: lists_of_lead(conn, lead_id=lead["id"], account_id=lead["account_id"])
            for lead in leads
        }
        many = lists_of_leads(conn, [lead["id"] for lead in leads])
    assert {(k, x) for k, v in single.items() for x in v} == pairs
    assert {k: v for k, v in single.items() if v} == many
    version = strategy.version_on(AS_OF)
    leads_table = crm.table("lead").select("id", "employees", "country", "state", "industry")
    fitted = fit_table(
        table=leads_table, key="id", version=version, list_entries=lead_list_entries(crm)
    )
    in_profile = {r["id"]: r["in_profile"] for r in fitted.to_pyarrow().to_pylist()}
    by_record = {
        lead["id"]: record_fit(
            dict(lead), key=lead["id"], lists=single[lead["id"]], version=version
        ).in_profile
        for lead in leads
    }
    assert in_profile == by_record == {"L-acme": True, "L-globex": True, "L-small": False}


def test_lists_are_matched_again_only_when_an_accounts_import_changed_accounts(
    crm: Store, tmp_path: Path
) -> None:
    same = import_file(store=crm, kind="accounts", path=tmp_path / "accounts.csv")
    assert (same.updated, same.notes) == (0, [])
    moved = tmp_path / "accounts-moved.csv"
    moved.write_text(FILES["accounts.csv"].replace(",NY,US,", ",NJ,US,"), encoding="utf-8")
    changed = import_file(store=crm, kind="accounts", path=moved)
    assert changed.updated == 1
    assert changed.notes[0] == "list top-accounts re-matched: 1 matched, 0 to review, 1 white space"
