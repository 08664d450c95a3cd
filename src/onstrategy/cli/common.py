"""What every CLI command shares: context (settings, store, strategy), errors, JSON output.

Commands stay thin: parse input, call one core function, render the result.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from onstrategy.errors import OnstrategyError
from onstrategy.settings import Settings, load_settings

if TYPE_CHECKING:
    from onstrategy.store.connect import Store
    from onstrategy.strategy.model import Strategy

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # error lines stay whole for grep and logs


def print_error(err: OnstrategyError) -> None:
    err_console.print(f"[bold red]Error:[/] {err.message}", highlight=False)
    for problem in err.problems:
        line = f"  {problem.where}: {problem.message}"
        if problem.hint:
            line += f"  [dim](hint: {problem.hint})[/]"
        err_console.print(line, highlight=False, markup=True)
    if err.hint:
        err_console.print(f"[bold]Hint:[/] {err.hint}", highlight=False)


class OnstrategyGroup(TyperGroup):
    """Root command group: a user mistake becomes ``Error:``/``Hint:`` and exit code 1."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]  # click Context is private in typer
        try:
            return super().invoke(ctx)
        except OnstrategyError as err:
            print_error(err)
            raise typer.Exit(1) from None


@dataclass
class CliContext:
    """Built once per invocation by the root callback; the store opens on first use."""

    settings: Settings
    _store: Store | None = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        if self._store is None:
            from onstrategy.store.connect import Store

            self._store = Store.open(self.settings.database_url)
        return self._store

    def strategy(self, path: Path | None = None) -> Strategy:
        from onstrategy.strategy.load import load_strategy

        chosen = path or self.settings.strategy_file
        if chosen is None:
            from onstrategy.errors import InvalidInput

            raise InvalidInput(
                "no strategy file given",
                "pass --strategy FILE or set ONSTRATEGY_STRATEGY_FILE",
            )
        return load_strategy(chosen)

    def strategy_if_given(self) -> Strategy | None:
        """The configured strategy, or None when the user gave none (steps that need it say so)."""
        if self.settings.strategy_file is None:
            return None
        return self.strategy()


def get_ctx(ctx: typer.Context) -> CliContext:
    """The invocation's context; every command that needs the store takes ``ctx: typer.Context``."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = CliContext(settings=load_settings())
    obj: CliContext = root.obj
    return obj


def acting_as(store: Store, who: str | None) -> str:
    """Who the audit log names for a change made from the command line: the user given with
    ``--as`` (checked against the users import), else the operating-system login."""
    if who:
        from onstrategy.crm.actors import resolve_actor

        with store.begin() as conn:
            actor = resolve_actor(conn, who)
        return actor.email or actor.id
    import getpass

    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "os:unknown"


def parse_day(text: str, option: str) -> date:
    """A date option's value; a clear error naming the option otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        from onstrategy.errors import InvalidInput

        raise InvalidInput(f"{option} {text!r} is not a date", "write it as YYYY-MM-DD") from None


def optional_day(text: str | None, option: str) -> date | None:
    return None if text is None else parse_day(text, option)


def as_of_day(text: str | None, option: str = "--as-of") -> date:
    """The date given, or today: the CLI is the edge where "today" is decided."""
    return date.today() if text is None else parse_day(text, option)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(value: Any, *, indent: int | None = 2) -> str:
    return json.dumps(value, default=_json_default, indent=indent, ensure_ascii=False)


def print_json(value: Any, *, indent: int | None = 2) -> None:
    sys.stdout.write(to_json(value, indent=indent) + "\n")


def print_jsonl(value: Any) -> None:
    sys.stdout.write(to_json(value, indent=None) + "\n")
