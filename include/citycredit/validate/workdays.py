"""The official working-day calendar (法定节假日与调休) and the reporting deadline counted in working days.

Working days come from the ``chinesecalendar`` package for the years it knows, and from
``include/config/calendar_overrides.yaml`` for the years the operator adds (a year in that file replaces the
package's data for that year). Nothing is guessed for any other year: a question whose answer depends on a
day of an unknown year is "indeterminate" (``None`` / ``NaT``).

The deadline is the n-th working day *after* the decision date (the decision day itself is not counted); a
record reported on or before its deadline is on time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import numpy as np
import pandas as pd
import yaml

from citycredit.core import paths
from citycredit.core.config import ConfigError

OVERRIDES_FILE = "calendar_overrides.yaml"
ON_TIME, LATE, INDETERMINATE = "on_time", "late", "indeterminate"

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RANGE_SEPARATOR = ".."
_YEAR_KEYS = ("source", "holidays", "makeup_workdays")
_WEEKDAY_NAMES = "一二三四五六日"


@dataclass(frozen=True)
class YearRules:
    """One year's arrangement: rest days (on weekdays or weekends) and weekend days that are working days."""

    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]

    def is_workday(self, day: date) -> bool:
        return day in self.makeup_workdays or (day.weekday() < 5 and day not in self.holidays)

    def workday_numbers(self) -> np.ndarray:
        """The working days of the year as day numbers (days since 1970-01-01), ascending."""
        first = date(self.year, 1, 1)
        days = (first + timedelta(days=i) for i in range((date(self.year + 1, 1, 1) - first).days))
        return np.array([d for d in days if self.is_workday(d)], dtype="datetime64[D]").astype(np.int64)


