"""Roles in one place: a rep sees their own book, a manager their team, an admin all —
on pages and JSON alike (one demo copy per backend, read-only)."""

from __future__ import annotations

import pytest
from conftest_web import ADMIN, ANA, EXECUTIVE, MANAGER, RACHEL, REP

PERIOD = "from=2025-12-01&to=2026-11-30"


def _rep_ids(client) -> set[str]:  # type: ignore[no-untyped-def]
    data = client.get(f"/api/dashboard?{PERIOD}").json()
    return {r["id"] for r in data["report"]["reps"]}


def test_each_role_sees_its_own_reps_on_the_dashboard(demo_web):
    admin, manager, rep = (demo_web.client(e) for e in (ADMIN, MANAGER, REP))
    everyone = _rep_ids(admin)
    west = _rep_ids(manager)
    assert len(everyone) >= 20
    assert ANA in everyone
    assert RACHEL in everyone
    assert ANA in west
    assert RACHEL not in west
    assert west < everyone
    assert _rep_ids(rep) == {ANA}
    teams = manager.get(f"/api/dashboard?{PERIOD}").json()["report"]["teams"]
    assert [t["id"] for t in teams] == ["west"]
    assert _rep_ids(demo_web.client(EXECUTIVE)) == everyone


def test_a_rep_headline_is_their_own_numbers(demo_web):
    rep, admin = demo_web.client(REP), demo_web.client(ADMIN)
    mine = rep.get(f"/api/dashboard?{PERIOD}").json()["report"]["company"]
    row = next(
        r for r in admin.get(f"/api/dashboard?{PERIOD}").json()["report"]["reps"] if r["id"] == ANA
    )
    company = admin.get(f"/api/dashboard?{PERIOD}").json()["report"]["company"]
    assert mine["pipeline"] == row["pipeline"]
    assert mine["pipeline"]["total"] < company["pipeline"]["total"]


@pytest.mark.parametrize("path", [f"/reps/{RACHEL}", "/teams/east"])
def test_a_rep_cannot_read_another_reps_data_by_url(demo_web, path):
    rep = demo_web.client(REP)
    api = rep.get(f"/api{path}")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "forbidden"
    page = rep.get(path)
    assert page.status_code == 403
    assert "outside your book" in page.text or "is not yours" in page.text
    assert rep.get(f"/api/reps/{ANA}").status_code == 200


def test_deals_accounts_and_leads_of_another_team_are_refused(demo_web):
    admin, manager = demo_web.client(ADMIN), demo_web.client(MANAGER)
    rachel = admin.get(f"/api/reps/{RACHEL}?{PERIOD}").json()
    assert rachel["deals"]
    assert rachel["accounts"]
    assert manager.get(f"/api/deals/{rachel['deals'][0]['id']}").status_code == 403
    west = {r["id"] for r in manager.get(f"/api/dashboard?{PERIOD}").json()["report"]["reps"]}
    refused = 0
    for account in rachel["accounts"][:4]:
        owners = {
            d["owner_id"] for d in admin.get(f"/api/accounts/{account['id']}").json()["deals"]
        }
        status = manager.get(f"/api/accounts/{account['id']}").status_code
        assert status == (200 if owners & west else 403), account["id"]
        refused += status == 403
    assert refused
    ana = admin.get(f"/api/reps/{ANA}?{PERIOD}").json()
    assert manager.get(f"/api/deals/{ana['deals'][0]['id']}").status_code == 200
    assert manager.get(f"/api/accounts/{ana['accounts'][0]['id']}").status_code == 200


def test_analysis_pages_are_cut_to_the_scope(demo_web):
    rep, admin = demo_web.client(REP), demo_web.client(ADMIN)
    effort = rep.get(f"/api/effort?{PERIOD}").json()["report"]
    assert [r["id"] for r in effort["reps"]] == [ANA]
    assert effort["company"] is None
    assert len(admin.get(f"/api/effort?{PERIOD}").json()["report"]["reps"]) > 1
    owners = {d["owner_id"] for d in rep.get(f"/api/authority?{PERIOD}").json()["report"]["deals"]}
    assert owners <= {ANA}
    alerts = rep.get(f"/api/alerts?{PERIOD}").json()["report"]["alerts"]
    assert all(a["level"] == "rep" and a["id"] == ANA for a in alerts)
    gated = rep.get("/api/gate?status=all").json()["records"]
    assert all(r["owner_id"] == ANA for r in gated)


def test_results_are_grouped_by_the_people_in_scope(demo_web):
    admin, manager = demo_web.client(ADMIN), demo_web.client(MANAGER)
    everything = admin.get(f"/api/dashboard?{PERIOD}").json()["results"]
    west = manager.get(f"/api/dashboard?{PERIOD}").json()["results"]
    assert west["company"] is None
    assert [t["id"] for t in west["teams"]] == ["west"]
    assert sum(r["closed"] for r in west["reps"]) == west["teams"][0]["closed"]
    team = next(t for t in everything["teams"] if t["id"] == "west")
    assert team == west["teams"][0]
    assert everything["company"]["closed"] >= sum(t["closed"] for t in everything["teams"])
    icp = team["icp"]
    assert icp["closed"] + team["non_icp"]["closed"] == team["closed"]
    assert icp["win_rate"]["value"] == pytest.approx(icp["won"] / icp["closed"], abs=1e-4)
    rep = demo_web.client(REP).get(f"/api/reps/{ANA}?{PERIOD}").json()["results"]
    assert [r["id"] for r in rep["reps"]] == [ANA]


def test_a_managers_authority_counts_are_their_teams_open_deals(demo_web):
    """Open deals are all the team's open deals, not only those with a gap."""
    import sqlalchemy as sa

    from onstrategy.store import tables

    report = demo_web.client(MANAGER).get(f"/api/authority?{PERIOD}").json()["report"]
    engine = sa.create_engine(demo_web.url)
    with engine.connect() as conn:
        user, opp = tables.user, tables.opportunity
        west = set(conn.execute(sa.select(user.c.id).where(user.c.team_id == "west")).scalars())
        owners = conn.execute(sa.select(opp.c.owner_id).where(~opp.c.is_closed)).scalars().all()
    engine.dispose()
    assert report["open_deals"] == sum(owner in west for owner in owners)
    assert report["gapped_deals"] < report["open_deals"]
    assert sum(cell["open"] for cell in report["by_offering"].values()) == report["open_deals"]
