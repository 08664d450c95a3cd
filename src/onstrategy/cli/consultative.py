"""`onstrategy consultative` (being written)."""

from __future__ import annotations

import typer


def consultative(ctx: typer.Context) -> None:
    """(being written)"""
