"""Custom GX expectations for multi-valued codes (docs/domain.md §1.6); importing this module registers their types.

The conventions every rule follows are in citycredit.validate.expectations.column_values.

- ``expect_column_values_items_to_be_in_set``: every ``;``-separated item of a multi-valued code is in the set.
- ``expect_listed_items_to_have_value``: when column_list[0] lists one of ``items``, column_list[1] is
  present (and, with ``positive``, a number > 0).
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pandas as pd
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

from citycredit.validate.expectations.column_values import amounts, lists_any, on_distinct, passing, present


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
