"""`onstrategy matches`: leads matched to accounts, and the review queue for unclear ones."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from onstrategy.cli.common import acting_as, console, get_ctx, print_json
from onstrategy.crm.lead_matching import lead_match, match_leads, match_summary
from onstrategy.crm.match_reviews import ReviewPage, resolve_review, review_queue
from onstrategy.errors import InvalidInput

app = typer.Typer(
    no_args_is_help=True,
    help="Leads matched to accounts (domain first, then name and place) and the review queue.",
)


@app.command()
def run(
    ctx: typer.Context,
    everything: bool = typer.Option(
        False, "--all", help="re-match every lead (except those a person decided)"
    ),
    actor: str | None = typer.Option(
        None, "--as", help="your user id or email, for the audit log (default: your login)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the counts as JSON"),
) -> None:
    """Match leads without an account yet (or all of them) to the CRM's accounts."""
    store = get_ctx(ctx).store
    columns = [BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True, disable=as_json) as bar:
        task = bar.add_task("indexing accounts, matching leads", total=None)
        result = match_leads(
            store=store,
            now=datetime.now(UTC),
            everything=everything,
            actor=acting_as(get_ctx(ctx).store, actor),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if as_json:
        print_json(
            {
                "considered": result.considered,
                **result.counts,
                "reviews_opened": result.reviews_opened,
            }
        )
        return
    console.print(result.note(), highlight=False)


@app.command()
def status(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="print the counts as JSON"),
) -> None:
    """How many leads are matched, to review, without an account, or decided by a person."""
    counts = match_summary(store=get_ctx(ctx).store)
    if as_json:
        print_json(counts)
        return
    total = sum(counts.values()) or 1
    for key, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        console.print(f"  {key:<10} {n:>8,}  {n / total:>5.0%}", highlight=False)


@app.command()
def show(
    ctx: typer.Context,
    lead_id: str = typer.Argument(..., help="the lead's CRM id"),
    as_json: bool = typer.Option(False, "--json", help="print as JSON"),
) -> None:
    """Why did I get this lead? Its account (confidence, reasons), the named lists it is on
    and how (through its account, or its own company as white space), its gate outcome."""
    row = lead_match(store=get_ctx(ctx).store, lead_id=lead_id)
    if as_json:
        print_json(row)
        return
    console.print(
        f"lead {row['id']} ({row['company'] or 'no company'}, {row['email'] or 'no email'}): "
        f"{row['match_status'] or 'not matched yet'} → {row['account_id'] or 'no account'}"
        + (f" (score {row['match_score']:.0f})" if row["match_score"] is not None else ""),
        highlight=False,
    )
    for reason in row["match_reasons"] or []:
        console.print(f"  · {reason}", highlight=False)
    for on in row["lists"]:
        console.print(f"on list {on['list_id']}: {on['why']}", highlight=False)
    if not row["lists"]:
        console.print("on no named-account list", highlight=False)
    gate = row["gate_reasons"] or {}
    if gate:
        console.print(
            f"intake gate: {row['gate_status']} — fit {gate.get('score')} (tier {gate.get('tier')},"
            f" {gate.get('version')}), judged on {gate.get('judged_on')}",
            highlight=False,
        )
        for text in gate.get("failed", []):
            console.print(f"  ✗ {text}", highlight=False)
        for text in gate.get("met", []):
            console.print(f"  ✓ {text}", highlight=False)


