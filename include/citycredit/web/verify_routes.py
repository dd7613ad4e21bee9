"""Verifying a 公共信用信息报告 PDF (staff and administrators): upload it, and the page says whether its content is
unaltered and the warehouse still gives the same report, or which sections now differ (as
``citycredit credit-report --verify`` does, docs/subject_report.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from citycredit.publish import subject_report as sr
from citycredit.publish import subject_report_pdf as pdf
from citycredit.publish import subject_report_view as view
from citycredit.web import audit, auth, pages, uploads

router = APIRouter(include_in_schema=False)
TITLE = "核验公共信用信息报告"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    lines: list[str]


def outcome(engine, document: dict, info: dict[str, str]) -> Outcome:
    """Whether a report PDF's embedded document still holds."""
    number = document["report_no"]
    if document.get("format") != sr.FORMAT:
        return Outcome(False, [f"该报告的格式（{document.get('format')}）不是本版本出具的格式，无法核验。"])
    stated = (info.get(pdf.NUMBER_KEY), info.get(pdf.AS_OF_KEY), info.get(pdf.CHECKSUM_KEY))
    if sr.checksum(document) != document.get("checksum") or stated != (number, document["as_of"], document["checksum"]):
        return Outcome(False, ["校验未通过：PDF 内嵌的报告内容与其校验码不符，报告已被改动。"])
    verdict = sr.verify(engine, document)
    if verdict.ok:
        same = f"校验通过：报告 {number} 与按查询截止日期 {document['as_of']} 从数据仓库重新生成的内容一致。"
        return Outcome(True, [same, f"校验码（SHA-256）：{verdict.checksum}"])
    if verdict.checksum is None:
        return Outcome(False, ["校验未通过：数据仓库中已找不到报告所列的主体（或其名称已变更、重名无法区分）。"])
    parts = "、".join(view.SECTION_NAMES[s] for s in verdict.differing) or "报告内容"
    differs = (f"校验未通过：报告 {number} 与按数据仓库当前数据重新生成的报告不一致，不一致的部分：{parts}。"
               "报告出具后数据已更新或更正，请重新出具报告。")  # fmt: skip
    return Outcome(False, [differs, f"PDF 的校验码：{document['checksum']}", f"重新生成的校验码：{verdict.checksum}"])


@router.get("/reports/verify")
def verify_page(request: Request, caller: auth.ReportPage) -> Response:
    return pages.render("verify.html", caller, title=TITLE, verdict=None,
                        limit_mb=auth.settings(request).upload_mb)  # fmt: skip


@router.post("/reports/verify")
def verify(request: Request, caller: auth.ReportPage, file: Annotated[UploadFile | None, File()] = None,
           csrf_token: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    auth.check_csrf(caller, csrf_token)
    engine, settings = auth.engine(request), auth.settings(request)
    try:
        with uploads.saved(file, settings, uploads.PDF) as path:
            document, info = pdf.read(path)
    except (uploads.UploadRefused, pdf.NotAReport) as exc:
        result = Outcome(False, [exc.message if isinstance(exc, uploads.UploadRefused) else str(exc)])
        return pages.render("verify.html", caller, title=TITLE, verdict=result, limit_mb=settings.upload_mb)
    result = outcome(engine, document, info)
    subject = document.get("subject") or {}
    named = f"{subject.get('name')}（{subject.get('code') or subject.get('id_number')}）"
    audit.record(engine, caller.user, "verify", [named], auth.address(request),
                 f"报告编号 {document['report_no']}：{'通过' if result.ok else '未通过'}")  # fmt: skip
    return pages.render("verify.html", caller, title=TITLE, verdict=result, limit_mb=settings.upload_mb)
