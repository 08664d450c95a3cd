"""The ``onstrategy`` command: one root with a sub-command per area of the product."""

from __future__ import annotations

from pathlib import Path

import typer

from onstrategy import __version__
from onstrategy.cli import calls, demo, imports, titles
from onstrategy.cli import report as report_cmd
from onstrategy.cli import strategy as strategy_cmd
from onstrategy.cli import match as match_cmd
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
        None, "--database-url", envvar="ONSTRATEGY_DATABASE_URL",
        help="SQLAlchemy URL of the store (default: an embedded SQLite file in ./var).",
    ),
    strategy: Path | None = typer.Option(
        None, "--strategy", envvar="ONSTRATEGY_STRATEGY_FILE",
        help="Strategy YAML file used by commands that need the strategy.",
    ),
    version: bool = typer.Option(
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
app.command("report")(report_cmd.report)


def main() -> None:  # pragma: no cover - the console script
    app()
