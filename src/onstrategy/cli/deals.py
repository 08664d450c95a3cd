"""`onstrategy deals gaps|show`: open deals without a buyer who can approve what they sell."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from onstrategy.cli.common import as_of_day, console, err_console, get_ctx, print_json
from onstrategy.engines.authority import DealAuthority, authority_gaps, explain_deal

app = typer.Typer(
    no_args_is_help=True,
    help="Deals: who the rep has engaged, and whether they can approve the offering.",
)


@app.command()
def gaps(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="date (YYYY-MM-DD); default today"),
    rep: str | None = typer.Option(None, "--rep", help="only this rep (id, email or name)"),
    team: str | None = typer.Option(None, "--team", help="only this team (team id)"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Open deals with an authority gap (no engaged contact can approve), largest first."""
    cli = get_ctx(ctx)
    with err_console.status("Finding who each open deal has engaged…"):
        report = authority_gaps(
            store=cli.store, strategy=cli.strategy(), as_of=as_of_day(as_of), rep=rep, team=team
        )
    data = report.as_dict() | {"by_rep": report.by_rep()}
    if as_json:
        print_json(data)
        return
    console.print(
        f"[bold]Authority gaps[/] on {data['as_of']} ({data['version']}): "
        f"{data['gapped_deals']} of {data['open_deals']} open deals, "
        f"{data['gapped_amount']:,.0f} of pipeline",
        highlight=False,
    )
    console.print(_breakdown_table("By offering", "offering", data["by_offering"]))
    by_rep = {r["owner_name"] or r["owner_id"] or "(no owner)": r for r in data["by_rep"]}
    console.print(_breakdown_table("By rep", "rep", by_rep))
    if report.gapped:
        console.print(_gap_table(report.gapped))


def _breakdown_table(title: str, first: str, rows: dict[str, dict[str, float]]) -> Table:
    table = Table(first, "open", "gapped", "share", "gapped amount", "single-threaded",
                  title=title, title_justify="left")  # fmt: skip
    for name, cell in rows.items():
        share = cell["gapped"] / cell["open"] if cell["open"] else 0.0
        counts = [f"{cell[k]:.0f}" for k in ("open", "gapped")]
        money = f"{cell['gapped_amount']:,.0f}"
        table.add_row(name, *counts, f"{share:.0%}", money, f"{cell['single_threaded']:.0f}")
    return table


def _gap_table(deals: list[DealAuthority]) -> Table:
    table = Table(
        "deal",
        "owner",
        "offering",
        "amount",
        "engaged (persona)",
        title="Deals with an authority gap",
        title_justify="left",
        caption="persona = seniority/function; `deals show ID` explains one deal",
    )
    for deal in deals:
        who = ", ".join(c.persona for c in deal.contacts) or "nobody"
        table.add_row(
            f"{deal.name or deal.opportunity_id}\n[dim]{deal.opportunity_id}[/]",
            deal.owner_name or deal.owner_id or "–",
            deal.offering_id or "–",
            f"{deal.amount:,.0f}",
            who,
        )
    return table


@app.command()
def show(
    ctx: typer.Context,
    opportunity_id: str = typer.Argument(..., help="the CRM's opportunity id"),
    as_of: str | None = typer.Option(None, "--as-of", help="date (YYYY-MM-DD); default today"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """One deal: its offering, who can approve it, the contacts engaged and the verdict."""
    cli = get_ctx(ctx)
    deal = explain_deal(
        store=cli.store,
        strategy=cli.strategy(),
        opportunity_id=opportunity_id,
        as_of=as_of_day(as_of),
    )
    if as_json:
        print_json(deal.as_dict())
        return
    _print_deal(deal.as_dict())


def _verdict(data: dict[str, Any]) -> str:
    if data["authority_gap"] is None:
        return "[yellow]no offering — not judged[/]"
    return "[red]authority gap[/]" if data["authority_gap"] else "[green]an approver is engaged[/]"


def _print_deal(data: dict[str, Any]) -> None:
    state = "closed" if data["is_closed"] else "open"
    console.print(
        f"[bold]{data['name'] or data['opportunity_id']}[/] ({data['opportunity_id']}, "
        f"{state}) — {data['account_name'] or '–'}, owner {data['owner_name'] or '–'}",
        highlight=False,
    )
    console.print(
        f"  {data['amount']:,.0f} · {data['stage'] or '–'} · product "
        f"{data['product'] or '–'} → offering {data['offering'] or '–'} "
        f"({data['version']})",
        highlight=False,
    )
    if data["approved_by"]:
        console.print("  approved by: " + " or ".join(data["approved_by"]), highlight=False)
    console.print(
        f"  verdict: {_verdict(data)} — {data['engaged_contacts']} engaged, "
        f"{data['approvers']} can approve, {data['at_required_level']} at the "
        "required level",
        highlight=False,
    )
    table = Table(
        "contact",
        "title",
        "persona",
        "approves",
        "calls/meet/mail",
        "role",
        caption="calls/meet/mail: activities with the contact in the deal's window",
    )
    for c in data["contacts"]:
        table.add_row(
            c["name"],
            c["title"] or "–",
            f"{c['seniority']}/{c['function']}",
            "[green]yes[/]" if c["can_approve"] else "no",
            f"{c['calls']}/{c['meetings']}/{c['emails']}",
            c["role"] or "–",
        )
    console.print(table)
    for reason in data["reasons"]:
        console.print(f"  · {reason}", highlight=False)
