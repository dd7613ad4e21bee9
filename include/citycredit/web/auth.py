"""Who is asking, and may they: FastAPI dependencies for pages (a session cookie) and the API (a bearer token, or
a session cookie with its CSRF token in a header), role checks, and the CSRF check of forms.

A page asked for without a live session redirects to the sign-in (`LoginRequired`); the API answers 401. A role
that may not see a page or call an endpoint gets 403 (`Forbidden`), with a Chinese reason.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, HTTPException, Request, Response

from citycredit.web import accounts
from citycredit.web.accounts import ADMIN, API, CLERK, STAFF, User
from citycredit.web.settings import Settings
from citycredit.web.urls import url

COOKIE = "cc_session"
LOGIN_COOKIE = "cc_login_csrf"  # the sign-in form's CSRF token, before there is a session (double submit)
CSRF_HEADER = "X-CSRF-Token"
REPORT_ROLES = (STAFF, ADMIN)
API_ROLES = (STAFF, ADMIN, API)
CHECK_ROLES = (CLERK, STAFF, ADMIN)
NATURAL_PERSON_ROLES = (ADMIN,)  # who may see a natural person's report
TOKEN_REFUSED = "令牌无效或已过期"
SIGN_IN_FIRST = "需要登录或 API 令牌（Authorization: Bearer …）"
CSRF_FAILED = "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重新提交"


class LoginRequired(Exception):
    """No live session: the page redirects to the sign-in."""


class Forbidden(Exception):
    """Signed in, but not allowed: a 403 with `message`."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Caller:
    user: User
    csrf_token: str | None  # None: signed in with an API token
    cookie: str | None


def engine(request: Request) -> sa.Engine:
    return request.app.state.engine


def settings(request: Request) -> Settings:
    return request.app.state.settings


def address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _refuse(user: User, roles: tuple[str, ...]) -> None:
    if roles and user.role not in roles:
        raise Forbidden(f"您的角色（{user.role_name}）无权使用此功能。")


def page(*roles: str) -> Callable[[Request], Caller]:
    """The dependency of a page only `roles` may open."""

    def caller(request: Request) -> Caller:
        cookie = request.cookies.get(COOKIE)
        session = accounts.session(engine(request), cookie)
        if session is None:
            raise LoginRequired()
        _refuse(session.user, roles)
        return Caller(session.user, session.csrf_token, cookie)

    return caller


def api(*roles: str) -> Callable[[Request], Caller]:
    """The dependency of an API endpoint: a bearer token, else a session cookie (whose CSRF token must then come
    in the X-CSRF-Token header of a POST)."""

    def caller(request: Request) -> Caller:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            user = accounts.token_user(engine(request), token.strip())
            if user is None:
                raise HTTPException(401, TOKEN_REFUSED, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            _forbid_api(user, roles)
            return Caller(user, None, None)
        cookie = request.cookies.get(COOKIE)
        session = accounts.session(engine(request), cookie)
        if session is None:
            raise HTTPException(401, SIGN_IN_FIRST, headers={"WWW-Authenticate": "Bearer"})
        _forbid_api(session.user, roles)
        if request.method not in ("GET", "HEAD") and not _same(request.headers.get(CSRF_HEADER), session.csrf_token):
            raise HTTPException(403, CSRF_FAILED)
        return Caller(session.user, session.csrf_token, cookie)

    return caller


def _forbid_api(user: User, roles: tuple[str, ...]) -> None:
    if user.role not in roles:
        raise HTTPException(403, f"您的角色（{user.role_name}）无权调用此接口")


def _same(sent: str | None, expected: str | None) -> bool:
    return bool(sent) and bool(expected) and secrets.compare_digest(str(sent), str(expected))


def check_csrf(caller: Caller, sent: str | None) -> None:
    """A form's POST must carry its session's CSRF token."""
    if not _same(sent, caller.csrf_token):
        raise Forbidden(CSRF_FAILED)


def set_session_cookie(response: Response, cookie: str, settings: Settings) -> None:
    """The session cookie, for this app's paths only (mounted in Airflow: under its prefix)."""
    response.set_cookie(COOKIE, cookie, max_age=int(settings.session_hours * 3600), path=url("/"),
                        httponly=True, samesite="lax", secure=settings.secure_cookies)  # fmt: skip


def check_login_csrf(request: Request, sent: str | None) -> bool:
    return _same(sent, request.cookies.get(LOGIN_COOKIE))


# What a route declares to say who may call it.
AnyPage = Annotated[Caller, Depends(page())]
ReportPage = Annotated[Caller, Depends(page(*REPORT_ROLES))]
CheckPage = Annotated[Caller, Depends(page(*CHECK_ROLES))]
AdminPage = Annotated[Caller, Depends(page(ADMIN))]
ApiCaller = Annotated[Caller, Depends(api(*API_ROLES))]
