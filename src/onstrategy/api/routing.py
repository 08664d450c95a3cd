"""Routing from a lead's page: its read model says whether "Route now" applies, and the
action routes it with the function ``onstrategy route LEAD_ID`` calls.

Who may see and route a lead nobody owns is the core's rule, the CLI's too
(:mod:`onstrategy.engines.lead_team`): a manager when it is their teams' lead — its stored
decision, or today's rules, hand it to one of their reps or to a territory their reps cover;
``engines.routing.authorize_router`` says whether the viewer may route it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from onstrategy.api import books, views
from onstrategy.api.params import Period
from onstrategy.api.views import page_frame
from onstrategy.engines.routing import (
    authorize_router,
    decisions_for,
    may_act_on_lead,
    route_lead,
)
from onstrategy.errors import Conflict, Forbidden
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
    data["routing_action"] = _routing_action(state, viewer, period, data)
    return data


def _team_lead(state: WebState, viewer: Viewer, period: Period, record: Row) -> Row:
    strategy, lead_id = state.strategy(), record["id"]
    if not may_act_on_lead(
        store=state.store, who=viewer.id, lead_id=lead_id, strategy=strategy, as_of=period.today
    ):
        viewer.require_rep(None, f"lead {lead_id}")
    stored = [d.as_dict() for d in decisions_for(store=state.store, lead_id=lead_id)]
    today = None if stored else views.routing_today(state, period, lead_id)
    return {
        **page_frame(state, viewer, period),
        "lead": {**record, "owner_name": None},
        "routing": stored,
        "routing_today": today,
    }


def _routing_action(state: WebState, viewer: Viewer, period: Period, data: Row) -> Row:
    """Whether "Route now" applies, and why not (for those who may route this lead)."""
    record, today = data["lead"], data.get("routing_today") or {}
    try:
        authorize_router(store=state.store, who=viewer.id, lead_id=record["id"],
                         strategy=state.strategy(), as_of=period.today)  # fmt: skip
    except Forbidden:
        return {"can_route": False, "why_not": None}
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
    actor = authorize_router(store=state.store, who=viewer.id, lead_id=lead_id,
                             strategy=state.strategy(), as_of=period.today)  # fmt: skip
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
