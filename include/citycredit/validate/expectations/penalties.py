"""Custom GX expectations for the plausibility of a penalty (docs/domain.md §1.6).

Importing this module registers their types. The condition is in citycredit.validate.rules.conditions; the
conventions every rule follows are in citycredit.validate.rules.values.

- ``expect_fine_unit_to_be_plausible``: 处罚内容 saying "罚款N元" next to 罚款金额（万元） equal to N.

The 简易程序 rules need no expectation of their own: a marker in the text (regular expressions in the suite) is
the only sign of the procedure. Fines and penalty types are not: most small fines and warnings on real records
come from the general procedure.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import MulticolumnMapMetricProvider
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)

from citycredit.validate.rules.conditions import ANY_VALUE_MISSING, fine_unit_plausible_ok


class _FineUnitPlausible(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.citycredit_fine_unit_plausible"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, **kwargs):
        return fine_unit_plausible_ok(column_list)


class ExpectFineUnitToBePlausible(MulticolumnMapExpectation):
    """Expect 罚款金额（万元） (column_list[1]) not to equal N where 处罚内容 (column_list[0]) says "罚款N元"."""

    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = ANY_VALUE_MISSING

    map_metric: ClassVar[str] = "multicolumn_values.citycredit_fine_unit_plausible"
    success_keys = ("mostly",)
