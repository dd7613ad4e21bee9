"""The Airflow UI plugin: loaded by Airflow's plugins manager, it lists the published files and serves them, to
signed-in users only, and never anything outside the published folders."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from citycredit.core import paths
from citycredit.publish import webapp

REPORT = "reports/2025-09/质量报告_2025-09.html"
FORM = "reports/2025-09/城市信用指标数据反馈表_2025-09.xlsx"
WORKBOOK = "feedback/2025-09/scjg/数据质量反馈_scjg_2025-09.xlsx"


@pytest.fixture
def airflow_plugins(monkeypatch):
    """Airflow's plugins manager reading this project's plugins/ folder, with fresh caches before and after."""
    from airflow import plugins_manager
    from airflow import settings as airflow_settings

    cached = [plugins_manager._get_plugins, plugins_manager._get_ui_plugins, plugins_manager.get_fastapi_plugins]
    monkeypatch.setattr(airflow_settings, "PLUGINS_FOLDER", str(paths.PLUGINS_DIR))
    for fn in cached:
        fn.cache_clear()
    yield plugins_manager
    for fn in cached:
        fn.cache_clear()


@pytest.fixture
def published(citycredit_home):
    """A month's published files, a Data Docs site, and a secret beside them that must never be served."""
    files = {
        REPORT: "<!DOCTYPE html><title>质量报告</title><p>2025年09月</p>".encode(),
        FORM: b"PK\x03\x04 form",
        WORKBOOK: b"PK\x03\x04 workbook",
        "datadocs/index.html": b"<html>Data Docs</html>",
        "pg/secret.txt": b"warehouse secret",
    }
    for relative, data in files.items():
        path = citycredit_home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (citycredit_home / "reports" / "2025-09" / "link.html").symlink_to(citycredit_home / "pg" / "secret.txt")
    return citycredit_home


def client_for(app, signed_in: bool = True) -> TestClient:
    if signed_in:
        app.dependency_overrides[app.state.login_dependency] = lambda: None
    return TestClient(app)


def test_airflow_loads_the_plugin_with_its_app_and_nav_entry(airflow_plugins):
    apps, _ = airflow_plugins.get_fastapi_plugins()
    ours = [a for a in apps if a["url_prefix"] == webapp.URL_PREFIX]
    assert len(ours) == 1 and ours[0]["name"] == "信用数据质量报告"
    external_views, _ = airflow_plugins._get_ui_plugins()
    view = next(v for v in external_views if v["url_route"] == "citycredit-reports")
    assert view["href"] == f"{webapp.URL_PREFIX}/" and view["destination"] == "nav"
    assert not [e for e in airflow_plugins.get_import_errors() if "citycredit" in e]
    info = next(p for p in airflow_plugins.get_plugin_info() if p["name"] == "citycredit_reports")
    assert info["external_views"][0]["name"] == "信用数据质量报告"


def test_the_page_lists_the_published_files_and_serves_them(airflow_plugins, published):
    apps, _ = airflow_plugins.get_fastapi_plugins()
    app = next(a["app"] for a in apps if a["url_prefix"] == webapp.URL_PREFIX)
    client = client_for(app)
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "<h2>2025-09</h2>" in text and "质量报告与反馈表" in text and "部门反馈表" in text
    for name in ("质量报告_2025-09.html", "城市信用指标数据反馈表_2025-09.xlsx", "数据质量反馈_scjg_2025-09.xlsx"):
        assert f">{name}</a>" in text
    assert 'href="files/datadocs/index.html"' in text
    assert "secret" not in text
    report = client.get("/files/reports/2025-09/%E8%B4%A8%E9%87%8F%E6%8A%A5%E5%91%8A_2025-09.html")
    assert report.status_code == 200 and "2025年09月" in report.text
    assert report.headers["content-type"] == "text/html; charset=utf-8"
    assert report.headers["content-disposition"].startswith("inline")
    workbook = client.get(f"/files/{WORKBOOK}")
    assert workbook.status_code == 200 and workbook.content == b"PK\x03\x04 workbook"
    assert workbook.headers["content-disposition"].startswith("attachment")
    assert client.get("/files/datadocs/index.html").text == "<html>Data Docs</html>"


def test_an_empty_data_directory_says_how_to_publish(citycredit_home):
    client = client_for(webapp.create_app())
    assert "尚未生成任何报告" in client.get("/").text


@pytest.mark.parametrize(
    "path",
    [
        "/files/../pg/secret.txt",
        "/files/..%2Fpg%2Fsecret.txt",
        "/files/reports/..%2F..%2Fpg/secret.txt",
        "/files/reports/2025-09/..%2F..%2F..%2Fpg%2Fsecret.txt",
        "/files/%2Fetc%2Fpasswd",
        "/files//etc/passwd",
        "/files/pg/secret.txt",
        "/files/reports/2025-09/link.html",
        "/files/reports/2025-09/missing.html",
    ],
)
def test_nothing_outside_the_published_folders_is_served(published, path):
    client = client_for(webapp.create_app())
    response = client.get(path)
    assert response.status_code == 404, response.text
    assert b"secret" not in response.content and b"root:" not in response.content


def test_the_pages_need_a_signed_in_airflow_user(published):
    client = client_for(webapp.create_app(), signed_in=False)
    assert client.get("/").status_code == 401
    assert client.get(f"/files/{REPORT}").status_code == 401
