"""Read models of the analysis pages: authority gaps, the shift to approvers, consultative
selling, effort on ICP accounts, what the ICP is worth, and drift alerts.

Each calls its report's core function (the one its CLI command calls) and cuts the result
to the viewer's scope: rows about reps they may not see, and team or company totals they
may not see, are dropped; company-wide comparisons without people in them (ICP value,
consultative outcome bands) are shown to everyone.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from onstrategy.api.params import Period
from onstrategy.api.views import page_frame
from onstrategy.engines.alerts import drift_alerts
from onstrategy.engines.authority import authority_gaps
from onstrategy.reports import charts as vl
from onstrategy.reports.consultative import consultative_report
from onstrategy.reports.effort import effort_report
from onstrategy.reports.icp_value import icp_value_report
from onstrategy.reports.shift import shift_report
from onstrategy.web.scope import Viewer
from onstrategy.web.state import WebState

T = TypeVar("T")


def _core(state: WebState, name: str, period: Period, build: Callable[[], T]) -> T:
    """The unscoped report, built once per data change; each viewer cuts their own copy."""
    key = (name, period.date_from, period.date_to, period.version, period.today)
    built: T = copy.deepcopy(state.cached(key, build))
    return built


def _reps(rows: list[dict[str, Any]], viewer: Viewer, key: str = "id") -> list[dict[str, Any]]:
    return [r for r in rows if viewer.may_see_rep(r.get(key))]


def _teams(rows: list[dict[str, Any]], viewer: Viewer, key: str = "id") -> list[dict[str, Any]]:
    return [r for r in rows if viewer.may_see_team(r.get(key))]


def authority(state: WebState, viewer: Viewer, period: Period) -> dict[str, Any]:
    strategy = state.strategy()
    report = _core(
        state,
        "authority",
        period,
        lambda: authority_gaps(store=state.store, strategy=strategy, as_of=period.date_to),
    )
    if not viewer.sees_all:  # the core counts open and gapped deals over what is left
        visible = [d for d in report.deals if viewer.may_see_rep(d.owner_id)]
        report = dataclasses.replace(report, deals=visible)
    return {**page_frame(state, viewer, period), "report": report.as_dict()}


def shift(state: WebState, viewer: Viewer, period: Period) -> dict[str, Any]:
    data = _core(
        state,
        "shift",
        period,
        lambda: shift_report(
            store=state.store,
            strategy=state.strategy(),
            as_of=period.date_to,
            version_id=period.version,
        ).as_dict(),
    )
    data["reps"] = _reps(data["reps"], viewer)
    data["teams"] = _teams(data["teams"], viewer)
    data["not_shifted"] = [r for r in data["not_shifted"] if viewer.may_see_rep(r)]
    if not viewer.sees_all:
        data["company"] = None
    return {**page_frame(state, viewer, period), "report": data, "charts": _shift_charts(data)}


def _shift_charts(data: dict[str, Any]) -> dict[str, Any]:
    values = [
        {"rep": r["name"], "window": w, "share": r[w]["approver_share"]}
        for r in data["reps"]
        for w in ("before", "after")
        if r[w]["approver_share"] is not None
    ]
    return {
        "approvers": {
            "$schema": vl.SCHEMA,
            "title": "Calls and meetings with approvers, before → after",
            "data": {"values": values},
            "width": 420,
            "mark": "bar",
            "encoding": {
                "y": {"field": "rep", "type": "nominal", "title": None},
                "yOffset": {"field": "window", "sort": ["before", "after"]},
                "x": {
                    "field": "share",
                    "type": "quantitative",
                    "axis": {"format": "%"},
                    "title": "share of touches with approvers",
                },
                "color": {
                    "field": "window",
                    "type": "nominal",
                    "sort": ["before", "after"],
                    "scale": {"range": ["#9fb3c8", "#2f6f9f"]},
                },
                "tooltip": [
                    {"field": "rep"},
                    {"field": "window"},
                    {"field": "share", "format": ".0%"},
                ],
            },
        }
    }


def consultative(state: WebState, viewer: Viewer, period: Period) -> dict[str, Any]:
    data = _core(
        state,
        "consultative",
        period,
        lambda: consultative_report(
            store=state.store,
            strategy=state.strategy(),
            as_of=period.date_to,
            date_from=period.date_from,
            date_to=period.date_to,
        ).as_dict(),
    )
    data["reps"] = _reps(data["reps"], viewer, "owner_id")
    data["teams"] = _teams(data["teams"], viewer, "team_id")
    data["outcomes"]["deals"] = _reps(data["outcomes"]["deals"], viewer, "owner_id")
    if not viewer.sees_all:
        data["company"] = []
    return {**page_frame(state, viewer, period), "report": data}


def effort(state: WebState, viewer: Viewer, period: Period) -> dict[str, Any]:
    data = _core(
        state,
        "effort",
        period,
        lambda: effort_report(
            store=state.store,
            strategy=state.strategy(),
            date_from=period.date_from,
            date_to=period.date_to,
            now=datetime.now().astimezone(),
        ).as_dict(),
    )
    data["reps"] = _reps(data["reps"], viewer)
    data["teams"] = _teams(data["teams"], viewer)
    data["rep_periods"] = _reps(data.get("rep_periods", []), viewer)
    if not viewer.sees_all:
        data["company"] = None
    return {**page_frame(state, viewer, period), "report": data, "charts": _effort_charts(data)}


def _effort_charts(data: dict[str, Any]) -> dict[str, Any]:
    values = [
        {
            "rep": r["name"],
            "share": r["off_icp_share"],
            "hours": r["off_icp_hours"],
            "status": "over the limit" if r["over_limit"] else "within the limit",
        }
        for r in data["reps"]
        if r["off_icp_share"] is not None
    ]
    tooltip = [{"field": "rep"}, {"field": "share", "format": ".0%"},
               {"field": "hours", "format": ",.1f"}]  # fmt: skip
    return {
        "off_icp": vl.share_bar_chart(
            title="Share of selling hours on off-ICP accounts",
            values=values,
            axis_title="off-ICP share of hours",
            good="within the limit",
            bad="over the limit",
            tooltip=tooltip,
        )
    }


def icp_value(state: WebState, viewer: Viewer, period: Period) -> dict[str, Any]:
    data = _core(
        state,
        "icp_value",
        period,
        lambda: icp_value_report(
            store=state.store,
            strategy=state.strategy(),
            date_from=period.date_from,
            date_to=period.date_to,
            version_id=period.version,
            now=datetime.now().astimezone(),
        ).as_dict(),
    )
    return {**page_frame(state, viewer, period), "report": data}


def alerts(state: WebState, viewer: Viewer, period: Period) -> dict[str, Any]:
    window = max((period.date_to - period.date_from).days + 1, 1)
    data = _core(
        state,
        "alerts",
        period,
        lambda: drift_alerts(
            store=state.store,
            strategy=state.strategy(),
            as_of=period.date_to,
            window_days=min(window, 3650),
            now=datetime.now().astimezone(),
        ).as_dict(),
    )
    data["alerts"] = [a for a in data["alerts"] if _may_see_alert(viewer, a)]
    return {
        **page_frame(state, viewer, period),
        "report": data,
        "window_from": period.date_to - timedelta(days=window - 1),
    }


def _may_see_alert(viewer: Viewer, alert: dict[str, Any]) -> bool:
    if alert["level"] == "rep":
        return viewer.may_see_rep(alert["id"])
    if alert["level"] == "team":
        return viewer.may_see_team(alert["id"])
    return viewer.sees_all
