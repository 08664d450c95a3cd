"""`onstrategy strategy check|show|diff|schema`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.table import Table
from rich.tree import Tree

from onstrategy.cli.common import console, print_json
from onstrategy.cli.simulate import simulate
from onstrategy.reports.strategy_docs import version_summary
from onstrategy.strategy.load import load_strategy
from onstrategy.strategy.model import Version
from onstrategy.strategy.schema import SCHEMA_FILE, schema_text
from onstrategy.strategy.versions import diff_versions

app = typer.Typer(no_args_is_help=True, help="Check, show and compare strategy files.")
app.command("simulate")(simulate)


@app.command()
def check(file: Path = typer.Argument(..., help="strategy YAML")) -> None:
    """Validate a strategy file; print every problem with its path and a hint (exit 1 if any)."""
    strategy = load_strategy(file)
    versions = ", ".join(f"{v.id} (from {v.effective_from})" for v in strategy.versions)
    console.print(
        f"[green]✓[/] {file}: valid — {len(strategy.versions)} versions: {versions}",
        highlight=False,
    )


@app.command()
def show(
    file: Path = typer.Argument(..., help="strategy YAML"),
    as_of: str | None = typer.Option(None, "--as-of", help="date (YYYY-MM-DD); default today"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Show the version in force on a date."""
    strategy = load_strategy(file)
    version = strategy.version_on(_date(as_of))
    if as_json:
        print_json(version.model_dump(mode="json"))
        return
    console.print(_tree(version))


def _date(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        from onstrategy.errors import InvalidInput

        raise InvalidInput(f"--as-of {text!r} is not a date", "write it as YYYY-MM-DD") from None


def _tree(version: Version) -> Tree:
    """The version as :func:`reports.strategy_docs.version_summary` describes it (as the
    web's Strategy page does)."""
    v = version_summary(version)
    tree = Tree(
        f"[bold]{v['id']}[/] in force from {v['effective_from']}"
        + (f" — {v['description']}" if v["description"] else "")
    )
    icp = tree.add("[bold]ICP[/] (in profile: tiers " + ", ".join(v["in_profile_tiers"]) + ")")
    for segment in v["segment_rules"]:
        icp.add(f"{segment['name']}: {segment['rule']}")
    goals = v["goals"]
    tree.add(
        f"[bold]Goals[/]: pipeline {goals['icp_share_of_pipeline']:.0%} from ICP, bookings "
        f"{goals['icp_share_of_bookings']:.0%}, exception budget {goals['exception_budget']:.0%}"
    )
    offerings = tree.add("[bold]Offerings[/]")
    for offering in v["approvers"]:
        who = "; ".join(offering["approved_by"])
        products = ", ".join(offering["products"])
        offerings.add(f"{offering['name']} ({products}) — approved by {who}")
    territories = tree.add("[bold]Territories[/]")
    for territory in v["territories"]:
        reps = ", ".join(f"{c['rep']} (cap {c['capacity']})" for c in territory["reps"])
        territories.add(f"{territory['name']}: {reps}")
    return tree


@app.command()
def diff(
    file: Path = typer.Argument(..., help="strategy YAML"),
    old: str = typer.Argument(..., help="version id"),
    new: str = typer.Argument(..., help="version id"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """What changed between two versions."""
    changes = diff_versions(strategy=load_strategy(file), old_id=old, new_id=new)
    if as_json:
        print_json(changes)
        return
    table = Table("what", "change", old, new, title=f"{old} → {new}")
    for change in changes:
        table.add_row(change.path, change.kind, _short(change.before), _short(change.after))
    console.print(table if changes else f"{old} and {new} are the same apart from their dates")


def _short(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


@app.command()
def schema(write: bool = typer.Option(False, "--write", help=f"update {SCHEMA_FILE.name}")) -> None:
    """Print the JSON Schema of the strategy file (for editors)."""
    if write:
        SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
        console.print(f"wrote {SCHEMA_FILE}")
    else:
        typer.echo(schema_text(), nl=False)
