"""`onstrategy report effort`: hours and emails on ICP vs off-ICP accounts, and their cost."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from rich.table import Table

from onstrategy.cli.common import console, get_ctx, parse_day, print_json
from onstrategy.reports.effort import effort_report


def effort(
    ctx: typer.Context,
    date_from: str = typer.Option(..., "--from", help="first day (YYYY-MM-DD)"),
    date_to: str = typer.Option(..., "--to", help="last day (YYYY-MM-DD)"),
    by: str = typer.Option("month", "--by", help="month or quarter"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Every hour outside the sweet spot, as a number: off-ICP hours, emails and cost."""
    cli = get_ctx(ctx)
    built = effort_report(
        store=cli.store,
        strategy=cli.strategy(),
        date_from=parse_day(date_from, "--from"),
        date_to=parse_day(date_to, "--to"),
        by=by,  # type: ignore[arg-type]
        now=datetime.now().astimezone(),
    )
    data = built.as_dict()
    if as_json:
        print_json(data)
        return
    _print(data)


def _print(data: dict[str, Any]) -> None:
    period, company, goals = data["period"], data["company"], data["goals"]
    console.print(
        f"[bold]Effort off strategy[/] {period['from']} → {period['to']} (goals of "
        f"{data['version']}: off-ICP hours at most {goals['off_hours_max']:.0%}, "
        f"{goals['hourly_cost']:,.0f} {data['currency']} per hour)",
        highlight=False,
    )
    console.print(
        f"  company: {company['off_icp_hours']:,.1f} of {company['hours']:,.1f} hours "
        f"off-ICP ({_share(company)}), costing {company['off_icp_cost']:,.0f} "
        f"{data['currency']}",
        highlight=False,
    )
    console.print(_table("Teams", data["teams"]))
    console.print(_table("Reps", data["reps"]))
    console.print(_table(f"Reps by {period['by']}", data["rep_periods"], with_period=True))
    console.print("[bold]Most expensive off-ICP accounts per rep[/]")
    for rep in sorted(data["reps"], key=lambda r: -r["off_icp_cost"]):
        accounts = "; ".join(
            f"{a['name']} {a['hours']:.1f} h ({a['cost']:,.0f})"
            for a in rep["top_off_icp_accounts"][:3]
        )
        console.print(f"  {rep['name']}: {accounts or '–'}", highlight=False)


def _share(row: dict[str, Any]) -> str:
    share = row["off_icp_share"]
    if share is None:
        return "–"
    return f"[red]{share:.0%}[/]" if row["over_limit"] else f"[green]{share:.0%}[/]"


def _table(title: str, rows: list[dict[str, Any]], with_period: bool = False) -> Table:
    table = Table(title=title, title_justify="left")
    for name in ["name", "period"] if with_period else ["name"]:
        table.add_column(name)
    for name in ("hours", "off-ICP h", "off-ICP share", "emails", "off-ICP emails", "cost"):
        table.add_column(name, justify="right")
    for row in rows:
        head = [row["name"], row["period"]] if with_period else [row["name"]]
        table.add_row(
            *head,
            f"{row['hours']:,.1f}",
            f"{row['off_icp_hours']:,.1f}",
            _share(row),
            str(row["emails"]),
            str(row["off_icp_emails"]),
            f"{row['off_icp_cost']:,.0f}",
        )
    return table
