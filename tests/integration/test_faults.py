"""Faults during an ingest run: after each, and the retry Airflow makes, the warehouse equals a clean run's.

Each fault is injected at a precise point of a task body (citycredit.tasks.ingest): the landing disk full while the
delivery is stored, the warehouse connection lost or the task killed at each stage. The run then goes on as
Airflow's retry would (the failed task again, then the rest), and every table the run writes is compared with a
clean run's over the same files: same rows, no duplicates, no gaps. (A load whose connection is terminated by the
server is in test_concurrency.py; an HTTP feed dying mid-pagination in test_http_feed.py.)

A land task killed after it loaded must still, on its retry, tell the monthly DAG that the warehouse changed.
"""

from __future__ import annotations

import errno
import os
import shutil
import threading
import types
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.dags import ingest_dagbag

from citycredit.core import copyio, paths
from citycredit.feeds import landing, registry, store
from citycredit.load import uscc_stock
from citycredit.tasks import ingest
from citycredit.validate import suites

pytestmark = pytest.mark.db

BAD = Path(__file__).parents[1] / "data" / "bad"
FILES = ["control_good_license.csv", "invalid_dates.csv", "duplicate_rows.csv"]  # loaded, quarantined, duplicate
FEED = "scjg_license"


def deliver(home: Path) -> None:
    folder = paths.data_path("landing", "inbox", "scjg", FEED)
    assert str(folder).startswith(str(home))
    folder.mkdir(parents=True, exist_ok=True)
    for n, name in enumerate(FILES):
        shutil.copyfile(BAD / name, folder / name)
        os.utime(folder / name, (1_757_000_000 + 60 * n,) * 2)


def ingest_run() -> None:
    """One DAG run's task bodies: land the inbox, taking the small batches through to the warehouse, then normalize,
    validate and load the batches it landed and left."""
    batches = ingest.land_feed_through(FEED)
    for batch_id in sorted(set(batches["landed"]) - set(batches["loaded"])):
        ingest.normalize_batch(batch_id)
        ingest.validate_batch(batch_id)
        ingest.load_batch(batch_id)


def resume() -> None:
    """What the DAG (and Airflow's retries) do: land the inbox (where a fault in a small batch's stages leaves the
    batch where it stopped, for the per-batch tasks), then take every batch on from where it stands."""
    ingest.land_feed_through(FEED)
    stages = {
        "landed": ingest.normalize_batch,
        "normalized": ingest.validate_batch,
        "validated": ingest.load_batch,
    }
    engine = ingest.warehouse.engine()
    while True:
        with engine.connect() as conn:
            todo = conn.execute(
                sa.text("SELECT batch_id, status FROM landing.batches WHERE status IN ('landed', 'normalized',"
                        " 'validated') ORDER BY batch_id LIMIT 1")
            ).one_or_none()  # fmt: skip
        if todo is None:
            return
        stages[todo.status](todo.batch_id)


def content(engine: sa.Engine) -> list[str]:
    """Every row the ingest writes, by source file instead of serial ids (a rolled-back insert uses up an id)."""
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                """
                WITH b AS (SELECT batch_id, source_name FROM landing.batches)
                SELECT x FROM (
                  SELECT concat_ws(',', 'd', feed_id, source_name, sha256, outcome, reason, batch_id IS NULL) AS x
                  FROM landing.deliveries
                  UNION ALL SELECT concat_ws(',', 'b', source_name, sha256, status, status_reason, encoding, header_row)
                  FROM landing.batches
                  UNION ALL SELECT concat_ws(',', 's', b.source_name, md5((to_jsonb(s) - 'batch_id')::text))
                  FROM staging.license_rows s JOIN b USING (batch_id)
                  UNION ALL SELECT concat_ws(',', 'f', b.source_name, source_row, rule_id, field, severity, message)
                  FROM quality.findings JOIN b USING (batch_id)
                  UNION ALL SELECT concat_ws(',', 'r', b.source_name, rule_id, evaluated, failed)
                  FROM quality.rule_outcomes JOIN b USING (batch_id)
                  UNION ALL SELECT concat_ws(',', 'q', b.source_name, source_row, rule_ids, row_data)
                  FROM quality.quarantine JOIN b USING (batch_id)
                  UNION ALL SELECT concat_ws(',', 'a', b.source_name, received, loaded, quarantined, duplicate, revised)
                  FROM quality.batch_accounting JOIN b USING (batch_id)
                  UNION ALL SELECT concat_ws(',', 'c', b.source_name, source_row, version, is_current, content_hash)
                  FROM core.license JOIN b USING (batch_id)
                  UNION ALL SELECT concat_ws(',', 'o', b.source_name, reported_on, code, subject_name, code_valid,
                                             loaded, withdrawn_on, observations)
                  FROM quality.uscc_observations JOIN b USING (batch_id)
                ) t ORDER BY x
                """
            )
        ).scalars().all()  # fmt: skip


