"""The queues people act on: the intake gate and off-profile exceptions.

Reading is scoped to the viewer; acting calls the engines with the viewer as the actor,
and the engines check the role (admin releases, the rep's manager decides) and write the
audit log — the web adds no rule of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from onstrategy.api import books
from onstrategy.api.params import Period
from onstrategy.api.views import page_frame
from onstrategy.engines.exceptions import (
    decide_exception,
    list_exceptions,
    request_exception,
    unexcused_off_profile,
)
from onstrategy.engines.gate import list_gated, release
from onstrategy.reports.exceptions import exceptions_report
from onstrategy.reports.gate import gate_report
from onstrategy.web.scope import Viewer
from onstrategy.web.state import WebState

GATE_LIMIT = 200
EXCEPTION_STATUSES = ("pending", "approved", "rejected", "expired")


def gate(
    state: WebState,
    viewer: Viewer,
    period: Period,
    *,
    kind: str,
    status: str,
    search: str | None,
    source: str | None,
) -> dict[str, Any]:
    strategy = state.strategy()
    rows = list_gated(
        store=state.store,
        kind=kind,
        status=status,
        source=source,
        search=search,
        limit=None if not viewer.sees_all else GATE_LIMIT,
    )
    users, _ = books.people(store=state.store)
    rows = [_gated_row(r, users) for r in rows if viewer.may_see_rep(r.get("owner_id"))]
    rows = rows[:GATE_LIMIT]
    summary = None
    if viewer.sees_all:
        summary = state.cached(
            ("gate", period.date_from, period.date_to, period.version),
            lambda: gate_report(
                store=state.store,
                strategy=strategy,
                date_from=period.date_from,
                date_to=period.date_to,
                version_id=period.version,
                now=datetime.now().astimezone(),
            ).as_dict(),
        )
    return {
        **page_frame(state, viewer, period),
        "kind": kind,
        "status": status,
        "search": search,
        "source": source,
        "limit": GATE_LIMIT,
        "records": rows,
        "summary": summary,
        "can_release": viewer.role == "admin",
    }


def _gated_row(row: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "id",
        "name",
        "first_name",
        "last_name",
        "email",
        "company",
        "domain",
        "source",
        "owner_id",
        "account_id",
        "created_on",
        "gate_status",
        "gate_reasons",
        "industry",
        "employees",
        "country",
        "state",
    )
    out = {k: row.get(k) for k in keep if k in row}
    released = (row.get("gate_reasons") or {}).get("release") or {}
    out["released_by_name"] = (users.get(released.get("by") or "") or {}).get("name")
    return out


def release_record(
    state: WebState, viewer: Viewer, *, kind: str, record_id: str, reason: str
) -> dict[str, Any]:
    done = release(
        store=state.store,
        kind=kind,
        record_id=record_id,
        actor=viewer.id,
        reason=reason,
        now=datetime.now(UTC),
    )
    record = books.one(state.store, "lead" if kind == "leads" else "account", record_id, kind)
    users, _ = books.people(store=state.store)
    return {**done, "record": _gated_row(record, users)}


def exceptions(
    state: WebState, viewer: Viewer, period: Period, *, status: str | None
) -> dict[str, Any]:
    store, strategy = state.store, state.strategy()
    users, _ = books.people(store=store)
    queue = [
        e.as_dict()
        for e in list_exceptions(
            store=store, as_of=period.today, status=status or None, viewer=viewer.id
        )
    ]
    for item in queue:
        item["rep_name"] = (users.get(item["rep_id"]) or {}).get("name")
        item["can_decide"] = _may_decide(viewer, item, users)
    flags = [
        f.__dict__ | {"owner_name": (users.get(f.owner_id or "") or {}).get("name")}
        for f in unexcused_off_profile(store=store, strategy=strategy, as_of=period.today)
        if viewer.may_see_rep(f.owner_id)
    ]
    return {
        **page_frame(state, viewer, period),
        "status": status,
        "statuses": EXCEPTION_STATUSES,
        "exceptions": queue,
        "flags": flags,
        "policy": strategy.version_on(period.today).exceptions.model_dump(mode="json"),
        "report": _report(state, viewer, period),
    }


def _report(state: WebState, viewer: Viewer, period: Period) -> dict[str, Any]:
    """Requests and decisions per rep and team in the period, and how excused deals did."""
    strategy = state.strategy()
    data: dict[str, Any] = dict(
        state.cached(
            ("exceptions_report", period.date_from, period.date_to, period.version),
            lambda: exceptions_report(
                store=state.store,
                strategy=strategy,
                date_from=period.date_from,
                date_to=period.date_to,
                version_id=period.version,
                now=datetime.now().astimezone(),
            ).as_dict(),
        )
    )
    data["reps"] = [r for r in data["reps"] if viewer.may_see_rep(r["id"])]
    data["teams"] = [t for t in data["teams"] if viewer.may_see_team(t["id"])]
    if not viewer.sees_all:
        data["company"] = None
    return data


def _may_decide(viewer: Viewer, item: dict[str, Any], users: dict[str, Any]) -> bool:
    """Whether to show the buttons; the engine makes the real decision and says why not."""
    if item["stored_status"] != "pending" or item["rep_id"] == viewer.id:
        return False
    if viewer.role in ("executive", "admin"):
        return True
    rep_team = (users.get(item["rep_id"]) or {}).get("team_id")
    return viewer.role == "manager" and viewer.may_see_team(rep_team)


def decide(
    state: WebState,
    viewer: Viewer,
    period: Period,
    *,
    exception_id: int,
    approve: bool,
    comment: str,
) -> dict[str, Any]:
    done = decide_exception(
        store=state.store,
        strategy=state.strategy(),
        exception_id=exception_id,
        approve=approve,
        decider=viewer.id,
        comment=comment,
        as_of=period.today,
        now=datetime.now().astimezone(),
    )
    users, _ = books.people(store=state.store)
    item = done.as_dict()
    item["rep_name"] = (users.get(item["rep_id"]) or {}).get("name")
    item["can_decide"] = False
    return item


def ask(
    state: WebState,
    viewer: Viewer,
    period: Period,
    *,
    subject_kind: str,
    subject_id: str,
    reason_code: str,
    rationale: str,
    days: int,
    expected_value: float | None,
) -> dict[str, Any]:
    """File an off-profile exception request as the viewer (the engine checks who may)."""
    done = request_exception(
        store=state.store,
        strategy=state.strategy(),
        subject_kind=subject_kind,
        subject_id=subject_id,
        rep=viewer.id,
        reason_code=reason_code,
        rationale=rationale,
        expected_value=expected_value,
        days=days,
        as_of=period.today,
        now=datetime.now().astimezone(),
    )
    users, _ = books.people(store=state.store)
    return {
        **done.as_dict(),
        "rep_name": (users.get(done.rep_id) or {}).get("name"),
        "can_decide": False,
    }
