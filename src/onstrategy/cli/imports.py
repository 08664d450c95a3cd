"""`onstrategy import KIND FILE`, `onstrategy import rejects`, `onstrategy import batches`."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table

from onstrategy.cli.common import (
    CliContext,
    acting_as,
    console,
    get_ctx,
    parse_day,
    print_json,
)
from onstrategy.ingest.fields import KINDS
from onstrategy.ingest.importer import ImportResult, import_file, list_batches, list_rejects

app = typer.Typer(no_args_is_help=True, help="Import CRM exports (CSV) and review rejected rows.")


def _import_command(kind: str):  # type: ignore[no-untyped-def]
    def command(
        ctx: typer.Context,
        file: Path = typer.Argument(..., help="CSV export (Salesforce, HubSpot or mapped)"),
        mapping: Path | None = typer.Option(None, "--mapping", help="mapping YAML for other CRMs"),
        as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
        as_of: str | None = typer.Option(
            None, "--as-of", help="date the strategy is judged on (default today)"
        ),
        actor: str | None = typer.Option(
            None, "--as", help="your user id or email, for the audit log (default: your login)"
        ),
    ) -> None:
        day = parse_day(as_of, "--as-of") if as_of else date.today()
        cli = get_ctx(ctx)
        who = acting_as(cli.store, actor)
        result = _run_with_progress(cli, kind, file, mapping, quiet=as_json, as_of=day, actor=who)
        if as_json:
            print_json(result)
        else:
            _show(result)

    command.__doc__ = (
        f"Import {kind.replace('_', ' ')} from a CSV export (upsert on the CRM id). "
        "With --strategy, the steps that judge records against it run too "
        "(leads: matching to accounts and the intake gate)."
    )
    return command


def _run_with_progress(
    cli: CliContext,
    kind: str,
    file: Path,
    mapping: Path | None,
    *,
    quiet: bool,
    as_of: date,
    actor: str,
) -> ImportResult:
    columns = [BarColumn(), DownloadColumn(), TimeRemainingColumn()]
    strategy = cli.strategy_if_given()
    with Progress(*columns, console=console, transient=True, disable=quiet) as bar:
        task = bar.add_task(f"importing {file.name}", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return import_file(
            store=cli.store,
            kind=kind,
            path=file,
            mapping_file=mapping,
            progress=update,
            strategy=strategy,
            as_of=as_of,
            actor=actor,
        )


def _show(result: ImportResult) -> None:
    console.print(
        f"[bold]{result.kind}[/] from {result.filename} "
        f"([dim]{result.mapping} columns, {result.encoding}, "
        f"delimiter {result.delimiter!r}[/]): read {result.rows_read:,}, "
        f"[green]inserted {result.inserted:,}[/], updated {result.updated:,}, "
        f"unchanged {result.unchanged:,}, "
        + (f"[red]rejected {result.rejected:,}[/]" if result.rejected else "rejected 0"),
        highlight=False,
    )
    for note in result.notes:
        console.print(f"  {note}", highlight=False)
    if result.rejects:
        table = Table("row", "column", "value", "reason", title="first rejected rows")
        for reject in result.rejects[:10]:
            table.add_row(
                str(reject.row_number), reject.column or "", reject.value or "", reject.reason
            )
        console.print(table)
        console.print(f"All rejects: onstrategy import rejects --batch {result.batch_id}")


for _kind in KINDS:
    app.command(_kind.replace("_", "-"))(_import_command(_kind))


@app.command("rejects")
def rejects(
    ctx: typer.Context,
    batch: int | None = typer.Option(
        None, "--batch", help="one import batch (default: latest of each file)"
    ),
    kind: str | None = typer.Option(None, "--kind", help="only this record kind"),
    export: Path | None = typer.Option(None, "--export", help="write the rejects to this CSV"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List rejected rows with file, row number, column and reason (or export them as CSV)."""
    rows = list_rejects(store=get_ctx(ctx).store, batch_id=batch, kind=kind)
    if export is not None:
        _export(rows, export)
        console.print(f"wrote {len(rows):,} rejected rows to {export}")
    elif as_json:
        print_json(rows)
    else:
        table = Table("batch", "file", "row", "column", "value", "reason")
        for row in rows:
            table.add_row(
                str(row["batch_id"]),
                Path(row["filename"]).name,
                str(row["row_number"]),
                row["column"] or "",
                row["value"] or "",
                row["reason"],
            )
        console.print(table if rows else "no rejected rows")


def _export(rows: list[dict], path: Path) -> None:  # type: ignore[type-arg]
    fields = ["batch_id", "kind", "filename", "row_number", "column", "value", "reason"]
    raw_columns = sorted({k for r in rows for k in (r.get("raw") or {})})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(fields + raw_columns)
        for row in rows:
            raw = row.get("raw") or {}
            writer.writerow([row[f] for f in fields] + [raw.get(c, "") for c in raw_columns])


@app.command("batches")
def batches(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """Recent imports with their counts."""
    rows = list_batches(store=get_ctx(ctx).store)
    if as_json:
        print_json(rows)
        return
    table = Table(
        "id",
        "kind",
        "file",
        "status",
        "read",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
        "started",
    )
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["kind"],
            Path(row["filename"]).name,
            row["status"],
            *(
                f"{row[c]:,}"
                for c in (
                    "rows_read",
                    "rows_inserted",
                    "rows_updated",
                    "rows_unchanged",
                    "rows_rejected",
                )
            ),
            row["started_at"].strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)
