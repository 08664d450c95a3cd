"""`onstrategy shift` (being written)."""

from __future__ import annotations

import typer


def shift(ctx: typer.Context) -> None:
    """(being written)"""
