"""Running the rule suites under expectations/ on normalized rows, and turning GX results into findings.

The suites are the one statement of every rule (docs/architecture.md invariant 2). Each expectation's ``meta`` carries
``rule_id``, ``category``, ``severity`` and the Chinese ``message``; the field is the expectation's column, or
``meta.field`` for rules over several columns. This module only runs them and reshapes the results: through the
GX-free evaluation of citycredit.validate.rules (the ingest and the self-check), or, when asked, GX's own
validation (gx_validation) for chunks of up to GX_RESULTS_MAX_ROWS rows: what tests/validate/test_parity.py holds
the GX-free evaluation to, on every fixture. Neither path imports GX unless GX is asked for: a delivery of ten rows
does not pay seconds of GX's import and its validation of every expectation.
"""

from __future__ import annotations

import collections
import functools
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from citycredit.core import config, datasets, paths
from citycredit.normalize import headers
from citycredit.validate import file_findings, gx_validation, keyed_rows
from citycredit.validate.file_findings import FINDING_COLUMNS, MISSING_COLUMN_RULE
from citycredit.validate.rules import evaluate
from citycredit.validate.rules.conditions import BATCH_WIDE

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["FINDING_COLUMNS", "MISSING_COLUMN_RULE", "SuiteError", "Validator", "suite_definition", "validate_batch"]
CATEGORIES = {
    "required",
    "format",
    "identifier",
    "code_table",
    "consistency",
    "timeliness",
    "duplicate",
    "plausibility",
}
SEVERITIES = {"error", "warning"}


class SuiteError(ValueError):
    """A suite file that does not state its rules completely."""


@dataclass(frozen=True)
class RuleOutcome:
    rule_id: str
    category: str
    severity: str
    evaluated: int
    failed: int


@functools.cache
def suite_definition(dataset: str) -> dict:
    """The suite JSON of a dataset, checked for complete rule metadata."""
    path = paths.EXPECTATIONS_DIR / f"{dataset}.json"
    try:
        suite = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SuiteError(f"{path}: no suite for dataset {dataset!r}") from exc
    seen = set()
    for i, exp in enumerate(suite.get("expectations", [])):
        meta = exp.get("meta", {})
        where = f"{path.name}: expectations[{i}] ({exp.get('type')})"
        for key in ("rule_id", "category", "severity", "message"):
            if not meta.get(key):
                raise SuiteError(f"{where}: meta.{key} is missing")
        if meta["category"] not in CATEGORIES:
            raise SuiteError(f"{where}: meta.category {meta['category']!r} not in {sorted(CATEGORIES)}")
        if meta["severity"] not in SEVERITIES:
            raise SuiteError(f"{where}: meta.severity {meta['severity']!r} not in {sorted(SEVERITIES)}")
        if meta["rule_id"] in seen:
            raise SuiteError(f"{where}: rule_id {meta['rule_id']} is used twice")
        seen.add(meta["rule_id"])
    return suite


@dataclass(frozen=True)
class _Part:
    """Rules of a suite that run together: the name of their GX suite, their expectations and their map rules."""

    name: str
    expectations: list[dict]
    rules: list[evaluate.MapRule]


class _Suites:
    """A dataset's suite: the row rules (run per chunk) and the batch-wide rules (run once)."""

    def __init__(self, dataset: str):
        expectations = suite_definition(dataset)["expectations"]
        row = [e for e in expectations if e["type"] not in BATCH_WIDE]
        wide = [e for e in expectations if e["type"] in BATCH_WIDE]
        try:
            self.row = _Part(dataset, row, [evaluate.map_rule(e) for e in row])
            self.batch_wide = _Part(f"{dataset}.batch", wide, [evaluate.map_rule(e) for e in wide])
        except evaluate.UnsupportedRule as exc:
            raise SuiteError(f"{dataset}: {exc}") from exc
        self.batch_wide_columns = sorted(
            {e["kwargs"][k] for e in wide for k in ("column", "column_A", "column_B") if k in e["kwargs"]}
        )
        keys = {e["kwargs"][BATCH_WIDE[e["type"]]] for e in wide}
        if keys - {"_natural_key"}:
            raise SuiteError(f"{dataset}: the batch-wide rules must compare rows by _natural_key, not {sorted(keys)}")
        # The unconditional and conditional "must be filled" rules: folded into one finding when a file fails
        # one of them on every row (file_findings.AllRowsFailing).
        self.required_messages = {
            e["meta"]["rule_id"]: e["meta"]["message"]
            for e in row
            if e["meta"]["category"] == "required" and e["type"] == "expect_column_values_to_not_be_null"
        }


