"""A department's delivery history: its batches newest first, a page at a time, each with its file, feed, time of
receipt in the city's time zone, status and accounting (feeds.batches, as ``citycredit batches``), and the
department's monthly feedback workbooks (publish.month_files) as downloads. A clerk sees only their own
department's page; staff and administrators may open any."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from citycredit.core import city, paths, privacy
from citycredit.feeds.batches import STATUS_NAMES, department_batches
from citycredit.publish import month_files
from citycredit.web import audit, auth, pages
from citycredit.web.check_routes import department_choice, department_of

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
ABSENT = "文件不存在"


def _shown(row: dict, zone) -> dict:
    """A batch as the page shows it: its time in the city, its status in Chinese, 身份证 numbers masked."""
    reason = row["status_reason"]
    return {**row, "received_at": f"{row['received_at'].astimezone(zone):%Y-%m-%d %H:%M}",
            "status_name": STATUS_NAMES.get(row["status"], row["status"]),
            "source_name": privacy.mask_ids_in_text(row["source_name"]),
            "status_reason": privacy.mask_ids_in_text(reason) if reason else None}  # fmt: skip


def feedback_files(department_id: str, home: Path | None = None) -> list[dict]:
    """The department's published feedback workbooks, newest month first: {"month", "name"}."""
    found = []
    for f in month_files.published_files(home):
        parts = Path(f["path"]).parts  # feedback/<YYYY-MM>/<department id>/<file>
        if f["section"] == "feedback" and len(parts) == 4 and parts[2] == department_id and parts[3].endswith(".xlsx"):
            found.append({"month": parts[1], "name": parts[3]})
    return found


@router.get("/deliveries")
def deliveries_index(caller: auth.CheckPage) -> Response:
    return department_choice(caller, "deliveries", "报送记录")


@router.get("/departments/{department_id}/deliveries")
def deliveries_page(request: Request, caller: auth.CheckPage, department_id: str, page: int = 1) -> Response:
    department = department_of(caller, department_id)
    page = max(page, 1)
    rows, total = department_batches(auth.engine(request), department.id, page, PAGE_SIZE)
    zone = city.timezone()
    return pages.render("deliveries.html", caller, title=f"报送记录：{department.name}", department=department,
                        batches=[_shown(r, zone) for r in rows], total=total, page=page,
                        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
                        workbooks=feedback_files(department.id))  # fmt: skip


@router.get("/departments/{department_id}/feedback/{month}/{name}")
def feedback_download(request: Request, caller: auth.CheckPage, department_id: str, month: str, name: str):
    """A feedback workbook of the department, only from inside its own folder of the published feedback."""
    department = department_of(caller, department_id)
    home = paths.home().resolve()
    path = month_files.resolve(home, f"feedback/{month}/{department.id}/{name}")
    if path is None or path.suffix != ".xlsx" or path.parent != home / "feedback" / month / department.id:
        raise HTTPException(404, ABSENT)
    audit.record(auth.engine(request), caller.user, "feedback_download", [], auth.address(request),
                 f"{department.name}：{month} {name}")  # fmt: skip
    return pages.download(path.read_bytes(), pages.XLSX, path.name, f"feedback-{department.id}-{month}.xlsx")
