"""`onstrategy calls`: analyse transcripts, keep calls in the store linked to deals and reps.

``analyze`` reads files and stores nothing; ``import`` links, analyses and stores calls;
``list``, ``show`` and ``reanalyze`` work on the stored calls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from onstrategy.cli.common import (
    CliContext,
    acting_as,
    console,
    get_ctx,
    print_json,
    print_jsonl,
)
from onstrategy.crm.call_records import get_call, list_calls, reanalyze_calls
from onstrategy.crm.calls import CallImportResult, import_calls
from onstrategy.engines.conversation import CallAnalysis, analyze_call
from onstrategy.errors import InvalidInput
from onstrategy.ingest.transcripts import FORMATS, TranscriptFormat, parse_transcript

app = typer.Typer(
    no_args_is_help=True,
    help="Analyse sales-call transcripts and keep them linked to deals and reps.",
)


@app.command()
def analyze(
    files: list[Path] = typer.Argument(..., help="Transcripts: text, WebVTT, SRT or JSON."),
    seller: list[str] = typer.Option(
        [], "--seller", help="A rep's name or email as it appears in the transcript; repeatable."
    ),
    fmt: str | None = typer.Option(
        None, "--format", help=f"Force the format ({', '.join(FORMATS)}); default: detect."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="One JSON document per call (JSON Lines for several files)."
    ),
) -> None:
    """Talk ratio, questions (open/closed), discovery/insight/pitch, and a consultative score."""
    chosen = _format(fmt)
    analyses = [analyze_call(parse_transcript(path, fmt=chosen), sellers=seller) for path in files]
    if as_json:
        emit = print_json if len(analyses) == 1 else print_jsonl
        for analysis in analyses:
            emit(analysis.to_dict())
        return
    console.print(_table(analyses))
    for analysis in analyses:
        _print_reasons(analysis)


def _format(fmt: str | None) -> TranscriptFormat | None:
    if fmt is None:
        return None
    for known in FORMATS:
        if fmt == known:
            return known
    raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--format")


_COLUMNS = ("call", "score", "talk", "mono", "qs", "open", "disc", "ins", "pitch", "pause")


def _table(analyses: list[CallAnalysis]) -> Table:
    table = Table(
        title="Calls",
        caption="talk: seller share; mono: longest seller monologue; qs: seller questions; "
        "disc/ins/pitch: seller utterances by act; pause: seller's pause before answering; "
        "w: in words, the call has no timestamps",
    )
    table.add_column("call", overflow="fold", min_width=12)
    for name in _COLUMNS[1:]:
        table.add_column(name, justify="right")
    for a in analyses:
        m, acts = a.metrics, a.metrics["acts"]
        table.add_row(
            Path(a.source).name,
            str(m["consultative_score"]),
            _talk(m),
            _monologue(m),
            str(m["questions"]),
            str(m["questions_open"]),
            str(acts["discovery"]),
            str(acts["insight"]),
            str(acts["pitch"]),
            "-" if m["patience_seconds"] is None else f"{m['patience_seconds']:.1f}s",
        )
    return table


def _monologue(metrics: dict[str, object]) -> str:
    unit = "s" if metrics["longest_monologue_basis"] == "seconds" else "w"
    return f"{metrics['longest_monologue']:g}{unit}"


def _talk(metrics: dict[str, object]) -> str:
    ratio = metrics["talk_ratio"]
    if not isinstance(ratio, float):
        return "-"
    return f"{ratio:.0%}" + ("w" if metrics["talk_ratio_basis"] == "words" else "")


def _print_reasons(analysis: CallAnalysis) -> None:
    console.print(
        f"\n[bold]{Path(analysis.source).name}[/]: score {analysis.score}", highlight=False
    )
    for reason in analysis.reasons:
        console.print(
            f"  {reason.component:<15} {reason.points:>4g}/{reason.max_points:g}  {reason.message}",
            highlight=False,
            markup=False,
        )


# ----------------------------------------------------------------------------- stored calls


def _strategy_or_none(cli: CliContext) -> Any:
    """The strategy when one is configured; without it the built-in targets apply."""
    if cli.settings.strategy_file is None:
        return None
    return cli.strategy()


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(
        ...,
        help="A manifest CSV (Call ID,File,Opportunity ID,Account ID,Rep ID,Date,Seller) "
        "and/or transcript files.",
    ),
    opportunity: str | None = typer.Option(None, "--opportunity", help="Deal of the files given."),
    account: str | None = typer.Option(None, "--account", help="Account (default: the deal's)."),
    rep: str | None = typer.Option(
        None, "--rep", help="Rep: user id, email or full name (default: the deal's owner)."
    ),
    day: str | None = typer.Option(None, "--date", help="When the calls took place (YYYY-MM-DD)."),
    seller: list[str] = typer.Option(
        [], "--seller", help="The seller's speaker label (default: the rep's name or email)."
    ),
    fmt: str | None = typer.Option(None, "--format", help=f"Force ({', '.join(FORMATS)})."),
    call_id: str | None = typer.Option(
        None, "--id", help="Call id for one file (default: the file name without extension)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    actor: str | None = typer.Option(
        None, "--as", help="your user id or email, for the audit log (default: your login)"
    ),
) -> None:
    """Store calls linked to deal, account and rep, analysed with the targets then in force."""
    manifests = [p for p in paths if p.suffix.lower() == ".csv"]
    if len(manifests) > 1:
        raise InvalidInput("give at most one manifest CSV", "merge the manifests into one")
    files = [p for p in paths if p.suffix.lower() != ".csv"]
    cli = get_ctx(ctx)
    with _ProgressBar(quiet=as_json) as update:
        result = import_calls(
            store=cli.store, manifest=manifests[0] if manifests else None, files=files,
            strategy=_strategy_or_none(cli), opportunity_id=opportunity, account_id=account,
            rep=rep, occurred_on=day, seller=seller, fmt=fmt, call_id=call_id, progress=update,
            actor=acting_as(cli.store, actor),
        )  # fmt: skip
    if as_json:
        print_json(result.as_dict())
    else:
        _show_import(result)


class _ProgressBar:
    """A progress bar over the calls (silent with --json)."""

    def __init__(self, *, quiet: bool):
        columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        self.progress = Progress(*columns, console=console, transient=True, disable=quiet)
        self.task = self.progress.add_task("analysing calls", total=None)

    def __enter__(self) -> Any:
        self.progress.start()
        return lambda done, total: self.progress.update(self.task, completed=done, total=total)

    def __exit__(self, *_: object) -> None:
        self.progress.stop()


def _show_import(result: CallImportResult) -> None:
    console.print(
        f"[bold]calls[/] from {result.source}: read {result.read}, [green]inserted "
        f"{result.inserted}[/], updated {result.updated}, unchanged {result.unchanged}, "
        + (f"[red]rejected {result.rejected}[/]" if result.rejected else "rejected 0"),
        highlight=False,
    )
    if result.rejects:
        table = Table("row", "file", "column", "reason", title="rejected calls")
        for r in result.rejects:
            table.add_row(str(r.row), r.file, r.column or "", r.reason)
        console.print(table)
        console.print(f"All rejects: onstrategy import rejects --batch {result.batch_id}")


@app.command("list")
def list_(
    ctx: typer.Context,
    rep: str | None = typer.Option(None, "--rep", help="Rep: user id, email or full name."),
    opportunity: str | None = typer.Option(None, "--opportunity", help="Only this deal's calls."),
    account: str | None = typer.Option(None, "--account", help="Only this account's calls."),
    limit: int | None = typer.Option(None, "--limit", help="At most this many (newest first)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Stored calls, newest first, with rep, account, deal, score and main metrics."""
    rows = list_calls(store=get_ctx(ctx).store, rep=rep, opportunity_id=opportunity,
                      account_id=account, limit=limit)  # fmt: skip
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} calls", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1),
                  collapse_padding=True,
                  caption="talk: seller share; qs: seller questions")  # fmt: skip
    for name in ("call", "date"):
        table.add_column(name, no_wrap=True, min_width=10)
    table.add_column("rep", max_width=13, no_wrap=True, overflow="ellipsis")
    table.add_column("deal", max_width=15, no_wrap=True, overflow="ellipsis")
    for name in ("score", "talk", "qs", "pitch"):
        table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
    for r in rows:
        deal = r["opportunity"] or r["opportunity_id"] or r["account"] or "-"
        table.add_row(r["id"], str(r["occurred_on"]), r["rep"] or "-", deal,
                      f"{r['consultative_score']:.0f}", _pct(r["talk_ratio"]),
                      str(r["questions"]), _pct(r["pitch_share"]))  # fmt: skip
    console.print(table if rows else "no calls stored (see `onstrategy calls import`)")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


