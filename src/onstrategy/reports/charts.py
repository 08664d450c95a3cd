"""Charts as data: Vega-Lite specs built from read models, drawn by vega-embed.

A test can fetch and check a spec like any other JSON; the same specs serve the HTML report
and the web dashboard.
"""

from __future__ import annotations

from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
GOOD, BAD = "#2e8b57", "#c0392b"
METRIC_LABELS = {
    "leads": "New leads",
    "pipeline": "New pipeline",
    "bookings": "Bookings",
    "hours": "Activity hours",
}


def company_shares_chart(report: dict[str, Any]) -> dict[str, Any]:
    """ICP share of each metric for the company, with the goal as a tick."""
    company = report["company"]
    values = [
        {"metric": METRIC_LABELS[m], "share": company[m]["share"], "goal": company[m]["goal"]}
        for m in METRIC_LABELS
        if company[m]["share"] is not None
    ]
    return {
        "$schema": SCHEMA,
        "title": "Share from ICP accounts vs goal",
        "data": {"values": values},
        "width": 420,
        "height": 160,
        "layer": [
            {
                "mark": {"type": "bar", "color": "#2f6f9f"},
                "encoding": {
                    "y": {
                        "field": "metric",
                        "type": "nominal",
                        "title": None,
                        "sort": list(METRIC_LABELS.values()),
                    },
                    "x": {
                        "field": "share",
                        "type": "quantitative",
                        "axis": {"format": "%"},
                        "scale": {"domain": [0, 1]},
                        "title": "share from ICP",
                    },
                    "tooltip": [
                        {"field": "metric"},
                        {"field": "share", "format": ".1%"},
                        {"field": "goal", "format": ".0%"},
                    ],
                },
            },
            {
                "mark": {"type": "tick", "color": "#c0392b", "thickness": 3, "size": 24},
                "encoding": {
                    "y": {
                        "field": "metric",
                        "type": "nominal",
                        "sort": list(METRIC_LABELS.values()),
                    },
                    "x": {"field": "goal", "type": "quantitative"},
                },
            },
        ],
    }


def rep_shares_chart(report: dict[str, Any], metric: str = "pipeline") -> dict[str, Any]:
    """Each rep's ICP share of ``metric``, coloured by whether it meets the goal."""
    values = [
        {
            "rep": r["name"],
            "team": r["team"],
            "share": r[metric]["share"],
            "total": r[metric]["total"],
            "goal": r[metric]["goal"],
            "status": "meets goal" if r[metric]["meets_goal"] else "below goal",
        }
        for r in report["reps"]
        if r[metric]["share"] is not None
    ]
    tooltip = [
        {"field": "rep"}, {"field": "team"}, {"field": "share", "format": ".1%"},
        {"field": "total", "format": ",.0f"}, {"field": "goal", "format": ".0%"},
    ]  # fmt: skip
    return share_bar_chart(
        title=f"{METRIC_LABELS[metric]}: share from ICP by rep",
        values=values,
        axis_title="share from ICP",
        good="meets goal",
        bad="below goal",
        tooltip=tooltip,
    )


def share_bar_chart(
    *,
    title: str,
    values: list[dict[str, Any]],
    axis_title: str,
    good: str,
    bad: str,
    tooltip: list[dict[str, str]],
) -> dict[str, Any]:
    """One bar per rep (``rep``, ``share`` 0-1, ``status`` = ``good`` or ``bad``), largest first."""
    return {
        "$schema": SCHEMA, "title": title, "data": {"values": values}, "width": 420,
        "mark": "bar",
        "encoding": {
            "y": {"field": "rep", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "share", "type": "quantitative", "axis": {"format": "%"},
                  "scale": {"domain": [0, 1]}, "title": axis_title},
            "color": {"field": "status", "type": "nominal",
                      "scale": {"domain": [good, bad], "range": [GOOD, BAD]}},
            "tooltip": tooltip,
        },
    }  # fmt: skip


def tier_chart(report: dict[str, Any]) -> dict[str, Any]:
    tiers = report["account_fit"]["tiers"]
    return {
        "$schema": SCHEMA,
        "title": "Accounts by ICP tier",
        "data": {"values": [{"tier": t, "accounts": n} for t, n in tiers.items()]},
        "width": 240,
        "height": 160,
        "mark": "bar",
        "encoding": {
            "x": {"field": "tier", "type": "ordinal", "sort": ["A", "B", "C", "D"]},
            "y": {"field": "accounts", "type": "quantitative"},
            "tooltip": [{"field": "tier"}, {"field": "accounts"}],
        },
    }


def alignment_charts(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "company": company_shares_chart(report),
        "reps": rep_shares_chart(report),
        "bookings": rep_shares_chart(report, "bookings"),
        "tiers": tier_chart(report),
    }
