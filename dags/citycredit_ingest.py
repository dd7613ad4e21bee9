"""Ingest: land every file feed's deliveries and pull every HTTP and database feed that is due, then normalize,
validate and load each new batch: a small one in the task that landed it, a larger one in tasks of its own.

Runs when a department drops a file in the inbox of a file feed without a ``schedule`` (the asset
citycredit_inbox, watched in the triggerer by citycredit.feeds.drops.InboxDrop: such a run pulls nothing), daily
at 00:00 and at each feed's own registry ``schedule`` (cron expressions in the city's time zone).

Wiring only; the work is in citycredit.tasks.ingest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import (
    Asset,
    AssetAlias,
    AssetOrTimeSchedule,
    AssetWatcher,
    MultipleCronTriggerTimetable,
    dag,
    task,
    task_group,
)
from airflow.sdk.exceptions import AirflowSkipException

from citycredit.tasks import common, ingest

WAREHOUSE_CORE = Asset("citycredit_warehouse_core")
# The feeds' tasks update the warehouse only when they loaded a small batch themselves: through an alias, an event
# only then.
LOADED_BY_FEED = AssetAlias("citycredit_loaded_by_feed")
FEEDS = {kind: ingest.feed_ids(kind) for kind in ("file", "http", "sql")}
CRONS, TIMEZONE, INBOXES = ingest.schedule()
INBOX = Asset("citycredit_inbox", watchers=[AssetWatcher("citycredit_inbox_drops", ingest.drop_trigger(INBOXES))])


@dag(
    dag_id="citycredit_ingest",
    schedule=AssetOrTimeSchedule(timetable=MultipleCronTriggerTimetable(*CRONS, timezone=TIMEZONE), assets=[INBOX]),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["citycredit", "ingest"],
    default_args={"owner": "citycredit", "retries": 2, "retry_delay": timedelta(minutes=1)},
    doc_md=__doc__,
)
def citycredit_ingest():
    @task
    def prepare_warehouse() -> str:
        return common.prepare_warehouse()

    # A dict result is one XCom (multiple_outputs=False), not one more per key as Airflow infers from the annotation:
    # nothing reads the keys, and each is a request to the API server.
    @task(map_index_template="{{ task.op_kwargs['feed_id'] }}", multiple_outputs=False)
    def land_feed(feed_id: str, *, ti=None) -> dict:
        try:
            batches = ingest.land_feed_through(feed_id, common.started_by_asset())
        except ingest.FeedNotDue as exc:
            raise AirflowSkipException(str(exc)) from exc
        return {**batches, "retried": ti.try_number > 1}

    @task
    def find_strays() -> list[str]:
        return ingest.find_strays()

    # All done: a failed feed fails the run but holds back no other feed's batches. One event for what the feeds'
    # tasks loaded, not one per task: each started a monthly run, and Airflow fails the task whose first event
    # through an alias comes at the same moment as another's (a duplicate key in asset_alias_asset).
    @task(trigger_rule="all_done", outlets=[LOADED_BY_FEED])
    def pending_batches(lanes: list, *, outlet_events=None) -> list[int]:
        if ingest.loaded_by_feeds(lane for kind in lanes for lane in kind[:]):  # [:]: each kind's in one request
            outlet_events[LOADED_BY_FEED].add(WAREHOUSE_CORE)
        return ingest.pending_batches()

    @task
    def normalize(batch_id: int) -> int:
        try:
            return ingest.normalize_batch(batch_id)
        except ingest.BatchRejected as exc:
            raise AirflowSkipException(str(exc)) from exc  # skips this batch's validate and load only

    @task
    def validate(batch_id: int) -> int:
        return ingest.validate_batch(batch_id)

    @task(outlets=[WAREHOUSE_CORE], multiple_outputs=False)
    def load(batch_id: int) -> dict:
        return ingest.load_batch(batch_id)

    @task_group
    def batch(batch_id: int):
        load(validate(normalize(batch_id)))

    @task(trigger_rule="none_failed")  # after rejected (skipped) batches too; a failed load fails the run
    def data_docs() -> str:
        return ingest.build_data_docs()

    by_kind = {"file": "land_file_feed", "http": "pull_http_feed", "sql": "pull_sql_feed"}  # one pool per kind
    landed = [
        land_feed.override(task_id=by_kind[kind], pool=f"citycredit_{kind}_feeds").expand(feed_id=ids)
        for kind, ids in FEEDS.items()
        if ids  # an empty map would skip the run
    ]
    ready, pending = prepare_warehouse(), pending_batches(landed)
    ready >> landed
    ready >> find_strays()  # files where no feed reads them: named in the log and the quality report
    ready >> pending
    batch.expand(batch_id=pending) >> data_docs()


citycredit_ingest()