class WorkCalendar:
    """Working days for a set of known years; every other year is unknown."""

    def __init__(self, years: Iterable[YearRules], version: str):
        self._rules = {rules.year: rules for rules in years}
        if not self._rules:
            raise ValueError("a working-day calendar needs at least one year")
        self.years: frozenset[int] = frozenset(self._rules)
        self.version = version
        ordered = sorted(self._rules)
        self._workday_numbers = np.concatenate([self._rules[y].workday_numbers() for y in ordered])
        # _unknown_before[k] = how many years in [first known, first known + k) are unknown (gaps).
        self._first_year = ordered[0]
        span = range(self._first_year, ordered[-1] + 1)
        self._unknown_before = np.concatenate([[0], np.cumsum([y not in self.years for y in span])])

    @classmethod
    def load(cls, overrides_path: Path | None = None) -> WorkCalendar:
        """chinesecalendar's years, then the override file's years on top (replacing whole years)."""
        path = overrides_path or paths.CONFIG_DIR / OVERRIDES_FILE
        overrides_version, overrides = _read_overrides(path)
        rules = {r.year: r for r in _package_years()}
        rules.update((r.year, r) for r in overrides)
        version = f"chinesecalendar {chinese_calendar.__version__}; {path.name} version {overrides_version}"
        return cls(rules.values(), version)

    # --- one date at a time ----------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool | None:
        """Whether ``d`` is a working day; None when its year is not known."""
        d = _as_date(d)
        rules = self._rules.get(d.year)
        return None if rules is None else rules.is_workday(d)

    def deadline(self, decision: date, working_days: int = 7) -> date | None:
        """The ``working_days``-th working day after ``decision``; None when a day needed is in an unknown year."""
        _check_count(working_days)
        day, counted = _as_date(decision), 0
        while counted < working_days:
            day += timedelta(days=1)
            workday = self.is_workday(day)
            if workday is None:
                return None
            counted += workday
        return day

    # --- whole columns -----------------------------------------------------------------------------------

    def deadlines(self, decisions: pd.Series, working_days: int = 7) -> pd.Series:
        """``deadline`` over a column: NaT where indeterminate, missing or unparseable (see ``as_dates``)."""
        _check_count(working_days)
        days, valid = _day_numbers(decisions)
        due, definite = self._deadline_numbers(days, working_days)
        result = due.astype("datetime64[D]")
        result[~(valid & definite)] = np.datetime64("NaT")
        return pd.Series(result.astype("datetime64[us]"), index=decisions.index, name=decisions.name)

    def timeliness(self, decisions: pd.Series, reported: pd.Series, working_days: int = 7) -> pd.Series:
        """'on_time' | 'late' | 'indeterminate' per row (rows paired by position); None where either date is
        missing or unparseable.

        A row is indeterminate only when the answer depends on a day of an unknown year: a record reported
        before the known calendar runs out, having seen fewer than ``working_days`` working days since the
        decision, is on time even if its deadline itself falls in an unknown year.
        """
        _check_count(working_days)
        if len(decisions) != len(reported):
            raise ValueError("decisions and reported must have the same length")
        decided, decided_ok = _day_numbers(decisions)
        got, got_ok = _day_numbers(reported)
        due, definite = self._deadline_numbers(decided, working_days)
        on_time = np.where(definite, got <= due, self._known_between(decided + 1, got))
        labels = np.where(definite | on_time, np.where(on_time, ON_TIME, LATE), INDETERMINATE).astype(object)
        labels[~(decided_ok & got_ok)] = None
        return pd.Series(labels, index=decisions.index, dtype=object)

    def _deadline_numbers(self, days: np.ndarray, working_days: int) -> tuple[np.ndarray, np.ndarray]:
        """Deadline day numbers for decision day numbers, and whether each one is definite."""
        workdays = self._workday_numbers
        position = np.searchsorted(workdays, days, side="right") + (working_days - 1)
        due = workdays[np.minimum(position, workdays.size - 1)]
        return due, (position < workdays.size) & self._known_between(days + 1, due)

    def _known_between(self, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Whether every day from ``first`` to ``last`` (day numbers, inclusive) lies in a known year.

        An empty range (first > last) is known.
        """
        first_year, last_year = _years(first), _years(last)
        span = self._unknown_before.size - 1
        inside = (first_year >= self._first_year) & (last_year < self._first_year + span)
        start = np.clip(first_year - self._first_year, 0, span)
        stop = np.clip(last_year - self._first_year + 1, 0, span)
        no_gap = self._unknown_before[stop] == self._unknown_before[start]
        return (first > last) | (inside & no_gap)


@functools.cache
def default_calendar() -> WorkCalendar:
    """The calendar from chinesecalendar and the project's override file, loaded once per process."""
    return WorkCalendar.load()


def as_dates(values: pd.Series) -> pd.Series:
    """A column of naive datetime64 values or ISO 'YYYY-MM-DD' strings (or ``date`` objects) as datetime64.

    Anything else (missing values, other formats, garbage) becomes NaT: the normalizer writes dates in
    these canonical forms, and other rules report the values it could not parse.
    """
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return values
    return pd.to_datetime(values.astype("string"), format="%Y-%m-%d", errors="coerce")


def _day_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers (days since 1970-01-01) of a date column, 0 where invalid, and the validity mask."""
    days = as_dates(values).to_numpy(dtype="datetime64[D]")
    valid = ~np.isnat(days)
    return np.where(valid, days.astype(np.int64), 0), valid


def _years(day_numbers: np.ndarray) -> np.ndarray:
    return day_numbers.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _as_date(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


def _check_count(working_days: int) -> None:
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1:
        raise ValueError(f"working_days must be a positive integer, got {working_days!r}")


def _package_years() -> list[YearRules]:
    """chinesecalendar's data, one YearRules per year it covers."""
    covered = {d.year for d in chinese_calendar.holidays}
    return [
        YearRules(
            year=year,
            holidays=frozenset(d for d in chinese_calendar.holidays if d.year == year),
            makeup_workdays=frozenset(d for d in chinese_calendar.workdays if d.year == year),
        )
        for year in range(min(covered), max(covered) + 1)
    ]


# --- the override file -----------------------------------------------------------------------------------


class _DatesAsText(yaml.SafeLoader):
    """YAML without implicit timestamps: a date stays text, so a bad one is reported with its year and key
    (PyYAML would otherwise fail on 2027-02-30 with a bare ValueError that names neither)."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_overrides(path: Path) -> tuple[str, list[YearRules]]:
    """The override file's version and years, checked; ConfigError names the year and the key."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsText)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    where = path.name
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 文件内容应为包含 version 和 years 的映射")
    unknown = set(raw) - {"version", "years"}
    if unknown:
        raise ConfigError(f"{where}: 未知的键 {sorted(map(str, unknown))}（只允许 version、years）")
    if raw.get("version") in (None, ""):
        raise ConfigError(f"{where}: 缺少 version，每次修改文件时应递增版本号")
    years = raw.get("years") or {}
    if not isinstance(years, dict):
        raise ConfigError(f"{where}: years 应为以年份为键的映射")
    return str(raw["version"]), [_read_year(f"{where}: years", key, entry) for key, entry in years.items()]


def _read_year(where: str, key: object, entry: object) -> YearRules:
    if not (isinstance(key, int) or (isinstance(key, str) and key.isdigit())) or len(str(key)) != 4:
        raise ConfigError(f"{where}.{key}: 年份应为四位数字")
    year = int(key)
    where = f"{where}.{year}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: 应为包含 {', '.join(_YEAR_KEYS)} 的映射")
    unknown = set(entry) - set(_YEAR_KEYS)
    if unknown:
        raise ConfigError(f"{where}: 未知的键 {sorted(map(str, unknown))}（只允许 {', '.join(_YEAR_KEYS)}）")
    if not isinstance(entry.get("source"), str) or not entry["source"].strip():
        raise ConfigError(f"{where}.source: 缺少国务院办公厅通知文号（如 国办发明电〔2025〕N号）")
    holidays = _read_dates(f"{where}.holidays", year, entry.get("holidays"), ranges=True)
    makeup = _read_dates(f"{where}.makeup_workdays", year, entry.get("makeup_workdays"), ranges=False)
    for index, day in makeup:
        if day.weekday() < 5:
            raise ConfigError(
                f"{where}.makeup_workdays[{index}]: {day} 是星期{_WEEKDAY_NAMES[day.weekday()]}，"
                "调休上班日必须是星期六或星期日"
            )
    both = sorted({d for _, d in holidays} & {d for _, d in makeup})
    if both:
        listed = "、".join(map(str, both))
        raise ConfigError(f"{where}.makeup_workdays: {listed} 同时出现在 holidays 和 makeup_workdays 中")
    return YearRules(
        year=year,
        holidays=frozenset(d for _, d in holidays),
        makeup_workdays=frozenset(d for _, d in makeup),
    )


