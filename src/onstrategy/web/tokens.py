"""API tokens: how a script or another system calls the JSON API (``/api``) as a user.

A token is ``ost_`` and 32 random bytes (URL-safe base64), shown once when it is created.
Table ``api_token`` keeps only its SHA-256 and a short prefix that tells tokens apart in
lists. SHA-256, not argon2 as for passwords: a slow hash protects a short, guessable
password from guesses tried against a stolen hash, but a token carries 256 random bits, so
no guess can ever hit, slow hash or fast. A fast hash lets each API request find its token
by one indexed lookup, where a salted slow hash would mean verifying against every stored
token on every request (GitHub and Stripe keep their tokens the same way).

A token acts as its user, with exactly that user's role and scope (a rep's token sees the
rep's book). It stops working when it is revoked, on its ``expires_on`` day, and the moment
its user is deactivated. The CLI (``onstrategy users token``) and the web's bearer sign-in
call these functions; nothing else reads or writes ``api_token``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.actors import Actor, resolve_actor
from onstrategy.errors import Conflict, Forbidden, InvalidInput, NotFound, OnstrategyError
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.web.users import UserRow, find_user

PREFIX = "ost_"
SECRET_BYTES = 32
SHOWN = len(PREFIX) + 8  # characters of a token kept to tell it apart in lists
DEFAULT_DAYS = 90
MAX_DAYS = 3660
MAX_NAME = 100
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per token


@dataclass(frozen=True)
class ApiToken:
    id: int
    user_id: str
    user_email: str | None
    name: str
    prefix: str
    created_at: datetime
    expires_on: date | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def status(self, today: date) -> str:
        """active, expired (on or after ``expires_on``) or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_on is not None and today >= self.expires_on:
            return "expired"
        return "active"

    def as_dict(self, *, today: date) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "user_email": self.user_email,
            "name": self.name,
            "prefix": self.prefix,
            "created_at": self.created_at,
            "expires_on": self.expires_on,
            "last_used_at": self.last_used_at,
            "revoked_at": self.revoked_at,
            "status": self.status(today),
        }


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    user: Actor
    secret: str  # the only time it exists outside the caller's hands: show it, never store it


class TokenRejected(OnstrategyError):
    """An ``Authorization: Bearer`` token that does not sign anyone in (HTTP 401)."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message, hint, [], code=code, status=401)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _utc(moment: datetime | None) -> datetime | None:
    """As stored: SQLite returns the UTC wall clock without its zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _token(row: Any) -> ApiToken:
    return ApiToken(
        id=row["id"],
        user_id=row["user_id"],
        user_email=row["user_email"],
        name=row["name"],
        prefix=row["prefix"],
        created_at=_utc(row["created_at"]) or datetime.min.replace(tzinfo=UTC),
        expires_on=row["expires_on"],
        last_used_at=_utc(row["last_used_at"]),
        revoked_at=_utc(row["revoked_at"]),
    )


# ------------------------------------------------------------------ create, list, revoke


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_NAME:
        raise InvalidInput(
            f"a token needs a name of 1 to {MAX_NAME} characters",
            'name what will use it, e.g. --name "zapier form handler"',
        )
    return cleaned


def _expiry(now: datetime, days: int | None) -> date | None:
    if days is None:
        return None
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(
            f"--expires-in-days must be 1 to {MAX_DAYS}, got {days}",
            "or --no-expiry for a token that works until it is revoked",
        )
    return (now.astimezone(UTC) + timedelta(days=days)).date()


def _may_manage(actor: Actor, user_id: str, doing: str) -> None:
    """A user manages their own tokens; an admin everybody's."""
    if actor.id != user_id and actor.role != "admin":
        raise Forbidden(
            f"{actor.name} ({actor.role}) may not {doing} for another user",
            "only admins may; a user manages their own tokens",
        )


def _working_names(conn: Connection, user_id: str, today: date) -> set[str]:
    t = tables.api_token
    rows = conn.execute(
        sa.select(t.c.name).where(
            t.c.user_id == user_id,
            t.c.revoked_at.is_(None),
            sa.or_(t.c.expires_on.is_(None), t.c.expires_on > today),
        )
    )
    return {name.lower() for name in rows.scalars()}


def create_token(
    *,
    store: Store,
    user: str,
    name: str,
    actor: str,
    now: datetime,
    expires_in_days: int | None = DEFAULT_DAYS,
) -> CreatedToken:
    """A new token for ``user`` (id or email), made by ``actor``: themselves, or an admin.

    Names are unique among a user's working tokens, so a list tells which one to revoke.
    """
    label, expires_on = _clean_name(name), _expiry(now, expires_in_days)
    secret = PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    with store.begin() as conn:
        owner, maker = _owner_and_maker(conn, user, actor)
        if label.lower() in _working_names(conn, owner.id, now.astimezone(UTC).date()):
            raise Conflict(
                f"{owner.name} already has a working token named {label!r}",
                "pick another name, or revoke that one first (`onstrategy users token list`)",
            )
        row = _insert(conn, owner, label, secret, now, expires_on)
        store.audit(
            conn,
            actor=maker.email or maker.id,
            action="api_token.create",
            entity="api_token",
            entity_id=str(row.id),
            details={
                "user_id": owner.id,
                "name": label,
                "prefix": row.prefix,
                "expires_on": expires_on.isoformat() if expires_on else None,
            },
        )
    return CreatedToken(token=row, user=owner, secret=secret)


