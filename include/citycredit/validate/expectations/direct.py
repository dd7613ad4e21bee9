"""A suite's map expectations evaluated straight through their GX metric functions, for large frames.

GX's own validation of a pandas batch filters the whole frame (every column) several times per expectation
— by its row condition, by missing values, by the unexpected rows, for the index list — and builds a full
result object for each. On a frame of hundreds of thousands of rows that copying is most of the cost. Here each
expectation of the suite keeps GX's meaning exactly, taken from GX itself:

- the metric function is the one GX registered for the expectation's ``map_metric`` (built-in or ours in
  citycredit.validate.expectations), called with the value kwargs GX derives from the expectation
  (``get_metric_kwargs``, defaults included);
- the domain follows ``PandasExecutionEngine.get_domain_records``: the row condition is GX's own filter clause
  for pandas (``condition_to_filter_clause``), evaluated to a mask; ``ignore_row_if`` drops rows with missing
  values among the pair or list; a column map metric sees only the present values unless its provider sets
  ``filter_column_isnull = False``;
- ``element_count`` is the row count after the row condition (as GX's, rows ``ignore_row_if`` drops
  included); the unexpected rows are those of the domain the metric does not meet.

Only the columns an expectation reads are ever copied. The rules themselves stay in the suite JSON; nothing
here knows any rule. ``tests/validate/test_validation.py`` checks that this gives GX's findings and counts.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
from great_expectations.expectations.registry import get_expectation_impl, get_metric_kwargs, get_metric_provider
from great_expectations.expectations.row_conditions import deserialize_row_condition

_ENGINE = PandasExecutionEngine()
_DOMAIN_COLUMN_KEYS = ("column", "column_A", "column_B", "column_list")


@dataclass(frozen=True)
class MapRule:
    """One map expectation of a suite, ready to evaluate over frames."""

    config: ExpectationConfiguration
    columns: tuple[str, ...]  # the columns the metric reads, in its argument order
    shape: str  # "column", "column_pair" or "multicolumn"
    row_condition: str | None  # a pandas expression (GX's filter clause), or None
    ignore_row_if: str | None
    filter_missing: bool  # a column metric sees only the column's present values
    metric: Any  # the metric function as written: (cls, *columns, **value kwargs)
    provider: type
    value_kwargs: dict

    def evaluate(self, frame: pd.DataFrame) -> tuple[int, np.ndarray]:
        """The rule's element count over ``frame`` and the positions (into ``frame``) of its unexpected rows."""
        domain = np.ones(len(frame), dtype=bool)
        if self.row_condition:
            domain &= frame.eval(self.row_condition).to_numpy(dtype=bool, na_value=False)
        element_count = int(domain.sum())  # GX counts the rows ignore_row_if drops
        missing = [frame[c].isna().to_numpy() for c in self.columns]
        if self.ignore_row_if in ("either_value_is_missing", "any_value_is_missing"):
            domain &= ~np.logical_or.reduce(missing)
        elif self.ignore_row_if in ("both_values_are_missing", "all_values_are_missing"):
            domain &= ~np.logical_and.reduce(missing)
        if self.filter_missing:
            domain &= ~missing[0]
        positions = np.flatnonzero(domain)
        part = frame[list(self.columns)].take(positions) if len(positions) < len(frame) else frame[list(self.columns)]
        if self.shape == "multicolumn":
            args = (part,)
        else:
            args = tuple(part[c] for c in self.columns)
        meets = self.metric(self.provider, *args, **self.value_kwargs, _metrics={})
        failed = ~np.asarray(meets, dtype=bool) if len(positions) else np.zeros(0, dtype=bool)
        return element_count, positions[failed]


def map_rule(expectation: dict) -> MapRule:
    """The MapRule of one expectation of a suite JSON (``type``, ``kwargs``, ``meta``)."""
    config = ExpectationConfiguration(type=expectation["type"], kwargs=expectation["kwargs"], meta=expectation["meta"])
    impl = get_expectation_impl(config.type)
    metric_name = f"{impl.map_metric}.condition"  # type: ignore[attr-defined]  # GX declares it per map base class
    kwargs = get_metric_kwargs(metric_name, config)
    domain, values = dict(kwargs["metric_domain_kwargs"]), dict(kwargs["metric_value_kwargs"])
    provider, fn = get_metric_provider(metric_name, _ENGINE)
    if "column_list" in domain:
        shape, columns = "multicolumn", tuple(domain["column_list"])
    elif "column_A" in domain:
        shape, columns = "column_pair", (domain["column_A"], domain["column_B"])
    else:
        shape, columns = "column", (domain["column"],)
    condition = domain.get("row_condition")
    if isinstance(condition, dict):
        condition = deserialize_row_condition(condition)
    # a legacy condition (condition_parser "pandas") is already a pandas expression
    clause = condition if isinstance(condition, str) or not condition else _ENGINE.condition_to_filter_clause(condition)
    return MapRule(
        config=config,
        columns=columns,
        shape=shape,
        row_condition=clause or None,
        ignore_row_if=domain.get("ignore_row_if") if shape != "column" else None,
        filter_missing=shape == "column" and getattr(provider, "filter_column_isnull", True),
        metric=inspect.unwrap(fn),
        provider=provider,  # type: ignore[arg-type]  # GX annotates an instance; it returns the provider class
        value_kwargs=values,
    )
