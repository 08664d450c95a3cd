"""Helpers and fixtures of the web tests: the web app on the demo company, one copy per
backend for the session (read-only tests), or a fresh copy per test (``web`` over
``demo_store``) where a test changes data."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from onstrategy.settings import Settings
from onstrategy.store.connect import Store
from onstrategy.web import create_app
from onstrategy.web.users import set_password

PASSWORD = "correct horse battery staple"
ADMIN = "jordan.ellis@techdistro.example"
EXECUTIVE = "sandra.kowalski@techdistro.example"
MANAGER = "laura.chen@techdistro.example"  # manages team west
REP = "ana.ruiz@techdistro.example"  # on team west
OTHER_REP = "rachel.kim@techdistro.example"  # on team east
ANA, RACHEL = "0055e000000017iAAA", "0055e00000001DgAAI"


@dataclass
class Web:
    app: FastAPI
    url: str
    strategy_file: Path

    def client(self, email: str | None = None) -> TestClient:
        client = TestClient(self.app)
        if email:
            login(client, email)
        return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> None:
    token = csrf_of(client.get("/login").text)
    done = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:300]


def build(url: str, strategy_file: Path) -> Web:
    store = Store.open(url)
    for email in (ADMIN, EXECUTIVE, MANAGER, REP, OTHER_REP):
        set_password(store=store, who=email, password=PASSWORD, actor="test")
    store.close()
    settings = Settings(
        database_url=url, strategy_file=strategy_file, secret_key="test-secret-" + uuid.uuid4().hex
    )
    return Web(create_app(settings=settings), url, strategy_file)


@pytest.fixture(autouse=True, scope="session")
def quick_hashes() -> Iterator[None]:
    """argon2 at its lowest costs: the tests check the flow, not the hash's strength."""
    from argon2 import PasswordHasher

    from onstrategy.web import users

    kept = users._HASHER
    users._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users._HASHER = kept


@pytest.fixture
def web(demo_store) -> Web:  # type: ignore[no-untyped-def]
    """A fresh demo copy: for tests that change data."""
    return build(demo_store.url, demo_store.directory / "strategy.yaml")


def _pg_copy(template: str) -> tuple[str, sa.Engine, str]:
    base = make_url(os.environ["ONSTRATEGY_TEST_POSTGRES_URL"]).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"onstrategy_web_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    return name, admin, base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def demo_web(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    demo_files: dict[str, Path],
    quick_hashes: None,
) -> Iterator[Web]:
    """One demo copy per backend for the session (tests using it must not change data);
    the read models it caches are shared by the tests, as they are by users."""
    strategy = demo_files["strategy"]
    if request.param == "sqlite":
        target = tmp_path_factory.mktemp("web") / "demo.db"
        shutil.copy(request.getfixturevalue("demo_sqlite_template"), target)
        yield build(f"sqlite:///{target}", strategy)
        return
    name, admin, url = _pg_copy(request.getfixturevalue("demo_pg_template"))
    web = build(url, strategy)
    yield web
    web.app.state.onstrategy.store.close()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
