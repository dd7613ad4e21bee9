"""迟报 through the real suites: rows validated and loaded by the pipeline, counted by the indicator.

Decided Friday 2025-09-26, due 2025-10-13: the 调休 Sunday 09-28 and Saturday 10-11 are working days, 10-01 to
10-08 are not (docs/domain.md §4). Decided 2026-12-28 and reported in 2027, a year no calendar knows: indeterminate.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from support.indicator_rows import local, values
from support.staged_batches import LICENSE_RECORD as BASE

from citycredit.indicators import compute
from citycredit.load import merge
from citycredit.validate import suites

pytestmark = pytest.mark.db


def deliver(engine, received: str, rows: dict[int, dict]) -> None:
    """A 许可 batch received at ``received`` (city time), staged, validated and loaded as the DAG does it."""
    when = local(received)
    with engine.begin() as conn:
        batch_id = conn.execute(
            sa.text(
                "INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
                " stored_path, received_at, reported_on, status) VALUES ('scjg', 'scjg_license', 'license', 'x.csv',"
                " :sha, 1, '/dev/null', :t, (CAST(:t AS timestamptz) AT TIME ZONE 'Asia/Shanghai')::date,"
                " 'normalized') RETURNING batch_id"
            ),
            {"sha": received, "t": when},
        ).scalar()
        for source_row, decided in rows.items():
            values = {**BASE, "xk_wsh": f"平市监许〔2025〕{batch_id}-{source_row}号", "xk_jdrq": decided,
                      "xk_yxqz": decided}  # fmt: skip
            cols = ["batch_id", "source_row", "reported_on", *values]
            conn.execute(
                sa.text(
                    f"INSERT INTO staging.license_rows ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
                ),
                {"batch_id": batch_id, "source_row": source_row, "reported_on": when.date(), **values},
            )
    suites.validate_batch(engine, batch_id)
    merge.load_batch(engine, batch_id)


def test_the_seventh_working_day_counts_makeup_weekends(engine):
    deliver(engine, "2025-10-13 16:00", {2: "2025-09-26", 3: "2025-09-30"})  # both due 10-13 or later: on time
    deliver(engine, "2025-10-14 09:00", {2: "2025-09-26"})  # one day late
    compute.compute_month(engine, "2025-10")
    assert values(engine, "2025-10", "shuanggongshi_late")[("scjg", "license")] == (1, 3, Decimal("0.333333"))
    assert values(engine, "2025-10", "shuanggongshi_late_indeterminate")[("city", "all")] == (0, 3, 0)


def test_a_deadline_in_a_year_without_a_calendar_is_indeterminate_not_late(engine):
    deliver(engine, "2027-01-08 10:00", {2: "2026-12-28", 3: "2026-12-01"})  # the second is plainly late
    compute.compute_month(engine, "2027-01")
    assert values(engine, "2027-01", "shuanggongshi_late_indeterminate")[("city", "all")] == (1, 2, Decimal("0.5"))
    assert values(engine, "2027-01", "shuanggongshi_late")[("city", "all")] == (1, 2, Decimal("0.5"))
