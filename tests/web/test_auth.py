"""Sign-in, sessions and CSRF on a small hand-made store (both databases)."""

from __future__ import annotations

import sqlalchemy as sa
from conftest_web import PASSWORD, csrf_of, login
from fastapi.testclient import TestClient

from onstrategy.settings import Settings
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.web import create_app
from onstrategy.web.app import LOGIN_FAILED, LOGIN_THROTTLED
from onstrategy.web.security import COOKIE
from onstrategy.web.users import set_password


def _people(store: Store) -> None:
    with store.begin() as conn:
        conn.execute(tables.team.insert().values(id="west", name="West", manager_id="m1"))
        conn.execute(
            tables.user.insert(),
            [
                {
                    "id": "m1",
                    "name": "Mia Manager",
                    "email": "mia@x.example",
                    "role": "manager",
                    "team_id": "west",
                    "active": True,
                },
                {
                    "id": "r1",
                    "name": "Rob Rep",
                    "email": "rob@x.example",
                    "role": "rep",
                    "team_id": "west",
                    "active": True,
                },
                {
                    "id": "r2",
                    "name": "No Password",
                    "email": "nopw@x.example",
                    "role": "rep",
                    "team_id": "west",
                    "active": True,
                },
                {
                    "id": "r3",
                    "name": "Gone",
                    "email": "gone@x.example",
                    "role": "rep",
                    "team_id": "west",
                    "active": False,
                },
            ],
        )
    for who in ("mia@x.example", "rob@x.example", "gone@x.example"):
        set_password(store=store, who=who, password=PASSWORD, actor="test")


def _client(store: Store, database_url: str) -> TestClient:
    _people(store)
    app = create_app(
        settings=Settings(database_url=database_url, strategy_file=None, secret_key="k" * 40)
    )
    return TestClient(app)


def _attempt(client: TestClient, email: str, password: str) -> object:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_sign_in_sets_a_signed_http_only_cookie_and_is_audited(store, database_url):
    client = _client(store, database_url)
    done = _attempt(client, "ROB@x.example", PASSWORD)
    assert done.status_code == 303
    assert done.headers["location"] == "/"
    cookie = done.headers["set-cookie"]
    assert COOKIE in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert PASSWORD not in cookie
    assert client.get("/api/me").json()["viewer"]["id"] == "r1"
    with store.begin() as conn:
        actions = conn.execute(sa.select(tables.audit_log.c.action, tables.audit_log.c.actor)).all()
        stored = conn.execute(
            sa.select(tables.user.c.password_hash).where(tables.user.c.id == "r1")
        ).scalar()
    assert ("session.sign_in", "r1") in actions
    assert stored.startswith("$argon2")
    assert PASSWORD not in stored


def test_failed_sign_in_does_not_say_whether_the_email_exists(store, database_url):
    client = _client(store, database_url)
    wrong_password = _attempt(client, "rob@x.example", "not the password")
    unknown_email = _attempt(client, "nobody@x.example", PASSWORD)
    no_password = _attempt(client, "nopw@x.example", PASSWORD)
    inactive = _attempt(client, "gone@x.example", PASSWORD)
    for response in (wrong_password, unknown_email, no_password, inactive):
        assert response.status_code == 401
        assert LOGIN_FAILED in response.text
    assert client.get("/api/me").status_code == 401


def test_sign_in_and_out_need_the_csrf_token(store, database_url):
    client = _client(store, database_url)
    client.get("/login")
    refused = client.post("/login", data={"email": "rob@x.example", "password": PASSWORD})
    assert refused.status_code == 403
    login(client, "rob@x.example")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/api/me").status_code == 200
    token = client.get("/api/me").json()["csrf_token"]
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/api/me").status_code == 401


def test_a_forged_or_foreign_cookie_is_not_a_session(store, database_url):
    client = _client(store, database_url)
    login(client, "rob@x.example")
    value = client.cookies.get(COOKIE)
    other = TestClient(
        create_app(
            settings=Settings(
                database_url=database_url, strategy_file=None, secret_key="another key" * 4
            )
        )
    )
    other.cookies.set(COOKIE, value)
    assert other.get("/api/me").status_code == 401
    client.cookies.set(COOKIE, value[:-4] + "AAAA")
    assert client.get("/api/me").status_code == 401


def test_signed_out_pages_redirect_to_sign_in_and_api_says_401(store, database_url):
    client = _client(store, database_url)
    page = client.get("/reps/r1?from=2026-01-01", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Freps%2Fr1%3Ffrom%3D2026-01-01"
    api = client.get("/api/reps/r1")
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "unauthenticated"


def test_next_cannot_send_a_user_off_site(store, database_url):
    client = _client(store, database_url)
    token = csrf_of(client.get("/login").text)
    done = client.post(
        "/login",
        data={
            "email": "rob@x.example",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert done.headers["location"] == "/"


def test_without_a_strategy_pages_say_how_to_configure_one(store, database_url):
    client = _client(store, database_url)
    login(client, "mia@x.example")
    page = client.get("/")
    assert page.status_code == 503
    assert "no strategy is configured" in page.text
    assert "ONSTRATEGY_STRATEGY_FILE" in page.text
    assert client.get("/api/dashboard").json()["error"]["code"] == "no_strategy"


def test_repeated_failures_for_an_email_are_throttled_whether_or_not_it_exists(store, database_url):
    client = _client(store, database_url)
    for email in ("rob@x.example", "nobody@x.example"):
        for _ in range(5):
            assert _attempt(client, email, "wrong password").status_code == 401
        blocked = _attempt(client, email, PASSWORD)
        assert blocked.status_code == 429
        assert LOGIN_THROTTLED in blocked.text
    assert _attempt(client, "mia@x.example", PASSWORD).status_code == 303


def _upload(client: TestClient, text: str, token: str | None = None) -> object:
    token = token or client.get("/api/me").json()["csrf_token"]
    return client.post(
        "/api/strategy",
        files={"file": ("s.yaml", text.encode(), "text/yaml")},
        headers={"X-CSRF-Token": token},
    )


def test_an_admin_uploads_a_strategy_and_the_pages_use_it(store, database_url):
    from pathlib import Path

    import onstrategy

    demo = (Path(onstrategy.__file__).parent / "data" / "demo" / "strategy.yaml").read_text()
    client = _client(store, database_url)
    with store.begin() as conn:
        conn.execute(
            tables.user.insert().values(
                id="a1", name="Ada Admin", role="admin", email="ada@x.example", active=True
            )
        )
    set_password(store=store, who="ada@x.example", password=PASSWORD, actor="test")
    login(client, "mia@x.example")
    assert _upload(client, demo).status_code == 403  # a manager may not
    client.cookies.clear()
    login(client, "ada@x.example")
    bad = _upload(client, demo.replace("effective_from: 2024-12-01", "effective_from: soon"))
    assert bad.status_code == 422
    assert bad.json()["error"]["problems"][0]["where"].startswith("versions[0].effective_from")
    assert client.get("/api/dashboard").status_code == 503
    done = _upload(client, demo)
    assert done.status_code == 200
    assert done.json()["versions"] == ["fy25-hardware", "fy26-services"]
    assert client.get("/api/dashboard").json()["strategy"]["name"] == "TechDistro"
    assert _upload(client, demo).status_code == 409  # the same file twice
    with store.begin() as conn:
        logged = conn.execute(
            sa.select(tables.audit_log.c.actor).where(
                tables.audit_log.c.action == "strategy.upload"
            )
        ).all()
    assert [r.actor for r in logged] == ["a1"]
    assert "fy26-services" in client.get("/strategy").text
