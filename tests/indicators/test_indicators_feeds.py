"""Known-answer indicators over the 信用承诺, 异议 and 信用修复 feeds: window edges, calendar days for 异议, working
days with 调休 for 信用修复 overdue cases (decided around the National Day holiday of 2025), and a year no
calendar knows."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from support.indicator_rows import batch, local, record, register_subject, values

from citycredit.indicators import compute
from citycredit.load import merge
from citycredit.validate import suites

pytestmark = pytest.mark.db
OCTOBER = "2025-10"


def test_commitments_per_enterprise_in_the_last_twelve_months(engine):
    with engine.begin() as conn:
        b = batch(conn, "scjg", "credit_commitment", "2025-11-03 09:00")
        for row, (kind, code, dated) in enumerate(
            [
                ("法人及非法人组织", "914403001922038216", "2025-10-31"),  # the window's last day
                ("个体工商户", None, "2024-11-01"),  # its first day
                ("自然人", None, "2025-05-01"),  # a person
                ("法人及非法人组织", "91330100799655058B", "2024-10-31"),  # the day before the window
                (None, "91110108551385082Q", "2025-06-01"),  # no kind given, but a code
                ("法人及非法人组织", "91110000802100433B", "2025-11-01"),  # next month
            ],
            start=2,
        ):
            values_ = {"cn_zt_mc": f"主体{row}", "cn_zt_lb": kind, "cn_shxym": code, "cn_rq": dated}
            record(conn, "credit_commitment", b, row, cn_lx="主动承诺型", cn_sx="依法经营", cn_wsh=f"CN{row}",
                   cn_slbm="市场监管局", **values_)  # fmt: skip
        reg = batch(conn, "scjg", "subject_registry", "2025-10-01 09:00", feed="scjg_subjects")
        for i in range(4):
            register_subject(conn, reg, 10 + i, f"企业{i}")
        register_subject(conn, reg, 20, "个体户", kind="个体工商户")
    compute.compute_month(engine, OCTOBER)
    assert values(engine, OCTOBER, "credit_commitment_rate") == {("city", "all"): (3, 5, Decimal("0.6"))}


def test_upheld_objections_their_share_and_average_handling_days(engine):
    with engine.begin() as conn:
        b = batch(conn, "fgw", "objection", "2025-11-02 09:00")
        for row, (accepted, concluded, result) in enumerate(
            [
                ("2025-09-28", "2025-10-09", "异议成立"),  # 11 days
                ("2025-10-01", "2025-10-31", "部分成立"),  # 30 days, concluded on the month's last day
                ("2025-10-10", "2025-10-12", "异议不成立"),
                ("2025-10-20", None, None),  # still open
                ("2025-10-20", "2025-11-01", "异议成立"),  # concluded next month
            ],
            start=2,
        ):
            record(conn, "objection", b, row, yy_bh=f"YY{row}", yy_zt_mc="某公司", yy_xxlx="行政处罚",
                   yy_xxly="市场监管局", yy_slrq=accepted, yy_bjrq=concluded, yy_jg=result)  # fmt: skip
        lic = batch(conn, "scjg", "license", "2025-10-05 09:00")
        for row in range(2, 6):
            record(conn, "license", lic, row, xk_xdr_mc="某公司", xk_wsh=f"许{row}")
    compute.compute_month(engine, OCTOBER)
    assert values(engine, OCTOBER, "objection_upheld_share")[("city", "all")] == (2, 3, Decimal("0.666667"))
    assert values(engine, OCTOBER, "objection_upheld_per_published") == {("city", "all"): (2, 4, Decimal("0.5"))}
    assert values(engine, OCTOBER, "objection_handling_days")[("fgw", "objection")] == (41, 2, Decimal("20.5"))


@pytest.fixture
def repairs(engine):
    with engine.begin() as conn:
        b = batch(conn, "fgw", "credit_repair", "2025-11-02 09:00")
        for row, (accepted, concluded) in enumerate(
            [
                ("2025-09-26", "2025-10-09"),  # 4 working days: 09-28 (调休 Sunday), 09-29, 09-30, 10-09
                ("2025-09-26", "2025-10-13"),  # 7: also 10-10, 10-11 (调休 Saturday), 10-13
                ("2025-10-20", None),  # open: 9 working days by 10-31
                ("2025-10-29", None),  # open: 2
                ("2025-08-01", "2025-09-15"),  # concluded before the month
            ],
            start=2,
        ):
            record(conn, "credit_repair", b, row, xf_bh=f"XF{row}", xf_zt_mc="某公司", xf_xxlx="行政处罚",
                   xf_slbm="市发展改革委", xf_slrq=accepted, xf_bjrq=concluded)  # fmt: skip
        late = batch(conn, "fgw", "credit_repair", "2027-01-05 09:00")
        record(conn, "credit_repair", late, 2, xf_bh="XF-2026", xf_zt_mc="某公司", xf_xxlx="行政处罚",
               xf_slbm="市发展改革委", xf_slrq="2026-12-28", xf_bjrq=None)  # fmt: skip
    return engine


def test_overdue_repairs_count_working_days_with_makeup_weekends(repairs):
    compute.compute_month(repairs, OCTOBER)
    assert values(repairs, OCTOBER, "credit_repair_overdue")[("city", "all")] == (2, 4, Decimal("0.5"))
    rows = compute.explain_rows(repairs, "credit_repair_overdue", OCTOBER)
    assert sorted((r["case_no"], r["working_days"], r["overdue"]) for r in rows) == [
        ("XF2", 4, False),
        ("XF3", 7, True),
        ("XF4", 9, True),
        ("XF5", 2, False),
    ]


def test_a_repair_that_needs_an_unknown_year_is_indeterminate_not_overdue(repairs):
    compute.compute_month(repairs, "2027-01")
    assert values(repairs, "2027-01", "credit_repair_overdue")[("city", "all")] == (0, 3, 0)
    rows = compute.explain_rows(repairs, "credit_repair_overdue", "2027-01")
    assert {r["case_no"]: r["indeterminate"] for r in rows} == {"XF4": True, "XF5": True, "XF-2026": True}


def test_an_objection_feed_is_validated_and_loaded_like_any_dataset(engine):
    with engine.begin() as conn:
        b = batch(conn, "fgw", "objection", "2025-10-31 10:00")
        conn.execute(sa.text("UPDATE landing.batches SET status = 'normalized' WHERE batch_id = :b"), {"b": b})
        for row, concluded in ((2, "2025-10-30"), (3, "2025-09-01")):  # row 3 concluded before it was accepted
            conn.execute(
                sa.text(
                    "INSERT INTO staging.objection_rows (batch_id, source_row, reported_on, yy_bh, yy_zt_mc, yy_xxlx,"
                    " yy_xxly, yy_slrq, yy_bjrq, yy_jg) VALUES (:b, :r, :on, :bh, '某公司', '行政处罚', '市场监管局',"
                    " '2025-10-10', :bj, '异议成立')"
                ),
                {"b": b, "r": row, "on": local("2025-10-31 10:00").date(), "bh": f"YY{row}", "bj": concluded},
            )
    suites.validate_batch(engine, b)
    accounting = merge.load_batch(engine, b)
    assert (accounting.loaded, accounting.quarantined) == (1, 1)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT rule_ids FROM quality.quarantine")).scalar() == ["YY-ORDER-SLRQ-BJRQ"]
    compute.compute_month(engine, OCTOBER)
    assert values(engine, OCTOBER, "objection_handling_days")[("city", "all")] == (20, 1, 20)
