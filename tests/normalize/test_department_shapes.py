"""Shapes departments' software gives a table (issue #18, tests/data/bad/MANIFEST.yaml): lines ending in empty cells,
header rows and summary rows among the records, a two-row header, 繁體 headers, Big5 text, archives under a data
file's name, codes marked as text for Excel."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from citycredit.normalize import readers, standardize

HEADER = ["行政相对人名称", "行政相对人类别", "统一社会信用代码", "行政许可决定文书号", "许可决定日期", "有效期至"]


def record(i: int, **cells: str) -> list[str]:
    values = [f"平顶山市示例{i}号有限公司", "法人及非法人组织", "91330100799655058B", f"平市监许〔2025〕{i}号"]
    row = dict(zip(HEADER, [*values, "2025-09-01", "2030-08-31"], strict=True))
    row.update(cells)
    return list(row.values())


def csv_file(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    path.write_bytes("".join(",".join(r) + "\r\n" for r in rows).encode(encoding))
    return path


def read(path: Path) -> pd.DataFrame:
    frames = list(readers.open_table(path, dataset="license").chunks())
    return pd.concat(frames) if frames else pd.DataFrame()


def test_lines_ending_in_empty_cells_like_the_header_line_are_records(tmp_path):
    """Excel saving a used range wider than the table ends every line, the header's too, in commas."""
    path = csv_file(tmp_path / "wide.csv", [r + [""] * 24 for r in [HEADER, record(1), record(2)]])
    frame = read(path)
    assert list(frame["_source_row"]) == [2, 3]
    assert [c for c in frame.columns if c not in HEADER] == ["_source_row"]


def test_a_header_row_again_among_the_records_is_not_a_record(tmp_path):
    """Two UTF-8 exports joined: the second header, with its BOM, between the records; and a second table's header."""
    first = ",".join(HEADER) + "\r\n" + ",".join(record(1)) + "\r\n"
    second = ",".join(HEADER) + "\r\n" + ",".join(record(2)) + "\r\n"
    other = "行政相对人名称,统一社会信用代码,处罚决定日期,处罚机关\r\n"
    path = tmp_path / "joined.csv"
    path.write_bytes(("\ufeff" + first + "\ufeff" + second + other).encode())
    assert list(read(path)["_source_row"]) == [2, 4]


def test_summary_and_sign_off_rows_are_not_records_but_a_record_named_like_one_is(tmp_path):
    rows = [
        HEADER,
        record(1),
        record(2, 行政相对人名称="合计科技有限公司"),
        ["合计（共2条）", "", "", "", "", ""],
        ["总计", "", "", "2条", "", "2"],
        ["制表人：李四", "", "审核人：王五", "", "填报日期：2025-09-05", ""],
    ]
    frame = read(csv_file(tmp_path / "summary.csv", rows, "gbk"))
    assert list(frame["_source_row"]) == [2, 3]
    assert list(frame["行政相对人名称"]) == ["平顶山市示例1号有限公司", "合计科技有限公司"]


