"""What a department reads about a file-level finding: the feedback workbook and the chase list.

The file is the national 行政许可 template without its 许可内容 column (every row is sent back for it) and with a
column no field knows (a warning, which is not why any row was sent back); an empty file and a link are deliveries
that could not be read. Delivered as real files, taken through the ingest's task bodies into a real PostgreSQL
warehouse.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from citycredit.core import paths
from citycredit.feeds import registry
from citycredit.publish import feedback, monthly
from citycredit.tasks import ingest

pytestmark = pytest.mark.db

GOOD = Path(__file__).parents[1] / "data" / "bad" / "control_good_license.csv"
SENT = datetime(2025, 9, 5, 10, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()


def deliver(name: str, data: bytes) -> None:
    path = paths.data_path("landing", "inbox", "scjg", "scjg_license") / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (SENT, SENT))


def without_content_and_with_an_extra_column() -> bytes:
    rows = list(csv.reader(io.StringIO(GOOD.read_text(encoding="utf-8-sig"))))
    drop = rows[0].index("许可内容")
    out = io.StringIO()
    csv.writer(out).writerows(
        [[*r[:drop], *r[drop + 1 :], "内部流水号" if i == 0 else f"LS{i}"] for i, r in enumerate(rows)]
    )
    return out.getvalue().encode("utf-8")


@pytest.fixture
def september(engine, tmp_path):
    deliver("许可_缺列.csv", without_content_and_with_an_extra_column())
    deliver("许可_空文件.csv", b"")
    link = paths.data_path("landing", "inbox", "scjg", "scjg_license") / "许可_快捷方式.csv"
    link.symlink_to(GOOD)
    os.utime(link, (SENT, SENT), follow_symlinks=False)
    for batch in ingest.land_feed("scjg_license"):
        ingest.load_batch(ingest.validate_batch(ingest.normalize_batch(batch)))
    dept = next(d for d in registry.load().departments if d.id == "scjg")
    return load_workbook(feedback.write_department(engine, dept, "2025-09", tmp_path))


def test_a_rejected_row_names_the_missing_column_and_not_the_unknown_one(september):
    ws = september["退回_许可_缺列"]
    problems = [r[1].value for r in ws.iter_rows(min_row=4)]
    assert len(problems) == 3
    for text in problems:
        assert "许可内容" in text and "FILE-MISSING-COLUMN" in text
        assert "内部流水号" not in text and "FILE-UNKNOWN-COLUMN" not in text


def test_the_summary_says_in_chinese_what_a_file_level_rule_found(september):
    summary = {r[0].value: r[1].value for r in september[feedback.SUMMARY].iter_rows() if r[0].value}
    assert "许可内容" in summary["FILE-MISSING-COLUMN"]
    assert "内部流水号" in summary["FILE-UNKNOWN-COLUMN"]


def test_the_chase_list_asks_once_for_a_file_to_be_sent_again(september, engine):
    chased = {c["what"].split("“")[1].split("”")[0]: c["what"] for c in monthly.chase_list(engine, "2025-09")
              if "无法读取" in c["what"]}  # fmt: skip
    assert sorted(chased) == ["许可_快捷方式.csv", "许可_空文件.csv"]
    assert chased["许可_空文件.csv"].endswith("文件为空（0字节），请重新报送")
    assert chased["许可_快捷方式.csv"].count("重新报送") == 1, "the link's reason already says how to send it again"
