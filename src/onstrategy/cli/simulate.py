"""`onstrategy simulate` (being written)."""

from __future__ import annotations

import typer


def simulate(ctx: typer.Context) -> None:
    """(being written)"""
