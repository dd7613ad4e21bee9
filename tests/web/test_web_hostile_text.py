"""Department-provided text on every page that shows it stays text (issue #20 item 6: XSS in every
department-provided field), and paths that try to leave the app's folders find nothing."""

from __future__ import annotations

import pytest
from support import credit_report_rows as h
from web_helpers import sign_in

pytestmark = pytest.mark.db
# The text fields a department sends that the 公共信用信息报告 shows, per dataset.
SHOWN = {
    "license": ("xk_xkws", "xk_nr", "xk_xkzs", "xk_xkjg"),
    "penalty": ("cf_wfxw", "cf_sy", "cf_yj", "cf_nr", "cf_cfjg"),
    "credit_list": ("md_lryj", "md_rdbm"),
    "credit_commitment": ("cn_sx", "cn_slbm"),
    "joint_sanction": ("jc_cs", "jc_ssbm"),
}
RECORDS = {"license": h.LICENSE_RECORD, "penalty": h.PENALTY, "credit_list": h.SERIOUS,
           "credit_commitment": h.COMMITMENT, "joint_sanction": h.SANCTION}  # fmt: skip


def payload(field: str) -> str:
    return f'<img src=x onerror=alert("{field}")><script>alert("{field}")</script>{field}'


def test_every_field_of_every_section_shows_as_text_in_the_report_and_its_search(served, screen_page):
    for dataset, fields in SHOWN.items():
        h.load(served.engine, dataset, [{**RECORDS[dataset], **{f: payload(f) for f in fields}}])
    h.register(served.engine, [(payload("zt_mc"), h.CODE)])

    sign_in(screen_page, served, "staff")
    screen_page.fill("#q", h.CODE)
    screen_page.click("button >> text=查询")
    screen_page.wait_for_load_state()
    assert payload("zt_mc") in screen_page.locator("h1").inner_text()
    screen_page.goto(screen_page.url.split("?")[0] + "/html?as_of=2025-10-10")  # the penalty in its window
    text = screen_page.locator("body").inner_text()
    missing = [f for fields in SHOWN.values() for f in fields if payload(f) not in text]
    assert missing == [], "each field's text is on the page as it was sent"
    assert screen_page.locator("img[src=x]").count() == 0 and screen_page.locator("body script").count() == 0
    assert [m for m in screen_page.messages if m.startswith(("dialog", "pageerror"))] == []


@pytest.fixture
def screen_page(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    return page


@pytest.mark.parametrize("path", [
    "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/reports/s/..%2F..%2Fetc%2Fpasswd/pdf", "/departments/..%2Fscjg/check",
])  # fmt: skip
def test_a_path_that_leaves_the_app_finds_nothing(served, path):
    import requests

    session = served.signed_in("staff")
    answer = session.get(served.url + path, timeout=30, allow_redirects=False)
    assert answer.status_code in (403, 404) and "root:" not in answer.text
    assert requests.get(served.url + path, timeout=30, allow_redirects=False).status_code in (303, 404)
