"""The web app served by a real uvicorn on a free local port, its accounts, and signing in with requests."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

import requests
import uvicorn
from support.ports import free_port

from citycredit.web import accounts
from citycredit.web.app import create_app
from citycredit.web.settings import Settings

PASSWORD = "correct horse battery"
UPLOAD_LIMIT = 1024 * 1024  # 1 MB in the tests, so that a file beyond it is quick to make
USERS = {"clerk": ("张填报", "clerk", "scjg"), "staff": ("李工作", "staff", None), "admin": ("王管理", "admin", None)}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Served:
    url: str
    engine: object
    token: str  # an API client's token, valid for a day

    def signed_in(self, who: str) -> requests.Session:
        """A requests session signed in as the user `who` (clerk, staff, admin) through the sign-in form."""
        session = requests.Session()
        form = session.get(f"{self.url}/login", timeout=30)
        answer = session.post(f"{self.url}/login", data={"name": USERS[who][0], "password": PASSWORD,
                              "csrf_token": csrf_of(form.text), "next": "/"}, timeout=30)  # fmt: skip
        assert answer.status_code == 200 and "/login" not in answer.url, answer.text[:500]
        return session


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, html[:500]
    return match.group(1)


def serve(engine):
    """Yield the served app; stop the server after."""
    for name, role, department in USERS.values():
        accounts.add_user(engine, name, role, PASSWORD, department)
    _, token, _ = accounts.add_token(engine, "审批系统", 1)
    app = create_app(engine, Settings(session_hours=8, upload_bytes=UPLOAD_LIMIT))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", engine, token)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def sign_in(page, served: Served, who: str) -> None:
    """Sign in through the page, as a person does."""
    page.goto(f"{served.url}/login")
    page.fill("#name", USERS[who][0])
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def audit_rows(engine) -> list[tuple]:
    import sqlalchemy as sa

    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "SELECT user_name, action, subjects, address, detail FROM web.audit_log ORDER BY entry_id"))]  # fmt: skip
