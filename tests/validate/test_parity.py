"""The self-check and the pipeline give the same findings (issue #17).

- The same file through ``citycredit check`` (selfcheck.run_check, reading the file itself) and through
  normalization and validation in the warehouse (staging.stage_batch, suites.validate_batch, reading the staged
  rows), compared finding by finding, file-level findings included.
- Every fixture the tests deliver — tests/data/real_shapes/, tests/data/bad/, the known answers and the
  hand-computed month — that can be read, validated through GX's own validation and without GX (suites.Validator
  with and without ``gx``; the ingest and the self-check use the latter): the same findings and per-rule counts.
- Every rule of every suite resolves, without GX, to the columns, value arguments, ``ignore_row_if`` and missing
  value filter GX derives for it, and every row condition selects the rows GX's pandas filter selects.
"""

from __future__ import annotations

import csv
import itertools
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from citycredit.core import config
from citycredit.normalize import readers, staging, standardize
from citycredit.validate import suites
from citycredit.validate.rules import evaluate
from citycredit.validate.selfcheck import run_check

DATA = Path(__file__).parents[1] / "data"
SHAPES = DATA / "real_shapes" / "headers"
# the dataset of each file of tests/data/real_shapes (its README); tests/data/bad is the 行政许可 feed's (MANIFEST)
REAL_SHAPES = {
    "commitment_types.csv": "credit_commitment",
    "commitment_fulfilment.csv": "credit_commitment",
    "case_register_cases.csv": "case_register",
    "joint_sanction_cases.csv": "joint_sanction",
    "ningbo_licenses.csv": "license",
    "ningbo_register.csv": "subject_registry",
    "samr_credit_lists.csv": "credit_list",
    "samr_not_credit_lists.csv": "credit_list",
    "shenzhen_penalties_general.csv": "penalty",
    "shenzhen_penalties_summary_marked.csv": "penalty",
    "headers/ningbo_license_codes.csv": "license",
    "headers/provincial_template_penalty.csv": "penalty",
    "headers/samr_abnormal_list.csv": "credit_list",
    "headers/shenzhen_penalty.csv": "penalty",
}
# the dataset of each feed folder of tests/data/hand_month (<department>/<department>_<feed>/), by the feed's name
HAND_MONTH_FEEDS = {
    "license": "license", "penalty": "penalty", "credit_list": "credit_list", "subjects": "subject_registry",
    "commitment": "credit_commitment", "joint_sanction": "joint_sanction", "case_register": "case_register",
    "objection": "objection", "credit_repair": "credit_repair",
}  # fmt: skip
HAND_MONTH = sorted(p for p in (DATA / "hand_month").rglob("*.*") if p.suffix in (".csv", ".xlsx"))
FIXTURES = (
    [(DATA / "real_shapes" / name, dataset) for name, dataset in REAL_SHAPES.items()]
    + [(path, "license") for path in sorted((DATA / "bad").iterdir()) if path.name != "MANIFEST.yaml"]
    + [(path, path.stem) for path in sorted((DATA / "known_answers").glob("*.csv"))]
    + [(path, HAND_MONTH_FEEDS[path.parent.name.split("_", 1)[1]]) for path in HAND_MONTH]
)
REPORTED_ON = date(2025, 9, 30)
COLUMNS = ["source_row", "rule_id", "field", "label", "category", "severity", "message"]


