"""`onstrategy strategy simulate FILE --version V`: what a draft version would change, today."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from onstrategy.cli.common import as_of_day, console, err_console, get_ctx, print_json
from onstrategy.engines.simulate import simulate as run_simulation
from onstrategy.strategy.load import load_strategy

SHOWN = 15


def simulate(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="strategy YAML holding the draft version"),
    version: str = typer.Option(..., "--version", help="the draft version to try"),
    against: str | None = typer.Option(
        None, "--against", help="compare with this version (default: the one in force)"
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="date (YYYY-MM-DD); default today"),
    limit: int = typer.Option(SHOWN, "--limit", help="rows shown per list in the terminal"),
    as_json: bool = typer.Option(False, "--json", help="print JSON (every row)"),
) -> None:
    """Apply a draft version to today's data without changing anything, and show the effect."""
    cli = get_ctx(ctx)
    with err_console.status("Applying the draft to today's data…"):
        result = run_simulation(
            store=cli.store,
            strategy=load_strategy(file),
            version_id=version,
            as_of=as_of_day(as_of),
            against=against,
        )
    data = result.as_dict()
    if as_json:
        print_json(data)
        return
    _print(data, limit)


def _print(data: dict[str, Any], limit: int) -> None:
    console.print(
        f"[bold]Simulation[/]: {data['version']} instead of {data['against']} on "
        f"{data['as_of']} — nothing is changed",
        highlight=False,
    )
    _icp(data["icp"], limit)
    _territories(data["territories"], limit)
    console.print(_loads(data["reps"]))
    _authority(data["authority"], limit)


def _icp(icp: dict[str, Any], limit: int) -> None:
    summary = ", ".join(f"{k}: {v}" for k, v in icp["summary"].items())
    console.print(f"\n[bold]ICP[/] — {summary}", highlight=False)
    table = Table("account", "change", "before", "after", "why (draft)")
    for row in icp["accounts"][:limit]:
        b, a = row["before"], row["after"]
        missed = [r for r in a["reasons"] if r.startswith("✗")] or a["reasons"][:1]
        table.add_row(
            row["name"] or row["account_id"],
            row["direction"],
            f"{b['tier']} {b['score']:.0f}",
            f"{a['tier']} {a['score']:.0f}",
            "; ".join(missed),
        )
    if icp["accounts"]:
        console.print(table)
    _more(len(icp["accounts"]), limit)


def _territories(ter: dict[str, Any], limit: int) -> None:
    console.print(
        f"\n[bold]Territories[/] — {ter['territory_changes']} accounts change "
        f"territory, {ter['owner_changes']} change owner "
        f"({ter['already_outside_territory']} are already outside their owner's "
        "territory today and are left as they are)",
        highlight=False,
    )
    table = Table("account", "territory", "owner", "why")
    for row in ter["accounts"][:limit]:
        owner = row["owner_name"] or "–"
        if row["new_owner_id"]:
            owner = f"{owner} → {row['new_owner_name'] or row['new_owner_id']}"
        table.add_row(
            row["name"] or row["account_id"],
            f"{row['territory_before'] or '–'} → {row['territory_after'] or '–'}",
            owner,
            row["reasons"][0],
        )
    if ter["accounts"]:
        console.print(table)
    _more(len(ter["accounts"]), limit)


def _pair(cell: dict[str, Any], money: bool = False) -> str:
    def show(value: Any) -> str:
        if value is None:
            return "–"
        return f"{value:,.0f}" if money else str(value)

    if cell["before"] == cell["after"]:
        return show(cell["after"])
    return f"{show(cell['before'])} → [bold]{show(cell['after'])}[/]"


def _loads(reps: list[dict[str, Any]]) -> Table:
    table = Table(
        "rep",
        "accounts",
        "capacity",
        "ICP accounts",
        "open pipeline",
        title="\nRep load (before → after)",
        title_justify="left",
    )
    for rep in reps:
        accounts = _pair(rep["accounts"])
        if rep["over_capacity_after"]:
            accounts = f"[red]{accounts}[/]"
        table.add_row(
            rep["name"],
            accounts,
            _pair(rep["capacity"]),
            _pair(rep["icp_accounts"]),
            _pair(rep["open_pipeline"], money=True),
        )
    return table


def _authority(groups: dict[str, list[dict[str, Any]]], limit: int) -> None:
    counts = ", ".join(f"{k.replace('_', ' ')}: {len(v)}" for k, v in groups.items())
    console.print(
        f"\n[bold]Open deals with an authority gap under the draft[/] — {counts}", highlight=False
    )
    table = Table("deal", "owner", "offering", "amount", "", "why")
    for group in ("newly_gapped", "still_gapped"):
        for deal in groups[group][:limit]:
            table.add_row(
                deal["name"] or deal["opportunity_id"],
                deal["owner_name"] or "–",
                deal["offering"] or "–",
                f"{deal['amount']:,.0f}",
                group.replace("_", " "),
                deal["reasons"][0],
            )
    if groups["newly_gapped"] or groups["still_gapped"]:
        console.print(table)


def _more(total: int, limit: int) -> None:
    if total > limit:
        console.print(f"[dim]… {total - limit} more (use --limit or --json)[/]")
