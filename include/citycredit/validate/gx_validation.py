"""Great Expectations' own validation of a suite's rules on a pandas frame.

The suites are GX suites, and GX's result is what the findings are held to: ``tests/validate/test_parity.py``
runs every fixture through this (citycredit.validate.suites.Validator with ``gx=True``) and through the GX-free
evaluation (citycredit.validate.rules.evaluate) that the ingest and the self-check use, finding by finding.
Importing GX costs seconds, so it happens here, on the first validation, never when this module is imported.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pandas as pd

# Frames up to this many rows go through GX's own validation and results when it is asked for; larger ones through
# the GX-free evaluation without GX's per-expectation copies of the whole frame (same findings, about ten times
# faster).
GX_RESULTS_MAX_ROWS = 10_000
# Failing rows by source row number only: the values themselves (身份证 numbers among them) never enter a result.
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["_source_row"],
    "exclude_unexpected_values": True,
}
Evaluated = tuple[Mapping[str, Any], Mapping[str, Any], int, Sequence[int]]  # meta, kwargs, element count, rows


class RuleNotEvaluated(Exception):
    """GX caught an exception while evaluating a rule (the message names the rule and the exception)."""


@functools.cache
def _context():
    """One ephemeral GX context per process; importing citycredit.validate.expectations registers our expectations."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    import citycredit.validate.expectations  # noqa: F401

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.data_sources.add_pandas("citycredit")
    return context


_suites: dict[str, tuple[Any, Any]] = {}  # suite name -> (batch definition, GX suite), built once per process


def _suite(name: str, expectations: list[dict]) -> tuple[Any, Any]:
    if name not in _suites:
        import great_expectations as gx

        context = _context()
        asset = context.data_sources.get("citycredit").add_dataframe_asset(name)
        batch_definition = asset.add_batch_definition_whole_dataframe("rows")
        _suites[name] = (
            batch_definition,
            context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations)),
        )
    return _suites[name]


def results(name: str, expectations: list[dict], frame: pd.DataFrame) -> Iterator[Evaluated]:
    """(meta, kwargs, element count, failing source rows) of each expectation, from GX's validation of ``frame``
    (with a ``_source_row`` column) as the suite ``name``; RuleNotEvaluated when GX could not evaluate one."""
    batch_definition, suite = _suite(name, expectations)
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    for res in batch.validate(suite, result_format=RESULT_FORMAT).results:
        config = res.expectation_config
        failure = exception_message(res.exception_info)
        if failure:
            raise RuleNotEvaluated(f"rule {config.meta['rule_id']} could not be evaluated: {failure}")
        rows = [int(r) for entry in res.result.get("unexpected_index_list") or [] for r in entry["_source_row"]]
        yield config.meta, config.kwargs, int(res.result.get("element_count") or 0), rows


def exception_message(info: dict | None) -> str | None:
    """The message of an exception GX caught while evaluating a rule, if any.

    GX reports it either flat ({"raised_exception": True, ...}) or per failed metric ({metric id: {...}}).
    """
    if not info:
        return None
    entries = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    messages = [str(e.get("exception_message")) for e in entries if e.get("raised_exception")]
    return "; ".join(messages) or None
