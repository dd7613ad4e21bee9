"""The department self-check (``citycredit check`` in a browser): a clerk uploads a CSV/XLSX file and sees the
findings of the pipeline's own readers and rules, grouped by rule with the rows, without anything being written to
the warehouse. A clerk sees only their own department's page; staff and administrators may open any."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from citycredit.core import city, privacy
from citycredit.feeds import registry
from citycredit.publish import check_workbook
from citycredit.validate import selfcheck
from citycredit.web import audit, auth, pages, uploads, urls
from citycredit.web.accounts import CLERK

router = APIRouter(include_in_schema=False)
ROWS_SHOWN = 200  # rows named per rule; the count says how many there are


@dataclass(frozen=True)
class Group:
    rule: str
    field: str | None
    category: str
    severity: str
    count: int
    messages: list[str]
    rows: str

    @property
    def severity_name(self) -> str:
        return selfcheck.SEVERITY_NAMES[self.severity]


@dataclass(frozen=True)
class Shown:
    file: str
    dataset_name: str
    rows: int
    errors: int
    verdict: str
    notes: list[str]
    groups: list[Group]


def _rows(numbers: list[int], whole_file: bool) -> str:
    named = [str(n) for n in numbers[:ROWS_SHOWN]]
    text = ("整个文件；" if whole_file else "") + (f"第 {'、'.join(named)} 行" if named else "")
    return text + (f" 等 {len(numbers)} 行" if len(numbers) > ROWS_SHOWN else "")


def shown(result: selfcheck.CheckResult, file_name: str) -> Shown:
    """The findings per rule and field, errors first (as the command's summary), with every row they are on."""
    f = result.findings
    groups = []
    for r in result.summary():
        mine = f[(f["rule_id"] == r["rule"]) & (f["label"].fillna("") == (r["field"] or ""))]
        rows = sorted({int(n) for n in mine["source_row"].dropna()})
        messages = list(dict.fromkeys(privacy.mask_ids_in_text(str(m)) for m in mine["message"]))[:3]
        groups.append(Group(r["rule"], r["field"], selfcheck.CATEGORY_NAMES[r["category"]], r["severity"], r["count"],
                            messages, _rows(rows, bool(mine["source_row"].isna().any()))))  # fmt: skip
    error_rows = f.loc[(f["severity"] == "error") & f["source_row"].notna(), "source_row"].nunique()
    name = selfcheck.DATASET_NAMES[result.dataset]
    verdict = (f"检查通过：{name}共 {result.rows} 条记录，没有错误。" if result.errors == 0 else
               f"检查未通过：{name}共 {result.rows} 条记录，{error_rows} 条有错误（不能入库，请修改后重新报送）；"
               f"共 {result.errors} 个错误、{len(f) - result.errors} 个警告。")  # fmt: skip
    return Shown(file_name, name, result.rows, result.errors, verdict, result.notes, groups)


def department_of(caller: auth.Caller, department_id: str) -> registry.Department:
    """The department whose page is asked for: a clerk's own only (else 403), any for staff and
    administrators; 404 when departments.yaml has none of that id."""
    if caller.user.role == CLERK and caller.user.department_id != department_id:
        raise auth.Forbidden("部门填报员只能使用本部门的页面。")
    try:
        return registry.load().department(department_id)
    except KeyError:
        raise HTTPException(404, f"departments.yaml 中没有部门 {department_id}") from None


def _page(request: Request, caller: auth.Caller, department, status: int = 200, **shown_) -> Response:
    context = {"problem": None, "result": None, **shown_}
    return pages.render("check.html", caller, status, title=f"数据自查：{department.name}", department=department,
                        datasets=list(selfcheck.DATASET_NAMES.items()), limit_mb=auth.settings(request).upload_mb,
                        **context)  # fmt: skip


def department_choice(caller: auth.Caller, page_name: str, title: str) -> Response:
    """A page of one department (/departments/<id>/<page_name>): a clerk goes straight to their own, others
    choose the department."""
    if caller.user.role == CLERK:
        return RedirectResponse(urls.url(f"/departments/{caller.user.department_id}/{page_name}"), status_code=303)
    return pages.render("department_choice.html", caller, title=f"{title}：选择部门",
                        departments=registry.load().departments, page_name=page_name)  # fmt: skip


@router.get("/check")
def check_index(caller: auth.CheckPage) -> Response:
    return department_choice(caller, "check", "数据自查")


@router.get("/departments/{department_id}/check")
def check_page(request: Request, caller: auth.CheckPage, department_id: str) -> Response:
    return _page(request, caller, department_of(caller, department_id))


@router.post("/departments/{department_id}/check")
def check(
    request: Request,
    caller: auth.CheckPage,
    department_id: str,
    file: Annotated[UploadFile | None, File()] = None,
    dataset: Annotated[str, Form()] = "",
    output: Annotated[str, Form()] = "page",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Check the upload; show the findings (`output` page) or send the annotated workbook (`output` xlsx)."""
    auth.check_csrf(caller, csrf_token)
    department = department_of(caller, department_id)
    name = uploads.copy_name(file)
    if dataset and dataset not in selfcheck.DATASET_NAMES:
        return _page(request, caller, department, 422, problem=f"没有数据类别 {dataset}")
    try:
        with uploads.saved(file, auth.settings(request), uploads.TABLES) as path:
            result = selfcheck.run_check(path, dataset or None, city.today())
            workbook = _annotated(result, path, name) if output == "xlsx" else None
    except uploads.UploadRefused as exc:
        return _page(request, caller, department, 413 if "上限" in exc.message else 422, problem=exc.message)
    except selfcheck.CheckFailed as exc:
        problem = privacy.mask_ids_in_text(f"无法检查文件 {name}：{exc.reason}")
        return _page(request, caller, department, 422, problem=problem)
    except MemoryError:
        problem = f"无法检查文件 {name}：内存不足，请把文件拆成几个较小的文件分别检查"
        return _page(request, caller, department, 422, problem=problem)
    audit.record(auth.engine(request), caller.user, "self_check", [], auth.address(request),
                 f"{department.name}：{name}，{result.rows} 条记录，{result.errors} 个错误")  # fmt: skip
    if workbook is not None:
        return pages.download(workbook, pages.XLSX, check_workbook.file_name(name), "self-check.xlsx")
    return _page(request, caller, department, result=shown(result, name))


def _annotated(result: selfcheck.CheckResult, path: Path, name: str) -> bytes:
    """The annotated workbook, written beside the upload (deleted with it)."""
    return check_workbook.write(result, path, path.with_name("annotated.xlsx"), name).read_bytes()
