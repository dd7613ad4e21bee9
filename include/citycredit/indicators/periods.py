"""The months of the monthly indicators: a month's bind parameters, its working-day calendar, its deadline."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from citycredit.core import city
from citycredit.core.months import add_months, month_start
from citycredit.feeds import registry
from citycredit.indicators.definitions import settings_file, timeliness_rules


def month_params(month: str | date, params: dict | None = None) -> dict:
    """Bind parameters of a month (indicators.yaml names them): its first and last day, its bounds as instants in
    the city's time zone, the population, the timeliness rule ids, the definition's constants and its windows."""
    first = month_start(month)
    reg = registry.load()
    section, zone = reg.city, reg.timezone
    late, indeterminate = timeliness_rules()
    values = {
        "month": first,
        "month_end": add_months(first, 1) - timedelta(days=1),
        "tz": zone.key,
        "start": datetime.combine(first, time(), zone),
        "end": datetime.combine(add_months(first, 1), time(), zone),
        "population": (section.get("population") or {}).get("count"),
        "code_total": (section.get("code_total") or {}).get("count"),
        "late_rules": late,
        "indeterminate_rules": indeterminate,
        **(params or {}),
    }
    if values.get("window_months"):
        values["window_from"] = add_months(first, 1 - int(values["window_months"]))
        values["window_before"] = values["window_from"] - timedelta(days=1)
    if values.get("previous_months"):
        values["previous_start"] = datetime.combine(add_months(first, -int(values["previous_months"])), time(), zone)
    if values.get("working_day_calendar"):
        values.update(working_day_params(first.year - CALENDAR_YEARS_BACK, first.year))
    return values


CALENDAR_YEARS_BACK = 5  # a case open longer than this many years is indeterminate


def working_day_params(first_year: int, last_year: int) -> dict:
    """The official calendar of these years for SQL: :calendar_years (those the calendar knows), :holidays (rest
    weekdays) and :makeup_workdays (调休 working weekend days)."""
    from citycredit.validate import workdays

    calendar = workdays.default_calendar()
    years = [y for y in range(first_year, last_year + 1) if y in calendar.years]
    days = [date(y, 1, 1) + timedelta(days=i) for y in years for i in range((date(y + 1, 1, 1) - date(y, 1, 1)).days)]
    return {
        "calendar_years": years,
        "holidays": [d for d in days if d.weekday() < 5 and not calendar.is_workday(d)],
        "makeup_workdays": [d for d in days if d.weekday() >= 5 and calendar.is_workday(d)],
    }


def reporting_deadline(month: str | date) -> datetime:
    """The instant by which departments deliver a month's data (indicators.yaml reporting_deadline)."""
    spec = settings_file()["reporting_deadline"]
    hour, minute = (int(x) for x in str(spec["time"]).split(":"))
    day = month_start(month).replace(day=int(spec["day"]))
    return datetime.combine(day, time(hour, minute), city.timezone())