def _insert(
    conn: Connection, owner: Actor, label: str, secret: str, now: datetime, expires: date | None
) -> ApiToken:
    t = tables.api_token
    token_id = conn.execute(
        t.insert()
        .values(
            user_id=owner.id,
            name=label,
            prefix=secret[:SHOWN],
            token_hash=hash_token(secret),
            created_at=now.astimezone(UTC),
            expires_on=expires,
        )
        .returning(t.c.id)
    ).scalar_one()
    return _select(conn, t.c.id == token_id)[0]


def _owner_and_maker(conn: Connection, user: str, actor: str) -> tuple[Actor, Actor]:
    maker = resolve_actor(conn, actor)
    owner = resolve_actor(conn, user, acting=False)
    _may_manage(maker, owner.id, "create API tokens")
    active = conn.execute(sa.select(tables.user.c.active).where(tables.user.c.id == owner.id))
    if not active.scalar():
        raise InvalidInput(
            f"{owner.name} is deactivated: a token for them would not work",
            "reactivate the user in the users import first",
        )
    return owner, maker


def _select(conn: Connection, *where: Any) -> list[ApiToken]:
    t, u = tables.api_token, tables.user
    query = (
        sa.select(t, u.c.email.label("user_email"))
        .select_from(t.outerjoin(u, u.c.id == t.c.user_id))
        .where(*where)
        .order_by(t.c.user_id, t.c.id)
    )
    return [_token(r) for r in conn.execute(query).mappings()]


def list_tokens(
    *, store: Store, user: str | None = None, actor: str | None = None
) -> list[ApiToken]:
    """Tokens (never their secrets), of ``user`` or everybody's; an ``actor`` who is not an
    admin sees only their own."""
    with store.begin() as conn:
        owner = resolve_actor(conn, user, acting=False) if user else None
        viewer = resolve_actor(conn, actor) if actor else None
        if viewer is not None and viewer.role != "admin":
            _may_manage(viewer, owner.id if owner else viewer.id, "list API tokens")
            owner = owner or viewer
        where = [tables.api_token.c.user_id == owner.id] if owner else []
        return _select(conn, *where)


def revoke_token(*, store: Store, token_id: int, actor: str, now: datetime) -> ApiToken:
    """Stop a token at once (its owner or an admin; audit-logged). Revoking a revoked token
    changes nothing."""
    t = tables.api_token
    with store.begin() as conn:
        found = _select(conn, t.c.id == token_id)
        if not found:
            raise NotFound(f"no API token {token_id}", "see `onstrategy users token list`")
        maker = resolve_actor(conn, actor)
        _may_manage(maker, found[0].user_id, "revoke API tokens")
        if found[0].revoked_at is not None:
            return found[0]
        conn.execute(t.update().where(t.c.id == token_id).values(revoked_at=now.astimezone(UTC)))
        store.audit(
            conn,
            actor=maker.email or maker.id,
            action="api_token.revoke",
            entity="api_token",
            entity_id=str(token_id),
            details={"user_id": found[0].user_id, "name": found[0].name},
        )
        return _select(conn, t.c.id == token_id)[0]


# ------------------------------------------------------------------ sign in with a token


def _unknown() -> TokenRejected:
    """Said of any token that is not ours, whoever it might have belonged to."""
    return TokenRejected(
        "token_unknown",
        "the API token is not valid",
        "check that the whole token was copied, starting with ost_; "
        "create one with `onstrategy users token create`",
    )


def authenticate_token(*, store: Store, secret: str, now: datetime) -> UserRow:
    """The user a bearer token signs in, or :class:`TokenRejected` saying why not: unknown,
    revoked, expired, or its user deactivated. Marks the token used (at most once a minute)."""
    if not secret.startswith(PREFIX):
        raise _unknown()
    t = tables.api_token
    with store.begin() as conn:
        found = _select(conn, t.c.token_hash == hash_token(secret))
        if not found:
            raise _unknown()
        token = found[0]
        _refuse(token, now)
        _touch(conn, token, now)
    try:
        user = find_user(store=store, who=token.user_id)
    except NotFound:
        raise _unknown() from None
    if not user.active:
        raise TokenRejected(
            "token_user_inactive",
            "the API token's user is deactivated",
            "an admin can reactivate the user, or create a token for someone active",
        )
    return user


def _refuse(token: ApiToken, now: datetime) -> None:
    status = token.status(now.astimezone(UTC).date())
    if status == "revoked":
        raise TokenRejected(
            "token_revoked",
            f"the API token {token.prefix}… was revoked",
            "create a new one with `onstrategy users token create`",
        )
    if status == "expired":
        raise TokenRejected(
            "token_expired",
            f"the API token {token.prefix}… expired on {token.expires_on}",
            "create a new one with `onstrategy users token create`",
        )


def _touch(conn: Connection, token: ApiToken, now: datetime) -> None:
    """Record the use, unless it was recorded less than a minute ago (no write per request)."""
    moment = now.astimezone(UTC)
    if token.last_used_at is not None and moment - token.last_used_at < TOUCH_EVERY:
        return
    t = tables.api_token
    recent = t.c.last_used_at >= moment - TOUCH_EVERY
    stale = sa.or_(t.c.last_used_at.is_(None), sa.not_(recent))
    conn.execute(t.update().where(t.c.id == token.id, stale).values(last_used_at=moment))
