"""The two one-working-day steps of 异议 handling (济信用办〔2020〕14号 item 三十六): the 信息来源单位's written answer
after 转办, and 市发改委's reply upward after it, counted on the official calendar around the National Day holiday
of 2025 (10-01 to 10-08 off; 09-28 and 10-11 are 调休 working days)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from support.indicator_rows import batch, local, record, values

from citycredit.indicators import compute
from citycredit.load import merge
from citycredit.validate import suites

pytestmark = pytest.mark.db
OCTOBER = "2025-10"


@pytest.fixture
def objections(engine):
    with engine.begin() as conn:
        b = batch(conn, "fgw", "objection", "2025-11-03 09:00")
        for row, (case, sent, answered, replied) in enumerate(
            [
                # verification: 10-10 is the first working day after 10-09 -> on time; reply: 10-11 (调休) -> on time
                ("A", "2025-10-09", "2025-10-10", "2025-10-11"),
                # verification: 10-11 (调休 Saturday) and 10-13 -> 2 working days, late;
                # reply: 10-14 and 10-15 -> 2, late
                ("B", "2025-10-10", "2025-10-13", "2025-10-15"),
                # verification: sent on a holiday, 10-04 to 10-08 off, 10-09 -> 1, on time;
                # reply: not sent by 10-31 with 17 working days gone -> late
                ("E", "2025-10-03", "2025-10-09", None),
                # not answered by 10-31: 10-29, 10-30, 10-31 -> 3 working days gone, late
                ("D", "2025-10-28", None, None),
                # not answered by 10-31, one working day gone (10-31): pending, in neither count
                ("C", "2025-10-30", None, None),
                # sent in September: not this month's
                ("S", "2025-09-29", "2025-09-30", "2025-10-09"),
            ],
            start=2,
        ):
            steps = {"yy_zbrq": sent, "yy_hsrq": answered, "yy_hfrq": replied}
            record(conn, "objection", b, row, yy_bh=f"YY-{case}", yy_zt_mc="某公司", yy_xxlx="行政处罚",
                   yy_xxly="市场监管局", yy_slrq="2025-09-26", **steps)  # fmt: skip
    compute.compute_month(engine, OCTOBER)
    return engine


def test_a_late_written_answer_counts_working_days_with_holidays_and_makeup_days(objections):
    assert values(objections, OCTOBER, "objection_verification_late")[("city", "all")] == (2, 4, Decimal("0.5"))
    rows = compute.explain_rows(objections, "objection_verification_late", OCTOBER)
    # C (pending) counts in neither, so `explain` does not list it
    found = sorted((r["case_no"], r["working_days"], r["verification_late"]) for r in rows)
    assert found == [
        ("YY-A", 1, False),
        ("YY-B", 2, True),
        ("YY-D", 3, True),
        ("YY-E", 1, False),
    ]


def test_a_late_reply_upward_counts_from_the_written_answer(objections):
    # A (on time), B (late), E (not replied, late); S's answer was in September.
    late, due, share = values(objections, OCTOBER, "objection_reply_late")[("city", "all")]
    assert (late, due) == (2, 3) and share == pytest.approx(Decimal("0.666667"), abs=Decimal("0.000001"))
    assert values(objections, OCTOBER, "objection_reply_late")[("fgw", "objection")][:2] == (2, 3)


def test_a_step_in_a_year_no_calendar_knows_is_indeterminate_not_on_time(engine):
    with engine.begin() as conn:
        b = batch(conn, "fgw", "objection", "2027-01-12 09:00")
        record(conn, "objection", b, 2, yy_bh="YY-2027", yy_zt_mc="某公司", yy_xxlx="行政处罚", yy_xxly="市场监管局",
               yy_slrq="2027-01-04", yy_zbrq="2027-01-05", yy_hsrq="2027-01-11")  # fmt: skip
    compute.compute_month(engine, "2027-01")
    assert values(engine, "2027-01", "objection_verification_late")[("city", "all")] == (0, 1, 0)
    (row,) = compute.explain_rows(engine, "objection_verification_late", "2027-01")
    assert row["indeterminate"] and row["working_days"] == 4


def test_steps_out_of_order_are_quarantined_with_the_rule(engine):
    with engine.begin() as conn:
        b = batch(conn, "fgw", "objection", "2025-10-31 10:00")
        conn.execute(sa.text("UPDATE landing.batches SET status = 'normalized' WHERE batch_id = :b"), {"b": b})
        for row, answered in ((2, "2025-10-14"), (3, "2025-10-10")):  # row 3 answered before it was sent
            conn.execute(
                sa.text(
                    "INSERT INTO staging.objection_rows (batch_id, source_row, reported_on, yy_bh, yy_zt_mc, yy_xxlx,"
                    " yy_xxly, yy_slrq, yy_zbrq, yy_hsrq) VALUES (:b, :r, :on, :bh, '某公司', '行政处罚', '市场监管局',"
                    " '2025-10-10', '2025-10-13', :hs)"
                ),
                {"b": b, "r": row, "on": local("2025-10-31 10:00").date(), "bh": f"YY{row}", "hs": answered},
            )
    suites.validate_batch(engine, b)
    accounting = merge.load_batch(engine, b)
    assert (accounting.loaded, accounting.quarantined) == (1, 1)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT rule_ids FROM quality.quarantine")).scalar() == ["YY-ORDER-ZBRQ-HSRQ"]
        stored = conn.execute(sa.text("SELECT yy_zbrq, yy_hsrq FROM core.objection")).one()
    assert [d.isoformat() for d in stored] == ["2025-10-13", "2025-10-14"]
