"""Policy over every DAG: it imports cleanly, stays cheap to parse, and follows the project's conventions."""

import json
import subprocess
import sys

import pytest

from citycredit.core import airflow_env, paths

DAG_FILES = sorted(paths.DAGS_DIR.glob("*.py"))


@pytest.fixture(scope="module")
def dagbag():
    import os

    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(paths.DAGS_DIR))


def test_every_dag_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"citycredit_ingest", "citycredit_monthly"} <= set(dagbag.dag_ids)


def test_every_dag_has_owner_retries_and_tags(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert "citycredit" in dag.tags, dag_id
        for task in dag.tasks:
            assert task.owner == "citycredit", f"{dag_id}.{task.task_id}"
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries for transient faults"


def test_ingest_maps_one_landing_task_per_file_feed(dagbag):
    from airflow.sdk import AssetAlias

    from citycredit.feeds import registry

    dag = dagbag.dags["citycredit_ingest"]
    land = dag.get_task("land_file_feed")
    feeds = [f.id for f in registry.load().feeds if f.kind == "file"]
    assert land.op_kwargs_expand_input.value["feed_id"] == feeds
    assert land.pool == "citycredit_file_feeds"
    assert [o.name for o in dag.get_task("batch.load").outlets] == ["citycredit_warehouse_core"]
    # What the feeds' tasks loaded is told once, after all of them, by an unmapped task: Airflow fails the second of
    # two tasks whose first event through an alias comes at the same moment.
    aliased = [(t.task_id, o.name) for t in dag.tasks for o in t.outlets if isinstance(o, AssetAlias)]
    assert aliased == [("pending_batches", "citycredit_loaded_by_feed")]
    assert set(dag.get_task("pending_batches").upstream_task_ids) >= {"land_file_feed"}


def test_ingest_runs_on_a_file_drop_daily_and_at_each_feeds_schedule(dagbag):
    from airflow.sdk import AssetOrTimeSchedule

    from citycredit.feeds import drops, registry
    from citycredit.tasks import ingest

    schedule = ingest.schedule()
    timetable = dagbag.dags["citycredit_ingest"].timetable
    assert isinstance(timetable, AssetOrTimeSchedule)
    assert [(t.expression, str(t.timezone)) for t in timetable.timetable.timetables] == [
        (cron, schedule[1]) for cron in schedule[0]
    ]
    (inbox,) = timetable.asset_condition.objects
    (watcher,) = inbox.watchers
    assert inbox.name == "citycredit_inbox" and isinstance(watcher.trigger, drops.InboxDrop)
    unscheduled = [f for f in registry.load().feeds if f.kind == "file" and not f.schedule]
    assert len(watcher.trigger.inboxes) == len(unscheduled) > 0
    assert ingest.DAILY in schedule[0]


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_parsing_a_dag_imports_neither_pandas_nor_great_expectations(path):
    code = (
        "import sys, runpy; runpy.run_path(sys.argv[1]); "
        "import json; print(json.dumps(sorted(m for m in ('pandas', 'great_expectations') if m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        env=airflow_env.environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
