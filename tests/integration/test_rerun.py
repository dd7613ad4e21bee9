"""Re-runs and backfills: computing a month twice, or twelve months in any order, gives identical marts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from support.deliveries import deliver, permits

from citycredit.indicators import compute
from citycredit.load import merge

pytestmark = pytest.mark.db

MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


def mart(engine: sa.Engine) -> dict[str, list[str]]:
    """Every row of every mart table, as text without the time it was computed or sent."""
    with engine.connect() as conn:
        tables = conn.execute(
            sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'mart' ORDER BY 1")
        ).scalars().all()  # fmt: skip
        return {
            t: conn.execute(
                sa.text(
                    f"SELECT (to_jsonb(r) - 'computed_at' - 'sent_at')::text AS x FROM mart.{t} r ORDER BY x"
                )
            ).scalars().all()  # fmt: skip
            for t in tables
        }


def a_year_of_deliveries(engine: sa.Engine) -> None:
    """Two departments deliver every month of 2025 (every tenth row with an error); some permits are re-sent."""
    with engine.begin() as conn:
        batches = [
            deliver(conn, department, permits(department, 12, first=100 * m + (7 if department == "sthj" else 0)),
                    day=f"{month}-{5 + m % 3:02d}")
            for m, month in enumerate(MONTHS, start=1)
            for department in ("scjg", "sthj")
        ]  # fmt: skip
    for batch_id in batches:
        merge.load_batch(engine, batch_id)


def test_a_month_computed_twice_is_the_same(engine):
    a_year_of_deliveries(engine)
    compute.compute_month(engine, "2025-09")
    first = mart(engine)
    assert first["indicator_values"], "the month has indicator values"
    compute.compute_month(engine, "2025-09")
    assert mart(engine) == first


def test_a_twelve_month_backfill_in_any_order_and_again_equals_one_clean_pass(engine, clean_engine):  # noqa: F811
    for target in (engine, clean_engine):
        a_year_of_deliveries(target)
    for month in MONTHS:
        compute.compute_month(clean_engine, month)
    clean = mart(clean_engine)

    for month in [*reversed(MONTHS), "2025-06", *MONTHS[::3]]:  # backwards, then some months again
        compute.compute_month(engine, month)
    assert mart(engine) == clean
    months = {row["month"].strftime("%Y-%m") for row in _values(engine)}
    assert months == set(MONTHS)


def _values(engine: sa.Engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text("SELECT month FROM mart.indicator_values")).mappings()]
