"""A large delivery that loads seconds after it was staged is planned from its real size (core/table_statistics.py).

Autovacuum analyzes a table a minute or more after a large write, and an ingest loads a batch seconds after
normalizing it: without normalization's ANALYZE the planner reckoned a 1M-row batch's staged rows at a few thousand
and hashed them without parallel workers (the load's first statement 6.3–6.4 s instead of 3.8–3.9 s). The file is
the bench's generated 行政处罚: the national 双公示 template's headers (the labels of fields.yaml), with the sample
generator's faults."""

from datetime import date

import pytest
import sqlalchemy as sa
from support import plans

from citycredit.load import merge
from citycredit.normalize import staging
from citycredit.tools.bench.files import write_files
from citycredit.validate import suites

pytestmark = pytest.mark.db

ROWS = 20_000


def test_a_batch_staged_moments_ago_is_planned_at_its_size(engine, tmp_path):
    path = write_files(tmp_path, [ROWS])[ROWS]
    with engine.begin() as conn:
        batch_id = conn.execute(
            sa.text(
                "INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
                " stored_path, received_at, reported_on) VALUES ('scjg', 'scjg_penalty', 'penalty', :name, :name, 1,"
                " :path, '2025-09-30T10:00+08:00', :on) RETURNING batch_id"
            ),
            {"name": path.name, "path": str(path), "on": date(2025, 9, 30)},
        ).scalar_one()
    staging.stage_batch(engine, batch_id)
    suites.validate_batch(engine, batch_id)

    with engine.connect() as conn:
        estimate = conn.execute(
            sa.text("EXPLAIN (FORMAT JSON) SELECT * FROM staging.penalty_rows WHERE batch_id = :b"), {"b": batch_id}
        ).scalar_one()[0]["Plan"]["Plan Rows"]
    assert estimate > ROWS / 2  # the statistics count the batch before autovacuum could have

    with plans.captured(engine) as captured:
        accounting = merge.load_batch(engine, batch_id)
    assert accounting.received == ROWS and accounting.loaded > ROWS / 2 and accounting.quarantined > 0
    assert plans.summary(captured) == []