class Fault(Exception):
    """The injected fault."""


def _lost_connection(*args, **kwargs):
    raise sa.exc.OperationalError("COPY", {}, Exception("server closed the connection unexpectedly"))


def _after(real, fault=_lost_connection):
    """`real`, then the fault: the work was done inside the transaction when the connection went."""

    def call(*args, **kwargs):
        real(*args, **kwargs)
        fault()

    return call


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _partial_copy_then_disk_full(source, target, digest):
    target.write(source.read(100))
    _disk_full()


FAULTS = {
    "landing disk full while storing": (store, "_copy", lambda real: _partial_copy_then_disk_full),
    "connection lost before the batch is recorded": (landing, "_open_batch", lambda real: _lost_connection),
    "connection lost mid-COPY into staging": (copyio, "copy_rows", _after),
    "validate killed after storing findings": (suites, "_store_findings", _after),
    "load killed before the code observations": (uscc_stock, "observe_batch", lambda real: _lost_connection),
}


@pytest.fixture
def clean_content(clean_engine, monkeypatch, tmp_path):  # noqa: F811 - the imported fixture
    monkeypatch.setenv("CITYCREDIT_HOME", str(tmp_path / "clean"))
    monkeypatch.setenv("CITYCREDIT_WAREHOUSE_URL", clean_engine.url.render_as_string(hide_password=False))
    deliver(tmp_path / "clean")
    resume()
    return content(clean_engine)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_and_the_retry_leave_what_a_clean_run_leaves(fault, clean_content, warehouse_url, monkeypatch):
    home = paths.home().parent / "faulty"
    monkeypatch.setenv("CITYCREDIT_HOME", str(home))
    monkeypatch.setenv("CITYCREDIT_WAREHOUSE_URL", warehouse_url)
    engine = ingest.warehouse.engine()
    deliver(home)
    before = content(engine)
    module, name, make = FAULTS[fault]
    with monkeypatch.context() as m:
        m.setattr(module, name, make(getattr(module, name)))
        with pytest.raises((OSError, sa.exc.OperationalError)):
            resume()
        if module in (store, landing):
            # Nothing half-recorded: the delivery waits in the inbox, no row and no partial file in the store.
            assert content(engine) == before
            assert sorted(p.name for p in landing.inbox(registry.load().feed(FEED)).iterdir()) == sorted(FILES)
            assert [p.name for p in paths.data_path("landing", "store").rglob("*.part")] == []
    resume()
    assert content(engine) == clean_content
    assert [p.name for p in landing.inbox(registry.load().feed(FEED)).iterdir()] == []


def test_two_overlapping_runs_land_each_delivery_once(warehouse_url, clean_content, monkeypatch):
    """Two runs of the ingest DAG at once (a manual run beside the scheduled one) over the same inbox."""
    home = paths.home().parent / "overlapping"
    monkeypatch.setenv("CITYCREDIT_HOME", str(home))
    monkeypatch.setenv("CITYCREDIT_WAREHOUSE_URL", warehouse_url)
    deliver(home)
    engine = ingest.warehouse.engine()
    barrier, errors = threading.Barrier(2), []

    def run():
        barrier.wait()
        try:
            ingest_run()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert content(engine) == clean_content


class OutletEvents(dict):
    """What a task's ``outlet_events`` records: the assets added to each alias."""

    def __missing__(self, alias):
        self[alias] = set()
        return self[alias]


def test_a_land_tasks_retry_tells_the_monthly_dag_what_its_killed_try_loaded(warehouse_url, monkeypatch):
    """The lane loads a small delivery, then the task is killed before it returns: its result is lost, and the
    retry finds nothing new to land. The run's event for the feeds' loads (``pending_batches``, after every feed's
    task) must still tell the warehouse's readers (the monthly DAG's asset), or the month's indicators wait for the
    next day's clock run."""
    from citycredit.tasks import common

    deliver(paths.home())
    monkeypatch.setattr(common, "started_by_asset", lambda: False)  # reads the running DAG run's context
    dag = ingest_dagbag().dags["citycredit_ingest"]
    land = dag.get_task("land_file_feed").python_callable
    pending = dag.get_task("pending_batches").python_callable

    def announced(try_number: int) -> tuple[dict, list[str]]:
        lane = land(FEED, ti=types.SimpleNamespace(try_number=try_number))
        events = OutletEvents()
        assert pending([[lane]], outlet_events=events) == []  # every batch was loaded by the lane
        return lane, sorted(asset.name for assets in events.values() for asset in assets)

    killed_try, lost = announced(1)
    assert len(killed_try["loaded"]) == len(FILES) and lost == ["citycredit_warehouse_core"]
    assert announced(2) == ({"landed": [], "loaded": [], "retried": True}, ["citycredit_warehouse_core"])
    # A first try that loads nothing tells nothing: the monthly DAG does not run for an empty inbox.
    assert announced(1) == ({"landed": [], "loaded": [], "retried": False}, [])
