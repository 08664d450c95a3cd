"""Shared fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``ONSTRATEGY_TEST_POSTGRES_URL`` (``make test`` starts a server on
loopback and sets it). Without it the PostgreSQL variants are skipped, unless
``ONSTRATEGY_REQUIRE_POSTGRES=1`` (set by ``make test`` and CI), which turns the skip into
a failure so a green run always means both databases were tested.

Each test gets a fresh, migrated database: SQLite by copying a migrated template file,
PostgreSQL by ``CREATE DATABASE ... TEMPLATE`` from a migrated template database.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from onstrategy.store.connect import Store

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
PG_URL = os.environ.get("ONSTRATEGY_TEST_POSTGRES_URL")
REQUIRE_PG = os.environ.get("ONSTRATEGY_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgres"]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_admin() -> sa.Engine:
    assert PG_URL
    return sa.create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"),
                            isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    assert PG_URL
    url = make_url(PG_URL).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    Store.open(f"sqlite:///{path}").close()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("ONSTRATEGY_TEST_POSTGRES_URL is not set but PostgreSQL is required")
        pytest.skip("PostgreSQL not configured (set ONSTRATEGY_TEST_POSTGRES_URL)")
    name = f"onstrategy_tpl_{_worker()}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    store = Store.open(_pg_url(name))
    store.close()
    yield name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A fresh, migrated, empty database on ``backend``; dropped after the test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "store.db"
        shutil.copy(template, target)
        return f"sqlite:///{target}"
    template_name: str = request.getfixturevalue("pg_template")
    name = f"onstrategy_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    request.addfinalizer(drop)
    return _pg_url(name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return make_database_url(request, request.param, tmp_path)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store.open(database_url)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA
