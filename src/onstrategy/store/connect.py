"""The Store: the one place that knows which database holds the records.

``Store.open(url)`` connects to SQLite (an embedded file, the default) or PostgreSQL and
brings the schema to the latest migration. Metrics are written as Ibis expressions over
``store.ibis()``, so the same definitions run on either database (and on Spark or a
warehouse later).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from onstrategy.errors import InvalidInput
from onstrategy.store import tables

MIGRATIONS = Path(__file__).with_name("migrations")
# Report queries are short and many; PostgreSQL's JIT compiles them for longer than they run
# (measured: 0.73 s of a 1.2 s report query over 200,000 deals), so it is off for our sessions.
PG_OPTIONS = {"options": "-c jit=off"}


def _alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_engine_for(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise InvalidInput(
            f"cannot read database URL {url!r}",
            "use sqlite:///path/to/file.db or postgresql+psycopg://user@host/dbname",
        ) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, pool_pre_ping=True, connect_args=PG_OPTIONS)
    raise InvalidInput(
        f"unsupported database {parsed.get_backend_name()!r}",
        "onstrategy stores records in SQLite (default) or PostgreSQL",
    )


@dataclass
class Store:
    engine: Engine
    _ibis: Any = field(default=None, repr=False)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        store = cls(engine=create_engine_for(url))
        if migrate:
            store.upgrade()
        return store

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def upgrade(self) -> None:
        """Bring the schema to the latest migration (idempotent)."""
        from alembic import command

        try:
            with self.engine.begin() as connection:
                config = _alembic_config(self.engine)
                config.attributes["connection"] = connection
                command.upgrade(config, "heads")  # parallel branches until merged
        except sa.exc.OperationalError as err:
            raise InvalidInput(
                f"cannot open the database: {err.orig}",
                "check ONSTRATEGY_DATABASE_URL (or --database-url) and that the server runs",
            ) from None

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: everything inside commits together or not at all."""
        with self.engine.begin() as connection:
            yield connection

    def ibis(self) -> Any:
        """An Ibis connection to the same database, for portable metric expressions."""
        if self._ibis is None:
            self._ibis = _ibis_connect(self.engine)
        return self._ibis

    def table(self, name: str) -> Any:
        return self.ibis().table(name)

    def close(self) -> None:
        if self._ibis is not None:
            disconnect = getattr(self._ibis, "disconnect", None)
            if disconnect:
                disconnect()
            self._ibis = None
        self.engine.dispose()

    def audit(
        self,
        connection: Connection,
        *,
        actor: str,
        action: str,
        entity: str,
        entity_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Append one entry to the audit log (never updated, never deleted)."""
        connection.execute(
            tables.audit_log.insert().values(
                at=datetime.now(UTC),
                actor=actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                details=details,
            )
        )


def _ibis_connect(engine: Engine) -> Any:
    import ibis

    url = engine.url
    if engine.dialect.name == "sqlite":
        return ibis.sqlite.connect(url.database or ":memory:")
    # The same server and options SQLAlchemy uses: no host means the local socket, and the
    # URL's query (sslmode=..., host=/run/postgresql) is passed on.
    query = {key: str(value) for key, value in url.query.items()}
    options = " ".join(filter(None, [query.pop("options", ""), PG_OPTIONS["options"]]))
    return ibis.postgres.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database,
        options=options,
        **query,
    )
