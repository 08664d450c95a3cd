"""`onstrategy demo run`: the demo company, imported and reported on — what `make demo` runs."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
from rich.table import Table

from onstrategy.cli.common import CliContext, console, get_ctx
from onstrategy.cli.report import _print_terminal, write_html
from onstrategy.demo import generate_demo, write_demo
from onstrategy.ingest.bundle import import_bundle
from onstrategy.reports.alignment import alignment_report
from onstrategy.strategy.load import load_strategy

app = typer.Typer(no_args_is_help=True, help="The demo company (a technology distributor).")

DEMO_TODAY = date(2026, 11, 30)


@app.command()
def generate(
    out: Path = typer.Argument(Path("var/demo"), help="folder for the CSV exports"),
    seed: int = typer.Option(7, help="random seed (same seed, same company)"),
    scale: float = typer.Option(1.0, help="1.0 = about 5,000 accounts"),
) -> None:
    """Write the demo company's CRM exports, transcripts and strategy file."""
    files = write_demo(generate_demo(seed=seed, scale=scale, today=DEMO_TODAY), out)
    console.print(f"wrote {len(files)} files to {out}")


@app.command()
def run(
    ctx: typer.Context,
    out: Path = typer.Option(Path("var/demo"), help="folder for the CSV exports"),
    seed: int = typer.Option(7),
    scale: float = typer.Option(1.0),
) -> None:
    """Generate the demo company, import it into the store, and run the main report."""
    cli = get_ctx(ctx)
    with console.status("generating the demo company..."):
        files = write_demo(generate_demo(seed=seed, scale=scale, today=DEMO_TODAY), out)
    strategy = load_strategy(files["strategy"])
    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        DownloadColumn(),
        console=console,
        transient=True,
    ) as bar:

        def progress(name: str):  # type: ignore[no-untyped-def]
            task = bar.add_task(f"importing {name}", total=None)
            return lambda done, total: bar.update(task, completed=done, total=total)

        bundle = import_bundle(
            store=cli.store,
            directory=out,
            strategy=strategy,
            as_of=DEMO_TODAY,
            actor="demo",
            progress=progress,
        )
    table = Table(
        "imported",
        "new",
        "updated",
        "unchanged",
        "rejected",
        title_justify="left",
        title="The demo company's CRM exports",
    )
    for result in bundle.imports:
        table.add_row(
            result.kind,
            f"{result.inserted:,}",
            f"{result.updated:,}",
            f"{result.unchanged:,}",
            f"{result.rejected:,}",
        )
    console.print(table)
    for line in [*(n for r in bundle.imports for n in r.notes), *bundle.steps]:
        console.print(f"  {line}", highlight=False)
    start = date(DEMO_TODAY.year - 1, DEMO_TODAY.month, 1)
    report = alignment_report(
        store=cli.store,
        strategy=strategy,
        date_from=start,
        date_to=DEMO_TODAY,
        now=datetime.now().astimezone(),
    ).as_dict()
    console.print()
    _print_terminal(report)
    path = write_html(report, Path("var") / "reports" / "demo-strategy-execution.html")
    console.print(f"\nHTML report: [bold]{path.resolve()}[/]", highlight=False, soft_wrap=True)
    console.print(
        f"Strategy file: {files['strategy']}  ·  store: {cli.settings.database_url}",
        highlight=False,
    )
    _demo_sign_ins(cli)


# The people a leader, a manager and a rep sign in as to try the dashboard (`make serve`).
DEMO_SIGN_INS = (
    "sandra.kowalski@techdistro.example",
    "laura.chen@techdistro.example",
    "ana.ruiz@techdistro.example",
)


def _demo_sign_ins(cli: CliContext) -> None:
    """Give the demo's VP, a manager and a rep a random password, shown once, never stored
    in a file (only its hash, in the store). Users who already have one keep it."""
    import secrets

    from onstrategy.web.users import find_user, set_password

    lines = []
    for email in DEMO_SIGN_INS:
        if find_user(store=cli.store, who=email).has_password:
            continue
        password = secrets.token_urlsafe(12)
        set_password(store=cli.store, who=email, password=password, actor="demo")
        lines.append(f"  {email:<40} {password}")
    if lines:
        console.print("\nDashboard (make serve) — sign in as, passwords shown once:")
        console.print("\n".join(lines), highlight=False)
