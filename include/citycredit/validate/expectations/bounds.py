"""A custom GX expectation that a value fits the core column it is loaded into; importing this module registers it.

- ``expect_column_values_to_be_storable``: the value, of the fields.yaml type ``field_type``, fits the SQL type
  the warehouse stores that type as (citycredit.validate.storable.STORED, the one statement of it). Without it
  罚款金额 999999999999.9999999 passed the format rule and overflowed numeric(18,6) at the load.

The condition is citycredit.validate.rules.conditions.storable_ok; the conventions every rule follows are in
citycredit.validate.rules.values.
"""

from __future__ import annotations

from typing import ClassVar

from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    column_condition_partial,
)

from citycredit.validate.rules.conditions import storable_ok


class _Storable(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citycredit_storable"
    condition_value_keys = ("field_type",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, field_type, **kwargs):
        return storable_ok(column, field_type)


class ExpectColumnValuesToBeStorable(ColumnMapExpectation):
    """Expect each present value to fit the core column of its fields.yaml type ``field_type`` (e.g. amount:
    numeric(18,6)); values that do not have the type's format pass (the format rule reports them)."""

    field_type: str

    map_metric: ClassVar[str] = "column_values.citycredit_storable"
    success_keys = ("field_type", "mostly")
