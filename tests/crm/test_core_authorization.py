"""Who may decide a lead's match and route it is the cores' rule, so the command line and the
web refuse the same things (both databases): a manager acts on their teams' leads — owned by
their reps, or (nobody's yet) those the routing rules hand to their teams — and on nothing
else; admins act on every lead."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from onstrategy.cli.main import app as cli
from onstrategy.crm.lead_matching import list_reviews
from onstrategy.ingest.importer import import_file
from onstrategy.settings import Settings
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.web import create_app
from onstrategy.web.users import set_password

PASSWORD = "correct horse battery staple"
STRATEGY = """
name: Two Teams Co
reps:
  - {id: r-east, name: Eve East}
  - {id: r-west, name: Will West}
versions:
  - id: v1
    effective_from: 2026-01-01
    icp:
      segments: [{name: US, countries: [US]}]
    territories:
      - {id: east, name: East, rules: {states: [NY]}, reps: [{rep: r-east}]}
      - {id: west, name: West, rules: {states: [CA]}, reps: [{rep: r-west}]}
"""
FILES = {
    "teams": "Team ID,Team Name,Manager ID\neast,East,m-east\nwest,West,m-west\n",
    "users": (
        "User ID,Full Name,Email,Profile,Team ID,Active\n"
        "admin,Ada Admin,ada@two.example,admin,,true\n"
        "m-east,Emma Eastman,emma@two.example,manager,,true\n"
        "m-west,Wendy Westman,wendy@two.example,manager,,true\n"
        "r-east,Eve East,eve@two.example,rep,east,true\n"
        "r-west,Will West,will@two.example,rep,west,true\n"
    ),
    "accounts": (
        "Account ID,Account Name,Billing City,Billing State/Province,Billing Country\n"
        "a-ini-aus,Initech,Austin,TX,US\n"
        "a-ini-dal,Initech,Dallas,TX,US\n"
    ),
    "leads": (  # all four could be either Initech: each waits in the review queue
        "Lead ID,Last Name,Company,Country,State/Province,Lead Owner ID,Created Date\n"
        "l-east,Eastern,Initech,US,NY,r-east,2026-05-01\n"
        "l-west,Western,Initech,US,CA,r-west,2026-05-02\n"
        "l-new,Newcomer,Initech,US,CA,,2026-05-03\n"
        "l-nowhere,Faraway,Initech,US,TX,,2026-05-04\n"
    ),
}
DAY = "2026-06-01"


@dataclass
class Crm:
    url: str
    env: dict[str, str]
    reviews: dict[str, int]  # lead id -> its open review


@pytest.fixture
def crm(database_url: str, tmp_path: Path) -> Crm:
    (tmp_path / "strategy.yaml").write_text(STRATEGY, encoding="utf-8")
    store = Store.open(database_url)
    for kind, text in FILES.items():
        (tmp_path / f"{kind}.csv").write_text(text, encoding="utf-8")
        import_file(store=store, kind=kind, path=tmp_path / f"{kind}.csv")
    reviews = {r["subject_id"]: r["id"] for r in list_reviews(store=store, subject_kind="lead")}
    assert set(reviews) == {"l-east", "l-west", "l-new", "l-nowhere"}
    store.close()
    env = {"ONSTRATEGY_DATABASE_URL": database_url}
    return Crm(database_url, env | {"ONSTRATEGY_STRATEGY_FILE": str(tmp_path / "strategy.yaml")},
               reviews)  # fmt: skip


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(cli, list(args), env=env)
    return done.exit_code, " ".join(done.stdout.split()), " ".join(done.stderr.split())


def resolve(crm: Crm, lead: str, who: str, *, strategy: bool = True) -> tuple[int, str, str]:
    env = crm.env if strategy else {"ONSTRATEGY_DATABASE_URL": crm.url}
    review = str(crm.reviews[lead])
    return run(env, "matches", "resolve", review, "--account", "a-ini-aus", "--as", who)


def _decided(url: str) -> list[tuple[str, str]]:
    store = Store.open(url)
    log = tables.audit_log
    with store.begin() as conn:
        rows = conn.execute(
            sa.select(log.c.actor, log.c.entity_id)
            .where(log.c.action == "match.resolve")
            .order_by(log.c.id)
        ).all()
    store.close()
    return [(r.actor, r.entity_id) for r in rows]


def test_a_manager_decides_their_teams_leads_and_no_other_from_the_cli(crm: Crm) -> None:
    code, out, err = resolve(crm, "l-east", "wendy@two.example")
    assert (code, out) == (1, "")
    assert (
        "Error: Wendy Westman (manager) may not resolve the match of lead l-east: it is not a "
        "lead of their teams (it belongs to r-east)"
    ) in err
    assert "Hint: a manager acts on their teams' leads" in err
    assert resolve(crm, "l-west", "wendy@two.example")[0] == 0  # her rep's lead
    code, _, err = resolve(crm, "l-new", "emma@two.example")  # nobody's: the West's by rules
    assert code == 1
    assert "(nobody owns it; today's routing rules send it to territory west)" in err
    code, _, err = resolve(crm, "l-new", "wendy@two.example", strategy=False)
    assert code == 1
    assert "with no strategy given today's routing rules cannot say whose it is" in err
    assert resolve(crm, "l-new", "wendy@two.example")[0] == 0
    code, _, err = resolve(crm, "l-nowhere", "wendy@two.example")  # no territory covers TX
    assert "send it to the unrouted queue" in err
    assert resolve(crm, "l-east", "ada@two.example")[0] == 0  # an admin decides any lead
    assert _decided(crm.url) == [("m-west", "l-west"), ("m-west", "l-new"), ("admin", "l-east")]


def test_a_manager_routes_their_teams_leads_only(crm: Crm) -> None:
    code, _, err = run(crm.env, "route", "l-new", "--as-of", DAY, "--as", "emma@two.example")
    assert code == 1
    assert "Error: Emma Eastman (manager) may not route lead l-new" in err

    def routed(who: str) -> list[str]:
        code, out, _ = run(crm.env, "route", "--all-unassigned", "--as-of", DAY, "--dry-run",
                           "--json", "--as", who)  # fmt: skip
        assert code == 0
        return [d["lead_id"] for d in json.loads(out)]

    assert routed("emma@two.example") == []
    assert routed("wendy@two.example") == ["l-new"]
    assert routed("ada@two.example") == ["l-new", "l-nowhere"]
    code, out, _ = run(crm.env, "route", "l-new", "--as-of", DAY, "--as", "wendy@two.example")
    assert code == 0
    assert "Lead l-new → Will West (territory west)" in out


@pytest.fixture
def web(crm: Crm) -> Iterator[dict[str, TestClient]]:
    store = Store.open(crm.url)
    for email in ("ada@two.example", "emma@two.example", "wendy@two.example"):
        set_password(store=store, who=email, password=PASSWORD, actor="test")
    store.close()
    settings = Settings(database_url=crm.url, strategy_file=crm.env["ONSTRATEGY_STRATEGY_FILE"],
                        secret_key="k" * 40)  # fmt: skip
    with TestClient(create_app(settings=settings)) as first:
        clients = {"ada": first, "emma": TestClient(first.app), "wendy": TestClient(first.app)}
        for name, client in clients.items():
            page = client.get("/login").text
            token = page.split('name="csrf_token" value="')[1].split('"')[0]
            form = {"email": f"{name}@two.example", "password": PASSWORD, "csrf_token": token}
            assert client.post("/login", data=form, follow_redirects=False).status_code == 303
        yield clients


def _post(client: TestClient, path: str, body: dict[str, object] | None = None) -> object:
    token = client.get("/api/me").json()["csrf_token"]
    return client.post(path, json=body, headers={"X-CSRF-Token": token})


def test_the_web_refuses_what_the_cli_refuses(crm: Crm, web: dict[str, TestClient]) -> None:
    emma, wendy = web["emma"], web["wendy"]
    path = f"/api/matches/{crm.reviews['l-east']}/resolve"
    refused = _post(wendy, path, {"account_id": "a-ini-aus"})
    assert refused.status_code == 403  # type: ignore[attr-defined]
    _, _, cli_err = resolve(crm, "l-east", "wendy@two.example")
    message = refused.json()["error"]["message"]  # type: ignore[attr-defined]
    assert message == "Wendy Westman (manager) may not resolve the match of lead l-east: it is " \
        "not a lead of their teams (it belongs to r-east)"  # fmt: skip
    assert f"Error: {message}" in cli_err
    mine = _post(wendy, f"/api/matches/{crm.reviews['l-new']}/resolve", {"none": True})
    assert mine.status_code == 200  # type: ignore[attr-defined]
    assert emma.get(f"/api/leads/l-new?to={DAY}").status_code == 403
    page = wendy.get(f"/api/leads/l-new?to={DAY}").json()
    assert page["routing_action"]["can_route"] is True
    assert _post(emma, "/api/leads/l-new/route").status_code == 403  # type: ignore[attr-defined]
    assert web["ada"].get("/api/leads/l-nowhere").json()["routing_action"]["can_route"] is True
    assert _decided(crm.url) == [("m-west", "l-new")]
