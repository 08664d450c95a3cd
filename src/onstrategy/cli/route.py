"""`onstrategy route LEAD_ID | --all-unassigned | explain LEAD_ID`: who gets a lead, and why."""

from __future__ import annotations

from datetime import UTC, date, datetime

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from onstrategy.cli.common import CliContext, as_of_day, console, get_ctx, print_json
from onstrategy.cli.territories import AS_OF_HELP
from onstrategy.engines.routing import (
    ACTOR,
    RoutingDecision,
    authorize_router,
    decisions_for,
    route_lead,
    route_unassigned,
)
from onstrategy.errors import InvalidInput

USAGE = (
    "use `onstrategy route LEAD_ID`, `onstrategy route --all-unassigned` or "
    "`onstrategy route explain LEAD_ID`"
)


def route(
    ctx: typer.Context,
    args: list[str] = typer.Argument(
        None, metavar="[LEAD_ID | explain LEAD_ID]", show_default=False
    ),
    all_unassigned: bool = typer.Option(
        False, "--all-unassigned", help="route every active lead without an owner"
    ),
    include_queued: bool = typer.Option(
        False,
        "--include-queued",
        help="with --all-unassigned: also re-route leads waiting in a queue",
    ),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="decide and show, but store nothing and assign nobody"
    ),
    who: str | None = typer.Option(
        None,
        "--as",
        help="user id or email of the manager, executive or admin routing (audit log); a "
        "manager routes only their teams' leads. Default: the automated router",
    ),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Route a lead to the right rep or queue, and store why.

    Steps: the matched account's owner; off-profile leads to the nurture queue unless an
    approved exception applies; the lead's territory, to a free rep by weighted round robin
    (inactive, out-of-office and at-capacity reps skipped; a catch-up cap for reps back from
    an absence); otherwise the fallback queue.

    `onstrategy route explain LEAD_ID` shows the stored decisions: why did I get this lead?
    """
    words = list(args or [])
    if words[:1] == ["explain"]:
        _explain(ctx, words[1:], all_unassigned or dry_run or include_queued or bool(who), as_json)
        return
    if all_unassigned == bool(words) or len(words) > 1:
        raise InvalidInput(_what_is_wrong(words, all_unassigned), USAGE)
    if include_queued and not all_unassigned:
        raise InvalidInput("--include-queued only applies to --all-unassigned", USAGE)
    cli = get_ctx(ctx)
    day, now = as_of_day(as_of), datetime.now(UTC)
    lead_id = None if all_unassigned else words[0]
    actor = ACTOR
    if who:  # a person: a manager routes only their teams' leads (checked per lead)
        actor = authorize_router(store=cli.store, who=who, lead_id=lead_id,
                                 strategy=cli.strategy(), as_of=day)  # fmt: skip
    if all_unassigned:
        decisions = _bulk(cli, day, now, dry_run, include_queued, actor, as_json)
        if as_json:
            print_json([d.as_dict() for d in decisions])
        else:
            _summary(decisions, dry_run)
        return
    decision = route_lead(
        store=cli.store,
        strategy=cli.strategy(),
        lead_id=words[0],
        as_of=day,
        now=now,
        dry_run=dry_run,
        actor=actor,
    )
    if as_json:
        print_json(decision.as_dict())
    else:
        _show(decision)


def _what_is_wrong(words: list[str], all_unassigned: bool) -> str:
    if not words and not all_unassigned:
        return "which lead? give a LEAD_ID or --all-unassigned"
    if all_unassigned:
        return "give either a LEAD_ID or --all-unassigned, not both"
    return f"too many arguments: {' '.join(words)}"


def _bulk(
    cli: CliContext, day: date, now: datetime, dry_run: bool, include_queued: bool, actor: str,
    quiet: bool,
) -> list[RoutingDecision]:  # fmt: skip
    columns = (TextColumn("routing leads"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True, disable=quiet) as bar:
        task = bar.add_task("route", total=None)
        return route_unassigned(
            store=cli.store,
            strategy=cli.strategy(),
            as_of=day,
            now=now,
            dry_run=dry_run,
            include_queued=include_queued,
            actor=actor,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )


def _summary(decisions: list[RoutingDecision], dry_run: bool) -> None:
    for decision in decisions:
        console.print(_line(decision), highlight=False)
    to_reps = sum(1 for d in decisions if d.outcome == "rep")
    queues: dict[str, int] = {}
    for d in decisions:
        if d.outcome == "queue":
            queues[d.assigned_to] = queues.get(d.assigned_to, 0) + 1
    queued = ", ".join(f"{n} to {q}" for q, n in sorted(queues.items()))
    note = " (dry run: nothing stored)" if dry_run else ""
    console.print(
        f"[bold]{len(decisions)} leads routed[/]{note}: {to_reps} to reps"
        + (f", {queued}" if queued else "")
    )


def _line(decision: RoutingDecision) -> str:
    fired = next((s for s in reversed(decision.steps) if s.fired), None)
    why = fired.reason if fired else ""
    return f"{decision.lead_id:<20} → {_who(decision):<34} {why}"


def _who(decision: RoutingDecision) -> str:
    if decision.outcome == "queue":
        return f"queue {decision.assigned_to}"
    return decision.assigned_name or decision.assigned_to


def _show(decision: RoutingDecision) -> None:
    when = decision.decided_at.isoformat(timespec="seconds")
    stored = (
        "dry run, not stored"
        if decision.dry_run or decision.id is None
        else f"decision #{decision.id}"
    )
    console.print(
        f"[bold]Lead {decision.lead_id} → {_who(decision)}[/]"
        + (f" (territory {decision.territory_id})" if decision.territory_id else ""),
        highlight=False,
    )
    console.print(
        f"  strategy version {decision.strategy_version}, as of "
        f"{decision.as_of.isoformat()}, decided {when} ({stored})",
        highlight=False,
    )
    for step in decision.steps:
        mark = "[green]✓[/]" if step.fired else "[dim]·[/]"
        console.print(f"  {mark} {step.rule:<14} {step.reason}", highlight=False)


def _explain(ctx: typer.Context, rest: list[str], bad_flags: bool, as_json: bool) -> None:
    if len(rest) != 1:
        raise InvalidInput("`route explain` takes exactly one LEAD_ID", USAGE)
    if bad_flags:
        raise InvalidInput("`route explain` shows stored decisions; it takes only --json", USAGE)
    decisions = decisions_for(store=get_ctx(ctx).store, lead_id=rest[0])
    if as_json:
        print_json({"lead_id": rest[0], "decisions": [d.as_dict() for d in decisions]})
        return
    if not decisions:
        console.print(
            f"lead {rest[0]} has never been routed by onstrategy "
            f"(try `onstrategy route {rest[0]} --dry-run`)",
            highlight=False,
        )
        return
    for decision in decisions:
        _show(decision)
