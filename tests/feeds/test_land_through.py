"""A small delivery goes from the inbox to the warehouse in the task that lands it (issue #21); a larger one is left
to the per-batch tasks, as is a small one whose stages fail (tests/integration/test_faults.py injects those faults).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from landing_helpers import FEED, GOOD, put

from citycredit.tasks import ingest

pytestmark = pytest.mark.db
BAD = Path(__file__).parents[1] / "data" / "bad"


def batches(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text(
                    "SELECT b.source_name, b.status, a.received, a.loaded + a.quarantined + a.duplicate"
                    " FROM landing.batches b LEFT JOIN quality.batch_accounting a USING (batch_id) ORDER BY batch_id"
                )
            )
        ]


def test_a_small_delivery_is_loaded_by_the_task_that_lands_it(engine):
    put("许可.csv", minute=1)
    put("许可2.csv", GOOD.replace("GOOD示例1号".encode(), "GOOD示例9号".encode()), minute=2)

    taken = ingest.land_feed_through(FEED)

    assert taken["loaded"] == taken["landed"] and len(taken["landed"]) == 2
    rows = GOOD.decode().count("\n") - 1
    assert batches(engine) == [("许可.csv", "loaded", rows, rows), ("许可2.csv", "loaded", rows, rows)]
    assert ingest.pending_batches() == []  # nothing left for the per-batch tasks of the run


def test_a_delivery_over_the_limit_is_left_to_the_per_batch_tasks(engine, monkeypatch):
    put("小.csv", GOOD[: GOOD.index(b"\n", GOOD.index(b"\n") + 1) + 1], minute=1)  # the header and one row
    put("大.csv", minute=2)
    monkeypatch.setattr(ingest, "SMALL_BATCH_BYTES", len(GOOD) - 1)

    taken = ingest.land_feed_through(FEED)

    small, large = taken["landed"]
    assert taken["loaded"] == [small]
    assert [b[:2] for b in batches(engine)] == [("小.csv", "loaded"), ("大.csv", "landed")]
    assert ingest.pending_batches() == [large]
    ingest.load_batch(ingest.validate_batch(ingest.normalize_batch(large)))
    rows = GOOD.decode().count("\n") - 1
    assert batches(engine)[1] == ("大.csv", "loaded", rows, rows)


def test_a_rejected_small_delivery_is_recorded_and_the_next_one_still_loads(engine):
    put("坏.csv", (BAD / "unclosed_quote.csv").read_bytes(), minute=1)  # readable up to its fourth row
    put("好.csv", minute=2)

    taken = ingest.land_feed_through(FEED)

    assert len(taken["landed"]) == 2 and taken["loaded"] == taken["landed"][1:]
    with engine.connect() as conn:
        status, reason = conn.execute(
            sa.text("SELECT status, status_reason FROM landing.batches WHERE source_name = '坏.csv'")
        ).one()
    assert status == "rejected" and reason.startswith("第4行开始的引号没有闭合")  # the clerk's reason
    assert ingest.pending_batches() == []
