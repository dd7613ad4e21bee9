"""The audit log page (administrators only): every entry, newest first, a page at a time, times in the city's
time zone."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from citycredit.core import city
from citycredit.web import audit, auth, pages

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/audit")
def audit_page(request: Request, caller: auth.AdminPage, page: int = 1) -> Response:
    entries, total = audit.entries(auth.engine(request), max(page, 1), PAGE_SIZE)
    zone = city.timezone()
    shown = [{**e.__dict__, "at": e.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), "action_name": e.action_name}
             for e in entries]  # fmt: skip
    pages_ = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return pages.render("audit.html", caller, title="审计日志", entries=shown, total=total, page=max(page, 1),
                        pages=pages_)  # fmt: skip
