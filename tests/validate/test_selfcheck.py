"""``citycredit check``: the department's self-check, run as the department runs it (a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from citycredit import cli
from citycredit.validate.selfcheck import run_check

DATA = Path(__file__).parents[1] / "data"
KNOWN = DATA / "known_answers"
IDS_IN_FEEDS = ("11010519491231002X", "360426199101010071", "410402198507150030", "110105194912310021")


def check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "citycredit.cli", "check", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_json_output_exit_status_and_masking(tmp_path):
    result = check(KNOWN / "penalty.csv", "--reported-on", "2025-09-30", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"file", "dataset", "rows", "summary", "findings"}
    assert (report["dataset"], report["rows"]) == ("penalty", 24)
    assert all(set(f) == {"row", "field", "rule", "category", "severity", "message"} for f in report["findings"])
    unit = next(f for f in report["findings"] if f["rule"] == "CF-PLAU-NR_FK-UNIT")
    assert unit["row"] == 5 and unit["field"] == "罚款金额（万元）"
    assert (unit["category"], unit["severity"]) == ("plausibility", "warning")
    assert next(f for f in report["findings"] if f["rule"] == "CF-PLAU-SUMMARY")["field"] == "行政处罚决定书文号"
    assert not any(i in result.stdout + result.stderr for i in IDS_IN_FEEDS)


def test_a_clean_file_passes_with_a_chinese_table_and_verdict_and_masked_ids(tmp_path):
    lines = (KNOWN / "license.csv").read_text(encoding="utf-8").splitlines()
    clean = tmp_path / "王芳11010519491231002X行政许可.csv"  # an ID number in the file name is masked too
    clean.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    result = check(clean, "--reported-on", "2025-09-30")
    assert result.returncode == 0, result.stderr
    assert "检查通过：行政许可共2条记录，没有错误" in result.stdout
    assert "1101**********002X" in result.stdout
    assert not any(i in result.stdout + result.stderr for i in IDS_IN_FEEDS)


def test_errors_are_listed_in_a_table_with_a_verdict(capsys):
    assert cli.main(["check", str(KNOWN / "credit_list.csv"), "--reported-on", "2025-09-30"]) == 1
    out = capsys.readouterr().out
    assert "行号" in out and "MD-REQ-YCYY" in out and "必填" in out
    assert out.rstrip().splitlines()[-1].startswith("检查未通过：信用名单共12条记录，6条有错误")


def test_an_unreadable_file_exits_2_with_a_reason_and_no_traceback(tmp_path):
    for path in (DATA / "bad" / "binary_garbage.csv", tmp_path / "没有这个文件.csv"):
        result = check(path)
        assert result.returncode == 2
        assert "无法检查文件" in result.stderr and "Traceback" not in result.stderr
        assert result.stdout == ""
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("甲,乙,丙\n1,2,3\n", encoding="utf-8")
    result = check(unknown)
    assert result.returncode == 2 and "--dataset" in result.stderr


def test_rows_are_the_real_sheet_rows_of_a_workbook_with_a_title_row(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    lines = (KNOWN / "penalty.csv").read_text(encoding="utf-8").splitlines()
    sheet.append(["平顶山市市场监督管理局行政处罚信息公示表"])
    for line in lines:
        sheet.append([c or None for c in line.split(",")])
    path = tmp_path / "处罚.xlsx"
    workbook.save(path)
    result = run_check(path, None, date(2025, 9, 30))
    rows = dict(zip(result.findings["rule_id"], result.findings["source_row"], strict=False))
    assert rows["CF-PLAU-NR_FK-UNIT"] == 6  # row 5 of the CSV, one title row above the header
    assert rows["CF-CONS-NR_FK"] == 4


def test_a_file_too_large_for_memory_exits_2_with_a_one_line_reason(monkeypatch, capsys):
    """A MemoryError while reading (a file, or one cell of it, larger than the computer's memory) is answered as an
    unreadable file is: one Chinese line on stderr, exit 2, no traceback."""
    from citycredit.normalize import readers

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(readers, "open_table", out_of_memory)
    assert cli.main(["check", str(KNOWN / "penalty.csv"), "--reported-on", "2025-09-30"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1
    assert err.startswith("无法检查文件") and "内存不足" in err


def test_the_check_never_imports_great_expectations(tmp_path):
    """The self-check evaluates the suites without GX (citycredit.validate.rules): importing GX alone takes longer
    than checking a small file; nor SQLAlchemy (it needs no warehouse). Checked on a file with findings of every
    kind of rule and on a clean one."""
    clean = tmp_path / "clean.csv"
    clean.write_text("\n".join((KNOWN / "license.csv").read_text(encoding="utf-8").splitlines()[:2]) + "\n")
    for path, status in ((KNOWN / "penalty.csv", 1), (clean, 0)):
        result = subprocess.run(
            [
                sys.executable,
                "-X",
                "importtime",
                "-m",
                "citycredit.cli",
                "check",
                str(path),
                "--reported-on",
                "2025-09-30",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == status, result.stderr[-2000:]
        imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line]
        assert "citycredit.validate.rules.evaluate" in imported  # the import times were recorded
        assert not [name for name in imported if name.split(".")[0] in ("great_expectations", "sqlalchemy")]


def test_every_dataset_a_department_reports_can_be_checked(tmp_path):
    """Not only 双公示 and lists: a clerk of 信用承诺, 异议, 信用修复 or the 市场主体 register checks their file too,
    the dataset told from the headers (files as the sample departments deliver them)."""
    from citycredit.tools.demo.feeds import generate_feeds

    first = {}
    for f in generate_feeds(tmp_path, records_per_feed=12):
        first.setdefault(f.dataset, f)
    assert {"credit_commitment", "objection", "credit_repair", "subject_registry"} <= set(first)
    for dataset, f in first.items():
        result = check(f.path, "--reported-on", f.delivered_at.date().isoformat(), "--json")
        assert result.returncode in (0, 1), result.stderr
        report = json.loads(result.stdout)
        assert (report["dataset"], report["rows"]) == (dataset, f.rows), f.path.name
