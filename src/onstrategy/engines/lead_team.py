"""Whose lead it is, and who may act on it: one rule for routing, the match review queue and
the web.

Admins and executives act on every lead. A manager acts on the leads of their teams' reps
(:func:`onstrategy.crm.actors.visible_reps`: the teams that name them as manager, and their
own): a lead belongs to

1. its owner, when it has one;
2. nobody owns it: the rep its newest stored routing decision handed it to and the reps of
   that decision's territory (a lead waiting in a queue after a territory had no free rep);
3. never routed: those today's routing rules would hand it to — the matched account's
   active owner, else the reps of the territory that covers it (the routing steps without a
   round-robin turn, so nothing is stored or locked). An off-profile lead bound for the
   nurture queue belongs to no team until an exception or a release; without a strategy
   the rules cannot say, and only admins and executives act on it.

A rep acts only on the leads they own (not on those routing would send them). Named-list
entries are not leads: a named list is company-wide and not confidential, so every reviewer
(admin, manager, executive) decides its entries in the review queue, and the audit log
keeps who chose what.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.actors import Actor, resolve_actor, visible_reps
from onstrategy.engines.round_robin import rep_statuses
from onstrategy.engines.routing_steps import Outcome, decide, lead_row
from onstrategy.errors import Forbidden, NotFound, OnstrategyError
from onstrategy.store import tables as t
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy, Version

SEES_ALL = ("executive", "admin")
_D = t.routing_decision
_NEWEST = (
    sa.select(_D.c.id, _D.c.outcome, _D.c.assigned_to, _D.c.territory_id, _D.c.strategy_version)
    .where(_D.c.lead_id == sa.bindparam("id"))
    .order_by(_D.c.decided_at.desc(), _D.c.id.desc())
    .limit(1)
)


@dataclass(frozen=True)
class LeadTeam:
    """The reps a lead belongs to (their teams' managers act on it), and how that is known."""

    reps: frozenset[str]
    how: str


def lead_team(
    conn: Connection, *, lead_id: str, strategy: Strategy | None, as_of: date
) -> LeadTeam:
    """Whose lead it is: its owner; nobody's, the rep and territory reps its newest stored
    routing decision hands it to; never routed, those today's rules would (nothing stored)."""
    lead = lead_row(conn, lead_id)
    if lead["owner_id"]:
        return LeadTeam(frozenset({lead["owner_id"]}), f"it belongs to {lead['owner_id']}")
    stored = conn.execute(_NEWEST, {"id": lead_id}).first()
    if stored is None:
        return _team_today(conn, lead, strategy, as_of)
    version = None
    with suppress(NotFound):  # the decision's version may be gone from the strategy file
        version = strategy.version(stored.strategy_version) if strategy else None
    rep = stored.assigned_to if stored.outcome == "rep" else None
    reps = _reps_of(conn, version, rep, stored.territory_id, as_of)
    return LeadTeam(reps, f"routing decision #{stored.id} sent it to {stored.assigned_to}")


def _team_today(
    conn: Connection, lead: dict[str, Any], strategy: Strategy | None, as_of: date
) -> LeadTeam:
    if strategy is None:
        return LeadTeam(frozenset(), "nobody owns it, and with no strategy given today's "
                        "routing rules cannot say whose it is")  # fmt: skip
    try:
        version = strategy.version_on(as_of)
    except OnstrategyError as err:
        return LeadTeam(frozenset(), f"nobody owns it, and {err.message}")
    to = decide(conn, lead=lead, version=version, as_of=as_of, steps=[], pick=False)
    rep = to.assigned_to if to.outcome == "rep" else None
    reps = _reps_of(conn, version, rep, to.territory_id, as_of)
    return LeadTeam(reps, f"nobody owns it; today's routing rules send it to {_where(to)}")


def _where(to: Outcome) -> str:
    if to.outcome == "rep":
        return f"{to.assigned_name or to.assigned_to}, its account's owner"
    if to.outcome == "territory":
        return f"territory {to.territory_id}"
    return f"the {to.assigned_to} queue"


def _reps_of(
    conn: Connection, version: Version | None, rep: str | None, territory_id: str | None,
    as_of: date,
) -> frozenset[str]:  # fmt: skip
    """The rep a decision names and the reps (user ids) of its territory."""
    reps = {rep} if rep else set()
    territory = next((x for x in version.territories if x.id == territory_id), None) \
        if version and territory_id else None  # fmt: skip
    if territory is not None:
        statuses = rep_statuses(conn, [c.rep for c in territory.reps], as_of)
        reps |= {s.id for s in statuses.values() if s.exists}
    return frozenset(reps)


def acts_on_lead(
    conn: Connection, *, actor: Actor, lead_id: str, strategy: Strategy | None, as_of: date
) -> bool:
    """Whether ``actor`` acts on the lead (see the module docstring)."""
    return _access(conn, actor, lead_id, strategy, as_of)[0]


def may_act_on_lead(
    *, store: Store, who: str, lead_id: str, strategy: Strategy | None, as_of: date
) -> bool:
    """:func:`acts_on_lead` for the user ``who`` (id or email), in a transaction of its own."""
    with store.begin() as conn:
        actor = resolve_actor(conn, who)
        return acts_on_lead(conn, actor=actor, lead_id=lead_id, strategy=strategy, as_of=as_of)


def require_lead_access(
    conn: Connection, *, actor: Actor, lead_id: str, strategy: Strategy | None, as_of: date,
    doing: str,
) -> None:  # fmt: skip
    """Raise :class:`Forbidden` unless ``actor`` may act on the lead, saying whose it is."""
    allowed, team = _access(conn, actor, lead_id, strategy, as_of)
    if not allowed:
        raise Forbidden(
            f"{actor.name} ({actor.role}) may not {doing} lead {lead_id}: it is not a lead of "
            f"their teams ({team.how if team else 'no team'})",
            "a manager acts on their teams' leads (owned by their reps, or that routing hands "
            "to them); ask the lead's team manager or an admin",
        )


def _access(
    conn: Connection, actor: Actor, lead_id: str, strategy: Strategy | None, as_of: date
) -> tuple[bool, LeadTeam | None]:
    if actor.role in SEES_ALL:
        lead_row(conn, lead_id)  # NotFound for a lead that is not there
        return True, None
    if actor.role != "manager":  # a rep: the leads they own, not those coming their way
        owner = lead_row(conn, lead_id)["owner_id"]
        return owner == actor.id, LeadTeam(frozenset({owner} - {None}), f"owned by {owner}")
    team = lead_team(conn, lead_id=lead_id, strategy=strategy, as_of=as_of)
    return bool(team.reps & (visible_reps(conn, actor) or set())), team
