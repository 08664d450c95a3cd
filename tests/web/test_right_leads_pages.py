"""The RevOps admin's right-leads pages: named lists, the match review queue, territories
and Route now on a lead's page — the CLI's numbers, scoped by role, CSRF-checked and
audit-logged (both databases; read-only tests share one demo copy per backend)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from conftest_web import ADMIN, ANA, MANAGER, PASSWORD, REP, Web, csrf_of, login
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from onstrategy.cli.main import app as cli
from onstrategy.settings import Settings
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.web import create_app
from onstrategy.web.users import set_password

HTMX = {"HX-Request": "true"}
AS_OF = "2026-11-30"


def _cli(web: Web, *args: str) -> Any:
    env = {"ONSTRATEGY_DATABASE_URL": web.url, "ONSTRATEGY_STRATEGY_FILE": str(web.strategy_file)}
    done = CliRunner().invoke(cli, [*args, "--json"], env=env)
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def _audit(url: str, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    store = Store.open(url)
    log = tables.audit_log
    with store.begin() as conn:
        rows = conn.execute(
            sa.select(log.c.actor, log.c.entity_id, log.c.details).where(log.c.action == action)
        ).all()
    store.close()
    return [(r.actor, r.entity_id, r.details) for r in rows]


def _unnamed(accounts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The check's rows without the owner's name the page adds."""
    return [{k: v for k, v in a.items() if k != "owner_name"} for a in accounts]


def _counts(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in ("id", "entries", "matched", "to_review", "white_space"))


# ------------------------------------------------------------------ the CLI's numbers


def test_lists_and_their_entries_are_the_clis_numbers(demo_web):
    admin = demo_web.client(ADMIN)
    lists = admin.get("/api/lists").json()["lists"]
    assert [_counts(r) for r in lists] == [_counts(r) for r in _cli(demo_web, "lists", "list")]
    f1000 = next(r for r in lists if r["id"] == "fortune-1000")
    assert f1000["white_space"] > 0
    assert f1000["matched"] > 0
    page = admin.get("/lists").text
    assert 'href="/lists/fortune-1000?show=white_space">' + str(f1000["white_space"]) in page
    every = _cli(demo_web, "lists", "show", "fortune-1000")["entries"]
    white = _cli(demo_web, "lists", "show", "fortune-1000", "--white-space")["entries"]
    for show, expected in (("all", every), ("white_space", white)):
        twin = admin.get(f"/api/lists/fortune-1000?show={show}").json()
        assert twin["total"] == len(expected)
        assert [e["id"] for e in twin["entries"]] == [e["id"] for e in expected][:100]
        assert [e["account_id"] for e in twin["entries"]] == [e["account_id"] for e in expected][
            :100
        ]
    review = admin.get("/api/lists/fortune-1000?show=to_review").json()
    assert review["total"] == f1000["to_review"]
    assert all(e["match_status"] == "ambiguous" and e["review_id"] for e in review["entries"])
    several = _cli(demo_web, "lists", "duplicates", "fortune-1000")
    twin = admin.get("/api/lists/fortune-1000?show=duplicates").json()
    assert twin["list"]["accounts_on_several_entries"] == len(several)
    assert twin["total"] == sum(len(g["entries"]) for g in several)


def test_the_list_is_paged_like_the_accounts_page(demo_web):
    admin = demo_web.client(ADMIN)
    first = admin.get("/api/lists/fortune-1000").json()
    assert first["page_size"] == 100
    assert first["offset"] == 0
    second = admin.get("/api/lists/fortune-1000?offset=60").json()
    assert [e["id"] for e in second["entries"]] == [e["id"] for e in first["entries"]][60:]
    html = admin.get("/lists/fortune-1000?show=white_space").text
    assert f"{first['list']['white_space']} white-space entries" in html
    assert admin.get("/api/lists/nope").status_code == 404
    assert admin.get("/lists/nope").status_code == 404
    assert admin.get("/api/lists/fortune-1000?show=everything").status_code == 422


