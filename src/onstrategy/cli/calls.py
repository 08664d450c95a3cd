"""`onstrategy calls`: consultative-selling analysis of call transcripts."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from onstrategy.cli.common import console, print_json, print_jsonl
from onstrategy.engines.conversation import CallAnalysis, analyze_call
from onstrategy.ingest.transcripts import FORMATS, TranscriptFormat, parse_transcript

app = typer.Typer(no_args_is_help=True, help="Analyse sales-call transcripts.")


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
