"""`onstrategy users`: set a password (argon2, audited), list who can sign in."""

from __future__ import annotations

import json

import sqlalchemy as sa
from typer.testing import CliRunner

from onstrategy.cli.main import app
from onstrategy.store import tables


def _run(database_url: str, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--database-url", database_url, *args], input=stdin)


def test_set_password_then_list_shows_who_can_sign_in(store, database_url):
    with store.begin() as conn:
        conn.execute(
            tables.user.insert().values(
                id="r1", name="Rob Rep", role="rep", email="rob@x.example", active=True
            )
        )
    done = _run(
        database_url,
        "users",
        "set-password",
        "Rob@X.example",
        "--password-stdin",
        stdin="a long enough secret\n",
    )
    assert done.exit_code == 0, done.output
    listed = json.loads(_run(database_url, "users", "list", "--json").stdout)
    assert listed == [
        {
            "id": "r1",
            "name": "Rob Rep",
            "email": "rob@x.example",
            "role": "rep",
            "team_id": None,
            "active": True,
            "has_password": True,
        }
    ]
    with store.begin() as conn:
        stored = conn.execute(sa.select(tables.user.c.password_hash)).scalar()
        audit = conn.execute(sa.select(tables.audit_log.c.action)).scalars().all()
    assert stored.startswith("$argon2id$")
    assert "a long enough secret" not in stored
    assert audit == ["user.set_password"]


def test_prompted_twice_and_mistakes_are_errors_not_tracebacks(store, database_url):
    with store.begin() as conn:
        conn.execute(
            tables.user.insert().values(
                id="r1", name="Rob Rep", role="rep", email="rob@x.example", active=True
            )
        )
    prompted = _run(
        database_url,
        "users",
        "set-password",
        "rob@x.example",
        stdin="a long enough secret\na long enough secret\n",
    )
    assert prompted.exit_code == 0, prompted.output
    short = _run(
        database_url, "users", "set-password", "rob@x.example", "--password-stdin", stdin="short\n"
    )
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output
    unknown = _run(
        database_url,
        "users",
        "set-password",
        "who@x.example",
        "--password-stdin",
        stdin="a long enough secret\n",
    )
    assert unknown.exit_code == 1
    assert "no user" in unknown.output
