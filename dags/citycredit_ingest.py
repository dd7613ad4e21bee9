"""Daily ingest: land every file feed's deliveries, then normalize, validate and load each new batch.

Wiring only; the work is in citycredit.pipeline.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, task, task_group
from airflow.sdk.exceptions import AirflowSkipException

from citycredit import pipeline

WAREHOUSE_CORE = Asset("citycredit_warehouse_core")
FILE_FEEDS = pipeline.file_feed_ids()


@dag(
    dag_id="citycredit_ingest",
    schedule="@daily",
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
        return pipeline.prepare_warehouse()

    @task(pool="citycredit_file_feeds", map_index_template="{{ task.op_kwargs['feed_id'] }}")
    def land_file_feed(feed_id: str) -> list[int]:
        return pipeline.land_feed(feed_id)

    @task
    def new_batches(per_feed: list[list[int]]) -> list[int]:
        return sorted(b for batches in per_feed for b in batches)

    @task
    def normalize(batch_id: int) -> int:
        try:
            return pipeline.normalize_batch(batch_id)
        except pipeline.BatchRejected as exc:
            raise AirflowSkipException(str(exc)) from exc  # skips this batch's validate and load only

    @task
    def validate(batch_id: int) -> int:
        return pipeline.validate_batch(batch_id)

    @task(outlets=[WAREHOUSE_CORE])
    def load(batch_id: int) -> dict:
        return pipeline.load_batch(batch_id)

    @task_group
    def batch(batch_id: int):
        load(validate(normalize(batch_id)))

    @task(trigger_rule="none_failed")  # after rejected (skipped) batches too; a failed load fails the run
    def data_docs() -> str:
        return pipeline.build_data_docs()

    landed = land_file_feed.expand(feed_id=FILE_FEEDS)
    prepare_warehouse() >> landed
    batch.expand(batch_id=new_batches(landed)) >> data_docs()


citycredit_ingest()