def test_the_review_queue_is_the_clis(demo_web):
    admin = demo_web.client(ADMIN)
    cli_rows = _cli(demo_web, "matches", "review")
    twin = admin.get("/api/matches").json()
    assert twin["total"] == len(cli_rows) > 0
    assert [(r["id"], r["subject_kind"], r["subject_id"]) for r in twin["reviews"]] == [
        (r["id"], r["subject_kind"], r["subject_id"]) for r in cli_rows
    ]
    for ours, theirs in zip(twin["reviews"], cli_rows, strict=True):
        assert [(c["account_id"], c["score"], c["reasons"]) for c in ours["candidates"]] == [
            (c["account_id"], c["score"], c["reasons"]) for c in theirs["candidates"]
        ]
    html = admin.get("/matches").text
    first = twin["reviews"][0]
    assert f'id="review-{first["id"]}"' in html
    assert f'value="{first["candidates"][0]["account_id"]}"' in html
    chosen_in_the_page = admin.get("/api/matches?kind=&status=open")  # the twin link of the form
    assert chosen_in_the_page.json()["total"] == twin["total"]
    leads = admin.get("/api/matches?kind=lead").json()["reviews"]
    assert leads
    assert {r["subject_kind"] for r in leads} == {"lead"}


def test_territories_are_the_clis_check_with_a_load_chart(demo_web):
    admin = demo_web.client(ADMIN)
    check = _cli(demo_web, "territories", "check", "--as-of", AS_OF)
    twin = admin.get(f"/api/territories?to={AS_OF}").json()
    for key in ("version", "accounts", "icp_accounts", "coverage", "problems"):
        assert twin[key] == check[key], key
    assert _unnamed(twin["double_claims"]) == check["double_claims"]
    assert _unnamed(twin["uncovered_icp_accounts"]) == check["uncovered_icp_accounts"]
    assert twin["loads"] == check["loads"]
    spec = admin.get(f"/api/territories/charts/load?to={AS_OF}").json()
    assert spec == twin["charts"]["load"]
    assert spec["$schema"].endswith("vega-lite/v5.json")
    assert "url" not in spec["data"]
    bars = {v["rep"]: (v["load"], v["capacity"]) for v in spec["data"]["values"]}
    assert bars == {r["name"] or r["rep_id"]: (r["load"], r["capacity"]) for r in check["loads"]}
    html = admin.get(f"/territories?to={AS_OF}").text
    assert 'id="chart-load"' in html
    assert 'id="charts-data"' in html
    for rep in check["loads"][:3]:
        assert f'data-rep="{rep["rep_id"]}"' in html
    assert twin["unrouted"]["total"] == len(
        _cli(demo_web, "route", "--all-unassigned", "--dry-run")
    )


# ------------------------------------------------------------------ who sees what


def test_each_role_sees_its_own_rows_of_the_territory_check(demo_web):
    admin, manager, rep = (demo_web.client(e) for e in (ADMIN, MANAGER, REP))
    everyone = admin.get(f"/api/territories?to={AS_OF}").json()
    west = manager.get(f"/api/territories?to={AS_OF}").json()
    mine = rep.get(f"/api/territories?to={AS_OF}").json()
    scope = set(manager.get("/api/me").json()["viewer"]["scope"]["reps"])
    assert {r["rep_id"] for r in west["loads"]} == {r["rep_id"] for r in everyone["loads"]} & scope
    assert len(west["loads"]) < len(everyone["loads"])
    assert [r["rep_id"] for r in mine["loads"]] == [ANA]
    assert mine["accounts"] is None
    assert mine["unrouted"] is None
    assert set(mine["coverage"]) == {"west"}
    assert everyone["uncovered_icp_accounts"]
    assert not west["uncovered_icp_accounts"]
    assert [v["rep"] for v in mine["charts"]["load"]["data"]["values"]] == ["Ana Ruiz"]
    assert "Leads waiting to be routed" not in rep.get("/territories").text


