"""Custom GX expectations for the 双公示 rules that the built-in ones cannot state (domain.md §1.5, §1.6).

Importing this module registers the expectation types below, so that a suite JSON can name them. Every check
is vectorised over whole columns (numpy / pandas; regular expressions run once per distinct value), because
a delivery can hold millions of rows. Only the pandas engine is implemented. Values are the normalized text
of staging: dates ISO ``YYYY-MM-DD``, amounts in 万元 as plain decimals, 处罚类别 items joined by ``;``.

A rule never reports what another rule reports: an empty or unparseable value passes every rule except the
one about its presence or its format.

- ``expect_column_values_to_be_iso_dates``: a real calendar date written ``YYYY-MM-DD``.
- ``expect_column_values_to_be_dates_between``: ``min_date`` <= date <= ``max_date`` (either optional).
- ``expect_column_pair_dates_to_be_in_order``: column_A <= column_B; ``open_end`` in column_B (2099-12-31,
  长期) means "no end".
- ``expect_publication_deadline_within_window``: 公示截止期 between 决定日期 + ``min_months`` and 决定日期 +
  ``max_months`` (``special_min_months`` when a keyword appears in the text columns); month arithmetic keeps
  the day of month, clamped at the month's end.
- ``expect_column_values_items_to_be_in_set``: every ``;``-separated item of a multi-valued code is in the set.
- ``expect_listed_items_to_have_value``: when column_list[0] lists one of ``items``, column_list[1] is
  present (and, with ``positive``, a number > 0).
- ``expect_fine_unit_to_be_plausible``: 处罚内容 saying "罚款N元" next to 罚款金额（万元） equal to N.
- ``expect_penalty_to_be_outside_summary_procedure``: the 简易程序 heuristic (警告 only, or a fine within the
  行政处罚法 Art. 51 limits).
- ``expect_natural_key_to_have_one_content``: rows sharing column_A (a natural-key hash) share column_B (a
  content hash). ``BATCH_WIDE`` lists the types that must see a whole batch at once, not a chunk of it, each
  with the argument naming the key it compares rows by (so a batch may be split by that key, never within it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from great_expectations.compatibility import pydantic
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    ColumnPairMapExpectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    ColumnPairMapMetricProvider,
    MulticolumnMapMetricProvider,
    column_condition_partial,
    column_pair_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)

# --- Vectorised building blocks -------------------------------------------------------------------------------

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


def _day_number(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """Day numbers moved by whole months: the same day of the month, clamped at the month's end."""
    as_days = days.astype("datetime64[D]")
    start = as_days.astype("datetime64[M]")
    offset = (as_days - start.astype("datetime64[D]")).astype(np.int64)
    target = start + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    return (target.astype("datetime64[D]") + np.minimum(offset, length - 1)).astype(np.int64)


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


def lists_only(s: pd.Series, items: list[str], separator: str = ";") -> np.ndarray:
    """Whether each row's multi-valued code is present and lists nothing but ``items``."""
    allowed = set(items)
    return on_distinct(s, lambda u: u.map(lambda v: set(v.split(separator)) <= allowed), False, "bool")


def contains_any(frame: pd.DataFrame, keywords: list[str]) -> np.ndarray:
    """Whether any of the frame's text columns contains one of the keywords."""
    if not keywords or frame.shape[1] == 0:
        return np.zeros(len(frame), dtype=bool)
    pattern = "|".join(map(re.escape, keywords))
    hit = np.zeros(len(frame), dtype=bool)
    for name in frame.columns:
        hit |= on_distinct(frame[name], lambda u: u.str.contains(pattern, regex=True), False, "bool")
    return hit


def _pass(index: pd.Index, ok: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(ok, dtype=bool), index=index)


# --- Dates --------------------------------------------------------------------------------------------------


def iso_dates_ok(s: pd.Series) -> pd.Series:
    _, valid = day_numbers(s)
    return _pass(s.index, valid | ~present(s))


