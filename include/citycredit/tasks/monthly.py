"""The monthly DAG's tasks: indicators and scorecard per month (and the annual assessment with January's), publishing,
the deadline alerts."""

from __future__ import annotations

from datetime import date

from citycredit.core.months import month_start, previous_and_current
from citycredit.indicators import deadlines


def schedule() -> tuple[list[str], str]:
    """The watched deadlines as monthly cron expressions, and the city's time zone they are read in."""
    return deadlines.crons()


def months_to_compute(requested: str | None, today: date) -> list[str]:
    """A month asked for explicitly, else the previous and the current month (late reports still arrive)."""
    if requested:
        return [month_start(requested).strftime("%Y-%m")]
    return [m.strftime("%Y-%m") for m in previous_and_current(today)]


def compute_indicators(month: str) -> int:
    """The month's indicators and scorecard; for a January, then the year before's annual assessment
    (平信用办〔2020〕8号: "每年2月底前完成上年度的考核工作"). January is computed in January and again in February (as
    the previous month), so the assessment is redone with December's late deliveries before the end of February."""
    from citycredit.core import warehouse
    from citycredit.indicators import annual, compute

    engine = warehouse.engine()
    written = compute.compute_month(engine, month)
    first = month_start(month)
    if first.month == 1:
        with engine.begin() as conn:
            annual.compute(conn, first.year - 1)
    return written


def publish(month: str) -> list[str]:
    """The month's quality report, 反馈表 and department feedback workbooks, as paths."""
    from citycredit.core import warehouse
    from citycredit.publish import month_files

    return [str(p) for p in month_files.publish(warehouse.engine(), month).paths()]


def deadline_alert() -> list[str]:
    from citycredit.core import warehouse
    from citycredit.indicators import alerts

    return alerts.watch(warehouse.engine())
