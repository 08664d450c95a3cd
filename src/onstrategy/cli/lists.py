"""`onstrategy lists`: named-account lists (import, show, white space, duplicates, rematch)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from onstrategy.cli.common import acting_as, console, get_ctx, print_json
from onstrategy.crm.lists import (
    import_list,
    list_duplicates,
    list_entries,
    list_lists,
    rematch_list,
)

app = typer.Typer(
    no_args_is_help=True,
    help="Named-account lists (e.g. a Fortune 1000): matched to accounts, white space shown.",
)


@app.command("import")
def import_(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="short name of the list, e.g. fortune-1000"),
    file: Path = typer.Argument(..., help="CSV with a company name and/or website column"),
    title: str | None = typer.Option(None, "--title", help='display title, e.g. "Fortune 1000"'),
    actor: str | None = typer.Option(
        None, "--as", help="your user id or email, for the audit log (default: your login)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
) -> None:
    """Import (or re-import) a list and match every entry to the CRM's accounts."""
    cli = get_ctx(ctx)
    with console.status(f"importing {file.name} and matching it to accounts...") as status:
        if as_json:
            status.stop()
        result = import_list(
            store=cli.store,
            list_id=name,
            path=file,
            title=title,
            actor=acting_as(get_ctx(ctx).store, actor),
            now=_now(),
        )
    if as_json:
        print_json(result)
        return
    m = result.matching
    console.print(
        f"[bold]{result.list_id}[/] from {file}: read {result.rows_read:,}, inserted "
        f"{result.inserted:,}, updated {result.updated:,}, unchanged {result.unchanged:,}, "
        f"removed {result.removed:,}, rejected {len(result.rejected):,}",
        highlight=False,
    )
    console.print(
        f"matched to an account: {m.get('matched', 0):,} · to review: {m.get('ambiguous', 0):,} "
        f"(`onstrategy matches review`) · white space (no account): {m.get('none', 0):,}",
        highlight=False,
    )
    for number, why in result.rejected[:10]:
        console.print(f"  [red]row {number}[/]: {why}", highlight=False)


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="print the lists as JSON"),
) -> None:
    """Every named-account list with its matched, to-review and white-space counts."""
    rows = list_lists(store=get_ctx(ctx).store)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no lists yet: `onstrategy lists import NAME FILE.csv`")
        return
    table = Table("list", "title", "entries", "matched", "to review", "white space", "imported")
    for r in rows:
        imported = r["imported_at"].strftime("%Y-%m-%d %H:%M") if r["imported_at"] else ""
        table.add_row(
            r["id"],
            r["name"],
            f"{r['entries']:,}",
            f"{r['matched']:,}",
            f"{r['to_review']:,}",
            f"{r['white_space']:,}",
            imported,
        )
    console.print(table)


def _reason(entry: dict[str, Any]) -> str:
    reasons = entry.get("match_reasons") or []
    return "; ".join(str(r) for r in reasons[:2])


@app.command()
def show(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="the list's short name"),
    white_space: bool = typer.Option(
        False, "--white-space", help="only entries with no account in the CRM yet"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the entries as JSON"),
) -> None:
    """The list's entries with the account each matched and why."""
    data = list_entries(store=get_ctx(ctx).store, list_id=name, white_space=white_space)
    if as_json:
        print_json(data)
        return
    entries = data["entries"]
    what = "white space (no account yet)" if white_space else "entries"
    table = Table(
        "entry",
        "company",
        "website",
        "account",
        "status",
        "score",
        "why",
        title=f"{data['list']['name']}: {len(entries):,} {what}",
    )
    for e in entries:
        account = f"{e['account_name']} ({e['account_id']})" if e["account_id"] else "–"
        score = f"{e['match_score']:.0f}" if e["match_score"] is not None else ""
        table.add_row(
            str(e["id"]),
            e["name"] or "",
            e["website"] or "",
            account,
            e["match_status"] or "",
            score,
            _reason(e),
        )
    console.print(table)


@app.command()
def duplicates(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="the list's short name"),
    as_json: bool = typer.Option(False, "--json", help="print as JSON"),
) -> None:
    """Accounts that match several entries of the list (a CRM duplicate, or one group)."""
    groups = list_duplicates(store=get_ctx(ctx).store, list_id=name)
    if as_json:
        print_json(groups)
        return
    if not groups:
        console.print(f"no account matches more than one entry of {name}")
        return
    table = Table("account", "entries matched", "why")
    for g in groups:
        names = ", ".join(f"#{e['id']} {e['name']}" for e in g["entries"])
        why = " | ".join(_reason(e) for e in g["entries"])
        table.add_row(f"{g['account_name']} ({g['account_id']})", names, why)
    console.print(table)


@app.command()
def rematch(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="the list's short name"),
    actor: str | None = typer.Option(
        None, "--as", help="your user id or email, for the audit log (default: your login)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the counts as JSON"),
) -> None:
    """Match the list's entries to accounts again (manual choices are kept)."""
    counts = rematch_list(
        store=get_ctx(ctx).store,
        list_id=name,
        actor=acting_as(get_ctx(ctx).store, actor),
        now=_now(),
    )
    if as_json:
        print_json(counts)
        return
    console.print(
        f"{name}: {counts['matched']:,} matched, {counts['ambiguous']:,} to review, "
        f"{counts['none']:,} white space",
        highlight=False,
    )


def _now() -> datetime:
    return datetime.now(UTC)
