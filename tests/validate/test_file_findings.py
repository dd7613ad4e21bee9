"""Findings about a file as a whole and about cells that say nothing was filled in (issue #17), through the
self-check (the pipeline runs the same Validator.run: tests/validate/test_parity.py)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd

from citycredit.validate.selfcheck import run_check

DATA = Path(__file__).parents[1] / "data"
SHAPES = DATA / "real_shapes" / "headers"
REPORTED_ON = date(2025, 9, 30)
PENALTY = list(csv.reader((DATA / "known_answers" / "penalty.csv").open(encoding="utf-8")))
HEADER, CLEAN = PENALTY[0], PENALTY[1]  # row 2 of the known answers has no finding


def penalty_file(path: Path, rows: int, change=lambda i, row: row, drop=(), extra_headers=()) -> Path:
    """A penalty CSV of ``rows`` distinct clean rows, each passed through ``change(i, row)`` (a dict by label)."""
    header = [h for h in HEADER if h not in drop] + list(extra_headers)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(rows):
            row = dict(zip(HEADER, CLEAN, strict=True))
            row["行政处罚决定书文号"] = f"平市监罚〔2025〕{i + 100}号"
            row = change(i, row)
            writer.writerow([row.get(h, "") for h in header])
    return path


def by_rule(findings: pd.DataFrame, rule: str) -> pd.DataFrame:
    return findings[findings["rule_id"] == rule]


def test_a_column_empty_or_absent_on_every_row_is_one_finding_for_the_file(tmp_path):
    def empty_validity(i, row):
        return {**row, "处罚有效期": ""}

    path = penalty_file(tmp_path / "p.csv", 300, empty_validity, drop=("法定代表人",))
    findings = run_check(path, "penalty", REPORTED_ON).findings
    # before: 600 lines (CF-REQ-YXQ and CF-REQ-FRDB-ORG on each of 300 rows)
    assert len(findings) == 2 and findings["source_row"].isna().all()
    messages = dict(zip(findings["rule_id"], findings["message"], strict=True))
    assert messages["CF-REQ-YXQ"].startswith("“处罚有效期”列全部300行均未填写")
    assert messages["CF-REQ-FRDB-ORG"].startswith("文件没有“法定代表人”列：行政相对人为法人及非法人组织时")
    assert set(findings["severity"]) == {"error"}  # a file-level error: every row is rejected, as before


def test_a_column_filled_on_some_rows_keeps_its_findings_per_row(tmp_path):
    def mostly_empty(i, row):
        return {**row, "处罚有效期": "" if i else row["处罚有效期"]}

    findings = run_check(penalty_file(tmp_path / "p.csv", 5, mostly_empty), "penalty", REPORTED_ON).findings
    assert by_rule(findings, "CF-REQ-YXQ")["source_row"].tolist() == [3, 4, 5, 6]  # row 2 has it


def test_a_one_row_file_keeps_its_row_finding(tmp_path):
    path = penalty_file(tmp_path / "p.csv", 1, lambda i, row: {**row, "处罚有效期": ""})
    assert by_rule(run_check(path, "penalty", REPORTED_ON).findings, "CF-REQ-YXQ")["source_row"].tolist() == [2]


def test_a_placeholder_in_a_required_field_is_missing_and_named(tmp_path):
    values = {0: "无", 1: "— —", 2: "#REF!", 3: "/"}

    def placeholders(i, row):
        row = {**row, "行政相对人名称": values.get(i, row["行政相对人名称"])}
        return {**row, "处罚机关统一社会信用代码": "-"} if i == 4 else row

    findings = run_check(penalty_file(tmp_path / "p.csv", 6, placeholders), "penalty", REPORTED_ON).findings
    assert findings[["source_row", "rule_id", "message"]].values.tolist() == [
        [2, "CF-REQ-XDR_MC", "必填项“行政相对人名称”填写了占位符“无”，视为未填写，请填写实际内容"],
        [3, "CF-REQ-XDR_MC", "必填项“行政相对人名称”填写了占位符“— —”，视为未填写，请填写实际内容"],
        [4, "CF-REQ-XDR_MC", "必填项“行政相对人名称”是Excel错误值“#REF!”（公式出错后留下的），视为未填写"],
        [5, "CF-REQ-XDR_MC", "必填项“行政相对人名称”填写了占位符“/”，视为未填写，请填写实际内容"],
        # no format or check-digit finding on the placeholder: it is a missing value, said once
        [6, "CF-REQ-CFJGDM", "必填项“处罚机关统一社会信用代码”填写了占位符“-”，视为未填写，请填写实际内容"],
    ]


def test_a_boolean_in_a_name_is_a_format_error(tmp_path):
    def boolean(i, row):
        return {**row, "行政相对人名称": "TRUE"} if i == 1 else row

    findings = run_check(penalty_file(tmp_path / "p.csv", 2, boolean), "penalty", REPORTED_ON).findings
    assert findings[["source_row", "rule_id", "label", "category", "severity"]].values.tolist() == [
        [3, "FMT-BOOLEAN", "行政相对人名称", "format", "error"]
    ]
    assert "逻辑值“TRUE”" in findings["message"].iloc[0]


def test_unknown_and_duplicate_headers_are_named_never_dropped(tmp_path):
    def with_extra(i, row):
        return {**row, "经办人": "李四", "处罚决定日期2": "2025-09-27"}

    path = penalty_file(tmp_path / "p.csv", 2, with_extra, extra_headers=("经办人", "处罚决定日期2"))
    findings = run_check(path, "penalty", REPORTED_ON).findings
    assert findings["source_row"].isna().all()  # about the file, not a row
    assert findings[["rule_id", "severity"]].values.tolist() == [
        ["FILE-UNKNOWN-COLUMN", "warning"],
        ["FILE-DUPLICATE-COLUMN", "warning"],
    ]
    assert "表头“经办人”不是国家标准字段" in findings["message"].iloc[0]
    assert findings["message"].iloc[1].startswith("表头“处罚决定日期2”与前面的“处罚决定日期”都是“处罚决定日期”")


def test_an_exact_repeat_names_the_row_it_repeats(tmp_path):
    def repeat(i, row):
        return {**row, "行政处罚决定书文号": "平市监罚〔2025〕100号"} if i == 13 else row

    findings = run_check(penalty_file(tmp_path / "p.csv", 15, repeat), "penalty", REPORTED_ON).findings
    assert findings[["source_row", "rule_id", "category", "severity", "message"]].values.tolist() == [
        [15, "DUP-EXACT-ROW", "duplicate", "warning", "第15行与第2行完全重复，入库时只计一条"]
    ]


def test_shenzhen_open_data_file(tmp_path):
    findings = run_check(SHAPES / "shenzhen_penalty.csv", None, REPORTED_ON).findings
    file_level = findings["source_row"].isna()
    assert sorted(findings.loc[file_level, "rule_id"]) == ["FILE-MISSING-COLUMN"] * 6 + ["FILE-UNKNOWN-COLUMN"] * 3
    unknown = findings.loc[findings["rule_id"] == "FILE-UNKNOWN-COLUMN", "message"]
    # 数据更新时间戳 is the national field cf_sjc; the other three are the open-data portal's own columns
    assert [m.split("”")[0].removeprefix("表头“") for m in unknown] == ["处罚名称", "当前状态", "地方编码"]
    rows = findings[~file_level]
    assert set(zip(rows["source_row"].astype(int), rows["rule_id"], strict=True)) == {
        (2, "CF-CONS-NR_FK"), (2, "CF-CONS-NR_WFFF"), (2, "CF-TIME-LATE"), (3, "CF-TIME-LATE"),
        (4, "CF-CONS-NR_FK"), (4, "CF-REQ-XDR_MC"), (4, "CF-TIME-LATE"),
        (5, "CF-CONS-NR_FK"), (5, "CF-REQ-XDR_MC"), (5, "CF-TIME-LATE"), (5, "DUP-EXACT-ROW"),
    }  # fmt: skip


def test_a_workbooks_boolean_cells_and_cached_error_values(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for i, (name, legal) in enumerate([("#N/A", "张伟"), ("平顶山恒德建材有限公司", True), ("#REF!", "#NAME?")]):
        row = dict(zip(HEADER, CLEAN, strict=True))
        row.update({"行政处罚决定书文号": f"平市监罚〔2025〕{i}号", "行政相对人名称": name, "法定代表人": legal})
        sheet.append([row[h] or None for h in HEADER])
    path = tmp_path / "处罚.xlsx"
    workbook.save(path)
    assert sheet["A2"].data_type == "e" and sheet["I3"].data_type == "b"  # real error and boolean cells

    findings = run_check(path, "penalty", REPORTED_ON).findings.sort_values(["source_row", "rule_id"])
    assert findings[["source_row", "rule_id"]].values.tolist() == [
        [2, "CF-REQ-XDR_MC"],
        [3, "FMT-BOOLEAN"],
        [4, "CF-REQ-FRDB-ORG"],  # "#NAME?" in 法定代表人 is no name: missing where a 法人 needs one
        [4, "CF-REQ-XDR_MC"],
    ]
    assert findings["message"].iloc[0] == "必填项“行政相对人名称”是Excel错误值“#N/A”（公式出错后留下的），视为未填写"
    assert "逻辑值“TRUE”" in findings["message"].iloc[1]
