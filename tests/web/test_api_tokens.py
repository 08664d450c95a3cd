"""API tokens: created from the CLI, they call /api as their user, with that user's scope
(both databases). One demo copy per backend for the module; tests that need a token make
their own, so they do not depend on each other's order."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from conftest_web import ADMIN, ANA, MANAGER, OTHER_REP, RACHEL, REP, Web, build
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from onstrategy.cli.main import app as cli
from onstrategy.store import tables

EXCEPTION = {
    "reason_code": "strategic-logo",
    "rationale": "a reference logo in a new region that opens three more deals for us soon",
    "days": 30,
}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(request, copy_database, demo_files, quick_hashes) -> Iterator[Web]:  # type: ignore[no-untyped-def]
    with copy_database(request.param, demo=True) as url:
        web = build(url, demo_files["strategy"])
        yield web
        # the store closes on the thread that used it; asyncio.run in a thread of its own, as
        # the test thread may already run an event loop (the browser tests' one)
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, web.app.state.onstrategy.close()).result()


def _cli(site: Web, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--database-url", site.url, *args])


def _create(site: Web, user: str, actor: str, *extra: str) -> dict:  # type: ignore[type-arg]
    done = _cli(
        site, "users", "token", "create", "--user", user, "--as", actor,
        "--name", f"script {uuid.uuid4().hex[:6]}", "--json", *extra,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _sql(site: Web, statement: sa.Executable) -> list[sa.Row]:  # type: ignore[type-arg]
    engine = sa.create_engine(site.url)
    try:
        with engine.begin() as conn:
            result = conn.execute(statement)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def test_a_token_sees_exactly_what_its_user_sees(site):
    made = _create(site, REP, REP)
    assert made["token"].startswith("ost_")
    assert len(made["token"]) >= 4 + 43
    cookie = site.client(REP)
    script = TestClient(site.app)
    by_token = script.get("/api/dashboard", headers=_bearer(made["token"]))
    assert by_token.status_code == 200, by_token.text
    assert by_token.json() == cookie.get("/api/dashboard").json()
    me = script.get("/api/me", headers=_bearer(made["token"]))
    assert me.json()["viewer"] == cookie.get("/api/me").json()["viewer"]
    assert me.json()["viewer"]["scope"]["reps"] == [ANA]
    assert "set-cookie" not in me.headers  # a script gets no session
    assert script.get("/api/reps/" + ANA, headers=_bearer(made["token"])).status_code == 200
    other = script.get("/api/reps/" + RACHEL, headers=_bearer(made["token"]))
    assert other.status_code in (403, 404)
    assert other.json()["error"]["code"] in ("forbidden", "not_found")


def test_an_admin_token_sees_every_rep(site):
    made = _create(site, ADMIN, ADMIN)
    headers = _bearer(made["token"])
    assert TestClient(site.app).get("/api/reps/" + RACHEL, headers=headers).status_code == 200


def _refusal(site: Web, secret: str) -> tuple[int, str, str]:
    answer = TestClient(site.app).get("/api/dashboard", headers=_bearer(secret))
    return answer.status_code, answer.json()["error"]["code"], answer.headers["www-authenticate"]


def test_revoked_expired_and_unknown_tokens_get_401_saying_which(site):
    revoked = _create(site, REP, REP)
    done = _cli(site, "users", "token", "revoke", str(revoked["id"]), "--as", REP)
    assert done.exit_code == 0, done.output
    assert _refusal(site, revoked["token"])[:2] == (401, "token_revoked")
    expired = _create(site, REP, REP, "--expires-in-days", "1")
    t = tables.api_token
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    _sql(site, t.update().where(t.c.id == expired["id"]).values(expires_on=yesterday))
    status, code, challenge = _refusal(site, expired["token"])
    assert (status, code) == (401, "token_expired")
    assert 'error="invalid_token"' in challenge
    unknown = _refusal(site, "ost_" + uuid.uuid4().hex + uuid.uuid4().hex)
    assert unknown[:2] == (401, "token_unknown")
    no_auth = TestClient(site.app).get("/api/dashboard")
    assert no_auth.status_code == 401
    assert "Bearer" in no_auth.headers["www-authenticate"]


def test_a_deactivated_users_tokens_stop_at_once(site):
    made = _create(site, MANAGER, MANAGER)
    client = TestClient(site.app)
    assert client.get("/api/me", headers=_bearer(made["token"])).status_code == 200
    u = tables.user
    _sql(site, u.update().where(u.c.email == MANAGER).values(active=False))
    try:
        assert _refusal(site, made["token"])[:2] == (401, "token_user_inactive")
    finally:
        _sql(site, u.update().where(u.c.email == MANAGER).values(active=True))
    assert client.get("/api/me", headers=_bearer(made["token"])).status_code == 200


def test_bearer_posts_need_no_csrf_but_cookie_posts_still_do(site):
    made = _create(site, REP, REP)
    script = TestClient(site.app)
    flags = script.get("/api/exceptions", headers=_bearer(made["token"])).json()["flags"]
    assert flags, "the demo rep has open off-profile deals"
    body = {**EXCEPTION, "subject_id": flags[0]["opportunity_id"]}
    cookie = site.client(REP)
    refused = cookie.post("/api/exceptions", json=body)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    asked = script.post("/api/exceptions", json=body, headers=_bearer(made["token"]))
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "pending"
    assert asked.json()["rep_id"] == ANA
    a = tables.audit_log
    actors = _sql(site, sa.select(a.c.actor).where(a.c.action == "exception.requested"))
    assert (ANA,) in actors
    both = cookie.post("/api/exceptions", json=body, headers=_bearer(made["token"]))
    assert both.status_code == 403  # a signed-in cookie rides along: CSRF still applies


def test_a_token_never_works_on_the_html_pages(site):
    made = _create(site, ADMIN, ADMIN)
    client = TestClient(site.app)
    page = client.get("/", headers=_bearer(made["token"]), follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    posted = client.post(
        "/gate/leads/x/release", data={"reason": "x"}, headers=_bearer(made["token"])
    )
    assert posted.status_code == 403


def test_the_secret_is_kept_nowhere(site):
    made = _create(site, REP, ADMIN)
    TestClient(site.app).get("/api/me", headers=_bearer(made["token"]))
    _cli(site, "users", "token", "revoke", str(made["id"]), "--as", ADMIN)
    t, a = tables.api_token, tables.audit_log
    row = _sql(site, sa.select(t).where(t.c.id == made["id"]))[0]
    assert made["token"] not in json.dumps([str(v) for v in row])
    assert row.prefix == made["token"][: len(row.prefix)]
    assert row.revoked_at is not None
    assert row.last_used_at is not None
    audit = _sql(site, sa.select(a).where(a.c.entity == "api_token"))
    assert made["token"] not in json.dumps([[str(v) for v in r] for r in audit])
    mine = [(r.action, r.actor) for r in audit if r.entity_id == str(made["id"])]
    assert mine == [("api_token.create", ADMIN), ("api_token.revoke", ADMIN)]
    listed = _cli(site, "users", "token", "list", "--user", REP, "--json")
    assert made["token"] not in listed.stdout
    assert {"id": made["id"], "status": "revoked"}.items() <= next(
        x for x in json.loads(listed.stdout) if x["id"] == made["id"]
    ).items()


def test_last_use_is_written_at_most_once_a_minute(site):
    made = _create(site, REP, REP)
    t = tables.api_token
    client = TestClient(site.app)

    def last_used() -> datetime | None:
        return _sql(site, sa.select(t.c.last_used_at).where(t.c.id == made["id"]))[0][0]

    assert last_used() is None
    client.get("/api/me", headers=_bearer(made["token"]))
    first = last_used()
    client.get("/api/me", headers=_bearer(made["token"]))
    assert first is not None
    assert last_used() == first
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    _sql(site, t.update().where(t.c.id == made["id"]).values(last_used_at=long_ago))
    client.get("/api/me", headers=_bearer(made["token"]))
    later = last_used()
    assert later is not None
    assert later != first
    assert (later if later.tzinfo else later.replace(tzinfo=UTC)) > long_ago


def test_only_admins_manage_other_peoples_tokens(site):
    refused = _cli(
        site, "users", "token", "create", "--user", OTHER_REP, "--as", REP, "--name", "x"
    )
    assert refused.exit_code == 1
    assert "may not create API tokens" in refused.output
    theirs = _create(site, OTHER_REP, ADMIN)
    revoke = _cli(site, "users", "token", "revoke", str(theirs["id"]), "--as", REP)
    assert revoke.exit_code == 1
    assert "may not revoke" in revoke.output
    seen = json.loads(_cli(site, "users", "token", "list", "--as", REP, "--json").stdout)
    assert seen
    assert {x["user_id"] for x in seen} == {ANA}
    expires = date.fromisoformat(theirs["expires_on"])
    assert expires == datetime.now(UTC).date() + timedelta(days=90)
    again = _cli(
        site, "users", "token", "create", "--user", OTHER_REP, "--as", ADMIN,
        "--name", theirs["name"].upper(),
    )  # fmt: skip
    assert again.exit_code == 1
    assert "already has a working token" in again.output
    shown = _cli(site, "users", "token", "create", "--user", REP, "--as", REP, "--name", "z")
    assert shown.exit_code == 0
    assert "ost_" in shown.stdout
    assert "not shown again" in shown.stdout


def test_openapi_documents_the_bearer_scheme(site):
    schema = TestClient(site.app).get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "ost_...",
        "description": schema["components"]["securitySchemes"]["apiToken"]["description"],
    }
    assert {"apiToken": []} in schema["paths"]["/api/dashboard"]["get"]["security"]
    assert {"apiToken": []} in schema["paths"]["/api/exceptions"]["post"]["security"]


def test_a_user_without_a_password_can_use_a_token(site):
    users = json.loads(_cli(site, "users", "list", "--json").stdout)
    service = next(u for u in users if u["active"] and not u["has_password"])
    made = _create(site, service["email"] or service["id"], ADMIN)
    me = TestClient(site.app).get("/api/me", headers=_bearer(made["token"]))
    assert me.status_code == 200
    assert me.json()["viewer"]["id"] == service["id"]
    listed = _cli(site, "users", "token", "list", "--user", service["id"], "--json")
    assert [t["user_email"] for t in json.loads(listed.stdout)] == [service["email"]]
    assert made["token"][:12] == json.loads(listed.stdout)[0]["prefix"]  # tells tokens apart
    table = _cli(site, "users", "token", "list", "--user", service["id"])
    assert made["token"] not in table.stdout
