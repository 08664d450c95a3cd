"""People who sign in: argon2 password hashes in ``user_account.password_hash``.

The CLI (``onstrategy users``) and the login form call these functions; nothing else
reads or writes a password hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from onstrategy.errors import InvalidInput, NotFound
from onstrategy.store import tables
from onstrategy.store.connect import Store

MIN_PASSWORD = 10
_HASHER = PasswordHasher()  # argon2id with the library's recommended (RFC 9106) costs
_DUMMY: dict[int, str] = {}


def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a wrong email costs the same time as
    a wrong password (a failed login never reveals whether the email exists)."""
    key = id(_HASHER)
    if key not in _DUMMY:
        _DUMMY[key] = _HASHER.hash("onstrategy-timing-equaliser")
    return _DUMMY[key]


@dataclass(frozen=True)
class UserRow:
    id: str
    name: str
    email: str | None
    role: str
    team_id: str | None
    active: bool
    has_password: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "role": self.role,
            "team_id": self.team_id,
            "active": self.active,
            "has_password": self.has_password,
        }


def _row(mapping: Any) -> UserRow:
    return UserRow(
        id=mapping["id"],
        name=mapping["name"],
        email=mapping["email"],
        role=mapping["role"],
        team_id=mapping["team_id"],
        active=bool(mapping["active"]),
        has_password=bool(mapping["password_hash"]),
    )


def list_users(*, store: Store) -> list[UserRow]:
    u = tables.user
    with store.begin() as conn:
        rows = conn.execute(sa.select(u).order_by(u.c.role, u.c.name)).mappings().all()
    return [_row(r) for r in rows]


def find_user(*, store: Store, who: str) -> UserRow:
    """A user by id or email (case-insensitive)."""
    u = tables.user
    query = sa.select(u).where(sa.or_(u.c.id == who, sa.func.lower(u.c.email) == who.lower()))
    with store.begin() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no user {who!r}", "see `onstrategy users list`")
    return _row(row)


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"a password needs at least {MIN_PASSWORD} characters")
    if password.strip() != password:
        problems.append("a password cannot start or end with a space")
    return problems


def set_password(*, store: Store, who: str, password: str, actor: str) -> UserRow:
    """Hash and store ``who``'s password (audit-logged, the hash never is)."""
    problems = password_problems(password)
    if problems:
        raise InvalidInput("; ".join(problems), "choose a longer password")
    user = find_user(store=store, who=who)
    with store.begin() as conn:
        conn.execute(
            tables.user.update()
            .where(tables.user.c.id == user.id)
            .values(password_hash=_HASHER.hash(password))
        )
        store.audit(
            conn,
            actor=actor,
            action="user.set_password",
            entity="user_account",
            entity_id=user.id,
            details={"email": user.email},
        )
    return find_user(store=store, who=user.id)


def authenticate(*, store: Store, email: str, password: str) -> UserRow | None:
    """The active user with this email and password, else None (whatever was wrong)."""
    u = tables.user
    query = sa.select(u).where(sa.func.lower(u.c.email) == email.strip().lower())
    with store.begin() as conn:
        row = conn.execute(query).mappings().first()
    stored = row["password_hash"] if row is not None else None
    if not _verify(stored or _dummy_hash(), password) or row is None or not stored:
        return None
    return _row(row) if row["active"] else None


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
