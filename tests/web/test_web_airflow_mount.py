"""The front door mounted under a prefix, as the Airflow api-server mounts it (citycredit.web.airflow_mount): every
link, redirect and cookie stays under the prefix; the Airflow user is the operator, with the role Airflow gives,
and signing out of Airflow signs out here. The real api-server with its real sign-in runs in
tests/integration/test_local_airflow.py; here the Airflow user comes from a stand-in for its cookie check."""

from __future__ import annotations

import threading
import time

import pytest
import requests
import uvicorn
from fastapi import FastAPI
from support.ports import free_port
from web_helpers import audit_rows, csrf_of

from citycredit.web import accounts, airflow_mount
from citycredit.web.app import create_app
from citycredit.web.settings import Settings

pytestmark = pytest.mark.db
PREFIX = airflow_mount.URL_PREFIX
AIRFLOW_USERS = {"ops-admin": "admin", "ops-viewer": "staff"}  # what each stand-in cookie signs in


async def stand_in(request):
    name = request.cookies.get(airflow_mount.AIRFLOW_COOKIE)
    return (name, AIRFLOW_USERS[name]) if name in AIRFLOW_USERS else None


@pytest.fixture
def mounted(engine):
    settings = Settings(session_hours=8, upload_bytes=1024 * 1024)
    host = FastAPI()
    host.mount(PREFIX, airflow_mount.OperatorSignIn(create_app(engine, settings), engine, settings, stand_in))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(host, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


def as_airflow(name: str | None) -> requests.Session:
    session = requests.Session()
    if name:
        session.cookies.set(airflow_mount.AIRFLOW_COOKIE, name, domain="127.0.0.1", path="/")
    return session


def test_an_airflow_administrator_works_under_the_prefix_without_a_second_sign_in(mounted, engine):
    browser = as_airflow("ops-admin")
    home = browser.get(f"{mounted}{PREFIX}/", timeout=30)
    assert home.url == f"{mounted}{PREFIX}/reports"  # the redirect stayed under the prefix
    assert "airflow:ops-admin（管理员）" in home.text
    assert f'href="{PREFIX}/static/app.css"' in home.text and f'action="{PREFIX}/reports/search"' in home.text
    assert f'href="{PREFIX}/audit"' in home.text and 'href="/' not in home.text.replace(f'href="{PREFIX}/', "")
    assert "frame-ancestors 'self'" in home.headers["Content-Security-Policy"]  # shown inside the Airflow UI
    cookie = next(c for c in browser.cookies if c.name == "cc_session")
    assert cookie.path == f"{PREFIX}/"

    found = browser.post(f"{mounted}{PREFIX}/reports/search", data={"q": "无此公司", "csrf_token": csrf_of(home.text)},
                         timeout=30)  # fmt: skip
    assert found.status_code == 404 and "未找到主体“无此公司”" in found.text  # CSRF accepted: the session is real
    assert [r[:2] for r in audit_rows(engine)] == [("airflow:ops-admin", "login"), ("airflow:ops-admin", "lookup")]
    assert len({c.value for c in browser.cookies if c.name == "cc_session"}) == 1, "one session, not one a request"


def test_other_airflow_users_are_staff_and_signing_out_of_airflow_signs_out_here(mounted):
    browser = as_airflow("ops-viewer")
    page = browser.get(f"{mounted}{PREFIX}/reports", timeout=30)
    assert "airflow:ops-viewer（信用中心工作人员）" in page.text and f'href="{PREFIX}/audit"' not in page.text
    assert browser.get(f"{mounted}{PREFIX}/audit", timeout=30).status_code == 403

    browser.cookies.clear(domain="127.0.0.1", path="/", name=airflow_mount.AIRFLOW_COOKIE)
    after = browser.get(f"{mounted}{PREFIX}/reports", timeout=30)
    assert after.url.startswith(f"{mounted}{PREFIX}/login?next=") and "登录" in after.text


def test_the_api_under_the_prefix_answers_json_and_approval_systems_keep_their_tokens(mounted, engine):
    _, token, _ = accounts.add_token(engine, "审批系统", 1)
    refused = requests.post(f"{mounted}{PREFIX}/api/v1/list-check", json={"subjects": [{"name": "某公司"}]},
                            headers={"Authorization": "Bearer nope"}, timeout=30)  # fmt: skip
    assert refused.status_code == 401 and refused.json() == {"detail": "令牌无效或已过期"}
    assert requests.get(f"{mounted}{PREFIX}/api/v1/nothing", timeout=30).json() == {"detail": "Not Found"}
    answered = requests.post(f"{mounted}{PREFIX}/api/v1/list-check", json={"subjects": [{"name": "某公司"}]},
                             headers={"Authorization": f"Bearer {token}"}, timeout=30)  # fmt: skip
    assert answered.status_code == 200 and len(answered.json()["results"]) == 1


def test_a_web_account_still_signs_in_under_the_prefix_and_operator_names_are_reserved(mounted, engine):
    accounts.add_user(engine, "李工作", "staff", "correct horse battery")
    browser = as_airflow(None)
    form = browser.get(f"{mounted}{PREFIX}/login", timeout=30)
    answer = browser.post(f"{mounted}{PREFIX}/login", data={"name": "李工作", "password": "correct horse battery",
                          "csrf_token": csrf_of(form.text), "next": ""}, timeout=30)  # fmt: skip
    assert answer.url == f"{mounted}{PREFIX}/reports" and "李工作（信用中心工作人员）" in answer.text
    with pytest.raises(accounts.AccountError, match="留给 Airflow"):
        accounts.add_user(engine, "airflow:ops-admin", "admin", "correct horse battery")
    with pytest.raises(accounts.AccountError, match="留给 Airflow"):
        accounts.add_token(engine, "airflow:ops-admin", 1)
    assert accounts.authenticate(engine, "airflow:ops-admin", "") is None
