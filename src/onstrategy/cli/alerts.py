"""`onstrategy alerts`: reps and teams drifting from the strategy, with the deals behind it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import typer

from onstrategy.cli.common import console, get_ctx, parse_day, print_json
from onstrategy.engines.alerts import drift_alerts

LABELS = {
    "pipeline_below_goal": "ICP share of new pipeline below goal",
    "bookings_below_goal": "ICP share of bookings below goal",
    "off_icp_hours_above_max": "off-ICP hours above the limit",
    "unexcused_off_profile": "off-profile deals without an exception",
}


def alerts(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="last day (default today)"),
    window: int = typer.Option(90, "--window", help="trailing window in days"),
    team: str | None = typer.Option(None, "--team", help="only this team and its reps"),
    evidence: int = typer.Option(5, "--evidence", help="evidence rows to show per alert"),
    as_json: bool = typer.Option(False, "--json", help="print the alerts as JSON"),
) -> None:
    """Who drifts from the strategy, and which deals and accounts show it."""
    cli = get_ctx(ctx)
    day = parse_day(as_of, "--as-of") if as_of else date.today()
    built = drift_alerts(
        store=cli.store,
        strategy=cli.strategy(),
        as_of=day,
        window_days=window,
        now=datetime.now().astimezone(),
        team=team,
    )
    if as_json:
        print_json(built.as_dict())
        return
    console.print(
        f"[bold]{len(built.alerts)} drift alerts[/] {built.date_from} → {day} "
        f"(goals of {built.version})",
        highlight=False,
    )
    for alert in built.alerts:
        who = f"{alert.name}" + (f" ({alert.team})" if alert.level == "rep" and alert.team else "")
        console.print(
            f"\n[bold red]▲[/] [bold]{who}[/] — {LABELS[alert.kind]}\n  {alert.summary}",
            highlight=False,
        )
        for row in alert.evidence[:evidence]:
            console.print("    · " + _evidence(row, alert.level == "team"), highlight=False)
        if alert.evidence_count > evidence:
            console.print(
                f"    … and {alert.evidence_count - evidence} more (--evidence N or --json)",
                highlight=False,
            )


def _evidence(row: dict[str, Any], team_level: bool) -> str:
    who = f" — {row['owner_name']}" if team_level and row.get("owner_name") else ""
    if "opportunity_id" in row:
        amount = float(row["amount"] or 0)
        account = row.get("account_name") or row.get("account_id") or "no account"
        return f"{row['opportunity_id']} {row['name']} — {amount:,.0f} ({account}){who}"
    return (
        f"{row['account_name']} ({row['account_id']}): {row['hours']} h, "
        f"{row['emails']} emails, cost {float(row['cost'] or 0):,.0f}{who}"
    )
