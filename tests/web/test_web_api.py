"""The 核查 API and the refusals of the web app, driven with requests against the served app: tokens (and their
expiry), sessions (and theirs), CSRF, roles, the OpenAPI document, uploads as JSON or the result workbook."""

from __future__ import annotations

import io

import openpyxl
import pytest
import requests
import sqlalchemy as sa
from support.listings import COURT, entry, load_entries
from web_helpers import audit_rows, csrf_of

pytestmark = pytest.mark.db
LISTED = ("平顶山市鑫华建材有限公司", "914403001922038216")
API = "/api/v1/list-check"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def listed(served):
    load_entries(served.engine, [entry(*LISTED, "失信被执行人", "2025-03-01", COURT)])
    return served


def test_a_token_asks_for_subjects_as_json_and_gets_each_answer_in_order(listed):
    body = {"as_of": "2025-05-01", "subjects": [{"code": LISTED[1]}, {"name": "没有记录的公司"},
                                                {"code": "91110108717809965C"}]}  # fmt: skip
    answer = requests.post(listed.url + API, json=body, headers=bearer(listed.token), timeout=60)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["counts"] == {"listed": 1, "not_listed": 1, "ambiguous_name": 0, "invalid_code": 1}
    assert [r["result_zh"] for r in data["results"]] == ["在列", "无记录", "代码无效"]
    (listing,) = data["results"][0]["listings"]
    assert (listing["list_type"], listing["list_class"], listing["authority"]) == ("失信被执行人", "严重失信", COURT)
    assert listing["measures"] and answer.headers["Cache-Control"] == "no-store"
    (logged,) = [r for r in audit_rows(listed.engine) if r[1] == "list_check"]
    assert logged[0] == "审批系统" and logged[2] == [LISTED[1], "没有记录的公司", "91110108717809965C"]


def test_an_uploaded_list_is_answered_as_json_or_as_the_result_workbook(listed):
    csv = f"序号,统一社会信用代码,企业名称\n1,{LISTED[1]},{LISTED[0]}\n2,,别的公司\n".encode("gbk")
    files = {"file": ("名单.csv", csv, "text/csv")}
    answer = requests.post(listed.url + API, files=files, data={"as_of": "2025-05-01"}, headers=bearer(listed.token),
                           timeout=60)  # fmt: skip
    assert [r["result"] for r in answer.json()["results"]] == ["listed", "not_listed"]
    workbook = requests.post(listed.url + API + "?format=xlsx", files=files, data={"as_of": "2025-05-01"},
                             headers=bearer(listed.token), timeout=60)  # fmt: skip
    assert workbook.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["核查结果"]
    assert [c.value for c in sheet[2]][:5] == [1, LISTED[0], LISTED[1], "在列", "失信被执行人（严重失信）"]
    assert sheet.cell(3, 4).value == "无记录"


def test_no_token_a_wrong_one_or_an_expired_one_is_401(served):
    body = {"subjects": [{"code": LISTED[1]}]}
    assert requests.post(served.url + API, json=body, timeout=30).status_code == 401
    wrong = requests.post(served.url + API, json=body, headers=bearer("cct_not-a-token"), timeout=30)
    assert (wrong.status_code, wrong.json()["detail"]) == (401, "令牌无效或已过期")
    with served.engine.begin() as conn:
        conn.execute(sa.text("UPDATE web.api_tokens SET expires_at = now() - interval '1 second'"))
    expired = requests.post(served.url + API, json=body, headers=bearer(served.token), timeout=30)
    assert (expired.status_code, expired.json()["detail"]) == (401, "令牌无效或已过期")


def test_a_malformed_request_is_422_in_chinese(served):
    answer = requests.post(served.url + API, json={"subjects": []}, headers=bearer(served.token), timeout=30)
    assert answer.status_code == 422 and answer.json()["detail"] == "请求格式不正确"


