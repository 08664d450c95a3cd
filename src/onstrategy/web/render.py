"""Server-rendered pages: one Jinja environment, a few number filters, HTMX partials."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from onstrategy.web.security import csrf_token

NAV = (
    ("dashboard", "/", "Dashboard"),
    ("accounts", "/accounts", "Accounts"),
    ("alerts", "/alerts", "Alerts"),
    ("gate", "/gate", "Intake gate"),
    ("exceptions", "/exceptions", "Exceptions"),
    ("authority", "/authority", "Authority gaps"),
    ("shift", "/shift", "Shift to approvers"),
    ("consultative", "/consultative", "Consultative selling"),
    ("effort", "/effort", "Effort"),
    ("icp_value", "/icp-value", "ICP value"),
    ("strategy", "/strategy", "Strategy"),
    ("audit", "/audit", "Audit log"),
)
GLOBAL_ONLY = {"audit"}


def _pct(value: Any, digits: int = 0) -> str:
    return "–" if value is None else f"{float(value):.{digits}%}"


def _num(value: Any, digits: int = 0) -> str:
    return "–" if value is None else f"{float(value):,.{digits}f}"


def _money(value: Any) -> str:
    if value is None:
        return "–"
    v = float(value)
    if abs(v) >= 1_000_000:
        return f"${v / 1_000_000:,.2f}M"
    if abs(v) >= 10_000:
        return f"${v / 1000:,.0f}k"
    return f"${v:,.0f}"


def _json_script(value: Any, element_id: str) -> Markup:
    """A JSON data island (``</`` escaped so it cannot end the script element)."""
    import json

    text = json.dumps(jsonable_encoder(value)).replace("</", "<\\/")
    return Markup(f'<script type="application/json" id="{element_id}">{text}</script>')  # noqa: S704 - JSON with "</" escaped


def _goal_class(cell: dict[str, Any] | None) -> str:
    if not cell or cell.get("meets_goal") is None:
        return ""
    return "meets" if cell["meets_goal"] else "below"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("onstrategy", "web/templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    env.filters |= {
        "pct": _pct,
        "num": _num,
        "money": _money,
        "json_script": _json_script,
        "goal_class": _goal_class,
    }
    env.globals |= {
        "nav": NAV,
        "global_only": GLOBAL_ONLY,
        "_pct": _pct,
        "_num": _num,
        "_money": _money,
    }
    env.globals["urlencode"] = urlencode
    return env


def is_htmx(request: Request) -> bool:
    """An HTMX swap (not a boosted link, not a history restore, which needs the full page)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and "HX-Boosted" not in headers
        and "HX-History-Restore-Request" not in headers
    )


def render(
    request: Request,
    template: str,
    data: dict[str, Any],
    *,
    page: str,
    title: str,
    status: int = 200,
    partial: bool | None = None,
) -> HTMLResponse:
    """The page, or only its content block when HTMX asks for it."""
    only_content = is_htmx(request) if partial is None else partial
    html = (
        environment()
        .get_template(template)
        .render(
            d=data,
            page=page,
            title=title,
            request=request,
            csrf=csrf_token(request),
            layout="partial.html.j2" if only_content else "layout.html.j2",
            path=request.url.path,
            twin=_twin(request),
        )
    )
    return HTMLResponse(html, status_code=status)


def _twin(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    path = request.url.path
    return ("/api/dashboard" if path == "/" else f"/api{path}") + query


def fragment(request: Request, template: str, **context: Any) -> HTMLResponse:
    html = environment().get_template(template).render(csrf=csrf_token(request), **context)
    return HTMLResponse(html)
