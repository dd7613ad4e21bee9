"""What each expectation type of the suites requires of a row, as plain pandas: the one implementation of our own
rules (the GX metric providers of citycredit.validate.expectations call these functions) and GX's built-in types
restated as GX's pandas metrics compute them.

``KINDS`` maps every expectation type the suites name to its ``Kind``: the shape of its domain, its condition (one
bool per row of the domain: True when the row meets the rule) and the value arguments it takes, with their
defaults. The defaults and the ``ignore_row_if`` defaults below are the ones the GX expectation classes declare
(they take them from here); ``tests/validate/test_parity.py`` checks every suite rule resolves as GX resolves it.
``BATCH_WIDE`` lists the types that must see a whole batch at once, not a chunk of it, each with the argument
naming the key it compares rows by (so a batch may be split by that key, never within it).

Nothing here imports Great Expectations: ``citycredit check`` evaluates the suites without it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import numpy as np
import pandas as pd

from citycredit.core import identifiers
from citycredit.validate import storable
from citycredit.validate.rules.values import (
    add_months,
    amounts,
    contains_any,
    day_number,
    day_numbers,
    lists_any,
    on_distinct,
    passing,
    present,
)
from citycredit.validate.workdays import LATE, as_dates, default_calendar

# ignore_row_if values (GX's): which rows of a pair or multicolumn domain a rule does not look at
EITHER_VALUE_MISSING: Final = "either_value_is_missing"
ANY_VALUE_MISSING: Final = "any_value_is_missing"
NEVER: Final = "never"
WINDOW_MONTHS: Final = {"min_months": 3, "max_months": 36, "special_min_months": 12}
ITEM_SEPARATOR: Final = ";"
FINE_IN_YUAN = r"罚款(?:人民币)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*元"


# --- our own rules -------------------------------------------------------------------------------------------


def items_in_set_ok(s: pd.Series, value_set: list[str], separator: str) -> pd.Series:
    allowed = set(value_set)
    ok = on_distinct(s, lambda u: u.map(lambda v: set(v.split(separator)) <= allowed), True, "bool")
    return passing(s.index, ok)


def listed_items_have_value_ok(frame: pd.DataFrame, items: list[str], positive: bool) -> pd.Series:
    listed = lists_any(frame.iloc[:, 0], items)
    value = frame.iloc[:, 1]
    has = present(value)
    if positive:
        numbers = amounts(value)
        has &= np.isnan(numbers) | (numbers > 0)  # an unparseable amount is the format rule's business
    return passing(frame.index, ~listed | has)


def iso_dates_ok(s: pd.Series) -> pd.Series:
    _, valid = day_numbers(s)
    return passing(s.index, valid | ~present(s))


def dates_between_ok(s: pd.Series, min_date: str | None, max_date: str | None) -> pd.Series:
    days, valid = day_numbers(s)
    ok = np.ones(len(s), dtype=bool)
    if min_date:
        ok &= days >= day_number(min_date)
    if max_date:
        ok &= days <= day_number(max_date)
    return passing(s.index, ok | ~valid)


def dates_in_order_ok(first: pd.Series, then: pd.Series, open_end: str | None) -> pd.Series:
    a, a_ok = day_numbers(first)
    b, b_ok = day_numbers(then)
    ok = (a <= b) | ~(a_ok & b_ok)
    if open_end:
        ok |= b_ok & (b == day_number(open_end))
    return passing(first.index, ok)


def publication_window_ok(
    frame: pd.DataFrame, min_months: int, max_months: int, special_min_months: int, special_keywords: list[str]
) -> pd.Series:
    decided, decided_ok = day_numbers(frame.iloc[:, 0])
    until, until_ok = day_numbers(frame.iloc[:, 1])
    special = contains_any(frame.iloc[:, 2:], special_keywords)
    shortest = np.where(special, add_months(decided, special_min_months), add_months(decided, min_months))
    ok = (until >= shortest) & (until <= add_months(decided, max_months))
    return passing(frame.index, ok | ~(decided_ok & until_ok))


def fine_unit_plausible_ok(frame: pd.DataFrame) -> pd.Series:
    stated = on_distinct(
        frame.iloc[:, 0],
        lambda u: pd.to_numeric(
            u.str.extract(FINE_IN_YUAN, expand=False).str.replace(",", "", regex=False), errors="coerce"
        ),
        np.nan,
        "float64",
    )
    entered = amounts(frame.iloc[:, 1])
    suspicious = (stated > 0) & np.isclose(entered, stated, rtol=0, atol=1e-6)
    return passing(frame.index, ~suspicious)


def storable_ok(s: pd.Series, field_type: str) -> pd.Series:
    stored = storable.STORED[field_type]
    fits = on_distinct(s, lambda values: values.map(stored.holds), True, "bool")
    return passing(s.index, fits | ~present(s))


def one_content_per_key_ok(keys: pd.Series, contents: pd.Series) -> pd.Series:
    pairs = pd.DataFrame({"k": keys.to_numpy(), "c": contents.to_numpy()})
    versions = pairs.groupby("k", sort=False, dropna=True)["c"].transform("nunique").to_numpy(dtype=float, na_value=0)
    return passing(keys.index, versions <= 1)  # a row without a key has no versions


def reported_in_time_ok(decided: pd.Series, reported: pd.Series, working_days: int) -> pd.Series:
    return default_calendar().timeliness(decided, reported, working_days).ne(LATE)


def known_calendar_ok(decided: pd.Series, working_days: int) -> pd.Series:
    decisions = as_dates(decided)
    return decisions.isna() | default_calendar().deadlines(decisions, working_days).notna()


# --- GX's built-in types, as GX's pandas metrics compute them ------------------------------------------------


def in_set_ok(s: pd.Series, value_set: list | None) -> pd.Series | np.ndarray:
    return np.ones(len(s), dtype=bool) if value_set is None else s.isin(value_set)


def not_in_set_ok(s: pd.Series, value_set: list | None) -> pd.Series | np.ndarray:
    return np.ones(len(s), dtype=bool) if value_set is None else ~s.isin(value_set)


def match_regex_ok(s: pd.Series, regex: str) -> pd.Series:
    return s.astype(str).str.contains(regex)


def not_match_regex_ok(s: pd.Series, regex: str) -> pd.Series:
    return ~s.astype(str).str.contains(regex)


def strftime_ok(s: pd.Series, strftime_format: str) -> np.ndarray:
    def parses(value: str) -> bool:
        try:
            datetime.strptime(value, strftime_format)  # noqa: DTZ007 - a format check, no instant
        except ValueError:
            return False
        return True

    return on_distinct(s, lambda u: u.map(parses), True, "bool")  # strptime once per distinct value


# --- the table -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How an expectation type is evaluated: ``shape`` "column" (the condition gets the column), "column_pair"
    (column_A, column_B) or "multicolumn" (the frame of column_list); ``values``: the value arguments and their
    defaults; ``ignore_row_if``: its default for pair and multicolumn types; ``filter_missing``: a column type sees
    only the column's present (non-null) values."""

    shape: str
    condition: Callable[..., Any]
    values: Mapping[str, Any] = field(default_factory=dict)
    ignore_row_if: str | None = None
    filter_missing: bool = True


