"""`onstrategy report shift`: did reps change whom they sell to when the strategy changed?"""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from onstrategy.cli.common import as_of_day, console, err_console, get_ctx, print_json
from onstrategy.errors import InvalidInput
from onstrategy.reports.shift import MIN_GAIN, MIN_SHARE, MIN_TOUCHES, shift_report

KEPT_SHOWN = 5


def shift(
    ctx: typer.Context,
    version: str | None = typer.Option(
        None, "--version", help="strategy version (default: latest started)"
    ),
    window: int = typer.Option(180, "--window", help="days before and after the change"),
    as_of: str | None = typer.Option(None, "--as-of", help="date (YYYY-MM-DD); default today"),
    min_share: float = typer.Option(
        MIN_SHARE, "--min-share", help="approver share expected after the change (0-1)"
    ),
    min_gain: float = typer.Option(
        MIN_GAIN, "--min-gain", help="least gain in approver share (0.1 = 10 points)"
    ),
    min_touches: int = typer.Option(
        MIN_TOUCHES, "--min-touches", help="calls and meetings after the change needed to judge"
    ),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Before and after a version's effective date: whom each rep meets, what they sell."""
    if not 0 <= min_share <= 1 or not -1 <= min_gain <= 1:
        raise InvalidInput(
            "--min-share and --min-gain are fractions", "e.g. --min-share 0.3 --min-gain 0.1"
        )
    cli = get_ctx(ctx)
    with err_console.status("Comparing activity before and after the change…"):
        report = shift_report(
            store=cli.store,
            strategy=cli.strategy(),
            as_of=as_of_day(as_of),
            version_id=version,
            window_days=window,
            min_share=min_share,
            min_gain=min_gain,
            min_touches=min_touches,
        )
    data = report.as_dict()
    if as_json:
        print_json(data)
        return
    _print(data)


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _arrow(before: dict[str, Any], after: dict[str, Any], key: str) -> str:
    return f"{_pct(before[key])} → {_pct(after[key])}"


def _header(data: dict[str, Any]) -> None:
    offerings = "; ".join(
        f"{o['id']} (approved by {' or '.join(o['approved_by'])})" for o in data["new_offerings"]
    )
    console.print(
        f"[bold]Did sales shift?[/] {data['version']} from {data['effective_from']} "
        f"(previous: {data['previous_version'] or '–'})",
        highlight=False,
    )
    console.print(
        f"  before {data['before']['from']} – {data['before']['to']}, after "
        f"{data['after']['from']} – {data['after']['to']}",
        highlight=False,
    )
    console.print(f"  new offerings: {offerings}", highlight=False)
    rule = data["rule"]
    console.print(
        f"  shifted = approver share after ≥ {rule['min_share']:.0%} and up "
        f"≥ {rule['min_gain'] * 100:.0f} points (or ≥ {rule['min_share']:.0%} "
        "before and after)",
        highlight=False,
    )


def _table(title: str, rows: list[dict[str, Any]], first: str) -> Table:
    table = Table(
        first,
        "approvers",
        "non-approvers",
        "new-offering pipeline",
        "verdict",
        title=title,
        title_justify="left",
        caption="share of calls and meetings, before → after",
    )
    for row in rows:
        b, a = row["before"], row["after"]
        verdict = row.get("verdict") or ", ".join(f"{k}: {v}" for k, v in row["verdicts"].items())
        style = {"not shifted": "red", "shifted": "green", "already aligned": "green"}.get(
            row.get("verdict", ""), ""
        )
        table.add_row(
            row["name"],
            _arrow(b, a, "approver_share"),
            _arrow(b, a, "non_approver_share"),
            _arrow(b, a, "new_offering_share_of_pipeline"),
            f"[{style}]{verdict}[/]" if style else verdict,
        )
    return table


def _mix(company: dict[str, Any]) -> Table:
    before, after = company["before"], company["after"]
    table = Table("offering", "before", "after", title="New pipeline by offering (company)",
                  title_justify="left")  # fmt: skip
    offerings = sorted(set(before["pipeline_by_offering"]) | set(after["pipeline_by_offering"]))
    for offering in offerings:
        cells = [f"{p['pipeline_by_offering'].get(offering, 0):,.0f}" for p in (before, after)]
        table.add_row(offering, *cells)
    table.add_row(
        "[bold]total[/]", f"{before['new_pipeline']:,.0f}", f"{after['new_pipeline']:,.0f}"
    )
    return table


def _print(data: dict[str, Any]) -> None:
    _header(data)
    b, a = data["company"]["before"], data["company"]["after"]
    console.print(
        f"  company: approvers {_arrow(b, a, 'approver_share')} of calls and meetings "
        f"({_arrow(b, a, 'approver_hours_share')} of hours), non-approvers "
        f"{_arrow(b, a, 'non_approver_share')}, new offerings "
        f"{_arrow(b, a, 'new_offering_share_of_pipeline')} of new pipeline",
        highlight=False,
    )
    console.print(_mix(data["company"]))
    console.print(_table("Teams", data["teams"], "team"))
    console.print(_table("Reps", data["reps"], "rep"))
    lagging = [r for r in data["reps"] if r["verdict"] == "not shifted"]
    if lagging:
        console.print("\n[bold]Reps who have not shifted[/] — the non-approvers they keep meeting")
    for rep in lagging:
        why = "; ".join(rep["reasons"])
        console.print(f"[bold]{rep['name']}[/] ({rep['team'] or '–'}): {why}", highlight=False)
        for c in rep["kept_contacts"][:KEPT_SHOWN]:
            console.print(
                f"    {c['name']}, {c['title'] or '–'} ({c['persona']}) at "
                f"{c['account_name'] or '–'}: {c['after']} calls/meetings after "
                f"({_n(c['meetings_after'], 'meeting')}), {c['before']} before",
                highlight=False,
            )
