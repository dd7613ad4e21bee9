"""The audit log (``web.audit_log``): who asked for which subject's report, PDF, lookup, verification or 核查,
when and from which address. Every subject and detail is stored masked (core.privacy): the log is read by
administrators, not only by the warehouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from citycredit.core import privacy
from citycredit.web.accounts import User

ACTION_NAMES = {
    "login": "登录", "login_failed": "登录失败", "lookup": "查询主体", "report": "查看信用报告",
    "pdf": "下载信用报告 PDF", "verify": "核验信用报告", "refused": "拒绝查询", "list_check": "联合奖惩核查",
    "self_check": "数据自查", "feedback_download": "下载部门反馈表",
}  # fmt: skip
MAX_SUBJECTS = 10_000  # a 核查 of more subjects keeps the first ones and says how many there were


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    user_name: str
    role: str
    action: str
    subjects: list[str]
    address: str | None
    detail: str | None

    @property
    def action_name(self) -> str:
        return ACTION_NAMES.get(self.action, self.action)


def record(
    engine: sa.Engine,
    user: User | str,
    action: str,
    subjects: Iterable[str] = (),
    address: str | None = None,
    detail: str | None = None,
) -> None:
    name, role = (user.name, user.role) if isinstance(user, User) else (user, "")
    shown = [privacy.mask_ids_in_text(s) for s in subjects]
    if len(shown) > MAX_SUBJECTS:
        detail = f"{detail or ''}（共 {len(shown)} 个主体，记录前 {MAX_SUBJECTS} 个）"
        shown = shown[:MAX_SUBJECTS]
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO web.audit_log (user_name, role, action, subjects, address, detail)"
                    " VALUES (:u, :r, :a, :s, :ip, :d)"),
            {"u": name, "r": role, "a": action, "s": shown, "ip": address,
             "d": privacy.mask_ids_in_text(detail) if detail else None},
        )  # fmt: skip


def entries(engine: sa.Engine, page: int, size: int) -> tuple[list[Entry], int]:
    """One page of the log, newest first, and how many entries it holds in all."""
    with engine.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM web.audit_log")).scalar_one()
        rows = conn.execute(
            sa.text("SELECT at, user_name, role, action, subjects, address, detail FROM web.audit_log"
                    " ORDER BY at DESC, entry_id DESC LIMIT :n OFFSET :o"), {"n": size, "o": (page - 1) * size},
        ).all()  # fmt: skip
    return [Entry(*row) for row in rows], total
