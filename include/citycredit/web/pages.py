"""Rendering the web app's pages: the jinja2 templates (autoescaped: department text is data), the navigation of
each role, and the headers every response carries.

The headers are publish.webapp's (nosniff, same-origin referrer) with this app's own Content-Security-Policy:
no script at all, styles only from our stylesheet, forms only to ourselves, never framed (mounted in the Airflow
api-server: framed only by the Airflow UI of the same origin). The 公共信用信息报告 page is subject_report_view's
self-contained HTML, served under publish.webapp's PAGE_POLICY (its inline CSS).
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import quote

from fastapi.responses import HTMLResponse, Response

from citycredit.publish import webapp
from citycredit.web.accounts import ADMIN, CLERK, STAFF
from citycredit.web.auth import Caller
from citycredit.web.urls import ROOT, url

TEMPLATES = Path(__file__).parent / "templates"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATIC = Path(__file__).parent / "static"
POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self';"
    " frame-ancestors 'none'"
)
MOUNTED_FRAMING = ("frame-ancestors 'none'", "frame-ancestors 'self'")  # inside the Airflow UI's frame
NAV = {
    CLERK: [("/check", "数据自查"), ("/deliveries", "报送记录")],
    STAFF: [("/reports", "公共信用信息报告"), ("/list-check", "联合奖惩核查"), ("/check", "数据自查"),
            ("/deliveries", "报送记录")],
    ADMIN: [("/reports", "公共信用信息报告"), ("/list-check", "联合奖惩核查"), ("/check", "数据自查"),
            ("/deliveries", "报送记录"), ("/audit", "审计日志")],
}  # fmt: skip


def headers(policy: str = POLICY) -> dict[str, str]:
    """The headers of a page; nothing we serve is to be cached (reports hold personal data)."""
    shared = webapp.security_headers(None, "text/html")
    if ROOT.get():
        policy = policy.replace(*MOUNTED_FRAMING)
    return {**shared, "Content-Security-Policy": policy, "Cache-Control": "no-store"}


@functools.cache
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )


def render(template: str, caller: Caller | None, status: int = 200, **context) -> HTMLResponse:
    user = caller.user if caller else None
    html = (
        _environment()
        .get_template(template)
        .render(
            user=user,
            csrf=caller.csrf_token if caller else "",
            nav=[(url(href), label) for href, label in NAV.get(user.role, [])] if user else [],
            root=ROOT.get(),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status, headers=headers())


def message(title: str, text: str, caller: Caller | None = None, status: int = 200) -> HTMLResponse:
    """A page that says one thing: a refusal, an error, a limit."""
    return render("message.html", caller, status, title=title, text=text)


def download(data: bytes, media: str, name: str, ascii_name: str) -> Response:
    """A file to save, named `name` (Chinese) where the browser reads RFC 5987 and `ascii_name` where it does not;
    never cached (it may hold personal data)."""
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    shared = webapp.security_headers("download", media)
    return Response(data, media_type=media, headers={**shared, "Content-Disposition": disposition,
                                                      "Cache-Control": "no-store"})  # fmt: skip
