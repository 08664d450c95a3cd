"""`onstrategy report consultative`: how reps sell on recorded calls, and does it pay here?"""

from __future__ import annotations

from datetime import date
from typing import Any

import typer
from rich import box
from rich.table import Table

from onstrategy.cli.common import console, get_ctx, optional_day, print_json
from onstrategy.errors import InvalidInput
from onstrategy.reports.consultative import DEFAULT_BANDS, consultative_report

_DEFAULT_BANDS = ",".join(f"{cut:g}" for cut in DEFAULT_BANDS)


def _bands(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise InvalidInput(
            f"--bands {text!r} is not a list of numbers", "e.g. --bands 40,70"
        ) from None


def consultative(
    ctx: typer.Context,
    date_from: str | None = typer.Option(None, "--from", help="first call date (YYYY-MM-DD)"),
    date_to: str | None = typer.Option(None, "--to", help="last call date (YYYY-MM-DD)"),
    by: str = typer.Option("quarter", "--by", help="periods: month or quarter"),
    bands: str = typer.Option(_DEFAULT_BANDS, "--bands", help="score cut points, rising"),
    deal_score: str = typer.Option(
        "mean", "--deal-score", help="a deal's call score: mean or max of its calls"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Talk ratio, questions, discovery, pitch per rep, team and period; win rate by call score."""
    if by not in ("month", "quarter"):
        raise InvalidInput(f"--by {by!r} is not month or quarter", "e.g. --by month")
    if deal_score not in ("mean", "max"):
        raise InvalidInput(
            f"--deal-score {deal_score!r} is not mean or max", "e.g. --deal-score max"
        )
    start, end = optional_day(date_from, "--from"), optional_day(date_to, "--to")
    if start and end and end < start:
        raise InvalidInput("--to is before --from", "swap the dates")
    cli = get_ctx(ctx)
    strategy = cli.strategy() if cli.settings.strategy_file is not None else None
    report = consultative_report(
        store=cli.store, strategy=strategy, as_of=end or date.today(), date_from=start,
        date_to=end, by=by, bands=_bands(bands), deal_score=deal_score,  # type: ignore[arg-type]
    )  # fmt: skip
    data = report.as_dict()
    if as_json:
        print_json(data)
        return
    _print(data)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _num(value: float | None, spec: str = ".0f") -> str:
    return "–" if value is None else format(value, spec)


def _style_table(title: str, rows: list[dict[str, Any]], first: str) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(first, max_width=16, no_wrap=True, overflow="ellipsis")
    trends = any("trend" in row for row in rows)
    names = ("n", "score", *(("Δ",) if trends else ()), "talk", "qs", "open", "disc", "pitch")
    for name in (*names, "mono"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in rows:
        t = row.get("total", row)
        trend = row.get("trend")
        table.add_row(
            row.get("name") or "–", str(t["calls"]), _num(t["score"]),
            *(("–" if trend is None else f"{trend:+.0f}",) if trends else ()),
            _pct(t["talk_ratio"]),
            _num(t["questions_per_call"], ".1f"), _pct(t["open_question_share"]),
            _pct(t["discovery_share"]), _pct(t["pitch_share"]),
            _num(t["longest_monologue_seconds"]),
        )  # fmt: skip
    return table


def _print(data: dict[str, Any]) -> None:
    period, targets = data["period"], data["targets"]
    console.print(
        f"[bold]Consultative selling[/] {period['from'] or 'first call'} → "
        f"{period['to'] or 'last call'} by {period['by']}; targets of "
        f"{data['strategy_version'] or 'the built-in defaults'}: talk {targets['talk_ratio']:.0%}, "
        f"{targets['questions_min']}-{targets['questions_max']} questions",
        highlight=False,
    )
    company = [dict(r, name=r["period"]) for r in data["company"]]
    console.print(_style_table("Company by period", company, "period"))
    console.print(_style_table("Teams", [dict(r, name=r["team"]) for r in data["teams"]], "team"))
    console.print(_style_table("Reps", [dict(r, name=r["rep"]) for r in data["reps"]], "rep"))
    console.print(
        "[dim]n: calls; Δ: score change, first to last period; talk: seller share; qs: "
        "questions a call; open: open share; disc/pitch: share of seller utterances; mono: "
        "longest monologue (s)[/]"
    )
    _print_outcomes(data)
    console.print("\n[bold]Verdict per rep[/]")
    for rep in data["reps"]:
        verdict = rep["verdict"]
        console.print(f"  {rep['rep'] or rep['owner_id']}: {verdict['summary']}", highlight=False)
        for gap in verdict["gaps"]:
            console.print(f"    - {gap}", highlight=False)


def _print_outcomes(data: dict[str, Any]) -> None:
    outcomes = data["outcomes"]
    table = Table(
        title=f"Deals by call score ({data['deal_score']} of the deal's calls)",
        title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
    )  # fmt: skip
    for name in ("band", "deals", "closed", "won", "win rate", "95% CI", "avg won"):
        table.add_column(name, justify="left" if name == "band" else "right", no_wrap=True)
    for b in outcomes["bands"]:
        interval = "–" if b["win_rate_low"] is None else (
            f"{b['win_rate_low']:.0%}-{b['win_rate_high']:.0%}")  # fmt: skip
        table.add_row(b["band"], str(b["deals"]), str(b["closed"]), str(b["won"]),
                      _pct(b["win_rate"]), interval, _num(b["avg_won_amount"], ",.0f"))  # fmt: skip
    console.print(table)
    console.print(f"[bold]Does consultative selling pay here?[/] {outcomes['headline']}",
                  highlight=False)  # fmt: skip
