"""Script injection: file names a department chose never reach the GX Data Docs as markup, and the Airflow
plugin serves every page with a Content-Security-Policy that a real browser (chromium) enforces."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support.ports import free_port

from citycredit.publish import datadocs, webapp
from citycredit.validate.suites import suite_definition

HOSTILE_NAMES = [
    "<svg onload=alert(5)>.csv",
    '"><img src=x onerror="window.__xss=\'img\'">.csv',
    "</script><script>window.__xss='script'</script>.csv",
    "'-alert(6)-'.xlsx",
    "javascript:alert(7).csv",
    "../../../escape.csv",
    "sfz410403198503153310号.csv",
]
ID = "410403198503153310"


def _outcome(batch_id: int, name: str) -> datadocs.BatchOutcome:
    rules = [e["meta"]["rule_id"] for e in suite_definition("license")["expectations"]][:4]
    counts = {rule: (3, i % 2) for i, rule in enumerate(rules)}
    return datadocs.BatchOutcome(batch_id, "license", name, datetime(2025, 9, 5, 10, tzinfo=UTC), counts)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("datadocs") / "datadocs"
    datadocs.build([_outcome(n, name) for n, name in enumerate(HOSTILE_NAMES, start=1)], target)
    return target


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_no_hostile_name_reaches_the_site_as_it_was_sent(site):
    pages = _pages(site)
    assert len(pages) >= 1 + 3 + len(HOSTILE_NAMES), "the index, every suite and every batch have a page"
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for name in HOSTILE_NAMES:
            assert name not in html, (page, name)
        for markup in ("<svg onload", "<img src=x", "<script>window", "javascript:alert"):
            assert markup not in html, (page, markup)
        assert ID not in html, page
    for path in site.rglob("*"):
        assert path.resolve().is_relative_to(site.resolve()), path
        assert ID not in str(path) and "<" not in str(path), path


def test_every_batch_is_still_named_by_its_id_and_a_readable_file_label(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for n in range(1, len(HOSTILE_NAMES) + 1):
        assert f"batch-{n} " in index
    assert datadocs.file_label("<svg onload=alert(5)>.csv") == "_svg_onload_alert_5__.csv"
    assert datadocs.file_label("许可_2025-09.csv") == "许可_2025-09.csv"
    assert datadocs.file_label("sfz410403198503153310号.csv") == "sfz4104__________3310号.csv"
    assert len(datadocs.file_label("许" * 200 + ".csv")) == datadocs.FILE_LABEL


@pytest.fixture
def page(browser):
    """A chromium page that records dialogs and page errors and reaches no network beyond this machine."""
    page = browser.new_page()
    events: list[str] = []
    page.on("dialog", lambda d: (events.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("console", lambda m: events.append(f"console: {m.text}"))
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(("file:", "http://127.0.0.1")) else route.abort()
        ),
    )
    page.events = events
    return page


def test_no_injected_script_runs_in_any_data_docs_page(site, page):
    for path in _pages(site):
        page.goto(path.as_uri(), wait_until="load")
        assert page.evaluate("typeof window.__xss") == "undefined", path
        assert page.locator("svg[onload], img[onerror]").count() == 0, path
    assert not [e for e in page.events if e.startswith("dialog")], page.events


# --- the pages as the Airflow plugin serves them ----------------------------------------------------------------

REPORT = "reports/2025-09/质量报告_2025-09.html"
INJECTED = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>质量报告</title><style>p{color:#222}</style></head>"
    "<body><p id=text>2025年09月</p><script>window.__xss='inline'</script>"
    "<img src=x onerror=\"window.__xss='handler'\"><svg onload=\"window.__xss='svg'\"></svg></body></html>"
)
DATADOCS_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Data Docs</title></head><body>"
    "<script>window.__ran = true; try { document.cookie; window.__cookie = 'read' } catch (e) {"
    " window.__cookie = 'blocked' }</script></body></html>"
)


@pytest.fixture
def published(citycredit_home):
    """A report with markup that slipped through (as if escaping had failed), a Data Docs page, a workbook."""
    files = {
        REPORT: INJECTED.encode(),
        "datadocs/index.html": DATADOCS_PAGE.encode(),
        "feedback/2025-09/scjg/数据质量反馈_scjg_2025-09.xlsx": b"PK\x03\x04 workbook",
    }
    for relative, data in files.items():
        path = citycredit_home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return citycredit_home


def test_every_response_carries_the_security_headers(published):
    client = TestClient(webapp.create_app(require_login=False))
    index = client.get("/")
    report = client.get(f"/files/{REPORT}")
    docs = client.get("/files/datadocs/index.html")
    workbook = client.get("/files/feedback/2025-09/scjg/数据质量反馈_scjg_2025-09.xlsx")
    for response in (index, report, docs, workbook):
        assert response.status_code == 200
        assert response.headers["x-content-type-options"] == "nosniff"
    for response in (index, report):
        policy = response.headers["content-security-policy"]
        assert policy == webapp.PAGE_POLICY
        assert "default-src 'none'" in policy and "script-src" not in policy
    docs_policy = docs.headers["content-security-policy"]
    assert docs_policy == webapp.DATADOCS_POLICY
    assert docs_policy.startswith("sandbox allow-scripts") and "allow-same-origin" not in docs_policy
    assert "connect-src 'none'" in docs_policy
    assert "content-security-policy" not in workbook.headers, "a download is no page"


@pytest.fixture
def served(published):
    """The plugin's app served over real HTTP on this machine (uvicorn), as the api-server serves it."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(webapp.create_app(require_login=False), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_chromium_runs_no_script_in_a_served_report_even_when_markup_slipped_through(served, page):
    response = page.goto(f"{served}/files/{REPORT}", wait_until="load")
    assert response.headers["content-security-policy"] == webapp.PAGE_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert page.locator("#text").inner_text() == "2025年09月", "the page itself is shown"
    assert page.evaluate("getComputedStyle(document.querySelector('#text')).color") == "rgb(34, 34, 34)", (
        "inline CSS still applies"
    )
    assert page.evaluate("typeof window.__xss") == "undefined", "neither the script nor the handlers ran"
    page.goto(f"{served}/", wait_until="load")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert "质量报告_2025-09.html" in page.locator("body").inner_text()


def test_chromium_runs_the_data_docs_scripts_in_a_sandbox_without_the_airflow_session(served, page):
    response = page.goto(f"{served}/files/datadocs/index.html", wait_until="load")
    assert response.headers["content-security-policy"] == webapp.DATADOCS_POLICY
    assert page.evaluate("window.__ran") is True, "GX's own scripts still run"
    assert page.evaluate("self.origin") == "null", "an opaque origin: not the Airflow origin"
    assert page.evaluate("window.__cookie") == "blocked", "the Airflow session cookie is out of reach"
    fetched = page.evaluate("fetch('/').then(() => 'fetched', () => 'refused')")
    assert fetched == "refused", "no request back to the api-server"
