"""Changes through the web: CSRF-checked, role-checked by the engines, audit-logged."""

from __future__ import annotations

import sqlalchemy as sa
from conftest_web import ADMIN, MANAGER, REP, csrf_of

from onstrategy.store import tables
from onstrategy.store.connect import Store

HTMX = {"HX-Request": "true"}


def _audit(url: str, action: str) -> list[tuple[str, str]]:
    store = Store.open(url)
    with store.begin() as conn:
        rows = conn.execute(
            sa.select(tables.audit_log.c.actor, tables.audit_log.c.entity_id).where(
                tables.audit_log.c.action == action
            )
        ).all()
    store.close()
    return [(r.actor, r.entity_id) for r in rows]


def test_an_admin_releases_a_quarantined_lead_with_htmx_and_it_is_audited(web):
    admin, manager = web.client(ADMIN), web.client(MANAGER)
    lead = admin.get("/api/gate").json()["records"][0]
    path = f"/gate/leads/{lead['id']}/release"
    token = csrf_of(admin.get("/gate").text)
    no_token = admin.post(path, data={"reason": "known customer contact"}, headers=HTMX)
    assert no_token.status_code == 403
    assert lead["id"] not in str(_audit(web.url, "gate.release"))
    wrong = admin.post(
        f"/api{path}",
        json={"reason": "known customer contact"},
        headers={"X-CSRF-Token": "not-the-token"},
    )
    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "forbidden"
    manager_token = manager.get("/api/me").json()["csrf_token"]
    refused = manager.post(
        f"/api{path}",
        json={"reason": "known customer contact"},
        headers={"X-CSRF-Token": manager_token},
    )
    assert refused.status_code == 403
    assert "admin" in refused.json()["error"]["hint"]
    done = admin.post(
        path, data={"reason": "known customer contact", "csrf_token": token}, headers=HTMX
    )
    assert done.status_code == 200
    assert f'id="gate-{lead["id"]}"' in done.text
    assert "released" in done.text
    admin_id = admin.get("/api/me").json()["viewer"]["id"]
    assert (admin_id, lead["id"]) in _audit(web.url, "gate.release")
    again = admin.post(
        path, data={"reason": "known customer contact", "csrf_token": token}, headers=HTMX
    )
    assert again.status_code == 409
    assert again.headers["HX-Retarget"] == "#flash"
    status = admin.get(f"/api/leads/{lead['id']}").json()["lead"]["gate_status"]
    assert status == "released"
    logged = admin.get("/api/audit?action=gate.release").json()["entries"]
    assert [(e["actor"], e["entity_id"]) for e in logged] == [(admin_id, lead["id"])]
    assert logged[0]["details"]["reason"] == "known customer contact"
    assert manager.get("/api/audit").status_code == 403
    assert lead["id"] in admin.get("/audit").text


def test_a_rep_asks_and_the_manager_decides_an_exception_through_the_web(web):
    manager, rep = web.client(MANAGER), web.client(REP)
    rep_id = rep.get("/api/me").json()["viewer"]["id"]
    page = rep.get("/exceptions")
    flags = rep.get("/api/exceptions").json()["flags"]
    assert flags, "the demo rep has open off-profile deals"
    assert {f["owner_id"] for f in flags} == {rep_id}
    asked = rep.post(
        "/exceptions",
        headers=HTMX,
        data={
            "subject_id": flags[0]["opportunity_id"],
            "reason_code": "strategic-logo",
            "rationale": "a reference logo in a new region that opens three more deals for us soon",
            "days": "30",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert asked.status_code == 200
    assert "pending" in asked.text
    mine = rep.get("/api/exceptions").json()["exceptions"]
    assert [(e["subject_id"], e["status"]) for e in mine] == [
        (flags[0]["opportunity_id"], "pending")
    ]
    path = f"/exceptions/{mine[0]['id']}/decision"
    queue = manager.get("/exceptions")
    assert f'hx-post="{path}"' in queue.text
    assert f'hx-post="{path}"' not in rep.get("/exceptions").text
    rep_try = rep.post(
        path,
        headers=HTMX,
        data={"decision": "approve", "comment": "mine", "csrf_token": csrf_of(page.text)},
    )
    assert rep_try.status_code == 403
    unknown = manager.post(
        path, headers=HTMX,
        data={"decision": "maybe", "comment": "x", "csrf_token": csrf_of(queue.text)},
    )  # fmt: skip
    assert unknown.status_code == 422  # not silently taken as a rejection
    done = manager.post(
        path,
        headers=HTMX,
        data={
            "decision": "reject",
            "comment": "not a logo we need",
            "csrf_token": csrf_of(queue.text),
        },
    )
    assert done.status_code == 200
    assert "rejected" in done.text
    manager_id = manager.get("/api/me").json()["viewer"]["id"]
    assert (rep_id, str(mine[0]["id"])) in _audit(web.url, "exception.requested")
    assert (manager_id, str(mine[0]["id"])) in _audit(web.url, "exception.rejected")
    assert rep.get("/api/exceptions").json()["exceptions"][0]["status"] == "rejected"


def test_an_approval_through_the_json_api(web, demo_store):
    admin, manager, rep = web.client(ADMIN), web.client(MANAGER), web.client(REP)
    rep_id = rep.get("/api/me").json()["viewer"]["id"]
    flag = next(f for f in admin.get("/api/exceptions").json()["flags"] if f["owner_id"] == rep_id)
    token = rep.get("/api/me").json()["csrf_token"]
    asked = rep.post(
        "/api/exceptions",
        headers={"X-CSRF-Token": token},
        json={
            "subject_id": flag["opportunity_id"],
            "reason_code": "strategic-logo",
            "rationale": "a reference logo in a new region that opens three more deals for us soon",
            "days": 30,
            "expected_value": 1.0,
        },
    )
    assert asked.status_code == 200, asked.text
    token = manager.get("/api/me").json()["csrf_token"]
    done = manager.post(
        f"/api/exceptions/{asked.json()['id']}/decision",
        headers={"X-CSRF-Token": token},
        json={"decision": "approve", "comment": "worth it as a logo"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "approved"
    manager_id = manager.get("/api/me").json()["viewer"]["id"]
    assert (manager_id, str(asked.json()["id"])) in _audit(web.url, "exception.approved")


def test_the_audit_filter_is_a_literal_prefix_on_both_databases(demo_web):
    admin = demo_web.client(ADMIN)
    imports = admin.get("/api/audit?action=IMPORT").json()["entries"]
    assert imports
    assert all(e["action"].startswith("import") for e in imports)
    assert admin.get("/api/audit?action=%25").json()["entries"] == []
