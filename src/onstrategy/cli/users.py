"""`onstrategy users`: who may sign in to the web dashboard.

onstrategy users list [--json]
onstrategy users set-password EMAIL [--password-stdin]
"""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from onstrategy.cli.common import acting_as, console, get_ctx, print_json
from onstrategy.errors import InvalidInput
from onstrategy.web.users import list_users, set_password

app = typer.Typer(no_args_is_help=True, help="People who sign in to the web dashboard.")


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="print the users as JSON"),
) -> None:
    """Every user with role, team and whether they can sign in (never the hash)."""
    users = list_users(store=get_ctx(ctx).store)
    if as_json:
        print_json([u.as_dict() for u in users])
        return
    table = Table(
        "id", "name", "email", "role", "team", "active", "can sign in", title=f"{len(users)} users"
    )
    for u in users:
        table.add_row(
            u.id,
            u.name,
            u.email or "",
            u.role,
            u.team_id or "",
            "yes" if u.active else "no",
            "yes" if u.has_password else "no",
        )
    console.print(table)


@app.command("set-password")
def set_password_(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="the user's email (or id)"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the password from standard input"
    ),
    actor: str | None = typer.Option(
        None, "--as", help="your user id or email, for the audit log (default: your login)"
    ),
) -> None:
    """Set a user's password (asked twice; stored as an argon2 hash)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise InvalidInput("no password given", "type it, or pipe it with --password-stdin")
    user = set_password(
        store=get_ctx(ctx).store,
        who=email,
        password=password,
        actor=acting_as(get_ctx(ctx).store, actor),
    )
    console.print(
        f"password set for {user.name} ({user.email}, {user.role}); they can sign in at /login",
        highlight=False,
    )
