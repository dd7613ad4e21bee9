"""The official calendar: weekly deliveries, the 7-working-day deadline, and the decision days each
delivery reports on time or late."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar
import numpy as np

from citycredit.core.months import add_months
from citycredit.tools.demo.arrays import choose
from citycredit.tools.demo.faults import LATE_RATE


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """The first day of the month and the first day of the next."""
    try:
        start = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"月份 {month!r} 格式不正确，应为 YYYY-MM，例如 2025-09") from None
    return start, add_months(start, 1)


def workdays(first: dt.date, last: dt.date) -> list[dt.date]:
    days = (first + dt.timedelta(days=k) for k in range((last - first).days + 1))
    return [d for d in days if chinese_calendar.is_workday(d)]


def _deadline(decided: dt.date) -> dt.date:
    """The 7th working day after the decision (the decision day itself not counted)."""
    return chinese_calendar.find_workday(7, decided)


def delivery_days(month: str, weekday: int) -> list[dt.date]:
    """Weekly deliveries on one weekday (moved to the next working day), up to the first one after the month."""
    start, end = month_bounds(month)
    horizon = workdays(start, end + dt.timedelta(days=30))
    first = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
    days: list[dt.date] = []
    for nominal in (first + dt.timedelta(weeks=k) for k in range(7)):
        day = next(d for d in horizon if d >= nominal)
        if day > start and (not days or day > days[-1]):
            days.append(day)
        if day >= end:
            break
    return days


@dataclass(frozen=True)
class Delivery:
    day: dt.date
    on_time: np.ndarray  # decision days (datetime64[D]) reported on time by this delivery
    late: np.ndarray  # decision days this delivery reports late


def deliveries_for(month: str, weekday: int, single: bool = False, in_month: bool = False) -> list[Delivery]:
    """Deliveries with the decision days each may carry. single: only the last, covering the whole month up to
    its day; in_month: only deliveries made within the month (the one after it left out)."""
    start, end = month_bounds(month)
    try:
        decision_days = workdays(start, end - dt.timedelta(days=1))
        deadline = {d: _deadline(d) for d in decision_days}
        days = delivery_days(month, weekday)
    except NotImplementedError:
        raise ValueError(f"{month} 的报送期限超出工作日日历（chinesecalendar）覆盖的年份，无法生成样例数据") from None
    if in_month:
        days = [d for d in days if d < end]
    if single:
        days = days[-1:]
    result = []
    previous = start
    for day in days:
        window = [d for d in decision_days if (single or d >= previous) and d < day and deadline[d] >= day]
        late = [d for d in decision_days if deadline[d] < day]
        if window:
            result.append(Delivery(day, np.array(window, "datetime64[D]"), np.array(late, "datetime64[D]")))
        previous = day
    return result


def decision_dates(deliveries: list[Delivery], counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Decision dates for the rows of each delivery; LATE_RATE of all rows late where a delivery allows it."""
    which = np.repeat(np.arange(len(deliveries)), counts)
    can_be_late = np.array([len(d.late) > 0 for d in deliveries])[which]
    late = choose(rng, can_be_late, int(LATE_RATE * len(which) + rng.random()))
    decided = np.empty(len(which), dtype="datetime64[D]")
    for k, delivery in enumerate(deliveries):
        for rows, days in ((which == k) & ~late, delivery.on_time), ((which == k) & late, delivery.late):
            if rows.any():
                decided[rows] = rng.choice(days, np.count_nonzero(rows))
    return decided


def delivered_at(day: dt.date, rng: np.random.Generator, tz: ZoneInfo) -> dt.datetime:
    seconds = int(rng.integers(8 * 3600 + 30 * 60, 17 * 3600 + 30 * 60))
    return dt.datetime.combine(day, dt.time(), tz) + dt.timedelta(seconds=seconds)
