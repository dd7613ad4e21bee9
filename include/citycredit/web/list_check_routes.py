"""The 联合奖惩 核查 (docs/list_check.md) over the web: ``POST /api/v1/list-check`` (a bearer token, or a session
with its CSRF token in X-CSRF-Token) taking JSON or an uploaded CSV/XLSX list of subjects and answering JSON or,
with ``?format=xlsx``, the result workbook; and the page for staff with the same. Every 核查 is audited with the
subjects asked (身份证 numbers masked)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from citycredit.core import city
from citycredit.normalize.readers import UnreadableFile
from citycredit.publish import list_check, list_check_files
from citycredit.publish.list_check_subjects import Subject, typed
from citycredit.web import api_models, audit, auth, pages, uploads

router = APIRouter()
NOTHING = "没有给出要核查的代码或名称"


class Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _day(text: str) -> dt.date:
    """The day asked for (default today in the city's time zone)."""
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else city.today()
    except ValueError:
        raise Refused(f"核查日期应为存在的 YYYY-MM-DD（如 2025-09-30），收到“{text}”") from None


def _from_file(upload: object, request: Request) -> list[Subject]:
    try:
        with uploads.saved(upload, auth.settings(request), uploads.TABLES) as path:
            return list_check_files.read_subjects(path)
    except uploads.UploadRefused as exc:
        raise Refused(exc.message) from None
    except UnreadableFile as exc:
        raise Refused(f"无法读取文件 {uploads.copy_name(upload)}：{exc.reason}") from None


def _run(request: Request, caller: auth.Caller, subjects: list[Subject], as_of: dt.date) -> list_check.Report:
    if not subjects:
        raise Refused(NOTHING)
    report = list_check.check(auth.engine(request), subjects, as_of)
    asked = [" ".join(x for x in (s.name, s.shown_code) if x) for s in subjects]
    audit.record(auth.engine(request), caller.user, "list_check", asked, auth.address(request),
                 f"核查日期 {as_of}，{len(subjects)} 个主体")  # fmt: skip
    return report


def _workbook(report: list_check.Report) -> Response:
    with tempfile.TemporaryDirectory(prefix="citycredit-web-") as directory:
        data = list_check_files.write_workbook(report, Path(directory) / "result.xlsx").read_bytes()
    return pages.download(data, pages.XLSX, f"核查结果_{report.as_of}.xlsx", f"list-check-{report.as_of}.xlsx")


_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/ListCheckRequest"}},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary", "description": "CSV 或 XLSX 主体名单（按表头找列）"},
            "as_of": {"type": "string", "format": "date", "description": "核查日期；默认今天"}}}},
    },
}  # fmt: skip
_ANSWERS = {
    200: {"content": {pages.XLSX: {}}, "description": "核查结果（JSON；format=xlsx 时为结果工作簿）"},
    401: {"description": "未登录，或令牌无效、已过期"},
    403: {"description": "角色无权调用"},
    413: {"description": "上传文件超过大小上限"},
    422: {"description": "请求格式不正确，或文件无法读取"},
}


@router.post("/api/v1/list-check", response_model=api_models.ListCheckResponse, openapi_extra={"requestBody": _BODY},
             responses=_ANSWERS, summary="联合奖惩核查", tags=["核查"])  # type: ignore[arg-type]  # fmt: skip
async def list_check_api(request: Request, caller: auth.ApiCaller,
                         format: Literal["json", "xlsx"] = Query("json")) -> Response:  # fmt: skip
    """各主体在核查日期是否在严重失信、重点关注、红名单等信用名单中，以及适用的措施（每个主体一条答复，顺序同请求）。"""
    try:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form(max_files=1, max_fields=4)
            as_of = _day(str(form.get("as_of") or ""))
            subjects = await run_in_threadpool(_from_file, form.get("file"), request)
        else:
            body = api_models.ListCheckRequest.model_validate_json(await request.body())
            as_of = body.as_of or city.today()
            subjects = [Subject.of(s.code, s.name) for s in body.subjects]
        report = await run_in_threadpool(_run, request, caller, subjects, as_of)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False)
        return JSONResponse({"detail": "请求格式不正确", "errors": errors}, status_code=422)
    except Refused as exc:
        return JSONResponse({"detail": exc.message}, status_code=422)
    if format == "xlsx":
        return await run_in_threadpool(_workbook, report)
    return JSONResponse(report.as_json())


@router.get("/list-check", include_in_schema=False)
def page(request: Request, caller: auth.ReportPage) -> Response:
    return _page(request, caller)


def _page(request: Request, caller: auth.Caller, status: int = 200, **shown) -> Response:
    context = {"asked": "", "as_of": city.today().isoformat(), "problem": None, "report": None, "counts": "",
               "measures": [], **shown}  # fmt: skip
    return pages.render("list_check.html", caller, status, title="联合奖惩核查",
                        limit_mb=auth.settings(request).upload_mb, **context)  # fmt: skip


@router.post("/list-check", include_in_schema=False)
def check_page(
    request: Request,
    caller: auth.ReportPage,
    subjects: Annotated[str, Form()] = "",
    as_of: Annotated[str, Form()] = "",
    format: Annotated[str, Form()] = "html",
    csrf_token: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    auth.check_csrf(caller, csrf_token)
    try:
        day = _day(as_of)
        asked = [typed(line) for line in subjects.splitlines() if line.strip()]
        if file is not None and file.filename:
            asked += _from_file(file, request)
        report = _run(request, caller, asked, day)
    except Refused as exc:
        return _page(request, caller, 422, asked=subjects, problem=exc.message)
    if format == "xlsx":
        return _workbook(report)
    groups = list_check.measures_by_position(report.answers)
    counts = "，".join(f"{list_check.RESULT_NAMES[r]} {n}" for r, n in report.counts().items() if n)
    return _page(request, caller, asked=subjects, as_of=day.isoformat(), report=report, counts=counts,
                 measures=[(g, "、".join(map(str, p))) for g, p in groups])  # fmt: skip


def document_api(app: FastAPI) -> None:
    """The OpenAPI document with the request model the endpoint reads by hand (JSON or multipart) and the bearer
    scheme."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes,
                                 description="公共信用信息平台的联合奖惩核查接口。认证：Authorization: Bearer <令牌>"
                                 "（citycredit web token add 生成）。")  # fmt: skip
            request = api_models.ListCheckRequest.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {})
            components.setdefault("schemas", {}).update({**request.pop("$defs", {}), "ListCheckRequest": request})
            components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
            schema["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
