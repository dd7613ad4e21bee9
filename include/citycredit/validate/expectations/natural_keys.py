"""The custom GX expectation that rows sharing a natural key share one content; importing this module registers it.

- ``expect_natural_key_to_have_one_content``: rows sharing column_A (a natural-key hash) share column_B (a
  content hash); its condition is citycredit.validate.rules.conditions.one_content_per_key_ok. It must see a
  whole batch at once (citycredit.validate.rules.conditions.BATCH_WIDE).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnPairMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnPairMapMetricProvider,
    column_pair_condition_partial,
)

from citycredit.validate.rules.conditions import EITHER_VALUE_MISSING, one_content_per_key_ok


class _OneContentPerKey(ColumnPairMapMetricProvider):
    condition_metric_name = "column_pair_values.citycredit_one_content_per_key"

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A, column_B, **kwargs):
        return one_content_per_key_ok(column_A, column_B)


class ExpectNaturalKeyToHaveOneContent(ColumnPairMapExpectation):
    """Expect the rows that share a natural key (column_A) to share one content (column_B).

    Both columns are hashes the validation runner derives per row (``_natural_key``, ``_content_hash``). Exact
    repeats agree and pass: the load step counts them as duplicates. Needs the whole batch (``BATCH_WIDE``).
    """

    ignore_row_if: Literal["both_values_are_missing", "either_value_is_missing", "neither"] = EITHER_VALUE_MISSING

    map_metric: ClassVar[str] = "column_pair_values.citycredit_one_content_per_key"
    success_keys = ("column_A", "column_B", "ignore_row_if", "mostly")
    args_keys = ("column_A", "column_B")
