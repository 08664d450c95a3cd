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
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from onstrategy.ingest.bundle import import_bundle
from onstrategy.store.connect import Store
from onstrategy.strategy.load import load_strategy
from onstrategy.strategy.model import Strategy

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
PG_URL = os.environ.get("ONSTRATEGY_TEST_POSTGRES_URL")
REQUIRE_PG = os.environ.get("ONSTRATEGY_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgres"]
DEMO_TODAY = date(2026, 11, 30)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_admin() -> sa.Engine:
    assert PG_URL
    return sa.create_engine(
        make_url(PG_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )


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


@contextmanager
def pg_clone(template: str, prefix: str) -> Iterator[str]:
    """A new PostgreSQL database copied from ``template``; dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database on each backend."""
    if request.param == "sqlite":
        target = tmp_path / "store.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    with pg_clone(request.getfixturevalue("pg_template"), "onstrategy_t") as url:
        yield url


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


# ------------------------------------------------------------------ the demo company
# Built once per backend (scale 0.1: ~500 accounts, all 20 reps), then copied for each test
# that asks for ``demo_store``, so a test may change what it likes.

DEMO_SCALE = 0.1
DEMO_SEED = 7


@dataclass
class Demo:
    store: Store
    strategy: Strategy
    directory: Path
    url: str


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from onstrategy.demo import generate_demo, write_demo

    out = tmp_path_factory.mktemp("demo")
    return write_demo(generate_demo(seed=DEMO_SEED, scale=DEMO_SCALE, today=DEMO_TODAY), out)


def _load_demo(url: str, files: dict[str, Path]) -> None:
    store = Store.open(url)
    import_bundle(
        store=store,
        directory=files["strategy"].parent,
        strategy=load_strategy(files["strategy"]),
        as_of=DEMO_TODAY,
        actor="demo",
    )
    store.close()


@pytest.fixture(scope="session")
def demo_sqlite_template(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, demo_files: dict[str, Path]
) -> Path:
    path = tmp_path_factory.mktemp("demo-db") / "demo.db"
    shutil.copy(sqlite_template, path)
    _load_demo(f"sqlite:///{path}", demo_files)
    return path


@pytest.fixture(scope="session")
def demo_pg_template(pg_template: str, demo_files: dict[str, Path]) -> Iterator[str]:
    name = f"onstrategy_demo_{_worker()}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    _load_demo(_pg_url(name), demo_files)
    yield name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def demo_store(
    request: pytest.FixtureRequest, tmp_path: Path, demo_files: dict[str, Path]
) -> Iterator[Demo]:
    """The demo company in a fresh database of its own, on SQLite and on PostgreSQL."""
    strategy = load_strategy(demo_files["strategy"])
    if request.param == "sqlite":
        target = tmp_path / "demo.db"
        shutil.copy(request.getfixturevalue("demo_sqlite_template"), target)
        yield from _open_demo(f"sqlite:///{target}", strategy, demo_files)
        return
    with pg_clone(request.getfixturevalue("demo_pg_template"), "onstrategy_d") as url:
        yield from _open_demo(url, strategy, demo_files)


def _open_demo(url: str, strategy: Strategy, files: dict[str, Path]) -> Iterator[Demo]:
    store = Store.open(url)
    try:
        yield Demo(store, strategy, files["strategy"].parent, url)
    finally:
        store.close()


@pytest.fixture(scope="session")
def copy_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """For module-scoped fixtures: ``with copy_database(backend, demo=True) as url:`` a
    private database on "sqlite" or "postgres" — empty and migrated, or holding the demo
    company — removed afterwards."""

    @contextmanager
    def copy(backend: str, *, demo: bool = False) -> Iterator[str]:
        if backend == "sqlite":
            source = "demo_sqlite_template" if demo else "sqlite_template"
            target = tmp_path_factory.mktemp("db-copy") / "store.db"
            shutil.copy(request.getfixturevalue(source), target)
            yield f"sqlite:///{target}"
            return
        template = request.getfixturevalue("demo_pg_template" if demo else "pg_template")
        with pg_clone(template, "onstrategy_m") as url:
            yield url

    return copy
