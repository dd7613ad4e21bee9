"""Custom GX expectations for the plausibility of a penalty (docs/domain.md §1.6).

Importing this module registers their types. The conventions every rule follows are in
citycredit.validate.expectations.column_values.

- ``expect_fine_unit_to_be_plausible``: 处罚内容 saying "罚款N元" next to 罚款金额（万元） equal to N.

The 简易程序 rules need no expectation of their own: a marker in the text (regular expressions in the suite) is
the only sign of the procedure. Fines and penalty types are not: most small fines and warnings on real records
come from the general procedure.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import MulticolumnMapMetricProvider
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)

from citycredit.validate.expectations.column_values import amounts, on_distinct, passing

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
    return passing(frame.index, ~suspicious)


class _FineUnitPlausible(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.citycredit_fine_unit_plausible"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, **kwargs):
        return fine_unit_plausible_ok(column_list)


class ExpectFineUnitToBePlausible(MulticolumnMapExpectation):
    """Expect 罚款金额（万元） (column_list[1]) not to equal N where 处罚内容 (column_list[0]) says "罚款N元"."""

    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "any_value_is_missing"

    map_metric: ClassVar[str] = "multicolumn_values.citycredit_fine_unit_plausible"
    success_keys = ("mostly",)
