"""Signing in and out. The sign-in form carries a CSRF token of its own (a random cookie it must match: there is
no session yet); a session's cookie is HttpOnly, SameSite=Lax, and ends after the configured hours."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from citycredit.web import accounts, audit, auth, pages, urls

router = APIRouter(include_in_schema=False)
FAILED = "用户名或密码不正确"


def _local(target: str) -> str:
    """Where to go after signing in: a path of this site only (no //host, no scheme)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else urls.url("/")


def _form(request: Request, next_: str, failed: str | None = None, status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = pages.render("login.html", None, status, title="登录", login_csrf=token, next=next_, failed=failed,
                            hours=f"{auth.settings(request).session_hours:g}")  # fmt: skip
    response.set_cookie(auth.LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=auth.settings(request).secure_cookies)  # fmt: skip
    return response


@router.get("/login")
def login_page(request: Request, next: str = "") -> Response:
    return _form(request, _local(next))


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    if not auth.check_login_csrf(request, csrf_token):
        return _form(request, _local(next), auth.CSRF_FAILED, 403)
    engine, settings = auth.engine(request), auth.settings(request)
    user = accounts.authenticate(engine, name, password)
    if user is None:
        audit.record(engine, name[:100], "login_failed", address=auth.address(request))
        return _form(request, _local(next), FAILED, 401)
    cookie = accounts.start_session(engine, user, settings.session_hours)
    audit.record(engine, user, "login", address=auth.address(request))
    response = RedirectResponse(_local(next), status_code=303)
    auth.set_session_cookie(response, cookie, settings)
    response.delete_cookie(auth.LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, caller: auth.AnyPage, csrf_token: Annotated[str, Form()] = "") -> Response:
    auth.check_csrf(caller, csrf_token)
    accounts.end_session(auth.engine(request), caller.cookie)
    response = RedirectResponse(urls.url("/login"), status_code=303)
    response.delete_cookie(auth.COOKIE, path=urls.url("/"))
    return response
