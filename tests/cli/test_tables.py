"""What `citycredit batches`, `indicators` and `explain` print: fits a 120-column terminal, speaks Chinese under
Chinese headers, shows department-chosen names escaped, prints shares as percentages and says why it is empty."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from support import indicator_rows as ir

from citycredit import cli
from citycredit.cli.output import TERMINAL_WIDTH, width

pytestmark = pytest.mark.db

FORGED = "正常文件.csv\n2025-09-01 INFO 伪造的日志行\x1b[2J\u202egsv.exe"
LONG = (
    "平顶山市市场监督管理局关于二〇二五年九月份行政许可和行政处罚信息双公示数据报送的补充说明及更正文件（第三次）.xlsx"
)


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def _batch(conn, name: str, status: str = "loaded", reason: str | None = None) -> int:
    return conn.execute(
        sa.text(
            "INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
            " stored_path, received_at, reported_on, status, status_reason) VALUES ('scjg', 'scjg_license',"
            " 'license', :n, md5(:n) || md5(:n), 1, '/dev/null', '2025-09-04 02:30+00', '2025-09-04', :s, :r)"
            " RETURNING batch_id"
        ),
        {"n": name, "s": status, "r": reason},
    ).scalar()


def test_batches_fit_the_terminal_in_chinese_with_names_escaped(engine, capsys):
    with engine.begin() as conn:
        _batch(conn, FORGED)
        _batch(conn, LONG)
        _batch(conn, "坏文件.csv", "rejected", "文件开头的5行都是空行，找不到表头\n第二行")
    assert cli.main(["batches"]) == 0
    out = capsys.readouterr().out
    lines = _lines(out)
    assert max(width(line) for line in lines) <= TERMINAL_WIDTH
    assert "\x1b" not in out and "\u202e" not in out
    assert "正常文件.csv\\n20" in out and "\\u202egsv.exe" in out  # one line, its start and end kept
    assert lines[0].split() == "批次 数据源 文件 接收时间 SHA-256 状态 接收行 入库 隔离 重复 纠正".split()
    assert "已入库" in out and "已拒收" in out and "loaded" not in out
    assert "2025-09-04 10:30" in out  # 02:30 UTC is 10:30 in the city
    [clipped] = [line for line in lines if "平顶山市市场" in line]
    assert "…" in clipped and "次）.xlsx" in clipped  # clipped in the middle: its start and extension kept
    assert "文件开头的5行都是空行，找不到表头\\n第二行" in out  # the rejection's reason, below the table


def test_batches_mask_id_numbers_in_names_and_reasons(engine, capsys):
    with engine.begin() as conn:
        _batch(conn, "sfz410403198503153310号.csv", "rejected", "第3行证件号码 4104 0319 8503 1533 10 无效")
    assert cli.main(["batches"]) == 0
    assert cli.main(["batches", "--json"]) == 0
    out = capsys.readouterr().out
    assert "410403198503153310" not in out and "8503 1533" not in out
    assert "4104**********3310" in out


def test_batches_say_where_files_go_when_there_are_none(engine, capsys):
    assert cli.main(["batches"]) == 0
    out = capsys.readouterr().out
    assert "还没有批次" in out and "citycredit_ingest" in out


def test_a_closed_pipe_ends_the_listing_quietly(engine, warehouse_url):
    """`citycredit batches | head -1`: more output than a pipe holds, and the reader gone after one line."""
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
                " stored_path, received_at, reported_on, status) SELECT 'scjg', 'scjg_license', 'license',"
                " 'f' || i || '.csv', md5(i::text) || md5(i::text), 1, '/dev/null', now(), current_date, 'loaded'"
                " FROM generate_series(1, 2000) i"
            )
        )
    listing = subprocess.Popen(
        [sys.executable, "-m", "citycredit.cli", "batches"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CITYCREDIT_WAREHOUSE_URL": warehouse_url},
    )
    assert listing.stdout is not None and listing.stderr is not None
    assert "批次" in listing.stdout.readline().decode()
    listing.stdout.close()
    err = listing.stderr.read().decode()
    assert listing.wait(timeout=120) == cli.EXIT_CLOSED_PIPE
    assert err == ""


def _month_with_values(engine) -> None:
    with engine.begin() as conn:
        on_time = ir.batch(conn, "scjg", "license", "2025-09-05 10:00")
        for row in range(2, 6):
            ir.loaded(conn, on_time, row, "license", jdrq="2025-09-03")
        ir.quarantined(conn, on_time, 6, "license", xdr_mc="缺少决定日期的许可")
    assert cli.main(["indicators", "--month", "2025-09", "--recompute", "--json"]) == 0


def test_indicators_print_rates_as_percentages_and_leave_out_empty_pairs(engine, capsys):
    _month_with_values(engine)
    everything = capsys.readouterr()
    assert cli.main(["indicators", "--month", "2025-09"]) == 0
    out = capsys.readouterr().out
    lines = _lines(out)
    assert max(width(line) for line in lines) <= TERMINAL_WIDTH
    assert "80.0%" in out  # 准确率: 4 of the 5 rows received loaded
    assert "0.8" not in out.split()
    [per_subject] = [line for line in lines if "主体平均信用记录数" in line and "自然人" in line]
    assert per_subject.endswith(" 0.00")  # records per subject, not a share
    assert "全市" in out and "平顶山市市场监督管理局" in out and "行政许可" in out
    assert "未列出；加 --all 显示" in out
    shown = len(lines) - 3  # header, rule, note
    assert cli.main(["indicators", "--month", "2025-09", "--all"]) == 0
    assert len(_lines(capsys.readouterr().out)) - 2 > shown
    assert everything.out.count('"indicator"') >= len(lines) - 3  # --json keeps every pair


def test_an_uncomputed_month_says_how_to_compute_it(engine, capsys):
    assert cli.main(["indicators", "--month", "2024-02"]) == 0
    out = capsys.readouterr().out
    assert "2024-02 还没有指标值" in out and "--recompute" in out


def test_explain_fits_the_terminal_and_names_the_columns_left_out(engine, capsys):
    _month_with_values(engine)
    capsys.readouterr()
    assert cli.main(["explain", "shuanggongshi_accuracy", "--month", "2025-09"]) == 0
    out = capsys.readouterr().out
    assert max(width(line) for line in _lines(out)) <= TERMINAL_WIDTH
    assert "计入分子" in out and "是" in out and "True" not in out
    assert "未显示的列：" in out and "文件SHA-256" in out and "--json" in out
    assert "统一社会信用代码/证件号码" in out