@functools.cache
def _suites(dataset: str) -> _Suites:
    return _Suites(dataset)


def derived_columns(frame: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """The frame with the columns rules need besides the canonical ones.

    ``_natural_key``: a hash of the natural key (datasets.Dataset.key: the key columns and the subject key, i.e.
    the first present of the subject identifiers, the 统一社会信用代码 placeholder counting as absent), missing
    when a key column is empty; ``_content_hash``: a hash of all canonical columns.
    """
    roles = datasets.get(dataset)
    key_parts = frame[list(roles.key_columns)].assign(_subject=roles.subject_key(frame))
    incomplete = frame[list(roles.key_columns)].isna().any(axis=1).to_numpy()
    key = pd.util.hash_pandas_object(key_parts, index=False).to_numpy().view(np.int64)
    content = pd.util.hash_pandas_object(frame[roles.columns], index=False).to_numpy().view(np.int64)
    return frame.assign(
        _natural_key=pd.arrays.IntegerArray(key, incomplete),
        _content_hash=pd.array(content, dtype="Int64"),
    )


class Validator:
    """A dataset's rules over the chunks of one batch: row rules per chunk, batch-wide rules in ``finish``; ``run``
    does it all (the self-check and the pipeline both use it, so their findings are the same).

    ``header_map``: how the file's headers matched (normalize.headers); it tells which columns the file lacks and
    gives the findings about its header row. ``gx``: chunks of up to GX_RESULTS_MAX_ROWS rows go through GX's own
    validation (the parity tests' reference); otherwise every rule is evaluated without GX (the ingest, the
    self-check, and every larger chunk): the same findings and counts. The suites are built once per process and
    shared by every Validator of the dataset.
    """

    def __init__(self, dataset: str, header_map: headers.HeaderMap | None = None, *, gx: bool = False):
        self.dataset = dataset
        self._gx = gx
        fields = config.fields(dataset)
        self._labels = {f.name: f.label for f in fields}
        self._required = [f.name for f in fields if f.required]
        self._text = [f.name for f in fields if f.type == "text"]
        self._header_map = header_map or headers.HeaderMap()
        self._absent = set(self._labels) - set(self._header_map.columns.values())
        self._suites = _suites(dataset)
        self._held_columns = list(dict.fromkeys(["_source_row", "_natural_key", "_content_hash",
                                                 *self._suites.batch_wide_columns]))  # fmt: skip
        self._seen = keyed_rows.KeyedRows("_natural_key")
        self._all_failing = file_findings.AllRowsFailing(self._suites.required_messages)
        self.outcomes: dict[str, RuleOutcome] = {}

    def run(self, frames: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        """Every finding of a batch given chunk by chunk: per chunk, then the batch-wide ones, then the file-level
        ones about its header row; the per-rule counts add up in ``outcomes``."""
        missing = tuple(self._header_map.missing_required)
        rows, found = 0, collections.Counter[tuple[str, str, str]]()
        for frame in frames:
            findings, outcomes = self.validate(frame, missing)
            add_outcomes(self.outcomes, outcomes)
            rows += len(frame)
            found.update(_counted(findings))
            yield findings
        findings, outcomes = self.finish(missing)
        add_outcomes(self.outcomes, outcomes)
        found.update(_counted(findings))
        yield findings
        findings = file_findings.header_findings(self._header_map, self._labels)
        found.update(_counted(findings))
        yield findings
        # Rules outside the suites (about the header row, booleans, exact repeats) count as well: each evaluated
        # the whole batch, and failed as often as it found something.
        for (rule_id, category, severity), failed in found.items():
            if rule_id not in self.outcomes:
                self.outcomes[rule_id] = RuleOutcome(rule_id, category, severity, max(rows, failed), failed)

    def validate(
        self, frame: pd.DataFrame, missing_columns: tuple[str, ...] = ()
    ) -> tuple[pd.DataFrame, list[RuleOutcome]]:
        """Findings (one row per failing row and rule) and per-rule counts of the row rules over a chunk.

        ``frame`` holds the canonical columns, ``_source_row`` and ``_reported_on`` (the date the batch reached
        the platform, YYYY-MM-DD). Findings on columns the file did not have at all are left out: the header
        findings say it once for the file. A required-field rule failing on every row so far is held back until
        ``finish`` (file_findings.AllRowsFailing).
        """
        if "_reported_on" not in frame.columns:
            raise ValueError("frame needs a _reported_on column: the date the rows were reported")
        frame, placeholders = file_findings.take_placeholders(frame, self._required)
        frame = derived_columns(frame, self.dataset)
        self._seen.add(frame[self._held_columns])
        findings, outcomes = self._run(self._suites.row, frame, missing_columns)
        findings = self._all_failing.sift(file_findings.name_placeholders(findings, placeholders), len(frame))
        booleans = file_findings.boolean_findings(frame, self._text, self._labels)
        return file_findings.concat([findings, booleans]), outcomes

    def finish(self, missing_columns: tuple[str, ...] = ()) -> tuple[pd.DataFrame, list[RuleOutcome]]:
        """Findings and counts of the batch-wide rules over every row passed to ``validate`` (and the exact
        repeats among them, and the required-field rules that failed on every row); then forgets them.

        The rules run once per part of the batch that holds whole keys (keyed_rows): the batch itself, or, for a
        large one, each partition of its keys."""
        parts: list[pd.DataFrame] = []
        totals: dict[str, RuleOutcome] = {}
        for frame in self._seen.parts():
            if self._suites.batch_wide.expectations:
                findings, outcomes = self._run(self._suites.batch_wide, frame, missing_columns)
                parts.append(findings)
                add_outcomes(totals, outcomes)
            parts.append(file_findings.exact_repeats(frame))
        parts.append(self._all_failing.finish(self._absent))
        self._all_failing = file_findings.AllRowsFailing(self._suites.required_messages)
        return file_findings.concat(parts), list(totals.values())

    def _run(self, part: _Part, frame: pd.DataFrame, missing_columns: tuple[str, ...]):
        through_gx = self._gx and len(frame) <= gx_validation.GX_RESULTS_MAX_ROWS
        parts, outcomes = [], []
        for meta, kwargs, element_count, rows in (_gx_results if through_gx else _evaluated)(part, frame):
            field = meta["field"] if "field" in meta else kwargs.get("column") or kwargs.get("column_A")
            outcomes.append(RuleOutcome(meta["rule_id"], meta["category"], meta["severity"], element_count, len(rows)))
            if not len(rows) or field in missing_columns:
                continue
            parts.append(
                pd.DataFrame(
                    {
                        "source_row": pd.array(rows, dtype="int64"),
                        "rule_id": meta["rule_id"],
                        "field": field,
                        "label": self._labels.get(field) if field else None,
                        "category": meta["category"],
                        "severity": meta["severity"],
                        "message": meta["message"],
                    }
                )
            )
        return file_findings.concat(parts)[FINDING_COLUMNS], outcomes


def _gx_results(part: _Part, frame: pd.DataFrame) -> Iterator[gx_validation.Evaluated]:
    """(meta, kwargs, element count, failing source rows) of each rule, from GX's validation."""
    try:
        yield from gx_validation.results(part.name, part.expectations, frame)
    except gx_validation.RuleNotEvaluated as exc:
        raise SuiteError(str(exc)) from exc


def _evaluated(part: _Part, frame: pd.DataFrame) -> Iterator[gx_validation.Evaluated]:
    """The same as ``_gx_results``, without GX (citycredit.validate.rules.evaluate)."""
    source_rows = frame["_source_row"].to_numpy()
    for rule in part.rules:
        try:
            element_count, positions = rule.evaluate(frame)
        except Exception as exc:  # as GX does: a rule that cannot be evaluated fails the validation
            raise SuiteError(f"rule {rule.meta['rule_id']} could not be evaluated: {exc}") from exc
        yield rule.meta, rule.kwargs, element_count, source_rows[positions]


CHUNK_ROWS = 200_000


def validate_batch(engine: sa.Engine, batch_id: int) -> dict[str, int]:
    """Run the dataset's suite over a staged batch; store its findings and per-rule counts (replacing earlier ones).

    Returns the number of findings by severity.
    """
    import sqlalchemy as sa  # here, not at the top: the self-check uses this module without a warehouse

    from citycredit.normalize import staged_frames

    with engine.begin() as conn:
        batch = (
            conn.execute(
                sa.text(
                    "SELECT dataset, headers, unknown_columns, missing_columns, staged_rows FROM landing.batches"
                    " WHERE batch_id = :b FOR UPDATE"
                ),
                {"b": batch_id},
            )
            .mappings()
            .one()
        )
        dataset = datasets.get(batch["dataset"])
        validator = Validator(dataset.name, _header_map(dataset.name, batch))
        for table in ("quality.findings", "quality.rule_outcomes"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE batch_id = :b"), {"b": batch_id})
        counts = {"error": 0, "warning": 0}
        for findings in validator.run(_staged_frames(conn, dataset, batch_id, batch["staged_rows"])):
            _store_findings(conn, batch_id, dataset.name, findings, counts)
        totals = validator.outcomes
        if totals:
            conn.execute(
                sa.text(
                    "INSERT INTO quality.rule_outcomes (batch_id, rule_id, category, severity, evaluated, failed)"
                    " VALUES (:b, :rule_id, :category, :severity, :evaluated, :failed)"
                ),
                [{"b": batch_id, **o.__dict__} for o in totals.values()],
            )
        conn.execute(
            sa.text("UPDATE landing.batches SET status = 'validated', updated_at = now() WHERE batch_id = :b"),
            {"b": batch_id},
        )
    staged_frames.discard(batch_id)
    return counts


def _header_map(dataset: str, batch: Mapping[Any, Any]) -> headers.HeaderMap:
    """How the batch's headers matched, worked out again from the header row normalization recorded; from the
    recorded outcome alone for a batch staged without its header row."""
    if batch["headers"] is not None:
        return headers.map_headers(batch["headers"], dataset)
    missing = list(batch["missing_columns"] or ())
    present = {n: n for n in config.field_names(dataset) if n not in missing}
    return headers.HeaderMap(present, list(batch["unknown_columns"] or ()), missing)


def _staged_frames(
    conn: sa.Connection, dataset: datasets.Dataset, batch_id: int, staged_rows: int | None
) -> Iterator[pd.DataFrame]:
    """The batch's staged rows, chunk by chunk: from normalization's file when it holds them all (``staged_rows``,
    recorded with them), else from the warehouse."""
    from citycredit.core import copyio
    from citycredit.normalize import staged_frames

    kept = None if staged_rows is None else staged_frames.read(batch_id, staged_rows)
    if kept is not None:
        yield from kept
        return
    columns = ", ".join(["source_row AS _source_row", "reported_on AS _reported_on", *dataset.columns])
    last_row = -1
    while True:
        frame = copyio.copy_out(
            conn,
            f"SELECT {columns} FROM {dataset.staging_table} WHERE batch_id = %(b)s AND source_row > %(after)s"
            " ORDER BY source_row LIMIT %(n)s",
            {"b": batch_id, "after": last_row, "n": CHUNK_ROWS},
        )
        if frame.empty:
            return
        frame["_source_row"] = frame["_source_row"].astype("int64")
        last_row = int(frame["_source_row"].iloc[-1])
        yield frame


def _counted(findings: pd.DataFrame) -> dict[tuple[str, str, str], int]:
    """How many findings each (rule, category, severity) has."""
    return {k: int(n) for k, n in findings.groupby(["rule_id", "category", "severity"]).size().items()}


def add_outcomes(totals: dict[str, RuleOutcome], outcomes: list[RuleOutcome]) -> None:
    """Sum per-rule counts of another chunk into ``totals`` (by rule id)."""
    for o in outcomes:
        prev = totals.get(o.rule_id)
        totals[o.rule_id] = (
            o
            if prev is None
            else RuleOutcome(o.rule_id, o.category, o.severity, prev.evaluated + o.evaluated, prev.failed + o.failed)
        )


def _store_findings(
    conn: sa.Connection, batch_id: int, dataset: str, findings: pd.DataFrame, counts: dict[str, int]
) -> None:
    from citycredit.core import copyio

    if findings.empty:
        return
    frame = findings.assign(batch_id=batch_id, dataset=dataset)
    copyio.copy_in(conn, "quality.findings", frame)
    for severity, n in frame["severity"].value_counts().items():
        counts[severity] += int(n)