def dates_between_ok(s: pd.Series, min_date: str | None, max_date: str | None) -> pd.Series:
    days, valid = day_numbers(s)
    ok = np.ones(len(s), dtype=bool)
    if min_date:
        ok &= days >= _day_number(min_date)
    if max_date:
        ok &= days <= _day_number(max_date)
    return _pass(s.index, ok | ~valid)


def dates_in_order_ok(first: pd.Series, then: pd.Series, open_end: str | None) -> pd.Series:
    a, a_ok = day_numbers(first)
    b, b_ok = day_numbers(then)
    ok = (a <= b) | ~(a_ok & b_ok)
    if open_end:
        ok |= b_ok & (b == _day_number(open_end))
    return _pass(first.index, ok)


def publication_window_ok(
    frame: pd.DataFrame, min_months: int, max_months: int, special_min_months: int, special_keywords: list[str]
) -> pd.Series:
    decided, decided_ok = day_numbers(frame.iloc[:, 0])
    until, until_ok = day_numbers(frame.iloc[:, 1])
    special = contains_any(frame.iloc[:, 2:], special_keywords)
    shortest = np.where(special, add_months(decided, special_min_months), add_months(decided, min_months))
    ok = (until >= shortest) & (until <= add_months(decided, max_months))
    return _pass(frame.index, ok | ~(decided_ok & until_ok))


# --- Codes and amounts --------------------------------------------------------------------------------------


def items_in_set_ok(s: pd.Series, value_set: list[str], separator: str) -> pd.Series:
    allowed = set(value_set)
    ok = on_distinct(s, lambda u: u.map(lambda v: set(v.split(separator)) <= allowed), True, "bool")
    return _pass(s.index, ok)


def listed_items_have_value_ok(frame: pd.DataFrame, items: list[str], positive: bool) -> pd.Series:
    listed = lists_any(frame.iloc[:, 0], items)
    value = frame.iloc[:, 1]
    has = present(value)
    if positive:
        numbers = amounts(value)
        has &= np.isnan(numbers) | (numbers > 0)  # an unparseable amount is the format rule's business
    return _pass(frame.index, ~listed | has)


_FINE_IN_YUAN = r"罚款(?:人民币)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*元"


def fine_unit_plausible_ok(frame: pd.DataFrame) -> pd.Series:
    stated = on_distinct(
        frame.iloc[:, 0],
        lambda u: pd.to_numeric(
            u.str.extract(_FINE_IN_YUAN, expand=False).str.replace(",", "", regex=False), errors="coerce"
        ),
        np.nan,
        "float64",
    )
    entered = amounts(frame.iloc[:, 1])
    suspicious = (stated > 0) & np.isclose(entered, stated, rtol=0, atol=1e-6)
    return _pass(frame.index, ~suspicious)


class SummaryLimit(pydantic.BaseModel):
    since: str  # the first decision date these limits apply to (YYYY-MM-DD)
    citizen_yuan: float
    organisation_yuan: float


def summary_procedure_ok(
    frame: pd.DataFrame, limits: list[SummaryLimit], summary_items: list[str], citizen_categories: list[str]
) -> pd.Series:
    categories, fines, kinds, decided = (frame.iloc[:, i] for i in range(4))
    only_summary_items = lists_only(categories, summary_items)
    fined = lists_any(categories, ["罚款"])
    wan = amounts(fines)
    days, days_ok = day_numbers(decided)
    citizen = kinds.isin(citizen_categories).to_numpy(dtype=bool, na_value=False)
    limit = np.full(len(frame), np.nan)
    for rule in sorted(limits, key=lambda r: r.since):
        applies = ~days_ok | (days >= _day_number(rule.since))
        limit = np.where(applies, np.where(citizen, rule.citizen_yuan, rule.organisation_yuan), limit)
    small_fine = wan * 10_000 <= limit + 1e-6
    summary = only_summary_items & (~fined | small_fine)
    return _pass(frame.index, ~summary)


