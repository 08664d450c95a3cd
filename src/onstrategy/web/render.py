"""Server-rendered pages: one Jinja environment, a few number filters, HTMX partials."""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from onstrategy.errors import OnstrategyError
from onstrategy.web.security import csrf_token, state_of

NAV = (
    ("dashboard", "/", "Dashboard"),
    ("accounts", "/accounts", "Accounts"),
    ("alerts", "/alerts", "Alerts"),
    ("gate", "/gate", "Intake gate"),
    ("right_leads", "/territories", "Lists & routing"),
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


# Symbols as English-language CLDR writes them; any other ISO 4217 code is written out
# before the amount ("CHF 1,200"), which no reader can mistake.
CURRENCY_SYMBOLS = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "CN¥", "INR": "₹", "KRW": "₩",
    "AUD": "A$", "CAD": "CA$", "NZD": "NZ$", "HKD": "HK$", "MXN": "MX$", "BRL": "R$",
    "TWD": "NT$", "ILS": "₪", "VND": "₫", "PHP": "₱", "NGN": "₦",
}  # fmt: skip
# The currency of the page being rendered (set by render/fragment from the strategy in
# force), so ``|money`` and ``_money`` in every template and macro print it.
_CURRENCY: ContextVar[str] = ContextVar("onstrategy_currency", default="USD")


def format_money(value: Any, currency: str) -> str:
    """An amount for a person: 1,200 · 12k · 1.25M, with the currency's symbol or code."""
    if value is None:
        return "–"
    v = float(value)
    if abs(v) >= 1_000_000:
        text = f"{abs(v) / 1_000_000:,.2f}M"
    elif abs(v) >= 10_000:
        text = f"{abs(v) / 1000:,.0f}k"
    else:
        text = f"{abs(v):,.0f}"
    code = currency.strip().upper()
    unit = CURRENCY_SYMBOLS.get(code) or f"{code} "
    return ("-" if v < 0 and text.strip("0.,kM") else "") + unit + text


def _money(value: Any, currency: str | None = None) -> str:
    """``|money`` (the page's currency) or ``|money(code)`` for another, e.g. costs'."""
    return format_money(value, currency or _CURRENCY.get())


def page_currency(request: Request) -> str:
    """The currency of the strategy in force (its deals' amounts); USD when none is."""
    try:
        return state_of(request).strategy().currency
    except OnstrategyError:  # no strategy yet: the page itself says so
        return "USD"


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
    html = _in_currency(
        request,
        template,
        d=data,
        page=page,
        title=title,
        request=request,
        csrf=csrf_token(request),
        layout="partial.html.j2" if only_content else "layout.html.j2",
        path=request.url.path,
        twin=_twin(request),
    )
    return HTMLResponse(html, status_code=status)


def _in_currency(request: Request, template: str, /, **context: Any) -> str:
    """The template rendered with money in the currency of the strategy in force."""
    currency = page_currency(request)
    token = _CURRENCY.set(currency)
    try:
        return environment().get_template(template).render(currency=currency, **context)
    finally:
        _CURRENCY.reset(token)


def _twin(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    path = request.url.path
    return ("/api/dashboard" if path == "/" else f"/api{path}") + query


def fragment(request: Request, template: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(_in_currency(request, template, csrf=csrf_token(request), **context))
