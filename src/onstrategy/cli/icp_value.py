"""`onstrategy report icp-value`: does the ICP earn its place? ICP vs non-ICP outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from rich.table import Table

from onstrategy.cli.common import console, get_ctx, parse_day, print_json
from onstrategy.reports.icp_value import icp_value_report

ROWS = (
    ("win_rate", "win rate", "pct"),
    ("deal_size", "avg won deal", "money"),
    ("discount", "discount", "pct"),
    ("cycle_days", "cycle (days)", "num"),
    ("repeat", "repeat business", "pct"),
    ("value_per_deal", "won per closed deal", "money"),
)


def icp_value(
    ctx: typer.Context,
    version: str | None = typer.Option(None, "--version", help="judge every deal by this version"),
    date_from: str | None = typer.Option(None, "--from", help="deals closed from (YYYY-MM-DD)"),
    date_to: str | None = typer.Option(None, "--to", help="deals closed until (YYYY-MM-DD)"),
    segments: int = typer.Option(8, "--segments", help="off-profile segments to show"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Win rate, deal size, discount, cycle and repeat business: ICP vs non-ICP, with 95%
    intervals and sample sizes, and the off-profile segments that do well."""
    cli = get_ctx(ctx)
    built = icp_value_report(
        store=cli.store,
        strategy=cli.strategy(),
        date_from=parse_day(date_from, "--from") if date_from else None,
        date_to=parse_day(date_to, "--to") if date_to else None,
        version_id=version,
        now=datetime.now().astimezone(),
    )
    data = built.as_dict(top=None if as_json else segments)
    if as_json:
        print_json(data)
        return
    for block in [*data["versions"], data["all_versions"]]:
        _print_version(block, segments)
    for note in data["notes"]:
        console.print(f"[dim]{note}[/]")


def _fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "–"
    return {"pct": f"{value:.0%}", "money": f"{value:,.0f}", "num": f"{value:,.0f}"}[kind]


def _cell(est: dict[str, Any], kind: str) -> str:
    if est["value"] is None:
        return f"– (n={est['n']})"
    span = "" if est["low"] is None else f" [{_fmt(est['low'], kind)}–{_fmt(est['high'], kind)}]"
    return f"{_fmt(est['value'], kind)}{span} n={est['n']}"


def _print_version(block: dict[str, Any], top: int) -> None:
    table = Table("", "ICP", "non-ICP", title=f"Version {block['version']}", title_justify="left")
    for key, label, kind in ROWS:
        table.add_row(label, _cell(block["icp"][key], kind), _cell(block["non_icp"][key], kind))
    console.print(table)
    for line in block["verdict"]:
        console.print(f"• {line}", highlight=False)
    segs = Table(
        "segment",
        "closed",
        "win rate",
        "discount",
        "won per deal",
        "vs ICP",
        "hint",
        title="Off-profile segments",
        title_justify="left",
    )
    for seg in block["segments"][:top]:
        segs.add_row(
            f"{seg['industry']}, {seg['employees']}",
            str(seg["closed"]),
            _cell(seg["win_rate"], "pct"),
            _fmt(seg["discount"]["value"], "pct"),
            _fmt(seg["value_per_deal"]["value"], "money"),
            "–" if seg["lift"] is None else f"{seg['lift']:.2f}×",
            f"[green]{seg['hint']}[/]" if seg["hint"] else "",
        )
    console.print(segs)
