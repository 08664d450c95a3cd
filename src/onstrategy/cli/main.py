"""The ``onstrategy`` command: one root with a sub-command per area of the product."""

from __future__ import annotations

from pathlib import Path

import typer

from onstrategy import __version__
from onstrategy.cli import (
    alerts,
    calls,
    consultative,
    deals,
    demo,
    effort,
    exceptions,
    gate,
    icp_value,
    imports,
    lists,
    matches,
    route,
    serve,
    shift,
    territories,
    titles,
    users,
)
from onstrategy.cli import match as match_cmd
from onstrategy.cli import report as report_cmd
from onstrategy.cli import strategy as strategy_cmd
from onstrategy.cli.common import CliContext, OnstrategyGroup
from onstrategy.settings import load_settings

app = typer.Typer(
    cls=OnstrategyGroup,
    no_args_is_help=True,
    help="onstrategy: see where the sales force follows the strategy and where it drifts.",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"onstrategy {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        envvar="ONSTRATEGY_DATABASE_URL",
        help="SQLAlchemy URL of the store (default: an embedded SQLite file in ./var).",
    ),
    strategy: Path | None = typer.Option(
        None,
        "--strategy",
        envvar="ONSTRATEGY_STRATEGY_FILE",
        help="Strategy YAML file used by commands that need the strategy.",
    ),
    version: bool = typer.Option(  # noqa: ARG001 - handled eagerly by its callback
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    ctx.obj = CliContext(settings=load_settings(database_url=database_url, strategy_file=strategy))


app.add_typer(strategy_cmd.app, name="strategy")
app.add_typer(imports.app, name="import")
app.add_typer(demo.app, name="demo")
app.add_typer(titles.app, name="titles")
app.add_typer(calls.app, name="calls")
app.command("match")(match_cmd.match)
app.add_typer(report_cmd.app, name="report")
report_cmd.app.command("effort")(effort.effort)
report_cmd.app.command("icp-value")(icp_value.icp_value)
report_cmd.app.command("shift")(shift.shift)
report_cmd.app.command("consultative")(consultative.consultative)
app.add_typer(lists.app, name="lists")
app.add_typer(matches.app, name="matches")
app.add_typer(gate.app, name="gate")
app.add_typer(territories.app, name="territories")
app.command("route")(route.route)
app.add_typer(exceptions.app, name="exceptions")
app.command("alerts")(alerts.alerts)
app.add_typer(deals.app, name="deals")
app.add_typer(users.app, name="users")
app.command("serve")(serve.serve)


def main() -> None:  # pragma: no cover - the console script
    app()
