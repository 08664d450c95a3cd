"""`onstrategy route` (being written)."""

from __future__ import annotations

import typer


def route(ctx: typer.Context) -> None:
    """(being written)"""
