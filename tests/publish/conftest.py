"""A real headless chromium for the published pages (Debian's /usr/bin/chromium, driven by Playwright)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def launch(playwright):
    if not CHROMIUM.exists():
        if os.environ.get("CITYCREDIT_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing and CITYCREDIT_REQUIRE_BROWSER is set")
        pytest.skip(f"{CHROMIUM} is not installed")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page that keeps what the browser said (console messages, page errors, dialogs) in ``page.messages``."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    messages = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (messages.append(f"dialog: {d.message}"), d.dismiss()))
    page.messages = messages
    return page
