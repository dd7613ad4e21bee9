"""``citycredit web``: accounts and tokens made on the command line work in the app; the server it starts
answers."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time

import pytest
import requests
from support.ports import free_port
from web_helpers import csrf_of

from citycredit import cli
from citycredit.web import accounts

pytestmark = pytest.mark.db
CLERK_NEEDS = "部门填报员（clerk）必须用 --department 指定所属部门"


def run(monkeypatch, capsys, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    status = cli.main(["web", *args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_users_and_tokens_are_made_with_their_roles_and_mistakes_are_told(engine, monkeypatch, capsys):
    made = run(monkeypatch, capsys, "user", "add", "赵填报", "--role", "clerk", "--department", "zjj",
               "--password-stdin", stdin="a long enough password\n")  # fmt: skip
    assert made == (0, "已创建用户 赵填报（部门填报员，部门 zjj）\n", "")
    user = accounts.authenticate(engine, "赵填报", "a long enough password")
    assert user is not None and (user.role, user.department_id) == ("clerk", "zjj")
    assert accounts.authenticate(engine, "赵填报", "a wrong password") is None

    mistakes = {
        ("user", "add", "x", "--role", "clerk"): f"{CLERK_NEEDS}；其他角色不属于某个部门",
        ("user", "add", "x", "--role", "clerk", "--department", "nowhere"): "departments.yaml 中没有部门 nowhere",
        ("user", "add", "赵填报", "--role", "staff"): "用户 赵填报 已存在",
        ("user", "add", "y", "--role", "admin"): "密码太短：至少 10 个字符",
    }
    for args, message in mistakes.items():
        stdin = "short\n" if args[2] == "y" else "a long enough password\n"
        status, _, err = run(monkeypatch, capsys, *args, "--password-stdin", stdin=stdin)
        assert (status, err.strip()) == (2, f"citycredit web: {message}")

    status, out, err = run(monkeypatch, capsys, "token", "add", "审批系统", "--days", "30")
    token = out.strip()
    assert status == 0 and token.startswith("cct_") and "只显示这一次" in err
    client = accounts.token_user(engine, token)
    assert client is not None and (client.name, client.role) == ("审批系统", "api")
    assert run(monkeypatch, capsys, "token", "add", "审批系统", "--days", "0")[0] == 2


def test_citycredit_web_serve_serves_the_sign_in_page(warehouse_url):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "citycredit.cli", "web", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()[-2000:]
                time.sleep(0.2)
        assert answer.url.endswith("/login?next=%2F") and "登录" in answer.text and csrf_of(answer.text)
    finally:
        server.terminate()
        server.wait(timeout=30)
