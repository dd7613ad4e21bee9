"""The rule suites on hand-built known-answer feeds: every row's findings as written down in expected.yaml.

Each feed is checked as the department might deliver it: UTF-8 CSV (the fixture), GBK CSV and XLSX, through the
same readers, normalization and suites as the pipeline (`citycredit.validate.selfcheck.run_check`).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

from citycredit.core import config
from citycredit.validate import file_findings
from citycredit.validate.selfcheck import run_check
from citycredit.validate.suites import suite_definition

KNOWN = Path(__file__).parents[1] / "data" / "known_answers"
EXPECTED = yaml.safe_load((KNOWN / "expected.yaml").read_text(encoding="utf-8"))
REPORTED_ON = date.fromisoformat(str(EXPECTED["reported_on"]))
DATASETS = ("license", "penalty", "credit_list")


def as_gbk(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_text(encoding="utf-8").encode("gbk"))
    return target


def as_xlsx(source: Path, target: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    with source.open(encoding="utf-8", newline="") as fh:
        for cells in csv.reader(fh):
            sheet.append([c if c else None for c in cells])
    workbook.save(target)
    return target


FORMATS = {
    "utf8_csv": lambda source, tmp: source,
    "gbk_csv": lambda source, tmp: as_gbk(source, tmp / f"{source.stem}_gbk.csv"),
    "xlsx": lambda source, tmp: as_xlsx(source, tmp / f"{source.stem}.xlsx"),
}


def findings_by_row(result) -> dict[int, list[str]]:
    by_row: dict[int, list[str]] = {}
    for f in result.findings.itertuples(index=False):
        by_row.setdefault(int(f.source_row), []).append(f.rule_id)
    return {row: sorted(rules) for row, rules in by_row.items()}


@pytest.fixture(scope="module")
def utf8_results():
    return {d: run_check(KNOWN / f"{d}.csv", d, REPORTED_ON) for d in DATASETS}


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_row_has_exactly_its_expected_findings(utf8_results, dataset):
    result = utf8_results[dataset]
    expected = {row: sorted(rules) for row, rules in EXPECTED[dataset].items()}
    assert result.rows == len(expected)
    got = findings_by_row(result)
    assert {row: got.get(row, []) for row in expected} == expected
    assert set(got) <= set(expected)


@pytest.mark.parametrize("dataset", DATASETS)
def test_the_expected_rules_exist_in_the_suite(dataset):
    rule_ids = {e["meta"]["rule_id"] for e in suite_definition(dataset)["expectations"]} | file_findings.RULES
    assert {r for rules in EXPECTED[dataset].values() for r in rules} <= rule_ids


@pytest.mark.parametrize("dataset", DATASETS)
def test_the_dataset_is_recognised_from_the_headers(dataset):
    assert run_check(KNOWN / f"{dataset}.csv", None, REPORTED_ON).dataset == dataset


@pytest.mark.parametrize("fmt", ["gbk_csv", "xlsx"])
@pytest.mark.parametrize("dataset", DATASETS)
def test_each_format_gives_the_same_findings(utf8_results, tmp_path, dataset, fmt):
    path = FORMATS[fmt](KNOWN / f"{dataset}.csv", tmp_path)
    result = run_check(path, None, REPORTED_ON)
    columns = ["source_row", "rule_id", "field", "label", "severity", "message"]
    key = ["source_row", "rule_id"]
    assert result.dataset == dataset
    assert (
        result.findings[columns].sort_values(key).reset_index(drop=True).astype(str).values.tolist()
        == utf8_results[dataset].findings[columns].sort_values(key).reset_index(drop=True).astype(str).values.tolist()
    )


def test_findings_name_the_chinese_label_of_their_field(utf8_results):
    findings = utf8_results["penalty"].findings.set_index(["source_row", "rule_id"])
    assert findings.loc[(5, "CF-PLAU-NR_FK-UNIT"), "label"] == "罚款金额（万元）"
    assert findings.loc[(16, "CF-TIME-LATE"), "label"] == "处罚决定日期"
    assert findings.loc[(19, "CF-DATE-ORDER-JDRQ-GSJZQ"), "label"] == "公示截止期"
    assert findings.loc[(8, "CF-PLAU-SUMMARY"), "label"] == "行政处罚决定书文号"
    labels = {f.label for f in config.fields("penalty")}
    assert set(findings["label"].dropna()) <= labels


def test_severities_decide_what_a_clerk_must_fix(utf8_results):
    findings = utf8_results["license"].findings
    severity = dict(zip(findings["rule_id"], findings["severity"], strict=False))
    assert severity["XK-TIME-LATE"] == "warning"  # late rows are loaded and counted as 迟报
    assert severity["XK-DUP-KEY"] == "warning"
    assert severity["XK-ID-XDR_SHXYM-PREFIX-GT"] == "warning"
    assert severity["XK-ID-XDR_SHXYM"] == "error"
    assert severity["XK-REQ-XDR_GSZC-PLACEHOLDER"] == "error"