def one_content_per_key_ok(keys: pd.Series, contents: pd.Series) -> pd.Series:
    pairs = pd.DataFrame({"k": keys.to_numpy(), "c": contents.to_numpy()})
    versions = pairs.groupby("k", sort=False, dropna=True)["c"].transform("nunique").to_numpy(dtype=float, na_value=0)
    return _pass(keys.index, versions <= 1)  # a row without a key has no versions


# --- Metrics (registered when defined) ------------------------------------------------------------------------


class _IsoDates(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citycredit_iso_date"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return iso_dates_ok(column)


class _DatesBetween(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citycredit_dates_between"
    condition_value_keys = ("min_date", "max_date")

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, min_date=None, max_date=None, **kwargs):
        return dates_between_ok(column, min_date, max_date)


class _DatesInOrder(ColumnPairMapMetricProvider):
    condition_metric_name = "column_pair_values.citycredit_dates_in_order"
    condition_value_keys = ("open_end",)

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A, column_B, open_end=None, **kwargs):
        return dates_in_order_ok(column_A, column_B, open_end)


class _PublicationWindow(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.citycredit_publication_window"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")
    condition_value_keys = ("min_months", "max_months", "special_min_months", "special_keywords")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, min_months, max_months, special_min_months, special_keywords, **kwargs):
        return publication_window_ok(column_list, min_months, max_months, special_min_months, special_keywords)


class _ItemsInSet(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citycredit_items_in_set"
    condition_value_keys = ("value_set", "separator")

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, value_set, separator=";", **kwargs):
        return items_in_set_ok(column, value_set, separator)


class _ListedItemsHaveValue(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.citycredit_listed_items_have_value"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")
    condition_value_keys = ("items", "positive")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, items, positive=False, **kwargs):
        return listed_items_have_value_ok(column_list, items, positive)


class _FineUnitPlausible(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.citycredit_fine_unit_plausible"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, **kwargs):
        return fine_unit_plausible_ok(column_list)


class _SummaryProcedure(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.citycredit_outside_summary_procedure"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")
    condition_value_keys = ("limits", "summary_items", "citizen_categories")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, limits, summary_items, citizen_categories, **kwargs):
        rules = [SummaryLimit.parse_obj(r) if isinstance(r, dict) else r for r in limits]
        return summary_procedure_ok(column_list, rules, summary_items, citizen_categories)


class _OneContentPerKey(ColumnPairMapMetricProvider):
    condition_metric_name = "column_pair_values.citycredit_one_content_per_key"

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A, column_B, **kwargs):
        return one_content_per_key_ok(column_A, column_B)


# --- Expectations ---------------------------------------------------------------------------------------------

_ISO_DESCRIPTION = "A date written YYYY-MM-DD."


class ExpectColumnValuesToBeIsoDates(ColumnMapExpectation):
    """Expect each present value to be a real calendar date written YYYY-MM-DD (vectorised, any year)."""

    map_metric: ClassVar[str] = "column_values.citycredit_iso_date"
    success_keys = ("mostly",)


class ExpectColumnValuesToBeDatesBetween(ColumnMapExpectation):
    """Expect each date to lie within [min_date, max_date]; values that are not dates pass."""

    min_date: str | None = pydantic.Field(None, description=_ISO_DESCRIPTION)
    max_date: str | None = pydantic.Field(None, description=_ISO_DESCRIPTION)

    map_metric: ClassVar[str] = "column_values.citycredit_dates_between"
    success_keys = ("min_date", "max_date", "mostly")
    args_keys = ("column", "min_date", "max_date")


class ExpectColumnPairDatesToBeInOrder(ColumnPairMapExpectation):
    """Expect the date in column_A to be on or before the date in column_B.

    Rows where either value is missing or not a date pass. ``open_end`` (e.g. 2099-12-31, 长期) in column_B
    means the period has no end, so any column_A is in order.
    """

    open_end: str | None = pydantic.Field(None, description="A column_B value meaning 'no end'. " + _ISO_DESCRIPTION)
    ignore_row_if: Literal["both_values_are_missing", "either_value_is_missing", "neither"] = "either_value_is_missing"

    map_metric: ClassVar[str] = "column_pair_values.citycredit_dates_in_order"
    success_keys = ("column_A", "column_B", "ignore_row_if", "open_end", "mostly")
    args_keys = ("column_A", "column_B")


