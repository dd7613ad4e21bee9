"""Monthly indicators and the deadline alerts.

Runs when the ingest updates the warehouse, on the 1st of every month, and at each deadline of the watch
(include/config/indicators.yaml ``reporting_deadline``, the 20th at 17:00 in the city's time zone by default, and
``deadline_watch``: the 联合奖惩 and city cases by the 25th, the 联合奖惩 feedback by the 30th). A run
computes the month given as ``{"month": "YYYY-MM"}`` in its conf, else the previous and the current month, with
the department scorecard; and, once a deadline has passed, names the departments that missed it through the
configured notifier (webhook or SMTP connection), once per month and deadline. After the indicators, each
month's quality report, 城市信用指标数据反馈表 and department feedback workbooks are published under
$CITYCREDIT_HOME/reports and /feedback (shown in the Airflow UI by plugins/citycredit_reports.py).
Wiring only; the work is in citycredit.tasks.monthly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, AssetOrTimeSchedule, MultipleCronTriggerTimetable, dag, task

from citycredit.tasks import common, monthly

DEADLINE_CRONS, TIMEZONE = monthly.schedule()


@dag(
    dag_id="citycredit_monthly",
    schedule=AssetOrTimeSchedule(
        timetable=MultipleCronTriggerTimetable("0 6 1 * *", *DEADLINE_CRONS, timezone=TIMEZONE),
        assets=[Asset("citycredit_warehouse_core")],
    ),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["citycredit", "indicators"],
    default_args={"owner": "citycredit", "retries": 2, "retry_delay": timedelta(minutes=1)},
    params={"month": None},
    doc_md=__doc__,
)
def citycredit_monthly():
    @task
    def prepare_warehouse() -> str:
        return common.prepare_warehouse()

    @task
    def months() -> list[str]:
        return monthly.months_to_compute(common.requested("month"), common.run_after().date())

    @task(map_index_template="{{ task.op_kwargs['month'] }}")
    def indicators(month: str) -> int:
        return monthly.compute_indicators(month)

    @task(map_index_template="{{ task.op_kwargs['month'] }}")
    def publish(month: str) -> list[str]:
        return monthly.publish(month)

    @task
    def deadline_alert() -> list[str]:
        return monthly.deadline_alert()

    ready = prepare_warehouse()
    month_list = months()
    ready >> indicators.expand(month=month_list) >> publish.expand(month=month_list)
    ready >> deadline_alert()


citycredit_monthly()
