"""Provincial export: outbox files and the HTTP push to the provincial platform.

Runs when the ingest updates the warehouse, so new records reach the province within their 7-working-day
publication deadline, and every morning, because records also leave their publication window (公示截止期,
有效期至, 移出日期) without any new data: their withdrawals are due on the day. Each run is incremental and
idempotent; a failed push is retried and resumes where it stopped. Conf ``{"as_of": "YYYY-MM-DD"}`` evaluates the
publication windows for another day (default: the run's day in the city's time zone).

Wiring only; the work is in citycredit.tasks.export.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, dag, task
from airflow.sdk.exceptions import AirflowSkipException

from citycredit.tasks import common, export


@dag(
    dag_id="citycredit_export",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("30 7 * * *", timezone=export.city_timezone()),
        assets=[Asset("citycredit_warehouse_core")],
    ),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["citycredit", "export"],
    default_args={"owner": "citycredit", "retries": 2, "retry_delay": timedelta(minutes=1)},
    params={"as_of": None},
    doc_md=__doc__,
)
def citycredit_export():
    @task
    def prepare_warehouse() -> str:
        return common.prepare_warehouse()

    @task
    def as_of() -> str:
        return export.as_of(common.requested("as_of"), common.run_after())

    @task
    def write_outbox(day: str) -> list[int]:
        return export.write_outbox(day)

    # The province may be down for a while: more and slower retries; each one resumes the unfinished batch.
    @task(retries=4, retry_delay=timedelta(minutes=10), retry_exponential_backoff=True)
    def push_to_province(day: str) -> list[int]:
        try:
            return export.push_to_province(day)
        except export.NotConfigured as exc:
            raise AirflowSkipException(str(exc)) from exc

    day = as_of()
    prepare_warehouse() >> day
    write_outbox(day)
    push_to_province(day)


citycredit_export()
