"""`onstrategy icp-value` (being written)."""

from __future__ import annotations

import typer


def icp_value(ctx: typer.Context) -> None:
    """(being written)"""
