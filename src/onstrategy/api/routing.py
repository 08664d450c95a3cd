"""Routing from a lead's page: its read model says whether "Route now" applies, and the
action routes it with the function ``onstrategy route LEAD_ID`` calls.

Who may route is the core's rule (``engines.routing.authorize_router``: managers, executives
and admins); the web narrows it to what the viewer may see. A lead nobody owns is in no
rep's book: a manager sees it (and routes it) when it is their team's lead — today's rules,
or its stored decision, hand it to one of their reps or to a territory their reps cover.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from onstrategy.api import books, views
from onstrategy.api.params import Period
from onstrategy.api.views import page_frame
from onstrategy.engines.routing import authorize_router, decisions_for, route_lead
from onstrategy.errors import Conflict, Forbidden, NotFound, OnstrategyError
from onstrategy.web.scope import Viewer
from onstrategy.web.state import WebState

Row = dict[str, Any]


def lead(state: WebState, viewer: Viewer, period: Period, lead_id: str) -> Row:
    """The lead page's read model (:func:`views.lead`) and whether the viewer may route it.

    A lead nobody owns is no rep's book; a manager sees it when it is their team's lead:
    today's routing (or its stored decision) hands it to one of their reps or territories.
    """
    record = books.one(state.store, "lead", lead_id, "lead")
    if record["owner_id"] is None and not viewer.sees_all:
        data = _team_lead(state, viewer, period, record)
    else:
        data = views.lead(state, viewer, period, lead_id)
    data["routing_action"] = _routing_action(state, viewer, data)
    return data


def _team_lead(state: WebState, viewer: Viewer, period: Period, record: Row) -> Row:
    stored = [d.as_dict() for d in decisions_for(store=state.store, lead_id=record["id"])]
    today = None if stored else dry_run(state, period, record["id"])
    decision = stored[0] if stored else (today or {}).get("decision")
    if viewer.role != "manager" or not _team_reps(state, decision) & (viewer.rep_ids or set()):
        viewer.require_rep(None, f"lead {record['id']}")
    return {
        **page_frame(state, viewer, period),
        "lead": {**record, "owner_name": None},
        "routing": stored,
        "routing_today": today,
    }


def dry_run(state: WebState, period: Period, lead_id: str) -> Row:
    """How the routing rules would decide today (nothing is stored), or why they would not."""
    try:
        decision = route_lead(
            store=state.store,
            strategy=state.strategy(),
            lead_id=lead_id,
            as_of=period.today,
            now=datetime.now(UTC),
            dry_run=True,
        )
    except OnstrategyError as err:
        return {"decision": None, "why_not": err.message}
    return {"decision": decision.as_dict(), "why_not": None}


def _team_reps(state: WebState, decision: Row | None) -> set[str]:
    """The reps a routing decision concerns: the rep it picks, and its territory's reps."""
    if not decision:
        return set()
    reps = {decision["assigned_to"]} if decision["outcome"] == "rep" else set()
    users, _ = books.people(store=state.store)
    by_key = {u["id"].lower(): u["id"] for u in users.values()}
    by_key |= {u["email"].lower(): u["id"] for u in users.values() if u["email"]}
    try:
        version = state.strategy().version(decision["strategy_version"])
    except NotFound:  # the version is no longer in the strategy file
        return reps
    for territory in version.territories:
        if territory.id == decision["territory_id"]:
            reps |= {by_key.get(c.rep.lower(), c.rep) for c in territory.reps}
    return reps


def _routing_action(state: WebState, viewer: Viewer, data: Row) -> Row:
    """Whether "Route now" applies, and why not (for those who may route)."""
    try:
        authorize_router(store=state.store, who=viewer.id)
    except Forbidden:
        return {"can_route": False, "why_not": None}
    record, today = data["lead"], data.get("routing_today") or {}
    why_not = (
        "it has a stored routing decision" if data["routing"]
        else f"it already belongs to {record['owner_name'] or record['owner_id']}"
        if record["owner_id"]
        else "it is quarantined by the intake gate: release it first"
        if record["gate_status"] == "quarantined"
        else today.get("why_not")
    )  # fmt: skip
    return {"can_route": why_not is None, "why_not": why_not}


def route_now(state: WebState, viewer: Viewer, period: Period, lead_id: str) -> Row:
    """Route the lead as ``onstrategy route LEAD_ID --as VIEWER`` does, and store why."""
    actor = authorize_router(store=state.store, who=viewer.id)
    action = lead(state, viewer, period, lead_id)["routing_action"]
    if not action["can_route"]:
        raise Conflict(
            f"lead {lead_id} is not routed from its page: {action['why_not']}",
            "the page shows the stored decision, or why the rules would not route it",
        )
    decision = route_lead(
        store=state.store,
        strategy=state.strategy(),
        lead_id=lead_id,
        as_of=period.today,
        now=datetime.now(UTC),
        actor=actor,
    )
    return decision.as_dict()