class ExpectPublicationDeadlineWithinWindow(MulticolumnMapExpectation):
    """Expect 公示截止期 (column_list[1]) within its window after 决定日期 (column_list[0]).

    The window is [decision + min_months, decision + max_months]; the lower end is decision +
    special_min_months when column_list[2:] (texts such as 违法行为类型, 处罚依据) contain a special keyword.
    Rows where either date is missing or not a date pass.
    """

    min_months: pydantic.conint(ge=0) = 3
    max_months: pydantic.conint(ge=0) = 36
    special_min_months: pydantic.conint(ge=0) = 12
    special_keywords: list[str] = pydantic.Field(default_factory=list)
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"

    map_metric: ClassVar[str] = "multicolumn_values.citycredit_publication_window"
    success_keys = ("min_months", "max_months", "special_min_months", "special_keywords", "mostly")


class ExpectColumnValuesItemsToBeInSet(ColumnMapExpectation):
    """Expect every item of a multi-valued code (items joined by ``separator``) to be in value_set."""

    value_set: list[str]
    separator: str = ";"

    map_metric: ClassVar[str] = "column_values.citycredit_items_in_set"
    success_keys = ("value_set", "separator", "mostly")
    args_keys = ("column", "value_set")


class ExpectListedItemsToHaveValue(MulticolumnMapExpectation):
    """Expect column_list[1] to be present (> 0 with ``positive``) where column_list[0] lists one of ``items``.

    An amount that is not a plain number passes here; the amount's format rule reports it.
    """

    items: list[str]
    positive: bool = False
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"

    map_metric: ClassVar[str] = "multicolumn_values.citycredit_listed_items_have_value"
    success_keys = ("items", "positive", "mostly")


class ExpectFineUnitToBePlausible(MulticolumnMapExpectation):
    """Expect 罚款金额（万元） (column_list[1]) not to equal N where 处罚内容 (column_list[0]) says "罚款N元"."""

    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "any_value_is_missing"

    map_metric: ClassVar[str] = "multicolumn_values.citycredit_fine_unit_plausible"
    success_keys = ("mostly",)


class ExpectPenaltyToBeOutsideSummaryProcedure(MulticolumnMapExpectation):
    """Expect a penalty not to look like a 简易程序 (summary procedure) decision.

    column_list: 处罚类别, 罚款金额（万元）, 行政相对人类别, 处罚决定日期. A row looks summary when its 处罚类别
    lists only ``summary_items`` (警告, 罚款) and any fine is at most the limit in 元 for the subject
    (citizen_categories use citizen_yuan, others organisation_yuan) of the latest ``limits`` entry whose
    ``since`` is on or before the decision date.
    """

    limits: list[SummaryLimit]
    summary_items: list[str] = pydantic.Field(default_factory=lambda: ["警告", "罚款"])
    citizen_categories: list[str] = pydantic.Field(default_factory=lambda: ["自然人"])
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"

    map_metric: ClassVar[str] = "multicolumn_values.citycredit_outside_summary_procedure"
    success_keys = ("limits", "summary_items", "citizen_categories", "mostly")


class ExpectNaturalKeyToHaveOneContent(ColumnPairMapExpectation):
    """Expect the rows that share a natural key (column_A) to share one content (column_B).

    Both columns are hashes the validation runner derives per row (``_natural_key``, ``_content_hash``). Exact
    repeats agree and pass: the load step counts them as duplicates. Needs the whole batch (``BATCH_WIDE``).
    """

    ignore_row_if: Literal["both_values_are_missing", "either_value_is_missing", "neither"] = "either_value_is_missing"

    map_metric: ClassVar[str] = "column_pair_values.citycredit_one_content_per_key"
    success_keys = ("column_A", "column_B", "ignore_row_if", "mostly")
    args_keys = ("column_A", "column_B")


BATCH_WIDE = {"expect_natural_key_to_have_one_content": "column_A"}