def _column(condition: Callable[..., Any], **values: Any) -> Kind:
    return Kind("column", condition, values)


KINDS: Final[Mapping[str, Kind]] = {
    # GX's built-in types
    "expect_column_values_to_not_be_null": Kind("column", lambda s: ~s.isnull(), filter_missing=False),
    "expect_column_values_to_be_null": Kind("column", lambda s: s.isnull(), filter_missing=False),
    "expect_column_values_to_be_in_set": _column(in_set_ok, value_set=None),
    "expect_column_values_to_not_be_in_set": _column(not_in_set_ok, value_set=None),
    "expect_column_values_to_match_regex": _column(match_regex_ok, regex=None),
    "expect_column_values_to_not_match_regex": _column(not_match_regex_ok, regex=None),
    "expect_column_values_to_match_strftime_format": _column(strftime_ok, strftime_format=None),
    # ours (citycredit.validate.expectations)
    "expect_column_values_to_be_valid_uscc": _column(identifiers.uscc_check_ok),
    "expect_column_values_to_be_valid_id_card": _column(identifiers.id_card_ok),
    "expect_column_values_to_be_valid_registration_number": _column(identifiers.regno_ok),
    "expect_column_values_to_be_valid_org_code": _column(identifiers.org_code_ok),
    "expect_column_values_to_be_storable": _column(storable_ok, field_type=None),
    "expect_column_values_items_to_be_in_set": _column(items_in_set_ok, value_set=None, separator=ITEM_SEPARATOR),
    "expect_column_values_to_be_iso_dates": _column(iso_dates_ok),
    "expect_column_values_to_be_dates_between": _column(dates_between_ok, min_date=None, max_date=None),
    "expect_column_values_to_have_known_working_day_calendar": _column(known_calendar_ok, working_days=None),
    "expect_column_pair_dates_to_be_in_order": Kind(
        "column_pair", dates_in_order_ok, {"open_end": None}, EITHER_VALUE_MISSING
    ),
    "expect_column_pair_values_to_be_reported_within_working_days": Kind(
        "column_pair", reported_in_time_ok, {"working_days": None}, EITHER_VALUE_MISSING
    ),
    "expect_natural_key_to_have_one_content": Kind("column_pair", one_content_per_key_ok, {}, EITHER_VALUE_MISSING),
    "expect_listed_items_to_have_value": Kind(
        "multicolumn", listed_items_have_value_ok, {"items": None, "positive": False}, NEVER
    ),
    "expect_fine_unit_to_be_plausible": Kind("multicolumn", fine_unit_plausible_ok, {}, ANY_VALUE_MISSING),
    "expect_publication_deadline_within_window": Kind(
        "multicolumn", publication_window_ok, {**WINDOW_MONTHS, "special_keywords": []}, NEVER
    ),
}

BATCH_WIDE: Final = {"expect_natural_key_to_have_one_content": "column_A"}
