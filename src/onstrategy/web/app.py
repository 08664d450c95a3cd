"""The web app: ``create_app(settings=...)`` builds it; ``onstrategy serve`` runs it.

Pages are server-rendered (Jinja2, HTMX for interaction, Vega-Lite charts drawn by the
vendored vega-embed); every page ``/X`` has a JSON twin ``/api/X`` (the dashboard ``/`` is
``/api/dashboard``) built from the same read model; ``/openapi.json`` documents the API.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from onstrategy import __version__
from onstrategy.api.routes import router as api_router
from onstrategy.errors import OnstrategyError, Problem
from onstrategy.settings import Settings
from onstrategy.store.connect import Store
from onstrategy.web import pages
from onstrategy.web.render import environment, is_htmx
from onstrategy.web.security import (
    CsrfDep,
    LoginThrottle,
    end_session,
    ensure_session,
    read_session,
    start_session,
    state_of,
    write_session,
)
from onstrategy.web.state import WebState, session_key
from onstrategy.web.tokens import TokenRejected
from onstrategy.web.users import authenticate

log = logging.getLogger("onstrategy.web")
STATIC = Path(__file__).parent / "static"
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'"
)
LOGIN_FAILED = "The email or password is not right."
LOGIN_THROTTLED = "Too many failed sign-ins for this email: wait a few minutes and try again."


def create_app(*, settings: Settings) -> FastAPI:
    key, ephemeral = session_key(settings)
    app = FastAPI(
        title="onstrategy",
        version=__version__,
        description="See where the sales force follows the strategy and where it "
        "drifts. Every page `/X` has this JSON twin `/api/X` (the dashboard `/` is "
        "`/api/dashboard`). A script authenticates with an API token "
        "(`onstrategy users token create`) sent as `Authorization: Bearer ost_...`: it "
        "sees what its user sees, and needs no CSRF token. A browser signs in at "
        "`/login`, sends the session cookie, and on POST the `X-CSRF-Token` from `/api/me`.",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.onstrategy = WebState(
        settings=settings,
        store=Store.open(settings.database_url),
        secret_key=key,
        ephemeral_key=ephemeral,
    )
    app.state.login_throttle = LoginThrottle()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api_router)
    app.include_router(_session_router())
    app.include_router(pages.router)
    _errors(app)
    app.middleware("http")(_finish)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: WebState = app.state.onstrategy
    warming = asyncio.ensure_future(state.run(_warm, state))  # the first page is then quick
    yield
    await asyncio.wait([warming], timeout=0)
    await state.close()


def _warm(state: WebState) -> None:
    """Build the default dashboard's read model on the worker thread (errors are the
    pages' to report)."""
    from onstrategy.api.params import period_params
    from onstrategy.api.views import alignment

    try:
        alignment(state, period_params(None, None, None))
    except Exception:  # any failure: the page shows the same error, with its hint
        log.info("dashboard not pre-built", exc_info=True)


async def _finish(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    write_session(request, response)
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if not request.url.path.startswith("/static"):
        headers.setdefault("Cache-Control", "no-store")
    return response


# ------------------------------------------------------------------ sign in and out


def _session_router() -> Any:
    from fastapi import APIRouter

    router = APIRouter(include_in_schema=False)
    router.add_api_route("/login", login_page, methods=["GET"])
    router.add_api_route("/login", login, methods=["POST"], dependencies=[CsrfDep])
    router.add_api_route("/logout", logout, methods=["POST"], dependencies=[CsrfDep])
    return router


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//host`` or a URL): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_html(
    request: Request, *, error: str = "", email: str = "", next_: str = "/", status: int = 200
) -> HTMLResponse:
    state = state_of(request)
    html = (
        environment()
        .get_template("login.html.j2")
        .render(
            csrf=ensure_session(request).csrf,
            error=error,
            email=email,
            next=_safe_next(next_),
            ephemeral=state.ephemeral_key,
        )
    )
    return HTMLResponse(html, status_code=status)


def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return _login_html(request, next_=next)


def login(
    request: Request, email: str = Form(""), password: str = Form(""), next: str = Form("/")
) -> Response:
    state, throttle = state_of(request), request.app.state.login_throttle
    if throttle.blocked(email, time.monotonic()):
        return _login_html(request, error=LOGIN_THROTTLED, email=email, next_=next, status=429)
    user = authenticate(store=state.store, email=email, password=password)
    if user is None:
        throttle.failed(email, time.monotonic())
        log.info("failed sign-in from %s", request.client.host if request.client else "?")
        return _login_html(request, error=LOGIN_FAILED, email=email, next_=next, status=401)
    throttle.succeeded(email)
    start_session(request, user.id)
    with state.store.begin() as conn:
        state.store.audit(
            conn,
            actor=user.id,
            action="session.sign_in",
            entity="user_account",
            entity_id=user.id,
            details={"via": "web"},
        )
    return RedirectResponse(_safe_next(next), status_code=303)


def logout(request: Request) -> Response:
    session = read_session(request)
    if session and session.user_id:
        state = state_of(request)
        with state.store.begin() as conn:
            state.store.audit(
                conn,
                actor=session.user_id,
                action="session.sign_out",
                entity="user_account",
                entity_id=session.user_id,
                details=None,
            )
    end_session(request)
    return RedirectResponse("/login", status_code=303)


# ------------------------------------------------------------------ one error shape


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _challenge(err: OnstrategyError) -> dict[str, str]:
    """RFC 6750: a 401 from the API names the scheme, and says when the token was bad."""
    if err.status != 401:
        return {}
    if isinstance(err, TokenRejected):
        return {"WWW-Authenticate": 'Bearer realm="onstrategy", error="invalid_token"'}
    return {"WWW-Authenticate": 'Bearer realm="onstrategy"'}


def error_response(request: Request, err: OnstrategyError) -> Response:
    if _wants_json(request):
        return JSONResponse(
            {"error": err.as_dict()}, status_code=err.status, headers=_challenge(err)
        )
    if err.code == "unauthenticated":
        target = "/login?next=" + quote(
            request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe=""
        )
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    template = "_error.html.j2" if is_htmx(request) else "error.html.j2"
    html = (
        environment()
        .get_template(template)
        .render(
            error=err.as_dict(),
            status=err.status,
            csrf=ensure_session(request).csrf,
            layout="layout.html.j2",
            d={},
            page="",
            title="Error",
            path=request.url.path,
            twin=None,
        )
    )
    headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"} if is_htmx(request) else {}
    return HTMLResponse(html, status_code=err.status, headers=headers)


def _errors(app: FastAPI) -> None:
    async def known(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, OnstrategyError)
        return error_response(request, exc)

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [Problem(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
        return error_response(
            request,
            OnstrategyError(
                "the request is not valid",
                "fix each problem listed",
                problems,
                code="invalid_input",
                status=422,
            ),
        )

    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        hint = "check the address" if exc.status_code == 404 else ""
        return error_response(
            request, OnstrategyError(str(exc.detail), hint, [], code=code, status=exc.status_code)
        )

    async def crash(request: Request, exc: Exception) -> Response:  # noqa: ARG001 - logged by log.exception
        log.exception("unexpected error on %s", request.url.path)
        return error_response(
            request,
            OnstrategyError(
                "the server hit an unexpected error; it has been logged",
                "try again; if it persists, give the time of the error to your admin",
                [],
                code="internal",
                status=500,
            ),
        )

    app.add_exception_handler(OnstrategyError, known)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(Exception, crash)
