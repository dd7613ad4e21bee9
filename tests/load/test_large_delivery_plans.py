"""A large delivery that loads seconds after it was staged is planned from its real size (core/table_statistics.py).

Autovacuum analyzes a table a minute or more after a large write, and an ingest loads a batch seconds after
normalizing it: without normalization's ANALYZE the planner reckoned a 1M-row batch's staged rows at a few thousand
and hashed them without parallel workers (the load's first statement 6.3–6.4 s instead of 3.8–3.9 s). The file is
the bench's generated 行政处罚: the national 双公示 template's headers (the labels of fields.yaml), with the sample
generator's faults."""

import shutil

import pytest
import sqlalchemy as sa
from support import plans

from citycredit.feeds import landing, registry
from citycredit.load import merge
from citycredit.tasks import ingest
from citycredit.tools.bench.files import write_files

pytestmark = pytest.mark.db

ROWS = 20_000
FEED = "scjg_penalty"


def test_a_batch_staged_moments_ago_is_planned_at_its_size(engine, tmp_path):
    path = write_files(tmp_path, [ROWS])[ROWS]
    inbox = landing.inbox(registry.load().feed(FEED))
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, inbox / path.name)  # delivered by 市场监管 to its 行政处罚 file feed
    (batch_id,) = ingest.land_feed(FEED)
    ingest.validate_batch(ingest.normalize_batch(batch_id))

    with engine.connect() as conn:
        estimate = conn.execute(
            sa.text("EXPLAIN (FORMAT JSON) SELECT * FROM staging.penalty_rows WHERE batch_id = :b"), {"b": batch_id}
        ).scalar_one()[0]["Plan"]["Plan Rows"]
    assert estimate > ROWS / 2  # the statistics count the batch before autovacuum could have

    with plans.captured(engine) as captured:
        accounting = merge.load_batch(engine, batch_id)
    assert accounting.received == ROWS and accounting.loaded > ROWS / 2 and accounting.quarantined > 0
    assert plans.summary(captured) == []
