"""Calendar months, the unit every indicator, report and deadline is counted in."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def month_start(value: str | date) -> date:
    """'2025-09' or any date in the month → the first day of that month."""
    if isinstance(value, date):
        return value.replace(day=1)
    try:
        year, month = (int(x) for x in value.split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        raise ValueError(f"month must look like YYYY-MM, got {value!r}") from None


def add_months(first: date, months: int) -> date:
    """The first day of the month ``months`` after (before, when negative) the month that starts on ``first``."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def add_months_to_days(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Days (datetime64[D]) moved by whole months: the same day of the month, clamped at the month's end."""
    import numpy as np  # here, not at the top: the DAG files' parse imports this module

    start = days.astype("datetime64[M]")
    offset = (days - start.astype("datetime64[D]")).astype(np.int64)
    target = start + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    return target.astype("datetime64[D]") + np.minimum(offset, length - 1)


def previous_and_current(today: date) -> list[date]:
    """The previous and the current month of a day: the months late reports may still change."""
    current = today.replace(day=1)
    return [(current - timedelta(days=1)).replace(day=1), current]
