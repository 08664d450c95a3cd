"""`onstrategy alerts` (being written)."""

from __future__ import annotations

import typer


def alerts(ctx: typer.Context) -> None:
    """(being written)"""
