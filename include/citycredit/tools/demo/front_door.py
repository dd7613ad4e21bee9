"""What `make demo` prepares for the web front door (docs/web.md): an account of each role to sign in with, and a
subject whose records fill the report's sections, to look up.

The accounts' passwords are random, made when an account is first created and kept in the data directory
(ACCOUNTS_FILE, readable by its owner only) so that a second demo prints the same sign-in and changes nothing.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from citycredit.core import checkdigits, datasets, paths
from citycredit.web import accounts

ACCOUNTS_FILE = "web-demo-accounts.json"
STAFF_NAME, ADMIN_NAME, CLERK_NAME = "演示工作人员", "演示管理员", "演示填报员"
# The datasets whose records a report shows by the subject's 统一社会信用代码 (publish.subject_report.SOURCES).
SECTIONS = {"license": "行政许可", "penalty": "行政处罚", "credit_list": "信用名单", "credit_commitment": "信用承诺",
            "joint_sanction": "联合奖惩"}  # fmt: skip


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    department_id: str | None
    password: str | None  # None: the account was made outside the demo, its password is not ours to show

    @property
    def role_name(self) -> str:
        return accounts.ROLE_NAMES[self.role]


def demo_accounts(engine: sa.Engine, clerk_department: str) -> list[Account]:
    """The demo's staff, administrator and clerk (of `clerk_department`) accounts, created where missing."""
    stored = paths.data_path() / ACCOUNTS_FILE
    known: dict[str, str] = json.loads(stored.read_text(encoding="utf-8")) if stored.is_file() else {}
    with engine.connect() as conn:
        existing = set(conn.execute(sa.text("SELECT name FROM web.users")).scalars())
    wanted = ((STAFF_NAME, accounts.STAFF, None), (ADMIN_NAME, accounts.ADMIN, None),
              (CLERK_NAME, accounts.CLERK, clerk_department))  # fmt: skip
    made = []
    for name, role, department in wanted:
        if name not in existing:
            known[name] = secrets.token_urlsafe(12)
            accounts.add_user(engine, name, role, known[name], department)
        made.append(Account(name, role, department, known.get(name)))
    stored.touch(mode=0o600, exist_ok=True)
    os.chmod(stored, 0o600)  # touch keeps the mode of a file that exists
    stored.write_text(json.dumps(known, ensure_ascii=False, indent=1), encoding="utf-8")
    return made


def rich_subject(engine: sa.Engine) -> tuple[str, dict[str, int]] | None:
    """The 统一社会信用代码 with current records in the most sections of a report (then the most records), with its
    number of records per section; None in an empty warehouse."""
    parts = [
        f"SELECT {ds.subject_code} AS code, '{name}' AS section FROM {ds.core_table} WHERE is_current"
        for name in SECTIONS
        for ds in [datasets.get(name)]
    ]
    query = f"""
        WITH records AS ({" UNION ALL ".join(parts)}),
        best AS (
            SELECT code FROM records WHERE code IS NOT NULL AND code <> :placeholder
            GROUP BY code ORDER BY count(DISTINCT section) DESC, count(*) DESC, code LIMIT 1
        )
        SELECT r.code, r.section, count(*) AS n FROM records r JOIN best USING (code) GROUP BY r.code, r.section
    """
    with engine.connect() as conn:
        rows = conn.execute(sa.text(query), {"placeholder": checkdigits.USCC_PLACEHOLDER}).all()
    if not rows:
        return None
    counts = {r.section: r.n for r in rows}
    return rows[0].code, {SECTIONS[name]: counts[name] for name in SECTIONS if name in counts}
