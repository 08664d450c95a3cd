"""Who is acting: a user of ``user_account`` with their role and team, and what they may see.

Lead matching, routing, the exception workflow and the web all ask the same questions
before a person changes anything: who is this (by id or email; an inactive user may be
looked up but may not act), who manages their team, and which reps' data may they see
(a rep their own, a manager their teams', an executive or admin everybody's).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.errors import Forbidden, NotFound
from onstrategy.store import tables


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    email: str | None
    role: str
    team_id: str | None


def resolve_actor(conn: Connection, who: str, *, acting: bool = True) -> Actor:
    """A user by id or email; inactive users may not act (but may be looked up)."""
    u = tables.user
    key = (who or "").strip()
    row = (
        conn.execute(
            sa.select(u).where(sa.or_(u.c.id == key, sa.func.lower(u.c.email) == key.lower()))
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no user {key!r}", "use a user id or email from the users import")
    if acting and not row["active"]:
        raise Forbidden(f"{row['name']} is not an active user", "ask an admin")
    return Actor(row["id"], row["name"], row["email"], row["role"], row["team_id"])


def team_manager(conn: Connection, rep_id: str) -> str | None:
    u, t = tables.user, tables.team
    return conn.execute(
        sa.select(t.c.manager_id)
        .select_from(u.join(t, u.c.team_id == t.c.id))
        .where(u.c.id == rep_id)
    ).scalar()


def managed_teams(conn: Connection, actor: Actor) -> set[str]:
    """The teams a manager manages: those that name them as manager, and their own team.
    The one rule for what a manager sees (CLI, web) and whose requests they decide."""
    if actor.role != "manager":
        return set()
    team = tables.team
    teams = set(conn.execute(sa.select(team.c.id).where(team.c.manager_id == actor.id)).scalars())
    if actor.team_id:
        teams.add(actor.team_id)
    return teams


def manages(conn: Connection, actor: Actor, rep_id: str | None) -> bool:
    """Whether ``actor`` is a manager of ``rep_id``'s team."""
    if rep_id is None or actor.role != "manager":
        return False
    rep_team = conn.execute(sa.select(tables.user.c.team_id).where(tables.user.c.id == rep_id))
    return rep_team.scalar() in managed_teams(conn, actor)


def visible_reps(conn: Connection, actor: Actor | None) -> set[str] | None:
    """Rep ids ``actor`` may see (None: all): their own book, and a manager their teams'."""
    if actor is None or actor.role in ("executive", "admin"):
        return None
    teams = managed_teams(conn, actor)
    members = conn.execute(sa.select(tables.user.c.id).where(tables.user.c.team_id.in_(teams)))
    return {actor.id, *members.scalars()}