def whole_column_problems(path: Path) -> Path:
    """Penalty rows with an empty 处罚有效期, no 法定代表人 column, a placeholder and an exact repeat."""
    header, clean = list(csv.reader((DATA / "known_answers" / "penalty.csv").open(encoding="utf-8")))[:2]
    kept = [h for h in header if h != "法定代表人"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(kept)
        for i in range(40):
            row = dict(zip(header, clean, strict=True))
            row.update({"行政处罚决定书文号": f"平市监罚〔2025〕{i % 39}号", "处罚有效期": ""})
            row["违法事实"] = "/" if i == 3 else row["违法事实"]
            writer.writerow([row[h] for h in kept])
    return path


def as_rows(findings: pd.DataFrame) -> list[tuple]:
    frame = findings[COLUMNS].astype(object).where(findings[COLUMNS].notna(), None)
    return sorted((tuple(r) for r in frame.itertuples(index=False)), key=str)


def pipeline_findings(engine: sa.Engine, path: Path, dataset: str) -> pd.DataFrame:
    with engine.begin() as conn:
        batch_id = conn.execute(
            sa.text(
                "INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
                " stored_path, received_at, reported_on) VALUES ('scjg', 'scjg_' || :d, :d, :name, :name, 1, :path,"
                " '2025-09-30T10:00+08:00', :on) RETURNING batch_id"
            ),
            {"d": dataset, "name": path.name, "path": str(path), "on": REPORTED_ON},
        ).scalar_one()
    staging.stage_batch(engine, batch_id)
    suites.validate_batch(engine, batch_id)
    with engine.connect() as conn:
        query = sa.text(f"SELECT {', '.join(COLUMNS)} FROM quality.findings WHERE batch_id = :b")
        return pd.read_sql(query, conn, params={"b": batch_id}).astype({"source_row": "Int64"})


@pytest.mark.db
def test_check_and_pipeline_give_the_same_findings(engine, tmp_path):
    files = [
        (SHAPES / "shenzhen_penalty.csv", "penalty"),
        (SHAPES / "ningbo_license_codes.csv", "license"),
        (SHAPES / "samr_abnormal_list.csv", "credit_list"),
        (SHAPES / "provincial_template_penalty.csv", "penalty"),
        (DATA / "known_answers" / "license.csv", "license"),
        (whole_column_problems(tmp_path / "whole_columns.csv"), "penalty"),
    ]
    for path, dataset in files:
        checked = run_check(path, dataset, REPORTED_ON).findings
        assert len(checked), path.name  # every file has findings: the comparison means something
        assert as_rows(pipeline_findings(engine, path, dataset)) == as_rows(checked), path.name


def test_every_real_shapes_fixture_has_its_dataset():
    files = {str(p.relative_to(DATA / "real_shapes")) for p in (DATA / "real_shapes").rglob("*.csv")}
    assert files == set(REAL_SHAPES)


def _through(path: Path, dataset: str, gx: bool) -> tuple[list[tuple], list]:
    """The findings and per-rule counts of a file read as the self-check reads it, validated with or without GX."""
    table = readers.open_table(path, dataset=dataset)
    header_map = standardize.map_headers(table.headers, dataset)
    validator = suites.Validator(dataset, header_map, gx=gx)
    frames = (standardize.normalize_frame(raw, dataset, header_map).assign(_reported_on="2025-09-30")
              for raw in table.chunks())  # fmt: skip
    findings = pd.concat(list(validator.run(frames)), ignore_index=True)
    return as_rows(findings), sorted(validator.outcomes.values(), key=lambda o: o.rule_id)


@pytest.mark.parametrize(("path", "dataset"), FIXTURES, ids=[f"{p.parent.name}/{p.name}"[:60] for p, _ in FIXTURES])
def test_every_fixture_gets_the_same_findings_with_and_without_gx(path, dataset):
    def outcome(gx: bool) -> tuple[list[tuple], list] | str:
        try:
            return _through(path, dataset, gx=gx)
        except readers.UnreadableFile as exc:  # refused before any rule runs: the same reason either way
            return exc.reason

    assert outcome(gx=False) == outcome(gx=True)


def _gx_resolution(expectation: dict) -> tuple:
    """What GX derives for an expectation: its columns, value arguments, ignore_row_if, whether a column rule sees
    only present values, and the pandas filter clause of its row condition."""
    from great_expectations.execution_engine import PandasExecutionEngine
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
    from great_expectations.expectations.registry import get_expectation_impl, get_metric_kwargs, get_metric_provider
    from great_expectations.expectations.row_conditions import deserialize_row_condition

    import citycredit.validate.expectations  # noqa: F401 - registers ours

    configuration = ExpectationConfiguration(**expectation)
    metric = f"{get_expectation_impl(configuration.type).map_metric}.condition"
    kwargs = get_metric_kwargs(metric, configuration)
    domain, values = kwargs["metric_domain_kwargs"], kwargs["metric_value_kwargs"]
    provider, _ = get_metric_provider(metric, PandasExecutionEngine())
    if "column_list" in domain:
        columns, ignore = tuple(domain["column_list"]), domain["ignore_row_if"]
    elif "column_A" in domain:
        columns, ignore = (domain["column_A"], domain["column_B"]), domain["ignore_row_if"]
    else:
        columns, ignore = (domain["column"],), None
    condition = deserialize_row_condition(domain.get("row_condition"))
    clause = PandasExecutionEngine().condition_to_filter_clause(condition) if condition else None
    return columns, dict(values), ignore, len(columns) == 1 and getattr(provider, "filter_column_isnull", True), clause


def _frame_for_conditions(rules: list[evaluate.MapRule], dtype: str) -> pd.DataFrame:
    """Every combination of values the row conditions compare: each compared value, another value, "" and missing
    in each column they read."""
    values: dict[str, set] = {}

    def collect(condition: dict) -> None:
        for part in condition.get("conditions", ()):
            collect(part)
        if "column" in condition:
            param = condition.get("parameter")
            values.setdefault(condition["column"]["name"], set()).update(
                param if isinstance(param, list) else [] if param is None else [param]
            )

    for rule in rules:
        if rule.row_condition:
            collect(dict(rule.row_condition))
    choices = [sorted(seen) + ["其他", "", None] for seen in values.values()]
    return pd.DataFrame(list(itertools.product(*choices)), columns=list(values)).astype(dtype)


@pytest.mark.parametrize("dataset", config.DATASETS)
def test_every_rule_resolves_without_gx_as_gx_resolves_it(dataset):
    expectations = suites.suite_definition(dataset)["expectations"]
    rules = [evaluate.map_rule(e) for e in expectations]
    for expectation, rule in zip(expectations, rules, strict=True):
        columns, values, ignore, filter_missing, _ = _gx_resolution(expectation)
        ours = (rule.columns, rule.values, rule.ignore_row_if, rule.kind.shape == "column" and rule.kind.filter_missing)
        assert ours == (columns, values, ignore, filter_missing), expectation["meta"]["rule_id"]
    conditional = [(e, rule) for e, rule in zip(expectations, rules, strict=True) if rule.row_condition]
    for dtype in ("str", "string", "object") if conditional else ():  # pandas' text, its NA-valued text, objects
        frame = _frame_for_conditions(rules, dtype)
        for expectation, rule in conditional:
            gx_rows = frame.index.isin(frame.query(_gx_resolution(expectation)[4]).index)
            assert (evaluate.selected(frame, rule.row_condition) == gx_rows).all(), expectation["meta"]["rule_id"]
