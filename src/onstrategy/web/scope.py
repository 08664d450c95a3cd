"""Who is looking, and what they may see: the one place roles become data scopes.

- a rep sees their own book (their reps row, deals, accounts, leads);
- a manager sees their team(s): teams they manage (``team.manager_id``) and, for a user
  with role manager, their own ``team_id``; plus their own book;
- an executive or admin sees everything (``rep_ids is None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from onstrategy.crm.actors import Actor, managed_teams, visible_reps
from onstrategy.errors import Forbidden
from onstrategy.store.connect import Store
from onstrategy.web.users import UserRow

GLOBAL_ROLES = ("executive", "admin")


@dataclass(frozen=True)
class Viewer:
    id: str
    name: str
    email: str | None
    role: str
    team_id: str | None
    team_ids: frozenset[str] | None  # None: every team
    rep_ids: frozenset[str] | None  # None: every rep

    @property
    def sees_all(self) -> bool:
        return self.rep_ids is None

    def may_see_rep(self, rep_id: str | None) -> bool:
        return self.rep_ids is None or (rep_id is not None and rep_id in self.rep_ids)

    def may_see_team(self, team_id: str | None) -> bool:
        return self.team_ids is None or (team_id is not None and team_id in self.team_ids)

    def require_rep(self, rep_id: str | None, what: str) -> None:
        if not self.may_see_rep(rep_id):
            raise Forbidden(f"{what} is outside your book", self.scope_hint())

    def require_team(self, team_id: str | None) -> None:
        if not self.may_see_team(team_id):
            raise Forbidden(f"team {team_id!r} is not yours", self.scope_hint())

    def require_role(self, roles: tuple[str, ...], doing: str) -> None:
        if self.role not in roles:
            raise Forbidden(f"a {self.role} may not {doing}", f"only {', '.join(roles)} may")

    def scope_hint(self) -> str:
        if self.role == "rep":
            return "a rep sees their own deals, accounts and leads"
        return "a manager sees their own team; ask an admin for wider access"

    def describe(self) -> str:
        if self.rep_ids is None:
            return "everything"
        if self.role == "rep":
            return "your own book"
        return "team " + ", ".join(sorted(self.team_ids or ())) if self.team_ids else "your book"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "role": self.role,
            "team_id": self.team_id,
            "scope": {
                "description": self.describe(),
                "teams": None if self.team_ids is None else sorted(self.team_ids),
                "reps": None if self.rep_ids is None else sorted(self.rep_ids),
            },
        }


def viewer_for(*, store: Store, user: UserRow) -> Viewer:
    """The user's scope, computed from the team and user tables now (not cached)."""
    if user.role in GLOBAL_ROLES:
        return Viewer(user.id, user.name, user.email, user.role, user.team_id, None, None)
    if user.role != "manager":
        return Viewer(
            user.id,
            user.name,
            user.email,
            user.role,
            user.team_id,
            frozenset(),
            frozenset({user.id}),
        )
    actor = Actor(user.id, user.name, user.email, user.role, user.team_id)
    with store.begin() as conn:
        managed = managed_teams(conn, actor)
        reps = visible_reps(conn, actor) or {user.id}
    return Viewer(
        user.id, user.name, user.email, user.role, user.team_id, frozenset(managed), frozenset(reps)
    )
