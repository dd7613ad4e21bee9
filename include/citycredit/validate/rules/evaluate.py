"""A suite's expectations evaluated without Great Expectations, with the meaning GX's pandas validation gives them.

GX's own validation of a pandas batch costs its import (seconds: more than the whole self-check of a small file)
and, per expectation, copies of the whole frame — filtered by the row condition, by missing values, by the
unexpected rows, for the index list — and a result object. Here each expectation of a suite keeps GX's meaning:

- the condition is the expectation type's ``Kind`` (citycredit.validate.rules.conditions), called with the value
  arguments as GX resolves them: the expectation's own, else the type's default;
- the domain follows ``PandasExecutionEngine.get_domain_records``: the row condition (GX's structured conditions:
  comparison, nullity, and, or) selects the rows ``DataFrame.query`` would with GX's filter clause (a missing
  value equals nothing: ``!=`` and ``NOT_IN`` select it, every other comparison does not); ``ignore_row_if``
  drops rows with missing values among the pair or list; a column type sees only the present values unless GX's
  metric sets ``filter_column_isnull = False``;
- ``element_count`` is the row count after the row condition (as GX's, rows ``ignore_row_if`` drops included); the
  unexpected rows are those of the domain that do not meet the condition.

``mostly`` decides only whether GX calls an expectation a success; the unexpected rows are the same whatever it
is, and findings are made of those rows, so it plays no part here. Only the columns an expectation reads are ever
copied. The rules themselves stay in the suite JSON; nothing here knows any rule. ``tests/validate/test_parity.py``
checks that this gives GX's findings and counts.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from citycredit.validate.rules.conditions import KINDS, Kind

_SELECTS_MISSING = {"!=", "NOT_IN"}
_COMPARISONS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "IN": lambda s, values: s.isin(values),
    "NOT_IN": lambda s, values: ~s.isin(values),
}
_ALL_MISSING = ("both_values_are_missing", "all_values_are_missing")
_ANY_MISSING = ("either_value_is_missing", "any_value_is_missing")


class UnsupportedRule(ValueError):
    """An expectation the evaluator cannot give GX's meaning to (an unknown type or form of row condition)."""


@dataclass(frozen=True)
class MapRule:
    """One expectation of a suite, ready to evaluate over frames."""

    expectation: Mapping[str, Any]  # as the suite states it: type, kwargs, meta
    kind: Kind
    columns: tuple[str, ...]  # the columns the condition reads, in its argument order
    row_condition: Mapping[str, Any] | None
    ignore_row_if: str | None
    values: dict[str, Any]

    @property
    def meta(self) -> Mapping[str, Any]:
        return self.expectation["meta"]

    @property
    def kwargs(self) -> Mapping[str, Any]:
        return self.expectation["kwargs"]

    def evaluate(self, frame: pd.DataFrame) -> tuple[int, np.ndarray]:
        """The rule's element count over ``frame`` and the positions (into ``frame``) of its unexpected rows."""
        domain = np.ones(len(frame), dtype=bool)
        if self.row_condition:
            domain &= selected(frame, self.row_condition)
        element_count = int(domain.sum())  # GX counts the rows ignore_row_if drops
        missing = [frame[c].isna().to_numpy() for c in self.columns]
        if self.ignore_row_if in _ANY_MISSING:
            domain &= ~np.logical_or.reduce(missing)
        elif self.ignore_row_if in _ALL_MISSING:
            domain &= ~np.logical_and.reduce(missing)
        if self.kind.shape == "column" and self.kind.filter_missing:
            domain &= ~missing[0]
        positions = np.flatnonzero(domain)
        if not len(positions):
            return element_count, positions
        whole = len(positions) == len(frame)
        if self.kind.shape == "multicolumn":
            part = frame[list(self.columns)]
            args: tuple = (part if whole else part.take(positions),)
        else:  # each column taken alone: a frame of them cost more than the condition on a small chunk
            args = tuple(frame[c] if whole else frame[c].take(positions) for c in self.columns)
        meets = np.asarray(self.kind.condition(*args, **self.values), dtype=bool)
        return element_count, positions[~meets]


def map_rule(expectation: Mapping[str, Any]) -> MapRule:
    """The MapRule of one expectation of a suite JSON (``type``, ``kwargs``, ``meta``); UnsupportedRule for a type
    or a row condition it does not know."""
    kind = KINDS.get(expectation["type"])
    if kind is None:
        raise UnsupportedRule(f"{expectation['type']}: no GX-free evaluation of this expectation type")
    kwargs = expectation["kwargs"]
    if kind.shape == "multicolumn":
        columns = tuple(kwargs["column_list"])
    elif kind.shape == "column_pair":
        columns = (kwargs["column_A"], kwargs["column_B"])
    else:
        columns = (kwargs["column"],)
    condition = kwargs.get("row_condition") or None
    if condition is not None:
        _check_condition(condition)
    return MapRule(
        expectation=expectation,
        kind=kind,
        columns=columns,
        row_condition=condition,
        ignore_row_if=None if kind.shape == "column" else kwargs.get("ignore_row_if") or kind.ignore_row_if,
        values={k: kwargs[k] if kwargs.get(k) is not None else default for k, default in kind.values.items()},
    )


def _check_condition(condition: Any) -> None:
    if not isinstance(condition, Mapping) or condition.get("type") not in ("comparison", "nullity", "and", "or"):
        raise UnsupportedRule(f"row_condition {condition!r}: only GX's comparison, nullity, and, or are evaluated")
    if condition["type"] == "comparison" and condition["operator"] not in _COMPARISONS:
        raise UnsupportedRule(f"row_condition {condition!r}: unknown operator")
    for part in condition.get("conditions", ()):
        _check_condition(part)


def selected(frame: pd.DataFrame, condition: Mapping[str, Any]) -> np.ndarray:
    """The rows a GX row condition selects: those ``frame.query`` keeps with GX's pandas filter clause."""
    kind = condition["type"]
    if kind in ("and", "or"):
        parts = [selected(frame, c) for c in condition["conditions"]]
        return np.logical_and.reduce(parts) if kind == "and" else np.logical_or.reduce(parts)
    column = frame[condition["column"]["name"]]
    missing = column.isnull().to_numpy(dtype=bool)
    if kind == "nullity":
        return missing if condition["is_null"] else ~missing
    op = condition["operator"]
    mask = pd.Series(_COMPARISONS[op](column, condition["parameter"])).to_numpy(dtype=bool, na_value=False)
    # as query has it whatever the column's dtype (NaN or NA for a missing value)
    return np.where(missing, op in _SELECTS_MISSING, mask)
