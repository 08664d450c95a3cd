"""Sessions, the signed-in viewer and CSRF: every request passes through here.

- The session is a signed cookie (itsdangerous, keyed by ``ONSTRATEGY_SECRET_KEY``),
  HttpOnly, SameSite=Lax, Secure over HTTPS; it holds the user id, a CSRF token and when
  it was issued. Nothing secret is in it and nothing is stored server-side.
- Every request re-reads the user (a deactivated user is out at once) and their scope.
- Every POST needs the session's CSRF token, as the ``csrf_token`` form field or the
  ``X-CSRF-Token`` header (HTMX sends it from the page's meta tag); else 403.
- On ``/api`` only, ``Authorization: Bearer ost_...`` (an API token, ``web/tokens.py``)
  signs the request in as the token's user instead of the cookie. Such a POST needs no CSRF
  token (a browser never adds that header on another site's behalf, and no cookie gives
  it authority) unless it also carries a signed-in session cookie. The HTML pages ignore
  tokens: they take the session only.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import Depends, Request, Response, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from itsdangerous import BadSignature, URLSafeTimedSerializer

from onstrategy.errors import Forbidden, NotFound, OnstrategyError
from onstrategy.web.scope import Viewer, viewer_for
from onstrategy.web.state import WebState
from onstrategy.web.tokens import TokenRejected, authenticate_token
from onstrategy.web.users import UserRow, find_user

log = logging.getLogger("onstrategy.web")
COOKIE = "onstrategy_session"
MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

# Declared for OpenAPI (the docs' Authorize button); the checks themselves are below.
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="apiToken",
    bearerFormat="ost_...",
    description="An API token (`onstrategy users token create`), sent as "
    "`Authorization: Bearer ost_...`. It acts as its user, with that user's scope; "
    "POSTs need no CSRF token.",
)
SESSION = APIKeyCookie(
    name=COOKIE,
    auto_error=False,
    scheme_name="session",
    description="The browser's session after signing in at `/login`; every POST also "
    "needs `X-CSRF-Token` (from `/api/me`).",
)


class NotSignedIn(OnstrategyError):
    def __init__(self) -> None:
        super().__init__(
            "you are not signed in",
            "sign in at /login, or on /api send an API token as 'Authorization: Bearer ost_...'",
            [],
            code="unauthenticated",
            status=401,
        )


@dataclass
class Session:
    user_id: str | None
    csrf: str
    issued: float

    def dump(self) -> dict[str, Any]:
        return {"uid": self.user_id, "csrf": self.csrf, "iat": self.issued}


def state_of(request: Request) -> WebState:
    state: WebState = request.app.state.onstrategy
    return state


def _serializer(state: WebState) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(state.secret_key, salt="onstrategy.session")


def read_session(request: Request) -> Session | None:
    cached = getattr(request.state, "session", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(state_of(request)).loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    session = Session(data.get("uid"), str(data.get("csrf", "")), float(data.get("iat", 0)))
    request.state.session = session
    return session


def ensure_session(request: Request) -> Session:
    """The request's session, or a new anonymous one (the login form needs its token)."""
    session = read_session(request)
    if session is None or not session.csrf:
        session = Session(None, secrets.token_urlsafe(32), time.time())
        request.state.session = session
        request.state.session_dirty = True
    return session


def start_session(request: Request, user_id: str) -> Session:
    """A fresh session (new token) on sign-in: an old cookie cannot be fixed onto a user."""
    session = Session(user_id, secrets.token_urlsafe(32), time.time())
    request.state.session = session
    request.state.session_dirty = True
    return session


def end_session(request: Request) -> None:
    request.state.session = None
    request.state.session_cleared = True


def write_session(request: Request, response: Response) -> None:
    """Called once per response by the app's middleware."""
    secure = request.url.scheme == "https"
    if getattr(request.state, "session_cleared", False):
        response.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=secure)
        return
    if getattr(request.state, "session_dirty", False):
        session: Session = request.state.session
        value = _serializer(state_of(request)).dumps(session.dump())
        response.set_cookie(
            COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="lax", secure=secure, path="/"
        )


def csrf_token(request: Request) -> str:
    """The session's CSRF token; none for a request signed in by an API token (which needs
    none, and gets no cookie)."""
    if getattr(request.state, "token_user", None) is not None:
        return ""
    return ensure_session(request).csrf


def is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


def _bearer(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    """The API token sent, on ``/api`` only (the HTML pages take the session only)."""
    return credentials.credentials if credentials is not None and is_api(request) else None


def token_user(request: Request, secret: str) -> UserRow:
    """The token's user (checked once per request), else 401 saying what is wrong."""
    cached: UserRow | None = getattr(request.state, "token_user", None)
    if cached is None:
        store = state_of(request).store
        try:
            cached = authenticate_token(store=store, secret=secret, now=datetime.now(UTC))
        except TokenRejected as refused:
            host = request.client.host if request.client else "?"
            log.info("API token refused (%s) from %s", refused.code, host)
            raise
        request.state.token_user = cached
    return cached


def _signed_in_cookie(request: Request) -> bool:
    session = read_session(request)
    return session is not None and bool(session.user_id)


async def check_csrf(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Security(BEARER)
) -> None:
    """Dependency of every POST: the token must match the session's. A request signed in
    by a working API token and carrying no signed-in cookie is exempt."""
    secret = _bearer(request, credentials)
    if secret is not None and not _signed_in_cookie(request):
        await run_in_threadpool(token_user, request, secret)
        return
    session = read_session(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = str((await request.form()).get(CSRF_FIELD) or "")
    if session is None or not sent or not hmac.compare_digest(sent, session.csrf):
        raise Forbidden(
            "the request has no valid CSRF token",
            "reload the page and try again (the form's token is bound to your session)",
        )


def current_viewer(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Security(BEARER),
    _cookie: str | None = Security(SESSION),
) -> Viewer:
    """The signed-in person with their scope; every page and JSON route depends on it.
    On ``/api`` a bearer token, if sent, decides who that is; else the session cookie."""
    secret = _bearer(request, credentials)
    user = session_user(request) if secret is None else token_user(request, secret)
    viewer = viewer_for(store=state_of(request).store, user=user)
    request.state.viewer = viewer
    return viewer


def session_user(request: Request) -> UserRow:
    """The session's user: active and with a password, else not signed in."""
    session = read_session(request)
    if session is None or not session.user_id:
        raise NotSignedIn()
    try:
        user = find_user(store=state_of(request).store, who=session.user_id)
    except NotFound:
        raise NotSignedIn() from None
    if not user.active or not user.has_password:
        raise NotSignedIn()
    return user


ViewerDep = Depends(current_viewer)
CsrfDep = Depends(check_csrf)


class LoginThrottle:
    """At most ``limit`` failed sign-ins per email in ``window`` seconds (kept in memory).

    Keyed by the email typed, whether or not it exists, so a refusal reveals nothing.
    """

    def __init__(self, limit: int = 5, window: float = 600.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, list[float]] = {}

    def _recent(self, key: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(key, []) if now - t < self.window]
        self._failures[key] = kept
        return kept

    def blocked(self, email: str, now: float) -> bool:
        return len(self._recent(email.strip().lower(), now)) >= self.limit

    def failed(self, email: str, now: float) -> None:
        key = email.strip().lower()
        self._recent(key, now).append(now)

    def succeeded(self, email: str) -> None:
        self._failures.pop(email.strip().lower(), None)
