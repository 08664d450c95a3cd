"""Amounts in the JSON API say their currency, and effort costs are in the strategy's
currency unless the file says otherwise (both databases).

The strategy file here is the demo's with ``currency: EUR`` at the top and no
``costs.currency``: before, every JSON twin gave bare amounts and effort costs came out in
dollars (``costs.currency`` defaulted to USD on its own).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest_web import ADMIN, ANA, PASSWORD, Web, build, login
from fastapi.testclient import TestClient
from starlette.routing import Route
from typer.testing import CliRunner

from onstrategy.api import routes as api_routes
from onstrategy.api.models import PageModel
from onstrategy.cli.main import app as cli
from onstrategy.settings import Settings
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import load_strategy, parse_strategy
from onstrategy.web import create_app
from onstrategy.web.users import set_password

PERIOD = ("2025-12-01", "2026-11-30")
QUERY = f"from={PERIOD[0]}&to={PERIOD[1]}"


def euro_only_at_the_top(demo: str) -> str:
    """The demo strategy in EUR, saying nothing of the costs' currency."""
    text = re.sub(r"(?m)^currency: USD$", "currency: EUR", demo)
    return re.sub(r"(?m)^\s+currency: USD\n", "", text)


def _close(web: Web) -> None:
    # the store closes on the thread that used it, in a thread of its own (the test thread
    # may already run an event loop)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, web.app.state.onstrategy.close()).result()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def euro(request, copy_database, demo_files, quick_hashes, tmp_path_factory) -> Iterator[Web]:  # type: ignore[no-untyped-def]
    text = euro_only_at_the_top(demo_files["strategy"].read_text(encoding="utf-8"))
    assert "costs:" in text
    said = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert sum("currency:" in line for line in said) == 1  # the top-level one only
    path: Path = tmp_path_factory.mktemp("euro-json") / "strategy.yaml"
    path.write_text(text, encoding="utf-8")
    with copy_database(request.param, demo=True) as url:
        web = build(url, path)
        yield web
        _close(web)


def _page_routes() -> list[str]:
    """Every JSON twin of a page: the GET routes whose response is a PageModel."""
    return sorted(
        r.path
        for r in api_routes.router.routes
        if isinstance(r, Route)
        and "GET" in (r.methods or ())
        and isinstance(getattr(r, "response_model", None), type)
        and issubclass(r.response_model, PageModel)  # type: ignore[attr-defined]
    )


def test_every_json_twin_says_the_currency_of_its_amounts(euro):
    client = euro.client(ADMIN)
    rep = client.get(f"/api/reps/{ANA}?{QUERY}").json()
    ids = {
        "rep_id": ANA,
        "team_id": "west",
        "deal_id": rep["deals"][0]["id"],
        "account_id": rep["accounts"][0]["id"],
        "lead_id": client.get("/api/gate").json()["records"][0]["id"],
        "list_id": "fortune-1000",
    }
    routes = _page_routes()
    assert {"/api/dashboard", "/api/reps/{rep_id}", "/api/deals/{deal_id}", "/api/effort",
            "/api/strategy", "/api/territories"} <= set(routes)  # fmt: skip
    for route in routes:
        twin = client.get(route.format(**ids) + f"?{QUERY}")
        assert twin.status_code == 200, (route, twin.text[:300])
        assert twin.json()["currency"] == "EUR", route
    assert rep["deals"][0]["amount"] is not None  # the amounts the currency is for


def test_openapi_documents_the_currency_on_every_page(euro):
    schemas = euro.client(ADMIN).get("/openapi.json").json()["components"]["schemas"]
    for name in ("PageModel", "DashboardModel", "TerritoriesModel", "ListsModel"):
        assert "currency" in schemas[name]["properties"], name
        assert "currency" in schemas[name]["required"], name
    assert "ISO 4217" in schemas["PageModel"]["properties"]["currency"]["description"]


def test_effort_costs_are_in_the_strategys_currency_when_the_file_gives_none(euro):
    done = CliRunner().invoke(cli, [
        "--database-url", euro.url, "--strategy", str(euro.strategy_file),
        "report", "effort", "--from", PERIOD[0], "--to", PERIOD[1], "--json",
    ])  # fmt: skip
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["currency"] == "EUR"
    assert report["company"]["off_icp_cost"] > 0
    twin = euro.client(ADMIN).get(f"/api/effort?{QUERY}").json()
    assert twin["report"]["currency"] == twin["currency"] == "EUR"


def test_an_explicit_costs_currency_is_kept_and_the_default_is_per_file():
    text = """
name: X
currency: EUR
versions:
  - {id: v1, effective_from: 2025-01-01, icp: {segments: [{name: a, industries: [x]}]}}
  - {id: v2, effective_from: 2026-01-01, icp: {segments: [{name: a, industries: [x]}]},
     costs: {currency: CHF, loaded_hourly_cost: 150}}
"""
    strategy = parse_strategy(text, source="test")
    assert [v.costs.currency for v in strategy.versions] == ["EUR", "CHF"]
    dollars = parse_strategy(text.replace("currency: EUR\n", ""), source="test")
    assert [v.costs.currency for v in dollars.versions] == ["USD", "CHF"]


def test_the_strategy_page_says_no_currency_before_a_strategy_is_loaded(database_url, quick_hashes):  # type: ignore[no-untyped-def]
    store = Store.open(database_url)
    with store.begin() as conn:
        conn.execute(tables.user.insert().values(
            id="a1", name="Ada Admin", role="admin", email="ada@x.example", active=True
        ))  # fmt: skip
    set_password(store=store, who="ada@x.example", password=PASSWORD, actor="test")
    store.close()
    settings = Settings(database_url=database_url, strategy_file=None, secret_key="t" * 40)
    web = Web(create_app(settings=settings), database_url, Path())
    client = TestClient(web.app)
    login(client, "ada@x.example")
    page = client.get("/api/strategy").json()
    assert (page["currency"], page["versions"], page["in_force"]) == (None, [], None)
    _close(web)


def test_the_euro_file_is_what_the_tests_above_read(euro):
    strategy = load_strategy(euro.strategy_file)
    assert strategy.currency == "EUR"
    assert {v.costs.currency for v in strategy.versions} == {"EUR"}
