"""GX expectations for the reporting deadline counted in official working days (see citycredit.validate.workdays).

The number of working days is a kwarg of each expectation, so the suites state the rule. Both evaluate whole
columns at once with the default calendar (citycredit.validate.rules.conditions). Pandas batches only: the
calendar lives in Python, not in SQL.

- expect_column_pair_values_to_be_reported_within_working_days: column_A is the decision date, column_B the
  reported date; a row is unexpected when it was reported after its deadline. Rows whose deadline is
  indeterminate or whose dates are missing or unparseable pass here: other expectations report them.
- expect_column_values_to_have_known_working_day_calendar: a decision date is unexpected when its deadline
  cannot be determined because a day it needs lies in a year the calendar does not know.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from great_expectations.compatibility import pydantic
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation, ColumnPairMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    ColumnPairMapMetricProvider,
    column_condition_partial,
    column_pair_condition_partial,
)

from citycredit.validate.rules.conditions import EITHER_VALUE_MISSING, known_calendar_ok, reported_in_time_ok

WORKING_DAYS_DESCRIPTION = "The deadline is this many working days after the decision date (that day excluded)."

if TYPE_CHECKING:  # a pydantic (v1) constrained type is a call, which a type checker does not take as a type
    WorkingDays = int
else:
    WorkingDays = pydantic.conint(strict=True, ge=1)


class ColumnPairValuesReportedWithinWorkingDays(ColumnPairMapMetricProvider):
    condition_metric_name = "column_pair_values.reported_within_working_days"
    condition_value_keys = ("working_days",)

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A, column_B, working_days, **kwargs):
        return reported_in_time_ok(column_A, column_B, working_days)


class ColumnValuesKnownWorkingDayCalendar(ColumnMapMetricProvider):
    condition_metric_name = "column_values.known_working_day_calendar"
    condition_value_keys = ("working_days",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, working_days, **kwargs):
        return known_calendar_ok(column, working_days)


class ExpectColumnPairValuesToBeReportedWithinWorkingDays(ColumnPairMapExpectation):
    """Expect each record to be reported (column_B) no later than its deadline counted from column_A."""

    working_days: WorkingDays = pydantic.Field(description=WORKING_DAYS_DESCRIPTION)
    ignore_row_if: Literal["both_values_are_missing", "either_value_is_missing", "neither"] = EITHER_VALUE_MISSING

    map_metric: ClassVar[str] = "column_pair_values.reported_within_working_days"
    success_keys = ("column_A", "column_B", "ignore_row_if", "working_days", "mostly")
    args_keys = ("column_A", "column_B", "working_days")


class ExpectColumnValuesToHaveKnownWorkingDayCalendar(ColumnMapExpectation):
    """Expect the working-day calendar to know every day needed to compute each row's deadline."""

    working_days: WorkingDays = pydantic.Field(description=WORKING_DAYS_DESCRIPTION)

    map_metric: ClassVar[str] = "column_values.known_working_day_calendar"
    success_keys = ("working_days", "mostly")
    args_keys = ("column", "working_days")
