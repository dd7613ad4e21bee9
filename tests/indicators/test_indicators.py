"""Known-answer 双公示 indicators on warehouse rows written by hand: month edges in the city's time, late and
indeterminate rows from the suites' timeliness rules, departments that stop reporting across a year boundary,
and the rows behind each number."""

from __future__ import annotations

from decimal import Decimal

import pytest
from support.indicator_rows import batch, finding, loaded, quarantined, values

from citycredit import cli
from citycredit.indicators import compute

pytestmark = pytest.mark.db

PERSON_ID = "11010519491231002X"


@pytest.fixture
def september(engine):
    """scjg reports in September (its first batch at 00:00 on the 1st, its last at 23:59 on the 30th, city time);
    sthj's batches fall just outside the month on either side."""
    with engine.begin() as conn:
        lic = batch(conn, "scjg", "license", "2025-09-01 00:00")
        loaded(conn, lic, 2, "license")  # late
        loaded(conn, lic, 3, "license", xdr_lb="自然人", xdr_zjhm=PERSON_ID)
        quarantined(conn, lic, 4, "license", xdr_mc="某公司")  # late and with an error
        finding(conn, lic, 2, "license", "late")
        finding(conn, lic, 4, "license", "late")
        finding(conn, lic, 5, "license", "late")  # row 5 was a duplicate: not a new report
        finding(conn, lic, 3, "license", "other")  # another warning: not late
        pen = batch(conn, "scjg", "penalty", "2025-09-30 23:59")
        loaded(conn, pen, 2, "penalty")
        quarantined(conn, pen, 3, "penalty")
        finding(conn, pen, 2, "penalty", "indeterminate")
        before = batch(conn, "sthj", "license", "2025-08-31 23:59")
        loaded(conn, before, 2, "license")
        after = batch(conn, "sthj", "license", "2025-10-01 00:00")
        for row in (2, 3, 4):
            loaded(conn, after, row, "license")
    return engine


def test_reported_accuracy_late_and_indeterminate_by_department_and_type(september):
    compute.compute_month(september, "2025-09")

    assert values(september, "2025-09", "shuanggongshi_reported") == {
        ("scjg", "license"): (3, None, 3),
        ("scjg", "penalty"): (2, None, 2),
        ("scjg", "all"): (5, None, 5),
        ("city", "license"): (3, None, 3),
        ("city", "penalty"): (2, None, 2),
        ("city", "all"): (5, None, 5),
    }
    accuracy = values(september, "2025-09", "shuanggongshi_accuracy")
    assert accuracy[("scjg", "license")] == (2, 3, Decimal("0.666667"))
    assert accuracy[("scjg", "penalty")] == (1, 2, Decimal("0.5"))
    assert accuracy[("city", "all")] == (3, 5, Decimal("0.6"))
    late = values(september, "2025-09", "shuanggongshi_late")
    assert late[("scjg", "license")] == (2, 3, Decimal("0.666667"))
    assert late[("scjg", "penalty")] == (0, 2, 0)
    assert late[("city", "all")] == (2, 5, Decimal("0.4"))
    indeterminate = values(september, "2025-09", "shuanggongshi_late_indeterminate")
    assert indeterminate[("city", "penalty")] == (1, 2, Decimal("0.5"))
    assert indeterminate[("city", "license")] == (0, 3, 0)


def test_the_next_month_starts_at_midnight_city_time_and_recomputing_replaces_the_month(september):
    compute.compute_month(september, "2025-10")
    compute.compute_month(september, "2025-10")
    assert values(september, "2025-10", "shuanggongshi_accuracy") == {
        ("sthj", "license"): (3, 3, 1),
        ("sthj", "all"): (3, 3, 1),
        ("city", "license"): (3, 3, 1),
        ("city", "all"): (3, 3, 1),
    }


def test_explain_lists_the_rows_behind_a_value_with_batch_hash_and_source_row(september):
    rows = compute.explain_rows(september, "shuanggongshi_late", "2025-09", "scjg")
    assert [(r["dataset"], r["source_row"], r["in_numerator"], r["in_denominator"]) for r in rows] == [
        ("license", 2, True, True),
        ("license", 3, False, True),
        ("license", 4, True, True),
        ("penalty", 2, False, True),
        ("penalty", 3, False, True),
    ]
    assert all(len(r["sha256"]) == 64 and r["batch_id"] for r in rows)
    assert rows[1]["id_number"] == "1101**********002X"


def test_the_explain_command_names_the_rows_and_masks_id_numbers(september, capsys):
    assert (
        cli.main(["explain", "shuanggongshi_accuracy", "--month", "2025-09", "--department", "平顶山市市场监督管理局"])
        == 0
    )
    out = capsys.readouterr().out
    assert "双公示上报数据准确率" in out and "1101**********002X" in out
    assert PERSON_ID not in out
    assert len([line for line in out.splitlines() if line.startswith(("是 ", "否 "))]) == 5


def test_the_indicators_command_prints_numerator_and_denominator(september, capsys):
    assert cli.main(["indicators", "--month", "2025-09", "--recompute", "--department", "scjg", "--json"]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    late = [
        r for r in rows if r["indicator"] == "shuanggongshi_late" and r["scope_id"] == "scjg" and r["dataset"] == "all"
    ]
    assert [(r["numerator"], r["denominator"], r["value"]) for r in late] == [(2, 5, 0.4)]
    assert not any(r["scope_id"] == "sthj" for r in rows)


def test_a_department_that_usually_reports_and_sent_nothing_is_flagged_across_a_year_boundary(engine):
    """January 2026, window July–December 2025, usually = a delivery in at least 4 of those 6 months."""
    with engine.begin() as conn:
        for when in ("2025-07-10 09:00", "2025-08-10 09:00", "2025-09-10 09:00", "2025-12-31 23:30"):
            batch(conn, "scjg", "license", when)
        batch(conn, "scjg", "penalty", "2026-01-01 00:05")  # scjg still reports, but no 许可
        for when in ("2025-08-03 09:00", "2025-09-03 09:00", "2025-10-03 09:00"):
            batch(conn, "sthj", "license", when)  # only 3 months: not "usually"
        batch(conn, "jtys", "license", "2025-06-30 10:00")  # before the window
        for month in range(7, 13):
            batch(conn, "jtys", "license", f"2025-{month:02d}-15 10:00", outcome="duplicate" if month == 9 else "new")
        batch(conn, "jtys", "license", "2026-02-01 00:00", outcome="rejected")  # already February
    compute.compute_month(engine, "2026-01")

    assert values(engine, "2026-01", "shuanggongshi_silent_department") == {
        ("scjg", "license"): (4, 6, 1),
        ("scjg", "all"): (4, 6, 0),
        ("jtys", "license"): (6, 6, 1),
        ("jtys", "all"): (6, 6, 1),
        ("city", "license"): (2, 2, 1),
        ("city", "all"): (1, 2, Decimal("0.5")),
    }
    behind = compute.explain_rows(engine, "shuanggongshi_silent_department", "2026-01", "jtys")
    assert sorted(str(r["month"])[:7] for r in behind) == [f"2025-{m:02d}" for m in range(7, 13)]
