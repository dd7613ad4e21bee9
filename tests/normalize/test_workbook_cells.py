"""Workbook cells and sheets as departments send them: 1904 dates, cached error values, booleans, instruction sheets."""

from __future__ import annotations

import datetime
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from citycredit.normalize import readers, standardize

BAD = Path(__file__).parents[1] / "data" / "bad"
HEADER, *GOOD = [line.split(",") for line in (BAD / "control_good_license.csv").read_text("utf-8").splitlines()]
ERRORS = ["#N/A", "#REF!", "#NAME?", "#VALUE!", "#DIV/0!", "#NULL!", "#NUM!"]


def rows_of(table: readers.Table) -> list[dict]:
    frame = pd.concat(list(table.chunks()), ignore_index=True)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def rewrite_sheet(path: Path, edit) -> None:
    """Edit the first sheet's XML, for what openpyxl cannot write (cached values of formulas)."""
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts["xl/worksheets/sheet1.xml"] = edit(parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)


# --- 1904 date system ------------------------------------------------------------------------------------------


def dated_workbook(path: Path, epoch: datetime.datetime | None) -> Path:
    """许可决定日期 as a date cell, 有效期自 as the plain serial number of 2025-09-01, 许可内容 a plain number."""
    wb = openpyxl.Workbook()
    if epoch is not None:
        wb.epoch = epoch
    ws = wb.active
    ws.append(HEADER)
    row = list(GOOD[0])
    base = (epoch or datetime.datetime(1899, 12, 30)).date()
    row[HEADER.index("许可决定日期")] = datetime.date(2025, 9, 1)
    row[HEADER.index("有效期自")] = (datetime.date(2025, 9, 1) - base).days
    row[HEADER.index("许可内容")] = 45536
    ws.append(row)
    ws.cell(row=2, column=HEADER.index("许可决定日期") + 1).number_format = "yyyy/m/d"
    wb.save(path)
    return path


@pytest.mark.parametrize("epoch", [None, CALENDAR_MAC_1904], ids=["1900", "1904"])
def test_dates_mean_the_same_day_in_either_date_system(tmp_path, epoch):
    path = dated_workbook(tmp_path / "dates.xlsx", epoch)
    table = readers.open_table(path, dataset="license")
    raw = pd.concat(list(table.chunks()), ignore_index=True)
    assert raw.loc[0, "许可内容"] == "45536", "a number outside a date column is never a date"
    frame = standardize.normalize_frame(raw, "license", standardize.map_headers(table.headers, "license"))
    assert frame.loc[0, "xk_jdrq"] == "2025-09-01"
    assert frame.loc[0, "xk_yxqz"] == "2025-09-01"


def test_a_1904_workbook_read_without_a_dataset_still_dates_its_serials(tmp_path):
    path = dated_workbook(tmp_path / "dates.xlsx", CALENDAR_MAC_1904)
    assert rows_of(readers.open_table(path))[0]["有效期自"] == "2025-09-01"


# --- Cached error values and booleans ---------------------------------------------------------------------------


def test_cached_error_values_come_out_as_their_error_text(tmp_path):
    path = tmp_path / "errors.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["行政相对人名称", "法定代表人", "许可内容"])
    for i in range(len(ERRORS)):
        ws.append([f"甲公司{i}", f"ERRCELL{i}", f"FORMULA{i}"])
    wb.save(path)

    def as_errors(xml: bytes) -> bytes:
        # Excel writes an error as t="e" with the error text, alone or as a formula's cached value.
        for i, error in enumerate(ERRORS):
            code = error.encode()
            xml = re.sub(rf'<c r="(B{i + 2})"[^>]*>.*?</c>'.encode(), rb'<c r="\1" t="e"><v>' + code + b"</v></c>", xml)
            cached = b"<f>VLOOKUP(A1,Sheet2!A:B,2,FALSE)</f><v>" + code + b"</v>"
            xml = re.sub(rf'<c r="(C{i + 2})"[^>]*>.*?</c>'.encode(), rb'<c r="\1" t="e">' + cached + b"</c>", xml)
        return xml

    rewrite_sheet(path, as_errors)
    rows = rows_of(readers.open_table(path))
    assert [r["法定代表人"] for r in rows] == ERRORS
    assert [r["许可内容"] for r in rows] == ERRORS


