"""The monthly DAG's tasks: indicators and scorecard per month, publishing, the reporting-deadline alert."""

from __future__ import annotations

from datetime import date

from citycredit.core.months import month_start, previous_and_current
from citycredit.indicators import periods


def schedule() -> tuple[str, str]:
    """The reporting deadline as a monthly cron expression, and the city's time zone it is read in."""
    return periods.deadline_cron()


def months_to_compute(requested: str | None, today: date) -> list[str]:
    """A month asked for explicitly, else the previous and the current month (late reports still arrive)."""
    if requested:
        return [month_start(requested).strftime("%Y-%m")]
    return [m.strftime("%Y-%m") for m in previous_and_current(today)]


def compute_indicators(month: str) -> int:
    from citycredit.core import warehouse
    from citycredit.indicators import compute

    return compute.compute_month(warehouse.engine(), month)


def publish(month: str) -> list[str]:
    """The month's quality report, 反馈表 and department feedback workbooks, as paths."""
    from citycredit.core import warehouse
    from citycredit.publish import month_files

    return [str(p) for p in month_files.publish(warehouse.engine(), month).paths()]


def deadline_alert() -> list[str]:
    from citycredit.core import warehouse
    from citycredit.indicators import alerts

    return alerts.watch(warehouse.engine())
