"""The web front door inside the Airflow api-server (plugins/citycredit_reports.py mounts it under `URL_PREFIX`), so
an operator signed in to the Airflow UI uses it without a second sign-in.

A request that carries the Airflow UI's JWT cookie (``_token``), valid for the api-server's auth manager, acts as
the web user ``airflow:<Airflow user name>`` (accounts.operator): 管理员 when Airflow gives the user its admin
role, 信用中心工作人员 otherwise. Its web session is started on the spot (the session cookie set for the mount's
path), so CSRF tokens and the subjects kept in a session work as in the standalone app. When the Airflow sign-in
ends, so does the operator's web session. Web accounts of our own (clerks, staff) still sign in at the mounted
/login; API clients keep their tokens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from citycredit.web import accounts, audit, auth, urls
from citycredit.web.accounts import ADMIN, STAFF
from citycredit.web.settings import Settings

URL_PREFIX = "/citycredit-web"
AIRFLOW_COOKIE = "_token"  # airflow.api_fastapi.auth.managers.base_auth_manager.COOKIE_NAME_JWT_TOKEN
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def airflow_role(user: object) -> str:
    """ADMIN for an Airflow administrator (the simple auth manager's ADMIN role, FAB's Admin role), else STAFF."""
    role = getattr(user, "role", None)
    names = [role] if isinstance(role, str) else [getattr(r, "name", r) for r in getattr(user, "roles", None) or []]
    return ADMIN if any(str(n).lower() == "admin" for n in names) else STAFF


async def airflow_user(request: Request) -> tuple[str, str] | None:
    """(name, role) of the Airflow user the request's UI cookie signs in, None without a valid one."""
    import jwt
    from airflow.api_fastapi.app import get_auth_manager

    token = request.cookies.get(AIRFLOW_COOKIE)
    if not token:
        return None
    try:
        user = await get_auth_manager().get_user_from_token(token)
    except jwt.InvalidTokenError:  # expired, or signed by someone else
        return None
    return user.get_name(), airflow_role(user)


class OperatorSignIn:
    """ASGI middleware before the app: the Airflow user's web session, started or ended to match the Airflow
    sign-in. `resolve` says who the Airflow user is (`airflow_user`; a test may give its own)."""

    def __init__(self, app: App, engine, settings: Settings, resolve=airflow_user):
        self.app, self.engine, self.settings, self.resolve = app, engine, settings, resolve

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        urls.ROOT.set(scope.get("root_path", "").rstrip("/"))
        request = Request(scope)
        cookie = request.cookies.get(auth.COOKIE)
        current = await run_in_threadpool(accounts.session, self.engine, cookie)
        operator = current is not None and current.user.name.startswith(accounts.OPERATOR_PREFIX)
        signed_in = await self.resolve(request)
        if signed_in is None:
            if operator:  # signed out of Airflow: out of here too
                await run_in_threadpool(accounts.end_session, self.engine, cookie)
                scope = _with_session(scope, request, None)
            await self.app(scope, receive, send)
            return
        name, role = signed_in
        if current is not None and (current.user.name, current.user.role) == (accounts.OPERATOR_PREFIX + name, role):
            await self.app(scope, receive, send)
            return
        new = await run_in_threadpool(self._start, request, name, role, cookie)
        await self.app(_with_session(scope, request, new), receive, _setting_cookie(send, self._set_cookie(new)))

    def _start(self, request: Request, name: str, role: str, old: str | None) -> str:
        accounts.end_session(self.engine, old)
        user = accounts.operator(self.engine, name, role)
        audit.record(self.engine, user, "login", address=auth.address(request), detail="Airflow 界面登录")
        return accounts.start_session(self.engine, user, self.settings.session_hours)

    def _set_cookie(self, cookie: str) -> bytes:
        response = Response()
        auth.set_session_cookie(response, cookie, self.settings)
        return dict(response.raw_headers)[b"set-cookie"]


def _with_session(scope: Scope, request: Request, cookie: str | None) -> Scope:
    """The request as the app sees it: with the session cookie `cookie` (None: without one)."""
    jar = SimpleCookie()
    for key, value in request.cookies.items():
        if key != auth.COOKIE:
            jar[key] = value
    if cookie is not None:
        jar[auth.COOKIE] = cookie
    header = "; ".join(f"{k}={m.coded_value}" for k, m in jar.items()).encode("latin-1")
    headers = [(k, v) for k, v in scope["headers"] if k != b"cookie"] + [(b"cookie", header)]
    return {**scope, "headers": headers}


def _setting_cookie(send: Send, set_cookie: bytes) -> Send:
    async def sending(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", set_cookie)]}
        await send(message)

    return sending


class MountedApp:
    """What the plugin mounts: the app is built on its first request, since the plugin is loaded by every Airflow
    process and must neither import pandas nor open the warehouse there."""

    def __init__(self) -> None:
        self._app: App | None = None
        self._lock = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # a mounted app gets none; answer as an app without startup work would
            return
        if self._app is None:
            async with self._lock:
                if self._app is None:
                    self._app = await run_in_threadpool(build)
        await self._app(scope, receive, send)


def build() -> App:
    """The front door on the configured warehouse (migrated), behind the Airflow sign-in."""
    from citycredit.core import migrations, warehouse
    from citycredit.web.app import create_app

    engine = warehouse.engine()
    migrations.upgrade(engine)
    settings = Settings.from_environment()
    return OperatorSignIn(create_app(engine, settings), engine, settings)
