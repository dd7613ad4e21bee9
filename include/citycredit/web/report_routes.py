"""The 公共信用信息报告 pages (staff and administrators): find a subject by 统一社会信用代码 or name (a name several
subjects go by gives a choice), see its report as subject_report_view's page, download the PDF. A natural
person's report is only for the roles of auth.NATURAL_PERSON_ROLES (administrators); others are refused in
Chinese. Every lookup, report and PDF is written to the audit log.

A subject found is kept in the session under an opaque reference (accounts.remember), so no 证件号码 is ever in a
URL, a browser history or an access log.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from citycredit.core import city, privacy
from citycredit.publish import subject_report as sr
from citycredit.web import accounts, audit, auth, pages, urls

router = APIRouter(include_in_schema=False)
NATURAL_PERSON_REFUSED = (
    "该主体为自然人。自然人的公共信用信息报告涉及个人信息，仅管理员可以查询；如确需出具，请联系管理员。"
)
NO_SUCH_REF = "查询结果已失效（重新登录后需重新查询），请重新查询该主体。"


def label(subject: sr.Subject) -> str:
    """The subject as the audit log names it: name and code, a natural person's number masked."""
    return f"{subject.name}（{subject.code or privacy.mask_id(subject.id_number) or '无代码'}）"


def _day(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else city.today()
    except ValueError:
        raise auth.Forbidden(f"日期应为 YYYY-MM-DD，收到“{text}”") from None


def _allowed(caller: auth.Caller, subject: sr.Subject, request: Request) -> None:
    if subject.natural_person and caller.user.role not in auth.NATURAL_PERSON_ROLES:
        audit.record(auth.engine(request), caller.user, "refused", [label(subject)], auth.address(request),
                     "自然人报告，角色无权查询")  # fmt: skip
        raise auth.Forbidden(NATURAL_PERSON_REFUSED)


def _subject(request: Request, caller: auth.Caller, ref: str) -> sr.Subject:
    kept = accounts.recall(auth.engine(request), caller.cookie or "", ref)
    if not kept:
        raise auth.Forbidden(NO_SUCH_REF)
    subject = sr.Subject(**kept)
    _allowed(caller, subject, request)
    return subject


def _keep(request: Request, caller: auth.Caller, subject: sr.Subject) -> str:
    value = {"code": subject.code, "id_number": subject.id_number, "name": subject.name,
             "category": subject.category, "kind": subject.kind}  # fmt: skip
    return accounts.remember(auth.engine(request), caller.cookie or "", value)


@router.get("/reports")
def search_page(caller: auth.ReportPage) -> Response:
    return pages.render("reports.html", caller, title="公共信用信息报告", query="", candidates=[], not_found=None)


@router.post("/reports/search")
def search(request: Request, caller: auth.ReportPage, q: Annotated[str, Form()] = "",
           csrf_token: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    auth.check_csrf(caller, csrf_token)
    engine, query = auth.engine(request), q.strip()
    try:
        subject = sr.find(engine, query)
    except sr.SubjectNotFound:
        audit.record(engine, caller.user, "lookup", [query], auth.address(request), "未找到")
        text = f"未找到主体“{query}”：数据仓库中没有以此统一社会信用代码、证件号码或名称登记或被记录的主体。"
        return pages.render("reports.html", caller, 404, title="公共信用信息报告", query=query, candidates=[],
                            not_found=text)  # fmt: skip
    except sr.AmbiguousSubject as exc:
        audit.record(engine, caller.user, "lookup", [query], auth.address(request),
                     f"名称对应 {len(exc.candidates)} 个主体")  # fmt: skip
        candidates = [{**c.shown(), "identifier": c.code or privacy.mask_id(c.id_number),
                       "ref": _keep(request, caller, c)} for c in exc.candidates]  # fmt: skip
        return pages.render("reports.html", caller, title="公共信用信息报告", query=query, candidates=candidates,
                            not_found=None)  # fmt: skip
    audit.record(engine, caller.user, "lookup", [label(subject)], auth.address(request))
    _allowed(caller, subject, request)
    return RedirectResponse(urls.url(f"/reports/s/{_keep(request, caller, subject)}"), status_code=303)


@router.get("/reports/s/{ref}")
def subject_page(request: Request, caller: auth.ReportPage, ref: str, as_of: str | None = None) -> Response:
    subject = _subject(request, caller, ref)
    return pages.render("subject.html", caller, title=f"信用主体：{subject.name}", subject=subject.shown(),
                        ref=ref, as_of=_day(as_of).isoformat())  # fmt: skip


def _issue(request: Request, caller: auth.Caller, ref: str, as_of: str | None, action: str) -> dict:
    """A new report of the subject `ref` names, as of the day asked, written to the audit log as `action`."""
    subject = _subject(request, caller, ref)
    document = sr.gather(auth.engine(request), subject, _day(as_of))
    audit.record(auth.engine(request), caller.user, action, [label(subject)], auth.address(request),
                 f"报告编号 {document['report_no']}，截止 {document['as_of']}")  # fmt: skip
    return document


@router.get("/reports/s/{ref}/html")
def report_page(request: Request, caller: auth.ReportPage, ref: str, as_of: str | None = None) -> Response:
    from citycredit.publish import subject_report_view, webapp

    html = subject_report_view.render_html(_issue(request, caller, ref, as_of, "report"))
    return Response(html, media_type="text/html; charset=utf-8", headers=pages.headers(webapp.PAGE_POLICY))


@router.get("/reports/s/{ref}/pdf")
def report_pdf(request: Request, caller: auth.ReportPage, ref: str, as_of: str | None = None) -> Response:
    from citycredit.publish import subject_report_pdf

    document = _issue(request, caller, ref, as_of, "pdf")
    number = document["report_no"]
    return pages.download(subject_report_pdf.render(document), "application/pdf", f"公共信用信息报告_{number}.pdf",
                          f"{number}.pdf")  # fmt: skip
