"""`onstrategy users`: who may sign in to the web dashboard, and API tokens for scripts.

onstrategy users list [--json]
onstrategy users set-password EMAIL [--password-stdin]
onstrategy users token create --user EMAIL --name NAME --as EMAIL [--expires-in-days N]
onstrategy users token list [--user EMAIL] [--as EMAIL] [--json]
onstrategy users token revoke ID --as EMAIL
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import typer
from rich.table import Table

from onstrategy.cli.common import acting_as, console, get_ctx, print_json
from onstrategy.errors import InvalidInput
from onstrategy.web import tokens
from onstrategy.web.users import list_users, set_password

app = typer.Typer(no_args_is_help=True, help="People who sign in to the web dashboard.")
token_app = typer.Typer(
    no_args_is_help=True,
    help="API tokens: scripts and other systems call /api as a user, with their scope.",
)
app.add_typer(token_app, name="token")


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


# ------------------------------------------------------------------ API tokens


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    user: str = typer.Option(..., "--user", help="whose token: their email or id"),
    name: str = typer.Option(..., "--name", help='what will use it, e.g. "zapier"'),
    actor: str = typer.Option(
        ..., "--as", help="your user id or email (the user themselves, or an admin)"
    ),
    days: int = typer.Option(
        tokens.DEFAULT_DAYS, "--expires-in-days", help="it stops working after this many days"
    ),
    no_expiry: bool = typer.Option(
        False, "--no-expiry", help="it works until revoked (prefer an expiry)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the token and its secret as JSON"),
) -> None:
    """Create an API token and print it once (only its hash is kept)."""
    made = tokens.create_token(
        store=get_ctx(ctx).store,
        user=user,
        name=name,
        actor=actor,
        now=datetime.now(UTC),
        expires_in_days=None if no_expiry else days,
    )
    today = datetime.now(UTC).date()
    if as_json:
        print_json({**made.token.as_dict(today=today), "token": made.secret})
        return
    expiry = f"expires on {made.token.expires_on}" if made.token.expires_on else "never expires"
    console.print(
        f"API token {made.token.id} [bold]{made.token.name}[/] for {made.user.name} "
        f"({made.user.email or made.user.id}, {made.user.role}); {expiry}:",
        highlight=False,
    )
    console.print(made.secret, markup=False, highlight=False, soft_wrap=True)
    console.print(
        "Copy it now: it is not shown again. Send it as 'Authorization: Bearer <token>' to "
        "/api; it sees what this user sees.",
        highlight=False,
    )


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    user: str | None = typer.Option(None, "--user", help="only this user's tokens"),
    actor: str | None = typer.Option(
        None, "--as", help="show only what this user may see (their own, or all for an admin)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the tokens as JSON"),
) -> None:
    """API tokens with their status and last use (never their secrets)."""
    found = tokens.list_tokens(store=get_ctx(ctx).store, user=user, actor=actor)
    today = datetime.now(UTC).date()
    if as_json:
        print_json([t.as_dict(today=today) for t in found])
        return
    table = Table(
        "id", "user", "name", "token", "created", "expires", "last used (UTC)", "status",
        title=f"{len(found)} API tokens",
    )  # fmt: skip
    for t in found:
        table.add_row(
            str(t.id),
            t.user_email or t.user_id,
            t.name,
            t.prefix + "…",
            t.created_at.date().isoformat(),
            t.expires_on.isoformat() if t.expires_on else "never",
            t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never",
            t.status(today),
        )
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: int = typer.Argument(..., help="the token's id (see `users token list`)"),
    actor: str = typer.Option(
        ..., "--as", help="your user id or email (the token's user, or an admin)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the token as JSON"),
) -> None:
    """Stop an API token at once (audit-logged)."""
    now = datetime.now(UTC)
    done = tokens.revoke_token(store=get_ctx(ctx).store, token_id=token_id, actor=actor, now=now)
    if as_json:
        print_json(done.as_dict(today=now.date()))
        return
    when = done.revoked_at.strftime("%Y-%m-%d %H:%M UTC") if done.revoked_at else ""
    verb = "revoked" if done.revoked_at == now else "was already revoked on"
    console.print(
        f"API token {done.id} ({done.name}, {done.prefix}…) of {done.user_email or done.user_id} "
        f"{verb} {when}",
        highlight=False,
    )
