"""Custom GX expectations for multi-valued codes (docs/domain.md §1.6); importing this module registers their types.

Their conditions are in citycredit.validate.rules.conditions; the conventions every rule follows are in
citycredit.validate.rules.values.

- ``expect_column_values_items_to_be_in_set``: every ``;``-separated item of a multi-valued code is in the set.
- ``expect_listed_items_to_have_value``: when column_list[0] lists one of ``items``, column_list[1] is
  present (and, with ``positive``, a number > 0).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation, MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    MulticolumnMapMetricProvider,
    column_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)

from citycredit.validate.rules.conditions import (
    ITEM_SEPARATOR,
    NEVER,
    items_in_set_ok,
    listed_items_have_value_ok,
)


class _ItemsInSet(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citycredit_items_in_set"
    condition_value_keys = ("value_set", "separator")

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, value_set, separator, **kwargs):
        return items_in_set_ok(column, value_set, separator)


class _ListedItemsHaveValue(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.citycredit_listed_items_have_value"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")
    condition_value_keys = ("items", "positive")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, items, positive, **kwargs):
        return listed_items_have_value_ok(column_list, items, positive)


class ExpectColumnValuesItemsToBeInSet(ColumnMapExpectation):
    """Expect every item of a multi-valued code (items joined by ``separator``) to be in value_set."""

    value_set: list[str]
    separator: str = ITEM_SEPARATOR

    map_metric: ClassVar[str] = "column_values.citycredit_items_in_set"
    success_keys = ("value_set", "separator", "mostly")
    args_keys = ("column", "value_set")


class ExpectListedItemsToHaveValue(MulticolumnMapExpectation):
    """Expect column_list[1] to be present (> 0 with ``positive``) where column_list[0] lists one of ``items``.

    An amount that is not a plain number passes here; the amount's format rule reports it.
    """

    items: list[str]
    positive: bool = False
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = NEVER

    map_metric: ClassVar[str] = "multicolumn_values.citycredit_listed_items_have_value"
    success_keys = ("items", "positive", "mostly")
