"""Parts of the monthly publication that need no warehouse: a trend chart's axis, a rejected-rows sheet's name."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from citycredit.publish import charts, feedback


def y_ticks(svg: str) -> list[str]:
    return re.findall(r'<g id="ytick_\d+">.*?<text[^>]*>([^<]*)</text>', svg, re.DOTALL)


def test_all_zero_rates_are_drawn_from_0_percent_up_and_no_tick_reads_negative():
    ticks = y_ticks(charts.trend("迟报率", [(date(2025, m, 1), Decimal(0)) for m in (7, 8, 9)], True, "zero"))
    assert ticks == ["0%", "2%", "4%", "6%", "8%", "10%"]


def test_rates_stop_at_100_percent_and_small_rates_keep_their_decimals():
    full = charts.trend("准确率", [(date(2025, 8, 1), Decimal(1)), (date(2025, 9, 1), Decimal("0.5"))], True, "a")
    assert y_ticks(full)[-1] == "100%"
    small = charts.trend("重错码率", [(date(2025, 9, 1), Decimal("0.003"))], True, "b")
    assert y_ticks(small) == ["0%", "0.1%", "0.2%", "0.3%", "0.4%"]


def test_counts_have_whole_ticks_from_zero():
    assert y_ticks(charts.trend("报送量", [(date(2025, 9, 1), Decimal(0))], False, "c")) == ["0", "1"]
    ticks = y_ticks(charts.trend("报送量", [(date(2025, 8, 1), Decimal(12345)), (date(2025, 9, 1), None)], False, "d"))
    assert ticks[0] == "0" and "10,000" in ticks


def test_rejected_rows_sheets_are_named_after_the_file_as_excel_allows(tmp_path):
    long_name = "平顶山市市场监督管理局行政许可信息第二批次补报数据_2025年09月.xlsx"
    delivered = [
        "许可_2025-09.csv",
        "许可_2025-09.xlsx",  # the same name but for the extension
        "Penalty[1]: a*b?c/d\\e.csv",
        "tab\there\x07.csv",
        "'quoted'.csv",
        long_name,
        long_name,
        "PENALTY[1]: A*B?C/D\\E.csv",  # Excel tells sheet names apart ignoring case
    ]
    wb = Workbook()
    for name in delivered:
        wb.create_sheet(feedback.sheet_title(name, wb.sheetnames))
    path = tmp_path / "sheets.xlsx"
    wb.save(path)
    names = load_workbook(path).sheetnames[1:]
    assert names[:3] == ["退回_许可_2025-09", "退回_许可_2025-09(2)", "退回_Penalty_1__ a_b_c_d_e"]
    assert names[3:5] == ["退回_tab_here_", "退回_quoted"]
    assert names[5] == "退回_" + long_name[:28] and names[6] == "退回_" + long_name[:25] + "(2)"
    assert names[7] == "退回_PENALTY_1__ A_B_C_D_E(2)"
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\\x00-\x1f]", n) for n in names), names
    assert len({n.casefold() for n in names}) == len(names)
