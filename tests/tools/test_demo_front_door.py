"""What `make demo` prints for the web front door: an account of each role that signs in with the password shown,
the same sign-in on a second demo, and a subject whose records fill the report."""

from __future__ import annotations

import json
import re
import stat

import pytest
import sqlalchemy as sa
from support import credit_report_rows as history

from citycredit.cli import demo
from citycredit.core import paths
from citycredit.publish import subject_report
from citycredit.tools.demo import front_door
from citycredit.web import accounts

pytestmark = pytest.mark.db
SIGN_IN = re.compile(r"^\s+(\S+)\s+(\S+) / (\S+)$", re.MULTILINE)


def test_the_demo_prints_accounts_that_sign_in_and_a_subject_with_every_section(engine):
    history.company_history(engine)  # a company with 行政许可, 行政处罚, 信用名单, 信用承诺 and 联合奖惩 records

    text = demo._front_door(engine)
    assert "`citycredit web` serves http://127.0.0.1:8090/" in text
    shown = {name: (role, password) for role, name, password in SIGN_IN.findall(text)}
    assert {name: role for name, (role, _) in shown.items()} == {
        "演示工作人员": "信用中心工作人员", "演示管理员": "管理员", "演示填报员": "部门填报员（scjg）"}  # fmt: skip
    # each signs in with the password printed beside it, in the role printed
    signed_in = {name: accounts.authenticate(engine, name, password) for name, (_, password) in shown.items()}
    assert {name: user and user.role for name, user in signed_in.items()} == {
        "演示工作人员": "staff", "演示管理员": "admin", "演示填报员": "clerk"}  # fmt: skip

    kept = paths.home() / front_door.ACCOUNTS_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600, "the passwords file is its owner's only"
    assert json.loads(kept.read_text(encoding="utf-8")) == {n: p for n, (_, p) in shown.items()}

    look_up = re.search(r"look up\s+(.+)（(\w{18})）：(.+)$", text, re.MULTILINE).groups()
    assert look_up == (history.NAME, history.CODE,
                       "行政许可 2 条，行政处罚 5 条，信用名单 2 条，信用承诺 1 条，联合奖惩 1 条")  # fmt: skip
    assert subject_report.find(engine, look_up[1]).name == history.NAME, "the subject shown is one the report finds"

    with engine.connect() as conn:
        users = conn.execute(sa.text("SELECT count(*) FROM web.users")).scalar()
    assert demo._front_door(engine) == text, "a second demo prints the same sign-in"
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM web.users")).scalar() == users
