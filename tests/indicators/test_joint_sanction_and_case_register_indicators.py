"""Known-answer indicators over the 联合奖惩 and 城市上报案例 feeds (issue #19): a hand-worked October 2025.

联合奖惩 (seed 004 item 二十六): a case counts as reported in the month of its first delivery; the cases due in
October are those implemented in September, to be reported by 2025-10-25 and fed back by 2025-10-30.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from support.indicator_rows import batch, record, values

from citycredit.indicators import compute

pytestmark = pytest.mark.db
OCTOBER = "2025-10"


def sanction(conn, batch_id: int, row: int, implemented: str, fed_back: str | None, department: str) -> None:
    columns = {"jc_bh": f"JC{row}", "jc_zt_mc": f"主体{row}", "jc_mdlx": "失信被执行人", "jc_jclx": "惩戒"}
    record(conn, "joint_sanction", batch_id, row, **columns, jc_cs="限制担任法定代表人", jc_ssbm=department,
           jc_ssrq=implemented, jc_fkrq=fed_back)  # fmt: skip


def superseded(conn, table: str, batch_id: int) -> None:
    """The batch's rows become older versions (another version of the same key is current)."""
    conn.execute(sa.text(f"UPDATE core.{table} SET is_current = false WHERE batch_id = :b"), {"b": batch_id})


def test_joint_sanction_cases_their_report_by_the_25th_and_feedback_by_the_30th(engine):
    with engine.begin() as conn:
        old = batch(conn, "scjg", "joint_sanction", "2025-09-26 10:00")
        sanction(conn, old, 6, "2025-09-10", None, "市场监管局")  # first delivered in September, without 反馈日期
        superseded(conn, "joint_sanction", old)
        a = batch(conn, "scjg", "joint_sanction", "2025-10-20 10:00")
        sanction(conn, a, 2, "2025-09-03", "2025-10-28", "市场监管局")  # due; on time, fed back on time
        sanction(conn, a, 3, "2025-09-30", "2025-10-31", "市场监管局")  # due; on time, fed back a day late
        sanction(conn, a, 4, "2025-10-09", None, "市场监管局")  # October's case: due in November
        sanction(conn, a, 5, "2025-08-31", "2025-09-29", "市场监管局")  # August's case (due in September)
        sanction(conn, a, 6, "2025-09-10", "2025-10-15", "市场监管局")  # the September case again, fed back
        late = batch(conn, "scjg", "joint_sanction", "2025-11-03 09:00")
        sanction(conn, late, 7, "2025-09-25", "2025-11-03", "市场监管局")  # due; reported and fed back too late
        b = batch(conn, "fgw", "joint_sanction", "2025-10-28 15:00")  # after the 25th
        sanction(conn, b, 2, "2025-09-15", None, "发改委")  # due; not fed back
        sanction(conn, b, 3, "2025-09-20", "2025-10-29", "发改委")  # due; fed back on time
        sanction(conn, b, 4, "2025-09-01", "2025-10-30", "发改委")  # due (first day); fed back on the 30th itself
    compute.compute_month(engine, OCTOBER)
    # reported = first delivered in October: scjg rows 2, 3, 4, 5 (6 was first delivered in September, 7 in
    # November); fgw rows 2, 3, 4. City 7.
    assert values(engine, OCTOBER, "joint_sanction_cases") == {
        ("city", "all"): (7, None, 7), ("city", "joint_sanction"): (7, None, 7),
        ("scjg", "all"): (4, None, 4), ("scjg", "joint_sanction"): (4, None, 4),
        ("fgw", "all"): (3, None, 3), ("fgw", "joint_sanction"): (3, None, 3),
    }  # fmt: skip
    # due = implemented in September: scjg 2, 3, 6, 7; fgw 2, 3, 4 → 7. Reported by 2025-10-25 (first delivery):
    # scjg 2, 3 (10-20) and 6 (09-26); 7 came on 11-03; fgw's batch came on 10-28 → 3 / 7.
    on_time = values(engine, OCTOBER, "joint_sanction_reported_on_time")
    assert on_time[("city", "all")] == (3, 7, Decimal("0.428571"))
    assert on_time[("scjg", "all")] == (3, 4, Decimal("0.75")) and on_time[("fgw", "all")] == (0, 3, 0)
    # fed back by 2025-10-30: scjg 2 (10-28), 6 (10-15), not 3 (10-31) or 7 (11-03); fgw 3 (10-29), 4 (10-30),
    # not 2 (none) → 4 / 7.
    feedback = values(engine, OCTOBER, "joint_sanction_feedback_on_time")
    assert feedback[("city", "all")] == (4, 7, Decimal("0.571429"))
    assert feedback[("scjg", "all")] == (2, 4, Decimal("0.5"))
    assert feedback[("fgw", "all")] == (2, 3, Decimal("0.666667"))

    explained = compute.explain_rows(engine, "joint_sanction_feedback_on_time", OCTOBER, department="fgw")
    cases = sorted((r["case_no"], r["in_numerator"]) for r in explained)
    assert cases == [("JC2", False), ("JC3", True), ("JC4", True)]


