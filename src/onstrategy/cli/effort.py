"""`onstrategy effort` (being written)."""

from __future__ import annotations

import typer


def effort(ctx: typer.Context) -> None:
    """(being written)"""