@app.command()
def review(
    ctx: typer.Context,
    kind: str | None = typer.Option(None, "--kind", help="lead or list_entry"),
    status: str = typer.Option("open", "--status", help="open, resolved, withdrawn or all"),
    limit: int = typer.Option(100, "--limit", min=0, help="at most this many items (0 = all)"),
    offset: int = typer.Option(0, "--offset", min=0, help="skip this many items first"),
    as_json: bool = typer.Option(False, "--json", help="print the page of the queue as JSON"),
) -> None:
    """The review queue: matches too close to call, with the candidates and their reasons,
    oldest first, a page at a time (--limit, --offset)."""
    if kind not in (None, "lead", "list_entry"):
        raise InvalidInput(f"unknown kind {kind!r}", "use --kind lead or --kind list_entry")
    page = review_queue(
        store=get_ctx(ctx).store, status=status, subject_kind=kind, limit=limit or None,
        offset=offset,
    )  # fmt: skip
    if as_json:
        print_json(page.reviews)
        return
    if not page.reviews:
        console.print(
            f"no {status} match reviews" + (f" after the first {offset}" if offset else "")
        )
        return
    table = Table(
        "review", "about", "candidates (account id, score, why)", "why unclear",
        title=_title(page, status), show_lines=True,
    )  # fmt: skip
    for r in page.reviews:
        table.add_row(f"#{r['id']}", _subject(r), _candidates(r), (r["reasons"] or [""])[-1])
    console.print(table)
    if page.offset + len(page.reviews) < page.total:
        console.print(f"more with --offset {page.offset + len(page.reviews)}", highlight=False)
    console.print("decide with `onstrategy matches resolve REVIEW_ID --account ID|--none --as YOU`")


def _title(page: ReviewPage, status: str) -> str:
    shown = len(page.reviews)
    if shown == page.total:
        return f"{page.total:,} {status} match reviews"
    first, last = page.offset + 1, page.offset + shown
    return f"{page.total:,} {status} match reviews, showing {first:,}–{last:,}"


def _subject(row: dict[str, object]) -> str:
    s = row["subject"]
    assert isinstance(s, dict)
    if row["subject_kind"] == "lead":
        who = " ".join(str(p) for p in (s.get("first_name"), s.get("last_name")) if p)
        return f"lead {s.get('id')}: {who}\n{s.get('company') or ''} {s.get('email') or ''}"
    return f"list {s.get('list_id')} entry {s.get('id')}:\n{s.get('name')} {s.get('website') or ''}"


def _candidates(row: dict[str, object]) -> str:
    found = row["candidates"]
    assert isinstance(found, list)
    lines = [
        f"{c['account_id']} {c['name']} ({c['score']:.0f}): {'; '.join(c['reasons'][:2])}"
        for c in found[:3]
    ]
    return "\n".join(lines)


@app.command()
def resolve(
    ctx: typer.Context,
    review_id: int = typer.Argument(..., help="the review's number (from `matches review`)"),
    account: str | None = typer.Option(None, "--account", help="the account it is"),
    none: bool = typer.Option(False, "--none", help="it is none of the accounts"),
    actor: str = typer.Option(
        ..., "--as", help="your user id or email (admin, executive, or the lead's team manager)"
    ),
    comment: str | None = typer.Option(None, "--comment", help="why (kept with the decision)"),
    as_json: bool = typer.Option(False, "--json", help="print the decision as JSON"),
) -> None:
    """Decide a review item; the choice is applied and audit-logged.

    Admins and executives decide any item; a manager the leads of their teams (owned by
    their reps, or that routing hands to their teams: give --strategy for a lead nobody owns
    yet) and any named-list entry."""
    if (account is None) == (not none):
        raise InvalidInput(
            "say which account it is, or that it is none of them",
            "pass exactly one of --account ACCOUNT_ID or --none",
        )
    cli = get_ctx(ctx)
    done = resolve_review(
        store=cli.store,
        review_id=review_id,
        account_id=account,
        actor=actor,
        comment=comment,
        now=datetime.now(UTC),
        strategy=cli.strategy_if_given(),  # whose lead it is, for one nobody owns yet
    )
    if as_json:
        print_json(done)
        return
    target = done.account_id or "no account"
    console.print(
        f"review #{done.review_id}: {done.subject_kind} {done.subject_id} → {target} "
        f"(decided by {done.decided_by})",
        highlight=False,
    )
