"""A department's delivery history in chromium: the clerk's own batches with their accounting and the month's
feedback workbook to download; another department's page refused; a hostile file name shown as text."""

from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa
from support.deliveries import deliver, permits
from web_helpers import audit_rows, sign_in

from citycredit.core import paths
from citycredit.feeds import registry
from citycredit.load import merge
from citycredit.publish import feedback

pytestmark = pytest.mark.db
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">许可.csv'


@pytest.fixture
def screen(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    return page


def _delivered(engine) -> tuple[int, merge.Accounting, int]:
    """A loaded license batch of scjg (one row quarantined), a later one of scjg under a hostile name, and one of
    sthj; the month's feedback workbook of scjg published."""
    with engine.begin() as conn:
        first = deliver(conn, "scjg", permits("scjg", 12), day="2025-09-05")
        hostile = deliver(conn, "scjg", permits("scjg", 3, first=50), day="2025-09-08")
        conn.execute(sa.text("UPDATE landing.batches SET source_name = :n WHERE batch_id = :b"),
                     {"n": HOSTILE, "b": hostile})  # fmt: skip
        deliver(conn, "sthj", permits("sthj", 4), day="2025-09-06")
    accounting = merge.load_batch(engine, first)
    department = registry.load().department("scjg")
    feedback.write_department(engine, department, "2025-09", paths.home() / "feedback" / "2025-09" / "scjg")
    return first, accounting, hostile


def test_a_clerk_sees_their_departments_deliveries_with_counts_and_downloads_the_feedback_workbook(
    served, screen, tmp_path
):
    first, acc, hostile = _delivered(served.engine)
    sign_in(screen, served, "clerk")
    screen.click("text=本部门报送记录与月度反馈表")  # linked from the clerk's check page
    screen.wait_for_load_state()
    assert screen.url.endswith("/departments/scjg/deliveries")
    assert screen.locator("h1").inner_text() == "报送记录：平顶山市市场监督管理局"
    assert "报送记录" in screen.locator("header nav").inner_text()

    rows = screen.locator("#deliveries tr").all_inner_texts()
    assert len(rows) == 3 and "共 2 个批次" in screen.content()  # the header and scjg's two batches, not sthj's
    newest, older = rows[1].split("\t"), rows[2].split("\t")
    assert newest[0] == str(hostile) and older[0] == str(first)  # newest first
    assert older[1:5] == ["scjg_license_2025-09-05.csv", "scjg_license", "2025-09-05 10:00", "已入库"]
    assert older[5:] == [str(acc.received), str(acc.loaded), str(acc.quarantined), str(acc.duplicate)]
    assert acc.received == 12 and acc.quarantined == 1
    assert newest[4] == "已校验" and newest[5:] == ["", "", "", ""]  # not loaded yet: no accounting

    with screen.expect_download() as download:
        screen.click("text=数据质量反馈_scjg_2025-09.xlsx")
    saved = tmp_path / "feedback.xlsx"
    download.value.save_as(saved)
    workbook = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))
    assert workbook.sheetnames and "scjg_license_2025-09-05.csv" in str(
        [c for ws in workbook for row in ws.iter_rows(values_only=True) for c in row]
    )
    assert ("张填报", "feedback_download") in [(r[0], r[1]) for r in audit_rows(served.engine)]


def test_a_hostile_file_name_shows_as_text(served, screen):
    _, _, hostile = _delivered(served.engine)
    dialogs = []
    screen.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(screen, served, "clerk")
    screen.goto(f"{served.url}/departments/scjg/deliveries")
    assert screen.locator("#deliveries tr").nth(1).locator("td").nth(1).inner_text() == HOSTILE
    assert screen.locator("#deliveries script, #deliveries img").count() == 0 and dialogs == []


def test_a_clerk_is_refused_another_departments_deliveries_and_files(served, screen):
    _delivered(served.engine)
    sign_in(screen, served, "clerk")
    for path in ("/departments/sthj/deliveries", "/departments/sthj/feedback/2025-09/x.xlsx"):
        answer = screen.goto(served.url + path)
        assert answer.status == 403, path
        assert "只能使用本部门" in screen.locator(".refusal").inner_text()


def test_only_the_departments_own_workbooks_are_served(served):
    _delivered(served.engine)
    (paths.home() / "reports" / "2025-09").mkdir(parents=True)
    (paths.home() / "reports" / "2025-09" / "x.xlsx").write_bytes(b"PK")
    session = served.signed_in("staff")
    ok = session.get(f"{served.url}/departments/scjg/feedback/2025-09/数据质量反馈_scjg_2025-09.xlsx", timeout=30)
    assert ok.status_code == 200 and ok.content[:2] == b"PK" and "attachment" in ok.headers["content-disposition"]
    for path in ("/departments/scjg/feedback/..%2F..%2Freports%2F2025-09/x.xlsx",
                 "/departments/scjg/feedback/../reports/2025-09/x.xlsx",
                 "/departments/sthj/feedback/2025-09/数据质量反馈_scjg_2025-09.xlsx",
                 "/departments/scjg/feedback/2025-09/nothing.xlsx"):  # fmt: skip
        assert session.get(served.url + path, timeout=30).status_code == 404, path
    staff_page = session.get(f"{served.url}/departments/sthj/deliveries", timeout=30)
    assert staff_page.status_code == 200 and "sthj_license_2025-09-06.csv" in staff_page.text
    chooser = session.get(f"{served.url}/deliveries", timeout=30)
    assert 'href="/departments/scjg/deliveries"' in chooser.text