@app.command("show")
def show(
    ctx: typer.Context,
    call_id: str = typer.Argument(..., help="The call's id (see `onstrategy calls list`)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """One call: links, metrics, score reasons and each utterance with its question and act."""
    call = get_call(store=get_ctx(ctx).store, call_id=call_id)
    if as_json:
        print_json(call)
        return
    analysis = call["analysis"]
    console.print(
        f"[bold]{call['id']}[/] {call['occurred_on']}  rep {call['rep'] or '-'}  account "
        f"{call['account'] or '-'}  deal {call['opportunity'] or call['opportunity_id'] or '-'}"
        f"\n{call['filename']} ({call['format']}); targets of strategy version "
        f"{analysis.get('strategy_version') or '(built-in defaults)'}",
        highlight=False,
    )
    for reason in analysis["reasons"]:
        console.print(f"  {reason['component']:<15} {reason['points']:>4g}/"
                      f"{reason['max_points']:g}  {reason['message']}",
                      highlight=False, markup=False)  # fmt: skip
    console.print(f"  score {call['consultative_score']:.0f}", highlight=False)
    table = Table("at", "speaker", "role", "question", "act/need", "text", title="utterances")
    for u in analysis["utterances"]:
        at = "-" if u["start"] is None else f"{u['start']:.0f}s"
        table.add_row(at, u["speaker"], u["role"], u["question"] or "",
                      u["act"] or u["need"] or "", u["text"])  # fmt: skip
    console.print(table)


@app.command("reanalyze")
def reanalyze(
    ctx: typer.Context,
    call_ids: list[str] = typer.Argument(None, help="Calls to analyse again."),
    every: bool = typer.Option(False, "--all", help="Analyse every stored call again."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Analyse stored calls again, after the strategy's targets or the engine changed."""
    if not call_ids and not every:
        raise InvalidInput("name the calls to analyse again, or pass --all",
                           "e.g. onstrategy calls reanalyze --all")  # fmt: skip
    cli = get_ctx(ctx)
    result = reanalyze_calls(store=cli.store, strategy=_strategy_or_none(cli),
                             call_ids=None if every else call_ids)  # fmt: skip
    if as_json:
        print_json(result.as_dict())
        return
    console.print(f"analysed {result.read} calls again: {len(result.changed)} changed, "
                  f"{result.unchanged} unchanged", highlight=False)  # fmt: skip
    for change in result.changed:
        console.print(
            f"  {change['id']}: score {change['before']:.0f} -> {change['after']:.0f}"
            f" ({change['strategy_version'] or 'built-in targets'})",
            highlight=False,
        )
