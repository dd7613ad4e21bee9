"""Vectorised reading of staging's column values for the project's own rules (docs/domain.md §1.5, §1.6).

Every check is vectorised over whole columns (numpy / pandas; regular expressions run once per distinct value),
because a delivery can hold millions of rows. Only the pandas engine is implemented. Values are the normalized
text of staging: dates ISO ``YYYY-MM-DD``, amounts in 万元 as plain decimals, 处罚类别 items joined by ``;``.

A rule never reports what another rule reports: an empty or unparseable value passes every rule except the
one about its presence or its format.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from citycredit.core.months import add_months_to_days

_ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_AMOUNT = r"[0-9]+(?:\.[0-9]+)?"


def on_distinct(s: pd.Series, fn: Callable[[pd.Series], pd.Series], fill: object, dtype: str) -> np.ndarray:
    """fn run once over the distinct present values of s, spread back to the rows; ``fill`` for absent rows."""
    codes, uniques = pd.factorize(s)
    mapped = np.asarray(fn(pd.Series(uniques, dtype="str")), dtype=dtype)
    return np.append(mapped, np.array([fill], dtype=dtype))[codes]


def present(s: pd.Series) -> np.ndarray:
    return (s.notna() & s.astype("str").ne("")).to_numpy(dtype=bool, na_value=False).copy()


def day_numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970-01-01 of ISO dates (any year 0001-9999), and which rows hold a real ISO date (0 and
    False where absent). Parsed once per distinct value: a column holds few distinct dates."""
    codes, uniques = pd.factorize(s)
    days, valid = _distinct_day_numbers(pd.Series(uniques, dtype="str"))
    return np.append(days, 0)[codes], np.append(valid, False)[codes]


def _distinct_day_numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    text = s.astype("str")
    shaped = text.str.fullmatch(_ISO_DATE).to_numpy(dtype=bool, na_value=False)
    parts = text.where(shaped, "1970-01-01")
    year = parts.str.slice(0, 4).astype("int64").to_numpy()
    month = parts.str.slice(5, 7).astype("int64").to_numpy()
    day = parts.str.slice(8, 10).astype("int64").to_numpy()
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    last = _DAYS_IN_MONTH[np.where(month_ok, month, 0)] + ((month == 2) & leap)
    valid = shaped & month_ok & (day >= 1) & (day <= last) & (year >= 1)
    months = np.where(valid, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    days = months.astype("datetime64[D]").astype(np.int64) + np.where(valid, day - 1, 0)
    return days, valid


def day_number(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """Day numbers moved by whole months: the same day of the month, clamped at the month's end."""
    return add_months_to_days(days.astype("datetime64[D]"), months).astype(np.int64)


def amounts(s: pd.Series) -> np.ndarray:
    """Plain decimal amounts as floats; NaN where absent or not a plain number."""
    text = s.astype("str")
    ok = text.str.fullmatch(_AMOUNT).to_numpy(dtype=bool, na_value=False)
    values = np.full(len(s), np.nan)
    values[ok] = text[ok].astype("float64").to_numpy()
    return values


def lists_any(s: pd.Series, items: list[str], separator: str = ";") -> np.ndarray:
    """Whether each row's multi-valued code lists at least one of ``items``."""
    wanted = set(items)
    return on_distinct(s, lambda u: u.map(lambda v: not wanted.isdisjoint(v.split(separator))), False, "bool")


def contains_any(frame: pd.DataFrame, keywords: list[str]) -> np.ndarray:
    """Whether any of the frame's text columns contains one of the keywords."""
    if not keywords or frame.shape[1] == 0:
        return np.zeros(len(frame), dtype=bool)
    pattern = "|".join(map(re.escape, keywords))
    hit = np.zeros(len(frame), dtype=bool)
    for name in frame.columns:
        hit |= on_distinct(frame[name], lambda u: u.str.contains(pattern, regex=True), False, "bool")
    return hit


def passing(index: pd.Index, ok: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(ok, dtype=bool), index=index)
