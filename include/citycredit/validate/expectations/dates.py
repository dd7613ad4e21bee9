"""Custom GX expectations for dates and periods (docs/domain.md §1.5); importing this module registers their types.

Their conditions are in citycredit.validate.rules.conditions; the conventions every rule follows are in
citycredit.validate.rules.values.

- ``expect_column_values_to_be_iso_dates``: a real calendar date written ``YYYY-MM-DD``.
- ``expect_column_values_to_be_dates_between``: ``min_date`` <= date <= ``max_date`` (either optional).
- ``expect_column_pair_dates_to_be_in_order``: column_A <= column_B; ``open_end`` in column_B (2099-12-31,
  长期) means "no end".
- ``expect_publication_deadline_within_window``: 公示截止期 between 决定日期 + ``min_months`` and 决定日期 +
  ``max_months`` (``special_min_months`` when a keyword appears in the text columns); month arithmetic keeps
  the day of month, clamped at the month's end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

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

from citycredit.validate.rules.conditions import (
    EITHER_VALUE_MISSING,
    NEVER,
    WINDOW_MONTHS,
    dates_between_ok,
    dates_in_order_ok,
    iso_dates_ok,
    publication_window_ok,
)


class _IsoDates(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citycredit_iso_date"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return iso_dates_ok(column)


class _DatesBetween(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citycredit_dates_between"
    condition_value_keys = ("min_date", "max_date")

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, min_date, max_date, **kwargs):
        return dates_between_ok(column, min_date, max_date)


class _DatesInOrder(ColumnPairMapMetricProvider):
    condition_metric_name = "column_pair_values.citycredit_dates_in_order"
    condition_value_keys = ("open_end",)

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A, column_B, open_end, **kwargs):
        return dates_in_order_ok(column_A, column_B, open_end)


class _PublicationWindow(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.citycredit_publication_window"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")
    condition_value_keys = ("min_months", "max_months", "special_min_months", "special_keywords")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, min_months, max_months, special_min_months, special_keywords, **kwargs):
        return publication_window_ok(column_list, min_months, max_months, special_min_months, special_keywords)


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
    ignore_row_if: Literal["both_values_are_missing", "either_value_is_missing", "neither"] = EITHER_VALUE_MISSING

    map_metric: ClassVar[str] = "column_pair_values.citycredit_dates_in_order"
    success_keys = ("column_A", "column_B", "ignore_row_if", "open_end", "mostly")
    args_keys = ("column_A", "column_B")


if TYPE_CHECKING:  # a pydantic (v1) constrained type is a call, which a type checker does not take as a type
    Months = int
else:
    Months = pydantic.conint(ge=0)


class ExpectPublicationDeadlineWithinWindow(MulticolumnMapExpectation):
    """Expect 公示截止期 (column_list[1]) within its window after 决定日期 (column_list[0]).

    The window is [decision + min_months, decision + max_months]; the lower end is decision +
    special_min_months when column_list[2:] (texts such as 违法行为类型, 处罚依据) contain a special keyword.
    Rows where either date is missing or not a date pass.
    """

    min_months: Months = WINDOW_MONTHS["min_months"]
    max_months: Months = WINDOW_MONTHS["max_months"]
    special_min_months: Months = WINDOW_MONTHS["special_min_months"]
    special_keywords: list[str] = pydantic.Field(default_factory=list)
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = NEVER

    map_metric: ClassVar[str] = "multicolumn_values.citycredit_publication_window"
    success_keys = ("min_months", "max_months", "special_min_months", "special_keywords", "mostly")
