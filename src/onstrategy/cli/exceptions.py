"""`onstrategy exceptions`: ask for, decide and follow off-profile exceptions.

    onstrategy exceptions request --as REP --opportunity ID --reason CODE --rationale TEXT \\
        --expected-value N --days N
    onstrategy exceptions approve ID --as MANAGER --comment TEXT
    onstrategy exceptions reject ID --as MANAGER --comment TEXT
    onstrategy exceptions renew ID --as REP --days N --rationale TEXT
    onstrategy exceptions list [--status S] [--rep R] [--team T] [--json]
    onstrategy exceptions flags [--team T] [--json]     off-profile deals with no exception
    onstrategy exceptions history ID [--json]            the append-only trail
    onstrategy exceptions report --from D --to D [--version V] [--json]
    onstrategy exceptions expire [--as-of D]             end approvals past their duration
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from rich.table import Table

from onstrategy.cli.common import as_of_day, console, get_ctx, parse_day, print_json
from onstrategy.engines import exceptions as engine
from onstrategy.errors import InvalidInput
from onstrategy.reports.exceptions import exceptions_report

app = typer.Typer(
    no_args_is_help=True,
    help="Off-profile exceptions: a rationale before pursuing a deal outside the ICP.",
)

AS_OF = typer.Option(None, "--as-of", help="the day it happens (YYYY-MM-DD; default today)")


def _now() -> datetime:
    return datetime.now().astimezone()


def _show(record: engine.OffProfileException, as_json: bool, verb: str) -> None:
    if as_json:
        print_json(record.as_dict())
        return
    console.print(
        f"Exception [bold]{record.id}[/] {verb}: {record.subject_kind} "
        f"{record.subject_id} (rep {record.rep_id}) — status [bold]{record.status}"
        "[/]",
        highlight=False,
    )
    if record.needs_escalation and record.status == "pending":
        console.print(
            "  needs escalation: approving it would exceed the rep's exception "
            "budget, so a higher approver must decide",
            highlight=False,
        )
    if record.expires_on:
        console.print(
            f"  covers {record.starts_on} until {record.expires_on} (exclusive)", highlight=False
        )


@app.command()
def request(
    ctx: typer.Context,
    actor: str = typer.Option(..., "--as", help="your user id or email (the owner or manager)"),
    lead: str | None = typer.Option(None, "--lead", help="the lead's id"),
    opportunity: str | None = typer.Option(None, "--opportunity", help="the opportunity's id"),
    reason: str = typer.Option(..., "--reason", help="a reason code from the strategy file"),
    rationale: str = typer.Option(..., "--rationale", help="why, in your own words"),
    expected_value: float | None = typer.Option(
        None, "--expected-value", help="what it is worth if won (default: the deal's amount)"
    ),
    days: int = typer.Option(..., "--days", help="how long you need (at most the policy's)"),
    as_of: str | None = AS_OF,
    as_json: bool = typer.Option(False, "--json", help="print the exception as JSON"),
) -> None:
    """Ask to pursue an off-profile lead or opportunity, with a reason and a rationale."""
    if (lead is None) == (opportunity is None):
        raise InvalidInput(
            "give exactly one of --lead or --opportunity", "e.g. --opportunity 0065e0000000MHWAA2"
        )
    cli = get_ctx(ctx)
    record = engine.request_exception(
        store=cli.store,
        strategy=cli.strategy(),
        subject_kind="lead" if lead else "opportunity",
        subject_id=lead or opportunity or "",
        rep=actor,
        reason_code=reason,
        rationale=rationale,
        expected_value=expected_value,
        days=days,
        as_of=as_of_day(as_of),
        now=_now(),
    )
    _show(record, as_json, "requested")


def _decide(
    ctx: typer.Context,
    exception_id: int,
    actor: str,
    comment: str,
    as_of: str | None,
    as_json: bool,
    approve: bool,
) -> None:
    cli = get_ctx(ctx)
    record = engine.decide_exception(
        store=cli.store,
        strategy=cli.strategy(),
        exception_id=exception_id,
        approve=approve,
        decider=actor,
        comment=comment,
        as_of=as_of_day(as_of),
        now=_now(),
    )
    _show(record, as_json, "approved" if approve else "rejected")


# What deciding on a request takes, for approve and reject alike.
EXCEPTION_ID = typer.Argument(..., help="the exception's number")
DECIDER = typer.Option(..., "--as", help="your user id or email (the rep's manager)")
DECISION_COMMENT = typer.Option(..., "--comment", help="why (kept with the decision)")
AS_JSON = typer.Option(False, "--json", help="print the exception as JSON")


@app.command()
def approve(
    ctx: typer.Context,
    exception_id: int = EXCEPTION_ID,
    actor: str = DECIDER,
    comment: str = DECISION_COMMENT,
    as_of: str | None = AS_OF,
    as_json: bool = AS_JSON,
) -> None:
    """Approve a pending request; it covers the deal for the requested days."""
    _decide(ctx, exception_id, actor, comment, as_of, as_json, approve=True)


@app.command()
def reject(
    ctx: typer.Context,
    exception_id: int = EXCEPTION_ID,
    actor: str = DECIDER,
    comment: str = DECISION_COMMENT,
    as_of: str | None = AS_OF,
    as_json: bool = AS_JSON,
) -> None:
    """Reject a pending request."""
    _decide(ctx, exception_id, actor, comment, as_of, as_json, approve=False)


@app.command()
def renew(
    ctx: typer.Context,
    exception_id: int = typer.Argument(..., help="the approved or expired exception"),
    actor: str = typer.Option(..., "--as", help="your user id or email"),
    days: int = typer.Option(..., "--days", help="how long you need now"),
    rationale: str = typer.Option(..., "--rationale", help="why it is still worth pursuing"),
    as_of: str | None = AS_OF,
    as_json: bool = typer.Option(False, "--json", help="print the new request as JSON"),
) -> None:
    """Ask again for an exception that ended (or is about to): a new request, decided anew."""
    cli = get_ctx(ctx)
    record = engine.renew_exception(
        store=cli.store,
        strategy=cli.strategy(),
        exception_id=exception_id,
        actor=actor,
        days=days,
        rationale=rationale,
        as_of=as_of_day(as_of),
        now=_now(),
    )
    _show(record, as_json, f"requested (renews {exception_id})")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(
        None, "--status", help="pending, approved, rejected or expired"
    ),
    rep: str | None = typer.Option(None, "--rep", help="a rep's id or email"),
    team: str | None = typer.Option(None, "--team", help="a team id"),
    viewer: str | None = typer.Option(None, "--as", help="show only what this user may see"),
    as_of: str | None = AS_OF,
    as_json: bool = typer.Option(False, "--json", help="print as JSON"),
) -> None:
    """Exceptions, newest first, with their status today (or --as-of)."""
    cli = get_ctx(ctx)
    found = engine.list_exceptions(
        store=cli.store, as_of=as_of_day(as_of), status=status, rep=rep, team=team, viewer=viewer
    )
    if as_json:
        print_json([e.as_dict() for e in found])
        return
    table = Table(
        "id",
        "status",
        "subject",
        "rep",
        "reason",
        "value",
        "until",
        title=f"{len(found)} exceptions",
        title_justify="left",
    )
    for e in found:
        status_text = e.status + (" ⚑" if e.needs_escalation and e.status == "pending" else "")
        table.add_row(
            str(e.id),
            status_text,
            f"{e.subject_kind}\n{e.subject_id}",
            e.rep_id,
            e.reason_code,
            _money(e.expected_value),
            str(e.expires_on or "–"),
        )
    console.print(table)
    if any(e.needs_escalation and e.status == "pending" for e in found):
        console.print("⚑ needs a higher approver (over the exception budget)")


@app.command()
def flags(
    ctx: typer.Context,
    team: str | None = typer.Option(None, "--team", help="a team id"),
    rep: str | None = typer.Option(None, "--rep", help="a rep's user id"),
    as_of: str | None = AS_OF,
    as_json: bool = typer.Option(False, "--json", help="print as JSON"),
) -> None:
    """Open off-profile opportunities that no approved, unexpired exception covers."""
    cli = get_ctx(ctx)
    found = engine.unexcused_off_profile(
        store=cli.store, strategy=cli.strategy(), as_of=as_of_day(as_of), team=team, rep=rep
    )
    if as_json:
        print_json(found)
        return
    total = sum(f.amount for f in found)
    table = Table(
        "opportunity",
        "owner",
        "amount",
        "tier",
        "exception",
        "why off-profile",
        title=f"{len(found)} unexcused off-profile deals ({_money(total)})",
        title_justify="left",
    )
    for f in found:
        table.add_row(
            f"{f.opportunity_id}\n{_clip(f.account_name, 30)}",
            f.owner_id or "–",
            _money(f.amount),
            f.fit_tier or "–",
            f"{f.exception_id} {f.exception_status}" if f.exception_id else "none",
            _clip(f.why[0] if f.why else "", 50),
        )
    console.print(table)


@app.command()
def history(
    ctx: typer.Context,
    exception_id: int = typer.Argument(..., help="the exception's number"),
    as_of: str | None = AS_OF,
    as_json: bool = typer.Option(False, "--json", help="print as JSON"),
) -> None:
    """Every event of an exception (and of those it renews), oldest first."""
    cli = get_ctx(ctx)
    record, events = engine.exception_history(
        store=cli.store, exception_id=exception_id, as_of=as_of_day(as_of)
    )
    if as_json:
        print_json({"exception": record.as_dict(), "events": events})
        return
    _show(record, False, "history")
    table = Table("on", "recorded at", "exception", "event", "by", "status", "comment")
    for e in events:
        table.add_row(
            str(e["as_of"]),
            e["at"].isoformat(timespec="seconds"),
            str(e["exception_id"]),
            e["event"],
            e["actor"],
            e["status"],
            _clip(e["comment"], 70),
        )
    console.print(table)


@app.command()
def expire(
    ctx: typer.Context,
    as_of: str | None = AS_OF,
    as_json: bool = typer.Option(False, "--json", help="print as JSON"),
) -> None:
    """Mark approvals whose duration has ended as expired (run daily, e.g. from cron)."""
    cli = get_ctx(ctx)
    ended = engine.expire_exceptions(store=cli.store, as_of=as_of_day(as_of), now=_now())
    if as_json:
        print_json([e.as_dict() for e in ended])
        return
    console.print(
        f"{len(ended)} exceptions expired"
        + "".join(
            f"\n  {e.id}: {e.subject_kind} {e.subject_id} (rep {e.rep_id}) — renew to go on"
            for e in ended
        ),
        highlight=False,
    )


@app.command()
def report(
    ctx: typer.Context,
    date_from: str = typer.Option(..., "--from", help="first day (YYYY-MM-DD)"),
    date_to: str = typer.Option(..., "--to", help="last day (YYYY-MM-DD)"),
    version: str | None = typer.Option(None, "--version", help="only this strategy version"),
    as_json: bool = typer.Option(False, "--json", help="print as JSON"),
) -> None:
    """Do exceptions pay off? Counts per rep/team; exception deals vs ICP deals."""
    cli = get_ctx(ctx)
    built = exceptions_report(
        store=cli.store,
        strategy=cli.strategy(),
        date_from=parse_day(date_from, "--from"),
        date_to=parse_day(date_to, "--to"),
        version_id=version,
        now=_now(),
    )
    data = built.as_dict()
    if as_json:
        print_json(data)
        return
    _print_report(data)


def _print_report(data: dict[str, Any]) -> None:
    period = data["period"]
    console.print(
        f"[bold]Exceptions[/] {period['from']} → {period['to']}"
        + (f" (version {data['version']})" if data["version"] else "")
    )
    counts = Table(
        "name",
        "requested",
        "approved",
        "rejected",
        "pending",
        "expired",
        "escalated",
        title="Requests",
        title_justify="left",
    )
    for row in [data["company"], *data["teams"], *data["reps"]]:
        counts.add_row(
            row["name"],
            *(
                str(row[k])
                for k in ("requested", "approved", "rejected", "pending", "expired", "escalated")
            ),
        )
    console.print(counts)
    outcomes = Table(
        "group",
        "closed",
        "win rate (95%)",
        "avg won deal",
        "price realised",
        "cycle days",
        title="Closed deals",
        title_justify="left",
    )
    for group in data["outcomes"].values():
        outcomes.add_row(
            group["label"],
            str(group["closed"]),
            _interval(group["win_rate"]),
            _money(group["deal_size"]["value"]),
            _pct(group["price_realisation"]["value"]),
            _num(group["cycle_days"]["value"]),
        )
    console.print(outcomes)
    for line in data["verdict"]:
        console.print(f"• {line}", highlight=False)


def _interval(e: dict[str, Any]) -> str:
    if e["value"] is None:
        return "–"
    return f"{e['value']:.0%} ({_pct(e['low'])}–{_pct(e['high'])}, n={e['n']})"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


def _money(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


def _clip(text: str | None, width: int) -> str:
    text = text or "–"
    return text if len(text) <= width else text[: width - 1] + "…"
