"""`citycredit check` on hostile workbooks generated at run time: memory stays bounded by the cells that hold data,
and a file beyond the stated limit gets exit 2 and a Chinese reason, never a MemoryError traceback (#18.10, #18.11).

Each check runs in a child process whose address space is capped, so a regression fails here instead of taking the
machine's memory; the child reports its own peak resident size.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from citycredit.normalize import tables

BAD = Path(__file__).parents[1] / "data" / "bad"
HEADER, *GOOD = [line.split(",") for line in (BAD / "control_good_license.csv").read_text("utf-8").splitlines()]
XFD = 16_384
ADDRESS_SPACE = 6 * 1024**3  # before the fix, 20,000 rows with a value in XFD needed far more (MemoryError)
PEAK_RSS = 1024**3  # measured about 0.4 GB for 20,000 rows (the import of pandas, pyarrow and the rules included)

_CHILD = """
import resource, sys
from citycredit import cli
status = cli.main(sys.argv[1:])
sys.stdout.flush()
print(f"PEAK_KB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
sys.exit(status)
"""


def check(path: Path, tmp_path: Path) -> tuple[int, str, str, int]:
    """(exit status, stdout, stderr, peak resident bytes) of `citycredit check` on a file."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    env = {**os.environ, "CITYCREDIT_HOME": str(tmp_path / "home")}
    args = [sys.executable, "-c", _CHILD, "check", "--dataset", "license", "--reported-on", "2025-09-04", str(path)]
    done = subprocess.run(args, capture_output=True, text=True, env=env, preexec_fn=cap, timeout=600, check=False)
    peak = [line for line in done.stderr.splitlines() if line.startswith("PEAK_KB=")]
    return done.returncode, done.stdout, done.stderr, int(peak[0].removeprefix("PEAK_KB=")) * 1024 if peak else -1


def workbook(path: Path, rows: int, far_column) -> Path:
    """The national header and ``rows`` valid records, each with one more value in column ``far_column(i)``."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("行政许可")
    ws.append(HEADER)
    for i in range(rows):
        record: list[str | None] = [*GOOD[i % len(GOOD)]]
        record[0] = f"平顶山市炸弹{i}号有限公司"
        record[5] = f"平市监许〔2025〕B{i}号"
        column = far_column(i)
        ws.append(record + [None] * (column - len(record) - 1) + [f"远处{i}"])
    wb.save(path)
    return path


def test_twenty_thousand_rows_with_a_value_in_column_xfd_are_checked_in_bounded_memory(tmp_path):
    path = workbook(tmp_path / "xfd.xlsx", 20_000, lambda i: XFD)
    assert path.stat().st_size < 3 * 1024**2
    status, out, err, peak = check(path, tmp_path)
    assert "Traceback" not in err and "MemoryError" not in err, err[-2000:]
    assert status == 0, err[-2000:]
    assert "检查通过：行政许可共20000条记录" in out
    assert 0 < peak < PEAK_RSS, f"peak {peak / 1024**2:.0f} MB"


def test_values_scattered_over_every_column_get_exit_2_and_the_limit_in_chinese(tmp_path):
    path = workbook(tmp_path / "scattered.xlsx", 20_000, lambda i: len(HEADER) + 1 + i % (XFD - len(HEADER)))
    status, out, err, peak = check(path, tmp_path)
    assert "Traceback" not in err, err[-2000:]
    assert status == 2
    assert f"列数过多：截至第{tables.MAX_COLUMNS - len(HEADER) + 2}行，有内容的列有{tables.MAX_COLUMNS + 1}列" in err
    assert 0 < peak < PEAK_RSS


@pytest.mark.parametrize("columns", [2_000, 10_000], ids=["header-in-sample", "header-over-64KiB"])
def test_a_header_of_thousands_of_columns_gets_exit_2_and_the_true_reason(tmp_path, columns):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(HEADER + [f"字段{i}" for i in range(columns)]) + "\n" + ",".join(GOOD[0]) + "\n", "utf-8")
    status, out, err, _ = check(path, tmp_path)
    assert status == 2
    assert "列数过多" in err and f"超过上限{tables.MAX_COLUMNS}列" in err
    assert "空行" not in err and "Traceback" not in err
