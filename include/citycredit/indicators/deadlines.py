"""The monthly deadlines the watch checks, and who missed each (indicators.yaml ``reporting_deadline`` and
``deadline_watch``).

- ``data``: every department with a feed reports something by the reporting deadline (the 20th, 17:00);
- a ``reported`` deadline: the departments with a feed of the listed datasets report one of them by the day (the
  联合奖惩 cases and the city's own cases by the 25th, 济信用办〔2020〕14号 四 and item 二十六);
- a ``fed_back`` deadline: the 联合奖惩 cases reported in the month carry the day they were fed back to the national
  联合奖惩系统 by the day (the 30th; the month's last day where it is shorter).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa

from citycredit.core import city, config
from citycredit.core.months import month_start
from citycredit.feeds import registry
from citycredit.indicators import deliveries, periods
from citycredit.indicators.definitions import settings_file

REPORTED, FED_BACK = "reported", "fed_back"


@dataclass(frozen=True)
class Deadline:
    kind: str  # the id in indicators.yaml; mart.deadline_alerts keeps one check per month and kind
    title: str  # what is due, as the alert names it
    missing: str  # what a department named has not done, as the alert says it
    day: int
    time: str  # HH:MM in the city's time zone
    check: str  # REPORTED or FED_BACK
    datasets: tuple[str, ...] = ()  # REPORTED: only feeds of these datasets count (none: any feed)

    def instant(self, month: str | date) -> datetime:
        first = month_start(month)
        day = min(self.day, calendar.monthrange(first.year, first.month)[1])
        hour, minute = (int(x) for x in self.time.split(":"))
        return datetime.combine(first.replace(day=day), time(hour, minute), city.timezone())


def watched() -> list[Deadline]:
    """The data deadline, then those of ``deadline_watch`` in their order."""
    settings = settings_file()
    data = settings["reporting_deadline"]
    found = [Deadline("data", "信用信息报送", "本月尚未向市公共信用信息平台报送任何数据", int(data["day"]),
                      str(data["time"]), REPORTED)]  # fmt: skip
    for kind, spec in (settings.get("deadline_watch") or {}).items():
        where = f"indicators.yaml: deadline_watch.{kind}"
        if spec.get("check") not in (REPORTED, FED_BACK):
            raise config.ConfigError(f"{where}.check: {spec.get('check')!r} is not {REPORTED} or {FED_BACK}")
        if not 1 <= int(spec.get("day") or 0) <= 31:
            raise config.ConfigError(f"{where}.day: a day of the month (1 to 31)")
        found.append(Deadline(kind, spec["title"], spec["missing"], int(spec["day"]), str(spec.get("time", "17:00")),
                              spec["check"], tuple(spec.get("datasets") or ())))  # fmt: skip
    return found


def crons() -> tuple[list[str], str]:
    """Every deadline of the watch as a monthly cron expression (day 29 to 31: the months that have it; the run on
    the 1st catches up the others), and the city's time zone they are read in: the monthly DAG runs at each."""
    expressions = []
    for deadline in watched():
        hour, minute = (int(x) for x in deadline.time.split(":"))
        expressions.append(f"{minute} {hour} {deadline.day} * *")
    return sorted(set(expressions)), city.timezone().key


def _reported_by(conn: sa.Connection, deadline: Deadline, month: date) -> set[str]:
    params = {**periods.month_params(month), "deadline": deadline.instant(month), **deliveries.params()}
    where = "received_at >= :start AND received_at <= :deadline"
    if deadline.datasets:
        where += " AND dataset = ANY(:datasets)"
        params["datasets"] = list(deadline.datasets)
    return set(conn.execute(sa.text(deliveries.reported("DISTINCT department_id", where)), params).scalars())


def _not_fed_back(conn: sa.Connection, deadline: Deadline, month: date) -> dict[str, int]:
    """Cases reported from the first of the month to the deadline with no 反馈日期 on or before its day."""
    rows = conn.execute(
        sa.text(
            "SELECT department_id, count(*) FROM core.joint_sanction WHERE is_current"
            " AND reported_on BETWEEN :month AND CAST(:due AS date)"
            " AND (jc_fkrq IS NULL OR jc_fkrq > CAST(:due AS date)) GROUP BY department_id"
        ),
        {"month": month, "due": deadline.instant(month).date()},
    ).all()
    return {department: int(count) for department, count in rows}


def missed(engine: sa.Engine, deadline: Deadline, month: str | date) -> list[dict]:
    """The departments of the registry that missed the deadline: [{"id", "name", "missing"}]."""
    first = month_start(month)
    departments = registry.load().departments
    with engine.connect() as conn:
        if deadline.check == FED_BACK:
            open_cases = _not_fed_back(conn, deadline, first)
            return [{"id": d.id, "name": d.name, "missing": f"{deadline.missing}（{open_cases[d.id]}件）"}
                    for d in departments if open_cases.get(d.id)]  # fmt: skip
        reported = _reported_by(conn, deadline, first)
    due = [d for d in departments if any(not deadline.datasets or f.dataset in deadline.datasets for f in d.feeds)]
    return [{"id": d.id, "name": d.name, "missing": deadline.missing} for d in due if d.id not in reported]