def test_a_rep_sees_the_list_but_opens_only_the_accounts_of_their_book(demo_web):
    admin, rep = demo_web.client(ADMIN), demo_web.client(REP)
    theirs = rep.get("/api/lists/fortune-1000").json()["entries"]
    everything = admin.get("/api/lists/fortune-1000").json()["entries"]
    assert [e["id"] for e in theirs] == [e["id"] for e in everything]  # the list is not secret
    assert all(e["account_link"] for e in everything if e["account_id"])
    plain = [e for e in theirs if e["account_id"] and not e["account_link"]]
    linked = [e for e in theirs if e["account_link"]]
    assert plain
    assert all(e["account_owner"] != ANA for e in plain)
    for entry in plain[:3] + linked[:3]:  # the rule of the account page itself
        opened = rep.get(f"/api/accounts/{entry['account_id']}").status_code
        assert opened == (200 if entry["account_link"] else 403), entry["account_id"]
    others = plain
    html = rep.get("/lists/fortune-1000").text
    assert others[0]["account_name"] in html  # the name, as plain text
    assert f'href="/accounts/{others[0]["account_id"]}"' not in html
    assert f'href="/accounts/{others[0]["account_id"]}"' in admin.get("/lists/fortune-1000").text


def test_the_review_queue_is_for_reviewers_and_a_manager_sees_their_teams_leads(demo_web):
    admin, manager, rep = (demo_web.client(e) for e in (ADMIN, MANAGER, REP))
    for path in ("/api/matches", "/matches"):
        refused = rep.get(path)
        assert refused.status_code == 403
    assert (
        "may not work the match review queue" in rep.get("/api/matches").json()["error"]["message"]
    )
    assert 'href="/matches"' not in rep.get("/lists").text
    everything = admin.get("/api/matches").json()["reviews"]
    west = manager.get("/api/matches").json()["reviews"]
    scope = set(manager.get("/api/me").json()["viewer"]["scope"]["reps"])
    expected = [
        r["id"]
        for r in everything
        if r["subject_kind"] == "list_entry" or r["subject"]["owner_id"] in scope
    ]
    assert [r["id"] for r in west] == expected
    assert len(west) < len(everything)


def test_nav_has_one_entry_for_lists_and_routing(demo_web):
    html = demo_web.client(REP).get("/lists").text
    assert len(re.findall(r'<a href="/territories"[^>]*>Lists &amp; routing</a>', html)) == 1
    assert 'class="active">Lists &amp; routing' in html


# ------------------------------------------------------------------ decisions (a fresh copy each)


def _review_of(reviews: list[dict[str, Any]], kind: str, owners: set[str] | None = None) -> Any:
    return next(
        r
        for r in reviews
        if r["subject_kind"] == kind and (owners is None or r["subject"]["owner_id"] in owners)
    )


