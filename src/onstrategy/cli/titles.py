"""`onstrategy titles`: job titles → seniority and function.

``onstrategy titles classify`` reads titles one per line on standard input (or takes
them as arguments) and writes one JSON object per title:
``{"title": ..., "seniority": ..., "function": ...}``. Blank lines are skipped, so
``grep -v '^$'`` on the input lines up with the output.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import typer

from onstrategy.cli.common import print_jsonl
from onstrategy.engines import titles as engine
from onstrategy.errors import InvalidInput

app = typer.Typer(no_args_is_help=True, help="Job titles → seniority and function.")


@app.command()
def classify(
    title: list[str] | None = typer.Argument(
        None, help="Titles to classify; without any, read one title per line from stdin."
    ),
    reasons: bool = typer.Option(False, "--reasons", help="Add the words that decided each field."),
) -> None:
    """Classify job titles into seniority and function, one JSON object per line."""
    for result in engine.classify_titles(title or _stdin_titles()):
        row: dict[str, object] = {
            "title": result.title,
            "seniority": result.seniority,
            "function": result.function,
        }
        if reasons:
            row["reasons"] = list(result.reasons)
        print_jsonl(row)


def _stdin_titles() -> Iterator[str]:
    if sys.stdin.isatty():
        raise InvalidInput(
            "no titles given",
            "pipe titles one per line, e.g. `echo 'VP IT' | onstrategy titles classify`",
        )
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        line = _decode(raw, number).strip()
        if line:
            yield line


def _decode(raw: bytes, number: int) -> str:
    try:
        return raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as err:
        raise InvalidInput(
            f"line {number} of standard input is not UTF-8 text ({err.reason})",
            "convert the file to UTF-8, e.g. `iconv -f latin1 -t utf-8 titles.txt`",
        ) from None
