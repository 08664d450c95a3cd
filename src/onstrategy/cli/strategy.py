"""`onstrategy strategy check|show|diff|schema`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.table import Table
from rich.tree import Tree

from onstrategy.cli.common import console, print_json
from onstrategy.cli.simulate import simulate
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
    tree = Tree(
        f"[bold]{version.id}[/] in force from {version.effective_from}"
        + (f" — {version.description}" if version.description else "")
    )
    icp = tree.add("[bold]ICP[/] (in profile: tiers " + ", ".join(version.icp.in_profile) + ")")
    for segment in version.icp.segments:
        icp.add(f"{segment.name}: " + _segment_text(segment))
    goals = version.goals
    tree.add(
        f"[bold]Goals[/]: pipeline {goals.icp_share_of_pipeline:.0%} from ICP, bookings "
        f"{goals.icp_share_of_bookings:.0%}, exception budget {goals.exception_budget:.0%}"
    )
    offerings = tree.add("[bold]Offerings[/]")
    for offering in version.offerings:
        who = "; ".join(p.describe() for p in offering.approvers)
        offerings.add(f"{offering.name} ({', '.join(offering.products)}) — approved by {who}")
    territories = tree.add("[bold]Territories[/]")
    for territory in version.territories:
        reps = ", ".join(f"{c.rep} (cap {c.capacity})" for c in territory.reps)
        territories.add(f"{territory.name}: {reps}")
    return tree


def _segment_text(segment) -> str:  # type: ignore[no-untyped-def]
    parts = []
    if segment.industries:
        parts.append("industry " + "/".join(segment.industries))
    if segment.employees:
        parts.append(f"employees {segment.employees.describe()}")
    if segment.annual_revenue:
        parts.append(f"revenue {segment.annual_revenue.describe()}")
    if segment.countries or segment.states:
        parts.append("in " + "/".join(segment.states or segment.countries))
    if segment.named_lists:
        parts.append("on list " + "/".join(segment.named_lists))
    return ", ".join(parts)


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
