"""`onstrategy report`: the strategy-execution report (terminal, JSON, self-contained HTML)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from onstrategy.cli.common import console, get_ctx, parse_day, print_json
from onstrategy.errors import InvalidInput
from onstrategy.reports import html
from onstrategy.reports.alignment import alignment_report
from onstrategy.reports.charts import METRIC_LABELS, alignment_charts

HTML_TOP_ACCOUNTS = 300


app = typer.Typer(
    help="Reports for leaders. Without a sub-command: the strategy-execution report.",
    invoke_without_command=True,
)


@app.callback()
def report(
    ctx: typer.Context,
    date_from: str | None = typer.Option(None, "--from", help="first day (YYYY-MM-DD)"),
    date_to: str | None = typer.Option(None, "--to", help="last day (YYYY-MM-DD)"),
    version: str | None = typer.Option(None, "--version", help="judge everything by this version"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
    html_path: Path | None = typer.Option(None, "--html", help="where to write the HTML report"),
) -> None:
    """Share of leads, pipeline, bookings and hours from ICP accounts, against the goals."""
    if ctx.invoked_subcommand is not None:
        return
    if date_from is None or date_to is None:
        raise InvalidInput(
            "the report needs --from and --to",
            "e.g. onstrategy report --from 2026-01-01 --to 2026-06-30",
        )
    cli = get_ctx(ctx)
    start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    if end < start:
        raise InvalidInput("--to is before --from", "swap the dates")
    built = alignment_report(
        store=cli.store,
        strategy=cli.strategy(),
        date_from=start,
        date_to=end,
        version_id=version,
        now=datetime.now().astimezone(),
    )
    data = built.as_dict()
    if as_json:
        print_json(data)
        return
    _print_terminal(data)
    path = html_path or Path("var") / "reports" / f"strategy-execution-{start}-{end}.html"
    write_html(data, path)
    console.print(f"\nHTML report: [bold]{path.resolve()}[/]", highlight=False, soft_wrap=True)


def write_html(data: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    page = html.render(
        "alignment.html.j2",
        report=data,
        metrics=METRIC_LABELS,
        charts=alignment_charts(data),
        accounts=data["account_fit"]["accounts"][:HTML_TOP_ACCOUNTS],
    )
    path.write_text(page, encoding="utf-8")
    return path


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _styled(cell: dict[str, Any]) -> str:
    text = _pct(cell["share"])
    if cell["meets_goal"] is False:
        return f"[red]{text}[/]"
    return f"[green]{text}[/]" if cell["meets_goal"] else text


def compact(value: float) -> str:
    """1234 -> 1.2K, 10_246_000 -> 10.2M: amounts that fit a terminal column."""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= limit:
            return f"{value / limit:.1f}{suffix}"
    return f"{value:,.0f}"


SHORT_LABELS = {"leads": "leads", "pipeline": "pipeline", "bookings": "bookings", "hours": "hours"}


def _shares_table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(
        title=f"{title} — total, and share from ICP (green: meets goal)", title_justify="left"
    )
    table.add_column("name", no_wrap=True, overflow="ellipsis", max_width=22)
    for metric in METRIC_LABELS:
        table.add_column(SHORT_LABELS[metric], justify="right", no_wrap=True)
        table.add_column("ICP", justify="right", no_wrap=True)
    for row in rows:
        cells = []
        for metric in METRIC_LABELS:
            cells += [compact(row[metric]["total"]), _styled(row[metric])]
        table.add_row(row["name"], *cells)
    return table


def _print_terminal(data: dict[str, Any]) -> None:
    period, company = data["period"], data["company"]
    versions = ", ".join(v["id"] for v in data["versions"])
    console.print(
        f"[bold]Strategy execution — {company['name']}[/] "
        f"{period['from']} → {period['to']} (versions: {versions})",
        highlight=False,
    )
    for metric, label in METRIC_LABELS.items():
        cell = company[metric]
        console.print(
            f"  {label:<15} from ICP: {_styled(cell):>18}  goal {_pct(cell['goal'])}"
            f"  ({cell['icp']:,.0f} of {cell['total']:,.0f})",
            highlight=False,
        )
    console.print(_shares_table("Teams", data["teams"]))
    console.print(_shares_table("Reps", data["reps"]))
    fit = data["account_fit"]
    tiers = "  ".join(f"{t}: {n:,}" for t, n in fit["tiers"].items())
    console.print(f"\n[bold]Account fit[/] ({fit['version']}) — {tiers}")
    table = Table(
        "account",
        "score",
        "tier",
        "why",
        title="Top accounts (all in --json and HTML)",
        title_justify="left",
    )
    for account in fit["accounts"][:5]:
        why = "\n".join(("✓ " if r["met"] else "✗ ") + r["text"] for r in account["reasons"])
        table.add_row(account["name"], f"{account['score']:.0f}", account["tier"], why)
    console.print(table)
