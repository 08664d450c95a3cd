"""`onstrategy territories list|check`: who covers which part of the market, and the gaps."""

from __future__ import annotations

import typer
from rich.table import Table

from onstrategy.cli.common import as_of_day, console, get_ctx, print_json
from onstrategy.engines.territories import PRECEDENCE_HELP
from onstrategy.reports.territories import TerritoryCheck, territories_check, territories_list

app = typer.Typer(
    no_args_is_help=True,
    help=f"Territories: where each rep sells, from the strategy file. {PRECEDENCE_HELP}",
)

AS_OF_HELP = "date (YYYY-MM-DD) whose strategy version applies; default today"


@app.command("list")
def list_(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """The territories of the version in force, in precedence order, with their rules in words."""
    day = as_of_day(as_of)
    data = territories_list(strategy=get_ctx(ctx).strategy(), as_of=day)
    if as_json:
        print_json(data)
        return
    table = Table(title=f"Territories — version {data['version']} on {data['as_of']}")
    for column in ("territory", "level", "priority", "rules", "reps (capacity, weight)"):
        table.add_column(column)
    for t in data["territories"]:
        reps = "\n".join(
            f"{r['name'] or r['rep']} ({r['capacity']}, ×{r['weight']:g})" for r in t["reps"]
        )
        table.add_row(
            f"{t['name']}\n[dim]{t['id']}[/]",
            t["level"],
            str(t["priority"]),
            "\n".join(t["rules"]),
            reps,
        )
    console.print(table)
    console.print(f"[dim]{PRECEDENCE_HELP}[/]")


@app.command()
def check(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """ICP accounts no territory covers, accounts two territories claim, and load per rep."""
    cli = get_ctx(ctx)
    day = as_of_day(as_of)
    report = territories_check(store=cli.store, strategy=cli.strategy(), as_of=day)
    if as_json:
        print_json(report.as_dict())
        return
    _show(report)


def _show(report: TerritoryCheck) -> None:
    console.print(
        f"[bold]Territory check[/] on {report.as_of.isoformat()} (version "
        f"{report.version}): {report.accounts:,} active accounts, "
        f"{report.icp_accounts:,} in profile"
    )
    _show_uncovered(report)
    _show_claims(report)
    _show_loads(report)
    verdict = (
        "[green]no problems[/]" if not report.problems else f"[red]{report.problems} problem(s)[/]"
    )
    console.print(verdict)


def _show_uncovered(report: TerritoryCheck) -> None:
    if not report.uncovered:
        console.print("every in-profile account is covered by a territory")
        return
    table = Table(title=f"{len(report.uncovered)} in-profile accounts no territory covers")
    for column in ("account", "name", "where", "industry", "fit"):
        table.add_column(column)
    for a in report.uncovered[:50]:
        where = "/".join(str(v) for v in (a["postal_code"], a["state"], a["country"]) if v)
        table.add_row(
            a["id"], a["name"], where, a["industry"] or "", f"{a['fit_score']:g} {a['fit_tier']}"
        )
    console.print(table)


def _show_claims(report: TerritoryCheck) -> None:
    if not report.double_claims:
        console.print("no account is claimed by two territories at the same level")
        return
    table = Table(title=f"{len(report.double_claims)} accounts claimed by two territories")
    for column in ("account", "name", "goes to", "level", "also claimed by (lost on)"):
        table.add_column(column)
    for c in report.double_claims[:50]:
        others = ", ".join(f"{o['territory_id']} ({o['lost_on']})" for o in c["also_claimed_by"])
        table.add_row(c["id"], c["name"], c["territory_id"], c["level"], others)
    console.print(table)


def _show_loads(report: TerritoryCheck) -> None:
    table = Table(title="Load per rep (load = accounts + open leads)")
    for column in (
        "rep",
        "territories",
        "accounts",
        "ICP",
        "open leads",
        "open pipeline",
        "load / capacity",
    ):
        table.add_column(
            column, justify="right" if column not in ("rep", "territories") else "left"
        )
    for r in report.loads:
        cap = f"{r.load:,} / {r.capacity:,}" if r.capacity is not None else f"{r.load:,} / —"
        flag = " [red]over[/]" if r.over_capacity else ""
        table.add_row(
            r.name or r.rep_id,
            ", ".join(r.territories),
            f"{r.accounts:,}",
            f"{r.icp_accounts:,}",
            f"{r.open_leads:,}",
            f"{r.open_pipeline:,.0f} ({r.open_opportunities})",
            cap + flag,
        )
    console.print(table)
