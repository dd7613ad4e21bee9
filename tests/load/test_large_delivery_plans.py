"""How a large delivery is planned.

A large delivery that loads seconds after it was staged is planned from its real size (core/table_statistics.py):
autovacuum analyzes a table a minute or more after a large write, and an ingest loads a batch seconds after
normalizing it. Without normalization's ANALYZE the planner reckoned a 1M-row batch's staged rows at a few thousand
and hashed them without parallel workers (the load's first statement 6.3–6.4 s instead of 3.8–3.9 s).

A large batch meets the current versions of its keys by index lookups (load/planning.py, ``looked_up``): left to
itself, the planner read every current version of the dataset, which grows with the history (docs/performance.md,
"Into a core that already holds a long history"). So does a batch loaded after a later delivery. The file is the
bench's generated 行政处罚: the national 双公示 template's headers (the labels of fields.yaml), with the sample
generator's faults."""

import itertools
import os
import shutil
from pathlib import Path

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


def deliver(path: Path) -> int:
    """``path`` delivered by 市场监管 to its 行政处罚 file feed, landed, normalized and validated: its batch id."""
    inbox = landing.inbox(registry.load().feed(FEED))
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, inbox / path.name)
    (batch_id,) = ingest.land_feed(FEED)
    return ingest.validate_batch(ingest.normalize_batch(batch_id))


def test_a_batch_staged_moments_ago_is_planned_at_its_size(engine, tmp_path):
    batch_id = deliver(write_files(tmp_path, [ROWS])[ROWS])

    with engine.connect() as conn:
        estimate = conn.execute(
            sa.text("EXPLAIN (FORMAT JSON) SELECT * FROM staging.penalty_rows WHERE batch_id = :b"), {"b": batch_id}
        ).scalar_one()[0]["Plan"]["Plan Rows"]
    assert estimate > ROWS / 2  # the statistics count the batch before autovacuum could have

    with plans.captured(engine) as captured:
        accounting = merge.load_batch(engine, batch_id)
    assert accounting.received == ROWS and accounting.loaded > ROWS / 2 and accounting.quarantined > 0
    assert plans.summary(captured) == []


def corrected(first: Path, days: int, rows: int | None = None) -> Path:
    """``first`` sent again ``days`` later (its first ``rows`` rows, or all), each row with a 备注 added (the
    template's last column)."""
    again = first.with_name(f"行政处罚_更正_{days}.csv")
    with first.open(encoding="utf-8") as src, again.open("w", encoding="utf-8") as dst:
        dst.write(src.readline())
        dst.writelines(line.rstrip("\n") + "更正\n" for line in itertools.islice(src, rows))
    received = first.stat().st_mtime + days * 86_400
    os.utime(again, (received, received))
    return again


def test_a_catalogue_sent_again_with_corrections_finds_its_current_versions_by_their_key(engine, tmp_path):
    """The department sends the whole catalogue again the next day, every row with a 备注 added: each valid row
    revises its key's current version, which the load finds through the current-key index and retires by its record
    id, not by reading every current version of the dataset."""
    first = write_files(tmp_path, [ROWS])[ROWS]
    merge.load_batch(engine, deliver(first))

    batch_id = deliver(corrected(first, 1))
    with plans.captured(engine) as captured:
        accounting = merge.load_batch(engine, batch_id)
    assert accounting.received == ROWS and accounting.revised == accounting.loaded > ROWS / 2
    (new_versions,) = [plan for statement, plan in captured if statement.startswith("CREATE TEMP TABLE batch_new")]
    assert plans.reads(new_versions, "penalty") == ["Index Scan penalty_current_key lookup"]
    (retired,) = [plan for statement, plan in captured if statement.startswith("UPDATE core.penalty c SET is_current")]
    assert plans.reads(retired, "penalty") == ["Index Scan penalty_pkey lookup"]


def test_a_catalogue_loaded_after_a_later_delivery_finds_the_versions_it_continues_by_their_key(engine, tmp_path):
    """The corrected catalogue of day 1 reaches the load after ten of its rows sent again on day 2 (mapped loads
    finish in any order): versions.merge_before rebuilds the versions of its keys, finding the current version of
    each and the code observations of the versions it rewrites by index lookups, not by reading every version of
    the dataset."""
    first = write_files(tmp_path, [ROWS])[ROWS]
    merge.load_batch(engine, deliver(first))
    catalogue = corrected(first, 1)
    merge.load_batch(engine, deliver(corrected(first, 2, rows=10)))

    batch_id = deliver(catalogue)
    with plans.captured(engine) as captured:
        accounting = merge.load_batch(engine, batch_id)
    assert accounting.received == ROWS and accounting.revised > ROWS / 2
    assert plans.summary(captured) == []
    (base,) = [plan for statement, plan in captured if statement.startswith("CREATE TEMP TABLE sequence_base")]
    assert sorted(set(plans.reads(base, "penalty"))) == [
        "Index Scan penalty_current_key lookup",
        "Index Scan penalty_pkey lookup",
    ]
    stock = [plan for statement, plan in captured if statement.startswith("CREATE TEMP TABLE stock_versions")]
    reads = [read for plan in stock for read in plans.reads(plan, "penalty")]
    assert len(stock) == 2 and "Index Scan penalty_pkey lookup" in reads and all(r.endswith("lookup") for r in reads)
