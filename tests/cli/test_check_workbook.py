"""``citycredit check FILE --out FILE.xlsx``: the annotated workbook a clerk corrects in — every row as sent with its
findings, the summary per rule — the same findings as the check prints, written safely (issue #20 item 2)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import openpyxl

KNOWN = Path(__file__).parents[1] / "data" / "known_answers"
ID_NUMBER = "410403198503153310"


def check(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "citycredit.cli", "check", *map(str, args), "--reported-on", "2025-09-30"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def sheet(path: Path, name: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))


def test_every_row_carries_its_findings_and_the_summary_is_the_checks(tmp_path):
    out = tmp_path / "标注.xlsx"
    result = check(KNOWN / "credit_list.csv", "--out", out)
    assert result.returncode == 1 and "标注工作簿" in result.stderr
    said = json.loads(check(KNOWN / "credit_list.csv", "--json").stdout)

    assert openpyxl.load_workbook(out).sheetnames == ["检查结果", "逐行标注"]
    rows = sheet(out, "逐行标注")
    sent = list(csv.reader((KNOWN / "credit_list.csv").open(encoding="utf-8")))
    assert rows[0] == ("源行号", "检查结果", "问题说明", *sent[0])
    assert [r[0] for r in rows[1:]] == list(range(2, len(sent) + 1)), "every row of the file, numbered as sent"
    for row in rows[1:]:
        mine = [f for f in said["findings"] if f["row"] == row[0]]
        expected = "错误" if any(f["severity"] == "error" for f in mine) else "警告" if mine else "通过"
        assert row[1] == expected
        assert all(f"（{f['rule']}）" in row[2] for f in mine) and (row[2] or "").count("[") == len(mine)
    clean = rows[1]
    assert clean[3:] == tuple(v or None for v in sent[1]), "a row without findings is the department's own cells"

    summary = sheet(out, "检查结果")
    table = summary[summary.index(("规则", "字段", "类别", "级别", "数量", "首见行")) + 1 :]
    assert [(r[0], r[4]) for r in table] == [(s["rule"], s["count"]) for s in said["summary"]]


def test_formulas_stay_text_ids_are_masked_and_cells_beyond_the_header_are_kept(tmp_path):
    header, row = list(csv.reader((KNOWN / "penalty.csv").open(encoding="utf-8")))[:2]
    hostile = dict(zip(header, row, strict=True))
    hostile["违法事实"] = f'=HYPERLINK("http://evil.example","点击")当事人{ID_NUMBER}'
    source = tmp_path / "行政处罚.csv"
    with source.open("w", encoding="gbk", newline="") as fh:  # a GBK file, as departments save them
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerow([*hostile.values(), "表格外的备注"])
    out = tmp_path / "out.xlsx"
    assert check(source, "--out", out).returncode in (0, 1)

    ws = openpyxl.load_workbook(out)["逐行标注"]
    heading = [c.value for c in ws[1]]
    facts = ws.cell(row=2, column=heading.index("违法事实") + 1)
    assert facts.data_type == "s" and not str(facts.value).startswith("="), "never a formula"
    assert ID_NUMBER not in str(facts.value) and "4104**********3310" in str(facts.value)
    assert heading[-1] == f"第{len(header) + 1}列" and ws.cell(row=2, column=len(heading)).value == "表格外的备注"


def test_a_workbook_that_cannot_be_written_is_said_in_chinese(tmp_path):
    blocked = tmp_path / "dir.xlsx"
    blocked.mkdir()
    result = check(KNOWN / "credit_list.csv", "--out", blocked)
    assert result.returncode == 2 and "无法写入标注工作簿" in result.stderr and "Traceback" not in result.stderr
