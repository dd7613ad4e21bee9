"""Credit-list entries loaded the way the pipeline loads them (staged, then merged into core.credit_list), for the
tests of what is answered about them (联合奖惩 核查)."""

from __future__ import annotations

import sqlalchemy as sa

from citycredit.load import merge
from support.staged_batches import stage

COURT = "平顶山市中级人民法院"
SAMR = "平顶山市市场监督管理局"
TAX = "国家税务总局平顶山市税务局"
SEEN = "2025-03-05"  # the day the entries below are delivered


def entry(name: str, code: str | None, kind: str, listed: str, authority: str = SAMR, **more) -> dict:
    """A listing of an organisation (法人及非法人组织) in the credit-list template's canonical columns."""
    return {
        "md_zt_mc": name, "md_zt_lb": "法人及非法人组织", "md_shxym": code, "md_lx": kind, "md_rdbm": authority,
        "md_lrrq": listed, "md_lryj": f"{authority}认定", **more,
    }  # fmt: skip


def person(name: str, id_number: str, kind: str, listed: str, authority: str = COURT, **more) -> dict:
    """A natural person's listing (证件号码, no 统一社会信用代码)."""
    return entry(name, None, kind, listed, authority, md_zt_lb="自然人", md_zjhm=id_number,
                 md_lryj=f"{name}拒不履行生效法律文书确定的义务", **more)  # fmt: skip


def load_entries(engine: sa.Engine, rows: list[dict], day: str = SEEN) -> None:
    """One delivery of the 应急管理局's change feed holding `rows`, loaded into the warehouse."""
    with engine.begin() as conn:
        batch = stage(conn, "credit_list", dict(enumerate(rows, start=2)), feed_id="yjgl_credit_list",
                      department_id="yjgl", day=day)  # fmt: skip
    merge.load_batch(engine, batch)


def register(engine: sa.Engine, subjects: list[tuple[str, str]], day: str = SEEN) -> None:
    """Market subjects (name, 统一社会信用代码) delivered in the register of 市场监管."""
    rows = {
        i: {"zt_mc": name, "zt_shxym": code, "zt_lx": "有限责任公司", "zt_djzt": "存续", "zt_clrq": "2015-06-01",
            "zt_qhdm": "410400"}
        for i, (name, code) in enumerate(subjects, start=2)
    }  # fmt: skip
    with engine.begin() as conn:
        batch = stage(conn, "subject_registry", rows, feed_id="scjg_subjects", department_id="scjg", day=day)
    merge.load_batch(engine, batch)