def test_boolean_cells_come_out_as_true_and_false(tmp_path):
    path = tmp_path / "booleans.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["行政相对人名称", "法定代表人", "许可内容"])
    wb.active.append(["甲公司", True, False])
    wb.save(path)
    with zipfile.ZipFile(path) as archive:
        assert b't="b"' in archive.read("xl/worksheets/sheet1.xml")
    row = rows_of(readers.open_table(path))[0]
    assert (row["法定代表人"], row["许可内容"]) == ("TRUE", "FALSE")


# --- Which sheet holds the data ---------------------------------------------------------------------------------


def workbook(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


INSTRUCTIONS = [
    ["行政许可信息填报说明"],
    ["字段", "说明"],
    *[[label, "必填"] for label in HEADER],
    HEADER,  # the template header, shown as an example
    ["（示例）某某有限公司", *GOOD[0][1:]],
]


@pytest.mark.parametrize("title", ["填报说明", "行政许可填报说明"])
@pytest.mark.parametrize("dataset", [None, "license"])
def test_data_on_the_sheet_after_the_instructions_is_read(tmp_path, title, dataset):
    path = workbook(tmp_path / "f.xlsx", {title: INSTRUCTIONS, "Sheet2": [HEADER, *GOOD]})
    table = readers.open_table(path, dataset=dataset)
    assert (table.sheet, table.header_row) == ("Sheet2", 1)
    assert [r["行政相对人名称"] for r in rows_of(table)] == [g[0] for g in GOOD]


def test_the_sheet_named_for_the_dataset_still_wins_over_another_dataset_s_data(tmp_path):
    penalty = [["行政相对人名称", "行政处罚决定书文号"], ["乙公司", "平市监罚〔2025〕1号"]]
    sheets = {"填写说明": [["请按模板填写"]], "行政处罚": penalty, "行政许可": [HEADER, *GOOD]}
    path = workbook(tmp_path / "f.xlsx", sheets)
    assert readers.open_table(path, dataset="penalty").sheet == "行政处罚"
    assert readers.open_table(path, dataset="license").sheet == "行政许可"


@pytest.mark.parametrize(("name", "sheet"), [("several_sheets.xlsx", "行政许可"), ("hidden_data_sheet.xlsx", "Sheet2")])
def test_the_corpus_workbooks_keep_their_sheet(name, sheet):
    assert readers.open_table(BAD / name, dataset="license").sheet == sheet
    assert readers.open_table(BAD / name).sheet == sheet


def test_a_workbook_of_hidden_sheets_is_still_refused():
    with pytest.raises(readers.UnreadableFile, match="没有可见的工作表"):
        readers.open_table(BAD / "only_hidden_sheets.xlsx", dataset="license")


# --- a table that does not start in column A -----------------------------------------------------------------------


def test_empty_columns_left_of_a_table_are_no_columns_and_a_value_there_further_down_is_kept(tmp_path):
    """A printed report's table starts at C4 (a title above it, columns A and B empty): A and B are not columns of
    the file, so no warning names them; a note written in column A below the first rows is kept as a column outside
    the header, like a cell beyond it; 1904 serials in the table's date columns still count from 1904."""
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws["C1"] = "行政许可信息统计表"
    ws.append([])
    ws.append([])
    ws.append([None, None, *HEADER])
    base = CALENDAR_MAC_1904.date()
    for cells in GOOD:
        row = list(cells)
        row[HEADER.index("有效期自")] = (datetime.date(2025, 9, 1) - base).days
        ws.append([None, None, *row])
    for _ in range(25):  # below the rows the header search looks at
        ws.append([None, None, *GOOD[0]])
    ws.append(["备注：以上数据已核对", None, *GOOD[0]])
    path = tmp_path / "at_C4.xlsx"
    wb.save(path)

    table = readers.open_table(path, dataset="license")
    assert table.headers == HEADER and table.notes == []
    assert standardize.map_headers(table.headers, "license").unknown == []
    rows = rows_of(table)
    assert len(rows) == len(GOOD) + 26
    assert [r.get("第1列") for r in rows] == [None] * (len(GOOD) + 25) + ["备注：以上数据已核对"]
    assert {rows[i]["有效期自"] for i in range(len(GOOD))} == {"2025-09-01"}
    assert rows[0]["行政相对人名称"] == GOOD[0][HEADER.index("行政相对人名称")]
