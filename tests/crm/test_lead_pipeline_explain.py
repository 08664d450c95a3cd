"""Why a lead is where it is, in words a RevOps admin can check: every named list the lead
is on and how (`matches show`), and the territory reason for a white-space lead (both
databases)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onstrategy.cli.main import app
from onstrategy.crm.lead_lists import lists_of_lead
from onstrategy.crm.lead_matching import lead_match, match_leads
from onstrategy.crm.lists import import_list
from onstrategy.engines.routing import route_lead
from onstrategy.engines.territories import TerritoryRecord, assign_territory
from onstrategy.ingest.importer import import_file
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy
from onstrategy.strategy.model import Strategy

DATA = Path(__file__).resolve().parents[1] / "data" / "right_leads"
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
TERRITORY = """      - id: named
        name: Named accounts
        rules: {named_lists: [top-accounts]}
        reps: [{rep: ana}]
"""


@pytest.fixture(scope="module")
def strategy() -> Strategy:
    """The small test strategy with a territory for the top-accounts list (version v2)."""
    text = (DATA.parent / "strategy_small.yaml").read_text(encoding="utf-8")
    return parse_strategy(text.rstrip("\n") + "\n" + TERRITORY)


@pytest.fixture
def crm(store: Store) -> Store:
    for kind in ("users", "accounts", "leads"):
        import_file(store=store, kind=kind, path=DATA / f"{kind}.csv")
    import_list(store=store, list_id="top-accounts", path=DATA / "list.csv", now=NOW)
    match_leads(store=store, now=NOW, everything=True)  # white space known after the list
    return store


def _lists(store: Store, lead_id: str) -> set[str]:
    account = lead_match(store=store, lead_id=lead_id)["account_id"]
    with store.begin() as conn:
        return set(lists_of_lead(conn, lead_id=lead_id, account_id=account))


def test_show_names_every_list_and_how_the_lead_is_on_it(crm: Store, database_url: str) -> None:
    acme = lead_match(store=crm, lead_id="l-acme")["lists"]  # its account is two entries
    assert [(m["list_id"], m["how"], m["entry_name"], m["account_id"]) for m in acme] == [
        ("top-accounts", "account", "Acme Corp.", "a-acme"),
        ("top-accounts", "account", "ACME Corporation (Texas)", "a-acme"),
    ]
    assert acme[0]["why"].startswith("its account Acme Corporation (a-acme) is entry #")
    (mega,) = lead_match(store=crm, lead_id="l-mega")["lists"]
    assert (mega["how"], mega["entry_name"], mega["account_id"]) == (
        "own_company", "Megacorp Industries", None,
    )  # fmt: skip
    assert mega["score"] >= 90
    assert mega["reasons"]
    assert lead_match(store=crm, lead_id="l-gmail")["lists"] == []
    for lead_id in ("l-acme", "l-mega", "l-gmail"):  # the one rule the gate and routing use
        shown = {m["list_id"] for m in lead_match(store=crm, lead_id=lead_id)["lists"]}
        assert shown == _lists(crm, lead_id)
    cli = CliRunner()
    text = cli.invoke(app, ["--database-url", database_url, "matches", "show", "l-mega"]).stdout
    assert "on list top-accounts: its own company matches entry #" in text
    assert "'Megacorp Industries'" in " ".join(text.split())
    out = cli.invoke(app, ["--database-url", database_url, "matches", "show", "l-acme", "--json"])
    assert [m["how"] for m in json.loads(out.stdout)["lists"]] == ["account", "account"]


def test_a_white_space_leads_territory_reason_names_its_company(
    crm: Store, strategy: Strategy
) -> None:
    decision = route_lead(
        store=crm, strategy=strategy, lead_id="l-mega", as_of=date(2026, 6, 1), now=NOW,
        dry_run=True,
    )  # fmt: skip
    (step,) = [s for s in decision.steps if s.rule == "territory"]
    assert step.fired
    assert step.reason == (
        "territory Named accounts (named list): the lead's company is on the named-account "
        "list top-accounts (no account yet)"
    )
    version = strategy.version("v2")
    listed = TerritoryRecord("a-1", account_id="a-1", named_lists=frozenset({"top-accounts"}))
    match = assign_territory(record=listed, version=version)
    assert match.reasons == ("the account is on the named-account list top-accounts",)