def _read_dates(where: str, year: int, items: object, *, ranges: bool) -> list[tuple[int, date]]:
    """(list index, date) pairs of a list of dates (and, when allowed, ``start..end`` ranges)."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise ConfigError(f"{where}: 应为日期列表")
    result: list[tuple[int, date]] = []
    for index, item in enumerate(items):
        here = f"{where}[{index}]"
        text = str(item)
        if ranges and _RANGE_SEPARATOR in text:
            start, end = (_parse_date(here, part.strip(), ranges) for part in text.split(_RANGE_SEPARATOR, 1))
            if start > end:
                raise ConfigError(f"{here}: 区间 {text} 的开始日期晚于结束日期")
            days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        else:
            days = [_parse_date(here, text, ranges)]
        for day in (days[0], days[-1]):
            if day.year != year:
                raise ConfigError(f"{here}: {day} 不在 {year} 年内")
        result.extend((index, day) for day in days)
    return result


def _parse_date(where: str, text: str, ranges: bool) -> date:
    hint = "（格式应为 YYYY-MM-DD" + ("，区间写作 YYYY-MM-DD..YYYY-MM-DD）" if ranges else "）")
    if not _ISO_DATE.fullmatch(text):
        raise ConfigError(f"{where}: {text!r} 不是有效日期{hint}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{where}: {text!r} 不是有效日期{hint}") from None
