"""The web front door in chromium (1366×768), as its users meet it: a clerk's self-check, a staff member's report
and PDF, the refusals, the size limit, and department text that stays text."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pypdf
import pytest
from support import credit_report_rows as h
from web_helpers import UPLOAD_LIMIT, audit_rows, sign_in

pytestmark = pytest.mark.db
KNOWN = Path(__file__).parents[1] / "data" / "known_answers"
HOSTILE = "<script>alert(1)</script>公司"
HOSTILE_CODE = "91110108551385082Q"


@pytest.fixture
def screen(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    return page


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 1366


def test_a_clerk_uploads_a_file_with_errors_and_sees_them_grouped_by_rule_with_their_rows(served, screen):
    sign_in(screen, served, "clerk")
    assert screen.url.endswith("/departments/scjg/check")  # the clerk lands on their own department's page
    assert screen.locator("h1").inner_text() == "数据自查：平顶山市市场监督管理局"
    screen.set_input_files("#file", str(KNOWN / "credit_list.csv"))
    screen.click("button[type=submit] >> text=检查")
    screen.wait_for_load_state()

    verdict = screen.locator("#summary").inner_text()
    assert "信用名单共 12 条记录，5 条有错误" in verdict
    groups = screen.locator("section.finding").all_inner_texts()
    assert groups[0].startswith("错误 · MD-CODE-LX · 名单类型 · 代码表 · 1 处") and "第 7 行" in groups[0]
    required = next(g for g in groups if "MD-REQ-YCYY" in g)
    assert "填写了「移出日期」的，「移出原因」必填" in required and "第 4 行" in required
    duplicate = next(g for g in groups if "MD-DUP-KEY" in g)
    assert duplicate.startswith("警告") and "第 11、12 行" in duplicate
    assert fits(screen) and screen.messages == []
    assert [(r[0], r[1]) for r in audit_rows(served.engine)][-1] == ("张填报", "self_check")


def test_a_clerk_downloads_the_annotated_workbook_of_their_file(served, screen, tmp_path):
    sign_in(screen, served, "clerk")
    screen.set_input_files("#file", str(KNOWN / "credit_list.csv"))
    with screen.expect_download() as download:
        screen.click("text=检查并下载标注工作簿")
    assert download.value.suggested_filename == "credit_list_自查标注.xlsx"
    saved = tmp_path / "annotated.xlsx"
    download.value.save_as(saved)
    workbook = openpyxl.load_workbook(saved)
    assert workbook.sheetnames == ["检查结果", "逐行标注"]
    rows = list(workbook["逐行标注"].iter_rows(values_only=True))
    assert rows[0][:3] == ("源行号", "检查结果", "问题说明") and len(rows) == 13  # the header and the 12 records
    by_row = {r[0]: r for r in rows[1:]}
    assert by_row[7][1] == "错误" and "（MD-CODE-LX）" in by_row[7][2]  # as the page groups it: 名单类型 on row 7
    assert by_row[4][1] == "错误" and "（MD-REQ-YCYY）" in by_row[4][2]
    assert by_row[12][1] == "警告" and "（MD-DUP-KEY）" in by_row[12][2]
    assert [(r[0], r[1]) for r in audit_rows(served.engine)][-1] == ("张填报", "self_check")


def test_a_clerk_cannot_open_the_report_page_nor_another_departments_check(served, screen):
    sign_in(screen, served, "clerk")
    for path in ("/reports", "/list-check", "/departments/fgw/check", "/audit"):
        answer = screen.goto(served.url + path)
        assert answer.status == 403, path
        assert "无权" in screen.locator(".refusal").inner_text() or "只能使用本部门" in screen.content()


def test_an_upload_beyond_the_limit_is_refused_with_a_chinese_message(served, screen, tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * (UPLOAD_LIMIT // 4 + 1000))
    sign_in(screen, served, "clerk")
    screen.set_input_files("#file", str(big))
    screen.click("button[type=submit] >> text=检查")
    screen.wait_for_load_state()
    assert "文件超过上传大小上限 1 MB，未被接收" in screen.locator(".refusal").inner_text()


def test_staff_look_a_subject_up_see_the_report_and_download_its_pdf(served, screen, tmp_path):
    h.company_history(served.engine)
    sign_in(screen, served, "staff")
    assert screen.url.endswith("/reports")
    screen.fill("#q", h.NAME)
    screen.click("button >> text=查询")
    screen.wait_for_load_state()
    assert screen.locator("h1").inner_text() == f"信用主体：{h.NAME}"
    assert h.CODE in screen.locator("table").inner_text()
    assert fits(screen)

    screen.fill("#as_of", "2025-10-10")
    screen.click("button >> text=更改日期")
    screen.wait_for_load_state()
    subject_page = screen.url
    screen.click("text=查看公共信用信息报告")
    screen.wait_for_load_state()
    assert screen.locator("h1").first.inner_text().startswith("公共信用信息报告")
    assert h.NAME in screen.content() and "严重违法失信名单" in screen.content()
    assert fits(screen) and screen.messages == []

    screen.goto(subject_page)
    with screen.expect_download() as download:
        screen.click("text=下载 PDF")
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "公共信用信息报告" in text and h.NAME in text and "严重违法失信名单" in text

    logged = [(r[0], r[1], r[2]) for r in audit_rows(served.engine) if r[1] != "login"]
    assert logged == [("李工作", action, [f"{h.NAME}（{h.CODE}）"]) for action in ("lookup", "report", "pdf")]
    assert all(r[3] == "127.0.0.1" for r in audit_rows(served.engine))

    # the PDF, uploaded again, verifies against the warehouse
    screen.goto(served.url + "/reports/verify")
    screen.set_input_files("#file", str(pdf))
    screen.click("button >> text=核验")
    screen.wait_for_load_state()
    assert screen.locator("#verdict").inner_text().startswith("校验通过")


def test_a_name_several_subjects_go_by_gives_a_choice(served, screen):
    h.company_history(served.engine)
    h.load(served.engine, "penalty", [{**h.PENALTY, "cf_xdr_shxym": HOSTILE_CODE, "cf_wsh": "平市监罚〔2025〕8号"}])
    sign_in(screen, served, "staff")
    screen.fill("#q", h.NAME)
    screen.click("button >> text=查询")
    screen.wait_for_load_state()
    assert "对应 2 个主体" in screen.locator("h2").inner_text()
    rows = screen.locator("table tr").all_inner_texts()[1:]
    assert sorted(r.split("\t")[1] for r in rows) == sorted([h.CODE, HOSTILE_CODE])
    screen.click(f"tr:has-text('{HOSTILE_CODE}') >> text=选择")
    screen.wait_for_load_state()
    assert HOSTILE_CODE in screen.locator("table").inner_text()


def test_a_natural_persons_report_is_refused_to_staff_and_given_to_an_administrator(served, browser):
    h.company_history(served.engine)
    for who, allowed in (("staff", False), ("admin", True)):
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        sign_in(page, served, who)
        page.goto(served.url + "/reports")
        page.fill("#q", h.PERSON_ID)
        page.click("button >> text=查询")
        page.wait_for_load_state()
        if allowed:
            assert page.locator("h1").inner_text() == f"信用主体：{h.PERSON}"
            assert h.PERSON_ID not in page.content() and "4104**********1234" in page.content()
        else:
            assert "仅管理员可以查询" in page.locator(".refusal").inner_text()
        page.close()
    assert [r[1] for r in audit_rows(served.engine) if r[1] not in ("login",)] == ["lookup", "refused", "lookup"]


def test_a_hostile_name_from_a_department_shows_as_text(served, screen):
    h.register(served.engine, [(HOSTILE, HOSTILE_CODE)])
    sign_in(screen, served, "staff")
    screen.fill("#q", HOSTILE_CODE)
    screen.click("button >> text=查询")
    screen.wait_for_load_state()
    assert screen.locator("h1").inner_text() == f"信用主体：{HOSTILE}"
    assert screen.locator("td", has_text=HOSTILE).count() == 1
    screen.goto(served.url + "/list-check")
    screen.fill("#subjects", HOSTILE)
    screen.click("button >> text=核查")
    screen.wait_for_load_state()
    assert HOSTILE in screen.locator("#answers").inner_text()
    assert screen.messages == []  # no dialog: no script ran


def test_the_audit_log_is_for_administrators_newest_first(served, browser):
    h.company_history(served.engine)
    staff = browser.new_page()
    sign_in(staff, served, "staff")
    staff.fill("#q", h.CODE)
    staff.click("button >> text=查询")
    staff.wait_for_load_state()
    assert staff.goto(served.url + "/audit").status == 403
    admin = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(admin, served, "admin")
    admin.goto(served.url + "/audit")
    rows = admin.locator("#audit tr").all_inner_texts()[1:]
    assert [r.split("\t")[3] for r in rows] == ["登录", "查询主体", "登录"]
    assert "李工作" in rows[1] and f"{h.NAME}（{h.CODE}）" in rows[1]
