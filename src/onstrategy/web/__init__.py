"""The web dashboard (FastAPI, Jinja2, HTMX, Vega-Lite); see :func:`create_app`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from onstrategy.settings import Settings


def create_app(*, settings: Settings) -> FastAPI:
    from onstrategy.web.app import create_app as build

    return build(settings=settings)


__all__: list[Any] = ["create_app"]