def test_reviews_are_decided_with_htmx_by_admins_and_team_managers_and_audited(web):
    admin, manager, rep = web.client(ADMIN), web.client(MANAGER), web.client(REP)
    reviews = admin.get("/api/matches").json()["reviews"]
    scope = set(manager.get("/api/me").json()["viewer"]["scope"]["reps"])
    entry = _review_of(reviews, "list_entry")
    other_team = next(
        r for r in reviews if r["subject_kind"] == "lead" and r["subject"]["owner_id"] not in scope
    )
    team_lead = _review_of(reviews, "lead", scope)
    path = f"/matches/{entry['id']}/resolve"
    token = csrf_of(admin.get("/matches").text)
    chosen = entry["candidates"][0]["account_id"]
    assert admin.post(path, data={"account_id": chosen}, headers=HTMX).status_code == 403
    rep_token = rep.get("/api/me").json()["csrf_token"]
    by_rep = rep.post(
        f"/api{path}", json={"account_id": chosen}, headers={"X-CSRF-Token": rep_token}
    )
    assert by_rep.status_code == 403
    assert _audit(web.url, "match.resolve") == []
    done = admin.post(path, data={"account_id": chosen, "csrf_token": token}, headers=HTMX)
    assert done.status_code == 200
    assert done.text.lstrip().startswith(f'<tr id="review-{entry["id"]}"')
    assert "accepted" in done.text
    assert entry["candidates"][0]["name"] in done.text
    admin_id = admin.get("/api/me").json()["viewer"]["id"]
    assert (admin_id, entry["subject_id"]) in [
        (a, e) for a, e, _ in _audit(web.url, "match.resolve")
    ]
    listed = admin.get("/api/lists/fortune-1000?show=all").json()["entries"]
    now = next(e for e in listed if str(e["id"]) == entry["subject_id"])
    assert (now["account_id"], now["match_status"], now["review_id"]) == (chosen, "manual", None)
    again = admin.post(path, data={"account_id": chosen, "csrf_token": token}, headers=HTMX)
    assert again.status_code == 409
    assert again.headers["HX-Retarget"] == "#flash"
    manager_token = manager.get("/api/me").json()["csrf_token"]
    headers = {"X-CSRF-Token": manager_token}
    outside = manager.post(
        f"/api/matches/{other_team['id']}/resolve", json={"none": True}, headers=headers
    )
    assert outside.status_code == 403
    both = manager.post(
        f"/api/matches/{team_lead['id']}/resolve",
        json={"none": True, "account_id": "x"},
        headers=headers,
    )
    assert both.status_code == 422
    lead_account = team_lead["candidates"][0]["account_id"]
    decided = manager.post(
        f"/api/matches/{team_lead['id']}/resolve",
        json={"account_id": lead_account, "comment": "same hospital, new site"},
        headers=headers,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "resolved"
    assert decided.json()["decided_by_name"] == "Laura Chen"
    lead = admin.get(f"/api/leads/{team_lead['subject_id']}").json()["lead"]
    assert (lead["account_id"], lead["match_status"]) == (lead_account, "manual")
    logged = {e: d for _, e, d in _audit(web.url, "match.resolve")}
    assert logged[team_lead["subject_id"]]["comment"] == "same hospital, new site"
    rejected = admin.post(
        f"/api/matches/{other_team['id']}/resolve",
        json={"none": True},
        headers={"X-CSRF-Token": admin.get("/api/me").json()["csrf_token"]},
    )
    assert rejected.status_code == 200
    assert rejected.json()["chosen_account_id"] is None
    left = {r["id"] for r in admin.get("/api/matches").json()["reviews"]}
    assert not left & {entry["id"], team_lead["id"], other_team["id"]}


def _routed_today(admin, waiting, scope) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Where today's rules would send each lead, until one goes to the manager's team and
    one to another rep."""
    found: dict[str, Any] = {}
    for lead in waiting:
        decision = admin.get(f"/api/leads/{lead['id']}").json()["routing_today"]["decision"]
        if decision and decision["outcome"] == "rep":
            found[lead["id"]] = decision
        kinds = {d["assigned_to"] in scope for d in found.values()}
        if kinds == {True, False}:
            break
    return found


def test_route_now_from_a_leads_page(web):
    admin, manager, rep = web.client(ADMIN), web.client(MANAGER), web.client(REP)
    scope = set(manager.get("/api/me").json()["viewer"]["scope"]["reps"])
    waiting = admin.get("/api/territories").json()["unrouted"]["leads"]
    today = _routed_today(admin, waiting, scope)
    ours = next(i for i, d in today.items() if d["assigned_to"] in scope)
    theirs = next(i for i, d in today.items() if d["assigned_to"] not in scope)
    admin_page = admin.get(f"/leads/{theirs}").text
    assert "Route now" in admin_page
    assert f'hx-post="/leads/{theirs}/route"' in admin_page
    assert manager.get(f"/api/leads/{theirs}").status_code == 403
    assert rep.get(f"/api/leads/{ours}").status_code == 403
    own = admin.get(f"/api/reps/{ANA}").json()["leads"][0]["id"]
    assert "Route now" not in rep.get(f"/leads/{own}").text
    assert rep.get(f"/api/leads/{own}").json()["routing_action"]["can_route"] is False
    rep_token = rep.get("/api/me").json()["csrf_token"]
    assert rep.post(f"/leads/{ours}/route", data={"csrf_token": rep_token}).status_code == 403
    page = manager.get(f"/leads/{ours}")
    assert page.status_code == 200
    assert "Route now" in page.text
    assert manager.post(f"/leads/{ours}/route", headers=HTMX).status_code == 403  # no CSRF
    assert _audit(web.url, "lead.route") == []
    done = manager.post(
        f"/leads/{ours}/route", data={"csrf_token": csrf_of(page.text)}, headers=HTMX
    )
    assert done.status_code == 200, done.text
    assert "routed now" in done.text
    assert 'id="lead-owner" hx-swap-oob="true"' in done.text
    stored = manager.get(f"/api/leads/{ours}").json()
    assert [d["assigned_to"] for d in stored["routing"]] == [today[ours]["assigned_to"]]
    assert stored["lead"]["owner_id"] == today[ours]["assigned_to"]
    assert stored["routing_action"]["can_route"] is False
    assert stored["routing_today"] is None
    manager_id = manager.get("/api/me").json()["viewer"]["id"]
    assert [(a, e) for a, e, _ in _audit(web.url, "lead.route")] == [(manager_id, ours)]
    again = manager.post(
        f"/leads/{ours}/route", data={"csrf_token": csrf_of(page.text)}, headers=HTMX
    )
    assert again.status_code == 409
    assert again.headers["HX-Retarget"] == "#flash"
    assert 'id="flash"' in page.text
    token = admin.get("/api/me").json()["csrf_token"]
    routed = admin.post(f"/api/leads/{theirs}/route", headers={"X-CSRF-Token": token})
    assert routed.status_code == 200, routed.text
    assert routed.json()["id"]
    assert routed.json()["steps"][0]["rule"] == "account_owner"
    assert "No routing decision is stored" not in admin.get(f"/leads/{theirs}").text


@pytest.mark.parametrize("path", ["/lists", "/lists/fortune-1000", "/matches", "/territories"])
def test_signed_out_visitors_are_sent_to_sign_in(demo_web, path):
    page = demo_web.client().get(path, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    assert demo_web.client().get(f"/api{path}").status_code == 401


OVERLAP = """
name: Overlap Co
versions:
  - id: v1
    effective_from: 2026-01-01
    icp:
      segments: [{name: Manufacturing, industries: [Manufacturing]}]
    territories:
      - id: west
        name: West
        rules: {states: [CA, WA]}
        reps: [{rep: ana, capacity: 1}]
      - id: bay
        name: Bay
        rules: {postal_prefixes: ["941"]}
        reps: [{rep: ana, capacity: 1}]
"""


def test_a_double_claim_shows_the_territory_that_won_and_why(database_url, tmp_path):
    strategy = tmp_path / "strategy.yaml"
    strategy.write_text(OVERLAP, encoding="utf-8")
    store = Store.open(database_url)
    with store.begin() as conn:
        conn.execute(
            tables.user.insert(),
            [
                {"id": "ana", "name": "Ana Ruiz", "email": None, "role": "rep", "active": True},
                {
                    "id": "jo",
                    "name": "Jo Admin",
                    "email": "jo@x.example",
                    "role": "admin",
                    "active": True,
                },
            ],
        )
        conn.execute(
            tables.account.insert(),
            [
                {"id": i, "name": f"Account {i}", "state": st, "postal_code": pc,
                 "owner_id": "ana", "industry": "Manufacturing", "gate_status": "active"}
                for i, st, pc in (("A1", "CA", "94105"), ("A2", "TX", None), ("A3", "WA", None))
            ],
        )  # fmt: skip
    set_password(store=store, who="jo@x.example", password=PASSWORD, actor="test")
    store.close()
    app = create_app(
        settings=Settings(database_url=database_url, strategy_file=strategy, secret_key="k" * 40)
    )
    with TestClient(app) as admin:  # the app's lifespan closes its store at the end
        login(admin, "jo@x.example")
        _a_double_claim(Web(app, database_url, strategy), admin)


def _a_double_claim(web: Web, admin: TestClient) -> None:
    check = _cli(web, "territories", "check", "--as-of", "2026-06-01")
    twin = admin.get("/api/territories?to=2026-06-01").json()
    assert _unnamed(twin["double_claims"]) == check["double_claims"]
    assert [(c["id"], c["owner_name"]) for c in twin["double_claims"]] == [("A1", "Ana Ruiz")]
    assert [(c["id"], c["territory_id"]) for c in twin["double_claims"]] == [("A1", "bay")]
    assert twin["problems"] == check["problems"] == 3
    html = admin.get("/territories?to=2026-06-01").text
    claim = re.search(r'<table class="data" id="double-claims">.*?</table>', html, re.S)
    assert claim
    assert "<strong>bay</strong>" in claim.group(0)
    assert "west <span" in claim.group(0)
    assert "lost on territory id" in claim.group(0)
    assert 'class="over"' in html  # Ana carries 3 accounts against a capacity of 2