def test_the_national_templates_two_row_header(tmp_path):
    """行政相对人代码 merged over its codes, 有效期 over 自 / 至, the other labels merged down over both rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "行政相对人名称",
            "行政相对人类别",
            "行政相对人代码",
            None,
            "行政许可决定文书号",
            "许可决定日期",
            "有效期",
            None,
        ]
    )
    ws.append([None, None, "统一社会信用代码", "工商注册号", None, None, "自", "至"])
    ws.append(record(1)[:3] + [None] + record(1)[3:5] + ["2025-09-01", "2030-08-31"])
    for column in (1, 2, 5, 6):
        ws.merge_cells(start_row=1, start_column=column, end_row=2, end_column=column)
    ws.merge_cells("C1:D1")
    ws.merge_cells("G1:H1")
    wb.save(tmp_path / "template.xlsx")
    table = readers.open_table(tmp_path / "template.xlsx", dataset="license")
    mapped = standardize.map_headers(table.headers, "license")
    assert {"xk_xdr_shxym", "xk_xdr_gszc", "xk_yxqz", "xk_yxqzi"} <= set(mapped.columns.values())
    assert mapped.unknown == []
    assert table.header_row == 2
    frame = pd.concat(table.chunks())
    assert list(frame["_source_row"]) == [3]
    assert frame.iloc[0]["统一社会信用代码"] == "91330100799655058B"


def test_a_data_row_under_the_header_is_not_a_second_header_row(tmp_path):
    path = csv_file(tmp_path / "plain.csv", [HEADER, record(1, 许可决定日期="1")])
    table = readers.open_table(path, dataset="license")
    assert (table.headers, table.header_row) == (HEADER, 1)


def test_traditional_headers_name_the_same_fields():
    traditional = (
        "行政相對人名稱 行政相對人類別 統一社會信用代碼 行政許可決定文書號 許可類別 許可內容 許可機關 "
        "許可機關統一社會信用代碼 當前狀態 數據來源單位 數據來源單位統一社會信用代碼 行政許可決定文書名稱"
    ).split()
    mapped = standardize.map_headers(traditional, "license")
    assert mapped.unknown == []
    assert len(set(mapped.columns.values())) == len(traditional)


def test_a_big5_file_is_refused_with_its_encoding_named(tmp_path):
    """GB18030 decodes Big5 bytes without an error, as gibberish; the header shows what the file is."""
    rows = [
        ["行政相對人名稱", "行政相對人類別", "行政許可決定文書號", "許可決定日期"],
        ["平頂山市示例號有限公司", "法人及非法人組織", "平市監許1號", "2025-09-01"],
    ]
    path = csv_file(tmp_path / "big5.csv", rows, "big5")
    with pytest.raises(readers.UnreadableFile, match="繁体中文Big5编码"):
        readers.open_table(path, dataset="license", encoding_hint="gbk")


def test_a_gbk_file_with_no_known_header_is_still_read(tmp_path):
    path = csv_file(tmp_path / "gbk.csv", [["名称", "地址"], ["平顶山市示例有限公司", "新华区"]], "gbk")
    assert readers.open_table(path, dataset="license", encoding_hint="gbk").encoding == "gb18030"


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("a.csv", gzip.compress(b"a,b\r\n1,2\r\n"), "文件是gzip压缩包，不是CSV或Excel文件"),
        ("a.csv", bytes.fromhex("377ABCAF271C") + b"\x00\x04" + b"\x00" * 24, "文件是7z压缩包"),
        (
            "a.csv",
            _zip({"行政许可.csv": b"a,b\r\n"}),
            "文件是zip压缩包，不是Excel工作簿，压缩包内有“行政许可.csv”共1个文件",
        ),
        ("a.xlsx", _zip({"readme.txt": b"x"}), "不是有效的Excel文件：文件是zip压缩包"),
    ],
    ids=["gzip", "7z", "zip-named-csv", "zip-named-xlsx"],
)
def test_an_archive_is_refused_as_an_archive(tmp_path, name, content, reason):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(readers.UnreadableFile, match=reason):
        readers.open_table(tmp_path / name, dataset="license")


def test_marks_keeping_a_code_text_in_excel_are_not_part_of_it():
    raw = pd.DataFrame(
        {
            "统一社会信用代码": ["'91330100799655058B", '="91440300708461136T"', "’91110108551385082q", "9133'X"],
            "_source_row": [2, 3, 4, 5],
        },
        dtype="str",
    ).astype({"_source_row": "int64"})
    frame = standardize.normalize_frame(raw, "license", standardize.map_headers(["统一社会信用代码"], "license"))
    assert list(frame["xk_xdr_shxym"]) == ["91330100799655058B", "91440300708461136T", "91110108551385082Q", "9133'X"]


@pytest.mark.parametrize("wider_record", [False, True], ids=["even_lines", "one_line_wider"])
def test_a_csv_of_a_table_at_c4_has_no_columns_for_the_empty_ones_left_of_it(tmp_path, wider_record):
    """Excel saves a sheet whose table starts at C4 (a 统计表 layout) with two empty cells first on every line: those
    are no columns of the file, so nothing warns about them; a note typed in column A further down is kept, as a
    column outside the header. A line wider than the others takes the second reader; both agree."""
    rows = [["", "", "行政许可信息统计表"], [], ["", "", "填报单位：平顶山市市场监管局"], ["", "", *HEADER]]
    rows += [["", "", *record(i)] for i in range(1, 26)]
    rows += [["备注：以上数据已核对", "", *record(26), *(["多余"] if wider_record else [])]]
    table = readers.open_table(csv_file(tmp_path / "c4.csv", rows), dataset="license")
    assert table.headers == HEADER and table.notes == []
    assert standardize.map_headers(table.headers, "license").unknown == []
    frame = read(table.path)
    assert list(frame["_source_row"]) == list(range(5, 31))
    assert frame["行政相对人名称"].tolist() == [f"平顶山市示例{i}号有限公司" for i in range(1, 27)]
    assert frame["第1列"].fillna("").tolist() == [""] * 25 + ["备注：以上数据已核对"]
