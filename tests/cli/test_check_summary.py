"""``citycredit check`` on a large file with whole-column problems: one line per column, a per-rule summary in
Chinese, the same in ``--json``, exit codes unchanged (issue #17)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

KNOWN = Path(__file__).parents[1] / "data" / "known_answers"


def check(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "citycredit.cli", "check", *map(str, args), "--reported-on", "2025-09-30"],
        capture_output=True,
        text=True,
        timeout=600,
    )


def thousand_rows(path: Path) -> Path:
    """1,000 penalty rows without a 数据来源单位 column, an empty 处罚有效期, a placeholder in one 处罚机关, and
    row 1001 repeating row 2."""
    header, clean = list(csv.reader((KNOWN / "penalty.csv").open(encoding="utf-8")))[:2]
    drop = header.index("数据来源单位")
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header[:drop] + header[drop + 1 :])
        for i in range(1000):
            row = dict(zip(header, clean, strict=True))
            row["行政处罚决定书文号"] = f"平市监罚〔2025〕{i if i < 999 else 0}号"
            row["处罚有效期"] = ""
            row["处罚机关"] = "无" if i == 5 else row["处罚机关"]
            writer.writerow([v for h, v in row.items() if h != "数据来源单位"])
    return path


def test_whole_column_problems_are_one_line_each_with_a_summary_per_rule(tmp_path):
    result = check(thousand_rows(tmp_path / "处罚1000行.csv"))
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert len(out.splitlines()) < 40  # before: one line per row and column
    summary = out[out.index("按规则汇总：") : out.index("逐条明细：")]
    assert "规则" in summary and "次数" in summary and "最先出现的行" in summary
    lines = {line.split()[0]: line.split() for line in summary.splitlines()[3:] if line.strip()}
    assert lines["FILE-MISSING-COLUMN"][1:] == ["数据来源单位", "错误", "必填", "1", "整个文件"]
    assert lines["CF-REQ-YXQ"][1:] == ["处罚有效期", "错误", "必填", "1", "整个文件"]
    assert lines["CF-REQ-CFJG"][1:] == ["处罚机关", "错误", "必填", "1", "7"]
    assert lines["DUP-EXACT-ROW"][1:] == ["警告", "重复", "1", "1001"]
    assert "必填项“处罚机关”填写了占位符“无”" in out
    assert "第1001行与第2行完全重复" in out
    assert "“处罚有效期”列全部1000行均未填写" in out


def test_json_carries_the_same_summary(tmp_path):
    path = thousand_rows(tmp_path / "p.csv")
    report = json.loads(check(path, "--json").stdout)
    summary = {(s["rule"], s["field"]): s for s in report["summary"]}
    assert summary[("CF-REQ-YXQ", "处罚有效期")] == {
        "rule": "CF-REQ-YXQ",
        "field": "处罚有效期",
        "category": "required",
        "severity": "error",
        "count": 1,
        "first_rows": [None],
    }
    assert summary[("DUP-EXACT-ROW", None)]["first_rows"] == [1001]
    counted = {}
    for f in report["findings"]:
        counted[(f["rule"], f["field"])] = counted.get((f["rule"], f["field"]), 0) + 1
    assert counted == {key: s["count"] for key, s in summary.items()}


def test_the_summary_names_the_first_rows_of_a_rule_that_fails_often(tmp_path):
    result = check(KNOWN / "license.csv", "--json")
    assert result.returncode == 1
    dup = next(s for s in json.loads(result.stdout)["summary"] if s["rule"] == "XK-DUP-KEY")
    assert (dup["count"], dup["first_rows"], dup["severity"]) == (2, [22, 23], "warning")
