"""`onstrategy match` (being written)."""

from __future__ import annotations


def match() -> None:
    """Match rows of one file to another."""