def test_in_february_the_feedback_is_due_on_its_last_day(engine):
    with engine.begin() as conn:
        b = batch(conn, "scjg", "joint_sanction", "2026-02-02 10:00")
        sanction(conn, b, 2, "2026-01-20", "2026-02-28", "市场监管局")  # the 30th falls after February: its 28th
        sanction(conn, b, 3, "2026-01-21", "2026-03-01", "市场监管局")
    compute.compute_month(engine, "2026-02")
    assert values(engine, "2026-02", "joint_sanction_feedback_on_time")[("city", "all")] == (1, 2, Decimal("0.5"))


CATEGORIES = {
    "case_register_supervision_domains": 0,
    "case_register_local_lists": 1,  # F4
    "case_register_joint_punishment": 2,  # F2, F3
    "case_register_repair_training": 0,  # E5/F5 was first delivered in September
    "case_register_exit_by_deregistration": 1,  # S2, from scjg
    "case_register_commitments": 1,  # G2, delivered on the month's last day
    "case_register_exit_by_correction": 0,
}


def test_reported_cases_are_counted_per_category_in_the_month_of_their_first_delivery(engine):
    def case(b: int, row: int, category: str, subject: str | None = None) -> None:
        record(conn, "case_register", b, row, al_bh=f"AL{row}", al_lb=category, al_mc=f"案例{row}",
               al_zt_mc=subject, al_bsdw="市发改委", al_fsrq="2025-09-20", al_zy="摘要")  # fmt: skip

    with engine.begin() as conn:
        e = batch(conn, "fgw", "case_register", "2025-09-30 16:00")
        case(e, 5, "信用修复培训案例", "某公司")
        superseded(conn, "case_register", e)
        f = batch(conn, "fgw", "case_register", "2025-10-10 10:00")
        case(f, 2, "联合惩戒案例", "甲公司")
        case(f, 3, "联合惩戒案例", "乙公司")
        case(f, 4, "地方红黑名单")
        case(f, 5, "信用修复培训案例", "某公司")  # re-sent: counted in September, not again
        g = batch(conn, "fgw", "case_register", "2025-10-31 23:30")
        case(g, 2 + 100, "主动信用承诺案例", "丙公司")
        s = batch(conn, "scjg", "case_register", "2025-10-15 09:00")
        case(s, 2 + 200, "注销吊销退出黑名单案例", "丁公司")
        h = batch(conn, "fgw", "case_register", "2025-11-01 00:10")
        case(h, 2 + 300, "行业信用监管领域")  # November's
    compute.compute_month(engine, OCTOBER)
    for indicator, count in CATEGORIES.items():
        assert values(engine, OCTOBER, indicator)[("city", "all")] == (count, None, count), indicator
    assert values(engine, OCTOBER, "case_register_joint_punishment")[("fgw", "all")] == (2, None, 2)
    assert values(engine, OCTOBER, "case_register_exit_by_deregistration")[("scjg", "all")] == (1, None, 1)
    assert values(engine, "2025-09", "case_register_repair_training") == {}  # September not computed yet
    compute.compute_month(engine, "2025-09")
    assert values(engine, "2025-09", "case_register_repair_training")[("city", "all")] == (1, None, 1)
