"""Custom GX expectations for the plausibility of a penalty (docs/domain.md §1.6).

Importing this module registers their types. The conventions every rule follows are in
citycredit.validate.expectations.column_values.

- ``expect_fine_unit_to_be_plausible``: 处罚内容 saying "罚款N元" next to 罚款金额（万元） equal to N.
- ``expect_penalty_to_be_outside_summary_procedure``: the 简易程序 heuristic (警告 only, or a fine within the
  行政处罚法 Art. 51 limits).
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from great_expectations.compatibility import pydantic
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import MulticolumnMapMetricProvider
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)

from citycredit.validate.expectations.column_values import (
    amounts,
    day_number,
    day_numbers,
    lists_any,
    lists_only,
    on_distinct,
    passing,
)

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
        applies = ~days_ok | (days >= day_number(rule.since))
        limit = np.where(applies, np.where(citizen, rule.citizen_yuan, rule.organisation_yuan), limit)
    small_fine = wan * 10_000 <= limit + 1e-6
    summary = only_summary_items & (~fined | small_fine)
    return passing(frame.index, ~summary)


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
