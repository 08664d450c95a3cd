"""`onstrategy serve` (being written)."""

from __future__ import annotations

import typer


def serve(ctx: typer.Context) -> None:
    """(being written)"""
