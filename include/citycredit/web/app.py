"""The FastAPI application of the web front door: its routes, the refusals every route shares (sign-in, 403,
uploads beyond the limit), the headers of every response, and the OpenAPI document of the API
(``/api/v1/openapi.json``; no Swagger page, which would need a CDN and script)."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from citycredit.web import auth, pages, uploads, urls
from citycredit.web.accounts import CLERK
from citycredit.web.settings import Settings

_PLAIN = {404: "页面不存在", 405: "不支持此请求方式", 400: "请求格式不正确"}  # Starlette's own refusals, in Chinese


def create_app(engine: sa.Engine, settings: Settings | None = None) -> FastAPI:
    """The app on `engine` (migrated: the tables of schema ``web`` exist) with `settings` (default: from the
    environment)."""
    from citycredit.web import (
        audit_routes,
        check_routes,
        delivery_routes,
        list_check_routes,
        login_routes,
        report_routes,
        verify_routes,
    )

    app = FastAPI(title="公共信用信息平台 API", version="1", openapi_url="/api/v1/openapi.json", docs_url=None,
                  redoc_url=None)  # fmt: skip
    app.state.engine = engine
    app.state.settings = settings or Settings.from_environment()

    @app.middleware("http")
    async def guard(request: Request, call_next) -> Response:
        urls.ROOT.set(request.scope.get("root_path", "").rstrip("/"))  # this request's context only
        limit = request.app.state.settings
        if request.method == "POST" and uploads.declared_too_large(request.headers.get("content-length"), limit):
            response: Response = _too_large(request, limit)
        else:
            response = await call_next(request)
        for name, value in pages.headers().items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(auth.LoginRequired)
    async def login_required(request: Request, exc: auth.LoginRequired) -> Response:
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(urls.url(f"/login?next={_quoted(wanted)}"), status_code=303)

    @app.exception_handler(auth.Forbidden)
    async def forbidden(request: Request, exc: auth.Forbidden) -> Response:
        return pages.message("无权访问", exc.message, None, 403)

    @app.exception_handler(StarletteHTTPException)
    async def refused(request: Request, exc: StarletteHTTPException) -> Response:
        if urls.is_api(request.url.path):
            return await http_exception_handler(request, exc)
        text = exc.detail if isinstance(exc.detail, str) else ""
        text = _PLAIN.get(exc.status_code, text) if not _chinese(text) else text
        return pages.message("无法完成请求", text, None, exc.status_code)

    @app.get("/", include_in_schema=False)
    def home(caller: auth.AnyPage) -> Response:
        return RedirectResponse(urls.url("/check" if caller.user.role == CLERK else "/reports"), status_code=303)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:  # no icon: say so without a 404 in every browser console
        return Response(status_code=204)

    for module in (
        login_routes,
        report_routes,
        verify_routes,
        list_check_routes,
        check_routes,
        delivery_routes,
        audit_routes,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    list_check_routes.document_api(app)
    return app


def _too_large(request: Request, settings: Settings) -> Response:
    text = uploads.too_large(settings)
    if urls.is_api(request.url.path):
        return JSONResponse({"detail": text}, status_code=413)
    return pages.message("文件过大", text, None, 413)


def _quoted(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="")


def _chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)
