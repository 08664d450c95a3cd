"""`onstrategy gate`: the intake gate — apply it, list and release quarantined records, report."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, cast

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from onstrategy.cli.common import acting_as, console, get_ctx, optional_day, print_json
from onstrategy.engines.gate import apply_gate, list_gated, release
from onstrategy.errors import InvalidInput
from onstrategy.reports.gate import Period, gate_report

app = typer.Typer(
    no_args_is_help=True,
    help="The intake gate: off-profile prospects are quarantined (never deleted), with reasons.",
)


def _day(text: str | None, option: str, default: date) -> date:
    return optional_day(text, option) or default


@app.command()
def apply(
    ctx: typer.Context,
    kind: str = typer.Option("leads", "--kind", help="leads or accounts"),
    batch: int | None = typer.Option(None, "--batch", help="the import batch to gate"),
    everything: bool = typer.Option(False, "--all", help="every lead (not released)"),
    as_of: str | None = typer.Option(None, "--as-of", help="judge by the version in force then"),
    actor: str | None = typer.Option(
        None, "--as", help="your user id or email, for the audit log (default: your login)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the counts as JSON"),
) -> None:
    """Classify imported leads or accounts against the ICP in force: active or quarantined."""
    if (batch is None) == (not everything):
        raise InvalidInput(
            "say which records to gate",
            "pass --batch N (see `onstrategy import batches`) or, for leads, --all",
        )
    cli = get_ctx(ctx)
    columns = [BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True, disable=as_json) as bar:
        task = bar.add_task(f"gating {kind}", total=None)
        run = apply_gate(
            store=cli.store,
            strategy=cli.strategy(),
            kind=kind,
            as_of=_day(as_of, "--as-of", date.today()),
            batch_id=batch,
            actor=acting_as(get_ctx(ctx).store, actor),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if as_json:
        print_json({"kind": run.kind, "version": run.version, "as_of": run.as_of, **run.counts})
        return
    console.print(run.note(), highlight=False)


@app.command("list")
def list_(
    ctx: typer.Context,
    kind: str = typer.Option("leads", "--kind", help="leads or accounts"),
    status: str = typer.Option(
        "quarantined", "--status", help="quarantined, released, active or all"
    ),
    source: str | None = typer.Option(None, "--source", help="only this lead source"),
    search: str | None = typer.Option(None, "--search", help="name, company, email or domain"),
    limit: int = typer.Option(200, "--limit", help="at most this many rows (0 = all)"),
    as_json: bool = typer.Option(False, "--json", help="print the records as JSON"),
) -> None:
    """Quarantined records (by default) with the reasons the gate gave."""
    rows = list_gated(
        store=get_ctx(ctx).store,
        kind=kind,
        status=status,
        source=source,
        search=search,
        limit=limit or None,
    )
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(f"no {status} {kind}")
        return
    table = Table(
        "id", "who", "source", "created", "score", "why", title=f"{len(rows)} {status} {kind}"
    )
    for r in rows:
        table.add_row(
            r["id"],
            _who(kind, r),
            r.get("source") or "",
            str(r.get("created_on") or ""),
            _score(r["gate_reasons"]),
            _why(r["gate_reasons"]),
        )
    console.print(table)
    if status == "quarantined":
        console.print("release one with `onstrategy gate release KIND ID --as ADMIN --reason TEXT`")


def _who(kind: str, row: dict[str, Any]) -> str:
    if kind == "accounts":
        return str(row["name"])
    name = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
    return f"{name}\n{row.get('company') or ''}".strip()


def _score(reasons: dict[str, Any] | None) -> str:
    if not reasons or "score" not in reasons:
        return ""
    return f"{reasons['score']:.0f} ({reasons['tier']}, {reasons['version']})"


def _why(reasons: dict[str, Any] | None) -> str:
    if not reasons:
        return "not gated yet"
    lines = [f"judged on {reasons.get('judged_on')}", *reasons.get("failed", [])]
    if "release" in reasons:
        rel = reasons["release"]
        lines.append(f"released by {rel['by']}: {rel['reason']}")
    return "\n".join(lines)


@app.command("release")
def release_(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help="leads or accounts"),
    record_id: str = typer.Argument(..., help="the record's CRM id"),
    actor: str = typer.Option(..., "--as", help="your user id or email (an admin)"),
    reason: str = typer.Option(..., "--reason", help="why it is let in (kept in the audit log)"),
    as_json: bool = typer.Option(False, "--json", help="print the record's new state as JSON"),
) -> None:
    """Let a quarantined record in (admins only); later gate runs leave it alone."""
    kinds = {"lead": "leads", "account": "accounts"}
    done = release(
        store=get_ctx(ctx).store,
        kind=kinds.get(kind, kind),
        record_id=record_id,
        actor=actor,
        reason=reason,
        now=datetime.now(UTC),
    )
    if as_json:
        print_json(done)
        return
    console.print(f"{done['kind'][:-1]} {record_id} released: {reason}", highlight=False)


@app.command()
def report(
    ctx: typer.Context,
    date_from: str | None = typer.Option(None, "--from", help="first day (default: a year ago)"),
    date_to: str | None = typer.Option(None, "--to", help="last day (default: today)"),
    by: str = typer.Option("month", "--by", help="month or quarter"),
    version: str | None = typer.Option(None, "--version", help="judge all by this version"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """The prospect database over time: share inside the target market, by source."""
    cli = get_ctx(ctx)
    end = _day(date_to, "--to", date.today())
    start = _day(date_from, "--from", date(end.year - 1, end.month, 1))
    built = gate_report(
        store=cli.store,
        strategy=cli.strategy(),
        date_from=start,
        date_to=end,
        by=cast(Period, by),  # checked by gate_report
        version_id=version,
        now=datetime.now().astimezone(),
    )
    data = built.as_dict()
    if as_json:
        print_json(data)
        return
    _print_report(data)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _print_report(data: dict[str, Any]) -> None:
    goal = data["goal_share_in_target"]
    sources = [s["source"] for s in sorted(data["sources"], key=lambda s: s["source"])]
    table = Table(
        "period",
        *sources,
        "all sources",
        title=f"Prospects in the target market, {data['period']['from']} to "
        f"{data['period']['to']} (share · new prospects)",
        caption=f"judged by {data['judged_by']}; goal {_pct(goal)}",
    )
    for period in data["periods"]:
        cells = {s["source"]: s for s in period["sources"]}
        table.add_row(
            period["period"],
            *(_cell(cells.get(name), goal) for name in sources),
            _cell(period["total"], goal),
        )
    table.add_row(
        "whole period",
        *(_cell(s, goal) for s in sorted(data["sources"], key=lambda s: s["source"])),
        _cell(data["total"], goal),
        style="bold",
    )
    console.print(table)
    for note in data["notes"]:
        console.print(f"[bold]→[/] {note}", highlight=False)


def _cell(share: dict[str, Any] | None, goal: float | None) -> str:
    if not share:
        return ""
    value = share["share_in_target"]
    text = f"{_pct(value)} · {share['prospects']:,}"
    if goal is not None and value is not None and value < goal:
        return f"[red]{text}[/]"
    return text