def test_the_openapi_document_describes_the_endpoint_its_request_and_answer(served):
    document = requests.get(served.url + "/api/v1/openapi.json", timeout=30).json()
    assert list(document["paths"]) == [API]  # the pages are not part of the API
    post = document["paths"][API]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    schemas = document["components"]["schemas"]
    assert {"ListCheckRequest", "SubjectIn", "ListCheckResponse", "Answer", "Listing"} <= set(schemas)
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ListCheckResponse"
    }
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_a_clerk_is_refused_the_api_and_the_staff_pages_403_and_anyone_signed_out_goes_to_the_sign_in(served):
    clerk = served.signed_in("clerk")
    api = clerk.post(
        served.url + API,
        json={"subjects": [{"code": LISTED[1]}]},
        headers={"X-CSRF-Token": csrf_of(clerk.get(served.url + "/check", timeout=30).text)},
        timeout=30,
    )
    assert (api.status_code, api.json()["detail"]) == (403, "您的角色（部门填报员）无权调用此接口")
    reports = clerk.get(served.url + "/reports", timeout=30)
    assert reports.status_code == 403 and "您的角色（部门填报员）无权使用此功能" in reports.text
    anonymous = requests.get(served.url + "/reports", allow_redirects=False, timeout=30)
    assert (anonymous.status_code, anonymous.headers["Location"]) == (303, "/login?next=%2Freports")


def test_a_form_posted_without_its_csrf_token_is_refused(served):
    staff = served.signed_in("staff")
    token = csrf_of(staff.get(served.url + "/reports", timeout=30).text)
    refused = staff.post(served.url + "/reports/search", data={"q": LISTED[1]}, timeout=30)
    assert refused.status_code == 403 and "CSRF 校验失败" in refused.text
    forged = staff.post(served.url + "/reports/search", data={"q": LISTED[1], "csrf_token": "x" + token}, timeout=30)
    assert forged.status_code == 403
    accepted = staff.post(served.url + "/reports/search", data={"q": LISTED[1], "csrf_token": token}, timeout=30)
    assert accepted.status_code == 404 and "未找到主体" in accepted.text  # the search ran
    # the API with a session cookie needs the token in a header
    body = {"subjects": [{"code": LISTED[1]}]}
    assert staff.post(served.url + API, json=body, timeout=30).status_code == 403
    assert staff.post(served.url + API, json=body, headers={"X-CSRF-Token": token}, timeout=30).status_code == 200
    # and the sign-in form its own
    login = requests.post(served.url + "/login", data={"name": "李工作", "password": "correct horse battery"},
                          allow_redirects=False, timeout=30)  # fmt: skip
    assert login.status_code == 403 and "CSRF 校验失败" in login.text


def test_a_session_ends_when_it_expires_and_at_sign_out(served):
    staff = served.signed_in("staff")
    assert staff.get(served.url + "/reports", timeout=30).status_code == 200
    with served.engine.begin() as conn:
        conn.execute(sa.text("UPDATE web.sessions SET expires_at = now() - interval '1 second'"))
    assert staff.get(served.url + "/reports", allow_redirects=False, timeout=30).status_code == 303
    admin = served.signed_in("admin")
    token = csrf_of(admin.get(served.url + "/reports", timeout=30).text)
    admin.post(served.url + "/logout", data={"csrf_token": token}, timeout=30)
    assert admin.get(served.url + "/reports", allow_redirects=False, timeout=30).status_code == 303


def test_a_wrong_password_is_refused_and_audited(served):
    session = requests.Session()
    form = session.get(served.url + "/login", timeout=30)
    answer = session.post(served.url + "/login", data={"name": "李工作", "password": "wrong password!",
                          "csrf_token": csrf_of(form.text)}, timeout=30)  # fmt: skip
    assert answer.status_code == 401 and "用户名或密码不正确" in answer.text
    assert [(r[0], r[1]) for r in audit_rows(served.engine)] == [("李工作", "login_failed")]


def test_every_page_says_its_security_headers(served):
    answer = requests.get(served.url + "/login", timeout=30)
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script" not in policy and "form-action 'self'" in policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_the_staff_page_returns_the_result_workbook_of_typed_subjects(listed):
    staff = listed.signed_in("staff")
    token = csrf_of(staff.get(listed.url + "/list-check", timeout=30).text)
    form = {"subjects": f"{LISTED[1]}\n别的公司\n", "as_of": "2025-05-01", "format": "xlsx", "csrf_token": token}
    answer = staff.post(listed.url + "/list-check", data=form, files={"file": ("", b"")}, timeout=60)
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content))["核查结果"]
    assert [(row[2].value or row[1].value, row[3].value) for row in sheet.iter_rows(min_row=2)] == [
        (LISTED[1], "在列"),
        ("别的公司", "无记录"),
    ]
    wrong_day = staff.post(listed.url + "/list-check", data={**form, "as_of": "2025-02-30"}, timeout=60)
    assert wrong_day.status_code == 422 and "核查日期应为存在的 YYYY-MM-DD" in wrong_day.text
