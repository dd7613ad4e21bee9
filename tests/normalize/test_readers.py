"""Reading department files: formats, encodings, header rows, row numbers, workbook cells, unreadable files."""

from __future__ import annotations

import datetime
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

from citycredit.normalize import readers, text_files, workbooks
from citycredit.tools.demo.feeds import write_large_csv

DATA = Path(__file__).parents[1] / "data"
FILES = DATA / "files"
BAD = DATA / "bad"

HEADER = ["行政相对人名称", "行政相对人类别", "行政许可决定文书号", "许可类别", "许可决定日期"]


def rows_of(table: readers.Table) -> list[dict]:
    """All rows of a table as plain dicts; missing cells as None."""
    frames = list(table.chunks())
    if not frames:
        return []
    frame = pd.concat(frames)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def record(i: int) -> list[str]:
    return [
        f"平顶山市某某商贸有限公司{i}",
        "法人及非法人组织",
        f"平市监许〔2025〕{i}号",
        "普通",
        f"2025/9/{i % 28 + 1}",
    ]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    lines = [delimiter.join(HEADER)] + [delimiter.join(r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        if title in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


# --- Encodings and delimiters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "written", "reported"),
    [
        ("utf-8", "utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig", "utf-8-sig"),
        ("gbk", "gbk", "gb18030"),
        ("gb18030", "gb18030", "gb18030"),
    ],
)
def test_text_encodings_are_detected(tmp_path, encoding, written, reported):
    path = write_csv(tmp_path / "f.csv", [record(1), record(2)], encoding=written)
    table = readers.open_table(path, dataset="license")
    assert table.encoding == reported
    assert table.format == "csv"
    assert table.headers == HEADER  # no BOM left in the first header
    assert [r["行政相对人名称"] for r in rows_of(table)] == ["平顶山市某某商贸有限公司1", "平顶山市某某商贸有限公司2"]


def test_gb18030_only_characters_decode(tmp_path):
    # 𠮷 and 〇 are outside GBK's common set; GB18030 decodes them, so nothing is lost when GBK is declared.
    path = write_csv(
        tmp_path / "f.csv", [["𠮷野家餐饮〇号店", "个体工商户", "x", "普通", "2025/9/1"]], encoding="gb18030"
    )
    table = readers.open_table(path, encoding_hint="gbk")
    assert rows_of(table)[0]["行政相对人名称"] == "𠮷野家餐饮〇号店"


def test_hint_breaks_the_tie_for_an_ascii_start(tmp_path):
    header = "XK_XDR_MC,XK_XDR_LB,XK_WSH\n"
    rows = "".join(f"ID{i},01,W{i}\n" for i in range(8000))  # well past the detection sample
    path = tmp_path / "f.csv"
    path.write_bytes((header + rows).encode("ascii") + "甲公司,法人,平市监许〔2025〕1号\n".encode("gbk"))
    table = readers.open_table(path, encoding_hint="gbk")
    assert table.encoding == "gb18030"
    assert rows_of(table)[-1]["XK_XDR_MC"] == "甲公司"


@pytest.mark.parametrize(
    ("text", "written", "expected"),
    [("名称\n中文\n", "utf-8", "utf-8"), ("卢鲁\n鹿路\n", "gbk", "gb18030")],
)
def test_bytes_valid_in_both_encodings_are_read_in_the_right_one(tmp_path, text, written, expected):
    data = text.encode(written)
    data.decode("utf-8"), data.decode("gb18030")  # both decode: detection must judge, not just try
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    for hint in (None, "gbk", "utf-8"):
        table = readers.open_table(path, encoding_hint=hint)
        assert table.encoding == expected
        assert table.headers == [text.split("\n")[0]]
        assert rows_of(table)[0][table.headers[0]] == text.split("\n")[1]


def test_excel_unicode_text_export():
    table = readers.open_table(FILES / "excel_unicode_text.txt")
    assert (table.format, table.encoding) == ("tsv", "utf-16")
    rows = rows_of(table)
    assert [r["行政相对人名称"] for r in rows] == ["甲公司", "乙公司"]
    assert rows[1]["许可内容"] == '含"引号"的内容'


@pytest.mark.parametrize("name", ["semicolon.csv", "pipe.txt"])
def test_semicolon_and_pipe_delimiters(name):
    table = readers.open_table(FILES / name, dataset="penalty")
    assert table.headers == ["行政相对人名称", "行政处罚决定书文号", "处罚类别", "处罚决定日期"]
    assert [r["处罚类别"] for r in rows_of(table)] == ["警告;罚款", "罚款"]


def test_tab_separated(tmp_path):
    path = write_csv(tmp_path / "f.tsv", [record(1)], delimiter="\t")
    table = readers.open_table(path)
    assert table.format == "tsv"
    assert rows_of(table)[0]["行政许可决定文书号"] == "平市监许〔2025〕1号"


# --- Header row, column names, row numbers -------------------------------------------------------------------------


def test_csv_row_numbers_follow_what_excel_shows():
    """A quoted line break stays in its record, a blank line keeps its number, an extra cell is kept."""
    table = readers.open_table(FILES / "multiline_crlf.csv", dataset="license")
    rows = rows_of(table)
    assert table.header_row == 1
    assert [r["_source_row"] for r in rows] == [2, 3, 5, 6]
    assert rows[1]["许可内容"] == "预包装食品销售\r\n散装食品销售"
    assert rows[3]["第7列"] == "多出的一格"
    assert [r["第7列"] for r in rows[:3]] == [None, None, None]


def test_csv_title_line_above_the_header():
    table = readers.open_table(FILES / "title_row.csv", dataset="license")
    assert table.header_row == 2
    assert table.headers[0] == "行政相对人名称"
    assert [r["_source_row"] for r in rows_of(table)] == [3]


def test_empty_and_repeated_headers_are_renamed_and_reported(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(" 行政相对人名称 ,,许可类别,许可类别,\n甲公司,x,普通,特许,\n".encode())
    table = readers.open_table(path)
    assert table.headers == ["行政相对人名称", "第2列", "许可类别", "许可类别#2"]
    assert len(table.notes) == 2
    assert "第2列" in table.notes[0] and "许可类别#2" in table.notes[1]
    assert rows_of(table)[0]["许可类别#2"] == "特许"


def test_header_only_file_has_zero_rows():
    table = readers.open_table(BAD / "header_only.csv", dataset="license")
    assert table.headers == HEADER
    assert rows_of(table) == []


def test_xlsx_header_only_has_zero_rows(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", {"行政许可": [HEADER, [None, " ", None]]})
    table = readers.open_table(path, dataset="license")
    assert table.headers == HEADER
    assert rows_of(table) == []


def test_rows_with_only_empty_cells_are_not_records(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(
        (",".join(HEADER) + "\n" + ",".join(record(1)) + "\n,,,,\n \n" + ",".join(record(2)) + "\n").encode()
    )
    assert [r["_source_row"] for r in rows_of(readers.open_table(path))] == [2, 5]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_chunked_read_gives_the_same_rows(tmp_path, kind):
    rows = [record(i) for i in range(1, 26)]
    if kind == "csv":
        path = write_csv(tmp_path / "f.csv", rows)
    else:
        path = write_xlsx(tmp_path / "f.xlsx", {"行政许可": [HEADER, *rows]})
    whole = readers.open_table(path, dataset="license", chunksize=1000)
    parts = readers.open_table(path, dataset="license", chunksize=7)
    assert len(list(parts.chunks())) == 4
    assert rows_of(parts) == rows_of(whole)
    assert [r["_source_row"] for r in rows_of(parts)] == list(range(2, 27))


# --- Delimited text: the pyarrow reader and the pandas reader it falls back to --------------------------------

TEXT_FIXTURES = sorted(
    p for p in DATA.rglob("*") if p.suffix in {".csv", ".txt"} and p.name not in {
        "utf16_no_bom.csv", "cp1252.csv", "truncated_mid_character.csv", "binary_garbage.csv", "png_named.csv",
        "pdf_named.csv", "nul_in_cell.csv", "empty.csv", "blank_lines_only.csv", "json_named.csv",
        "first_row_too_many_cells.csv", "header_over_64k.csv", "big5_traditional.csv", "gzip_named.csv",
        "zip_named.csv",
    }  # refused when opened, or JSON
)  # fmt: skip


def read_text(path: Path, chunksize: int, dataset: str | None = None) -> list[pd.DataFrame] | str:
    """The chunks of a delimited file, or the reason it cannot be read."""
    table = readers.open_table(path, dataset=dataset, chunksize=chunksize)
    assert table.format in ("csv", "tsv")
    chunks: list[pd.DataFrame] = []
    try:
        for chunk in table.chunks():
            chunks.append(chunk)
    except readers.UnreadableFile as exc:
        return exc.reason
    return chunks


def read_with_pandas(monkeypatch, path: Path, chunksize: int) -> list[pd.DataFrame] | str:
    """As `read_text`, with pyarrow failing at once: the pandas reader reads the whole file."""

    def failing(*args):
        raise pa.ArrowInvalid("forced")
        yield

    with monkeypatch.context() as m:
        m.setattr(text_files, "_arrow_chunks", failing)
        return read_text(path, chunksize)


def assert_same_reading(monkeypatch, path: Path, chunksize: int) -> list[pd.DataFrame] | str:
    fast, slow = read_text(path, chunksize), read_with_pandas(monkeypatch, path, chunksize)
    if isinstance(slow, str):
        assert fast == slow
        return fast
    assert not isinstance(fast, str), fast
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow, strict=True):
        pd.testing.assert_frame_equal(a, b)
    return fast


@pytest.mark.parametrize("path", TEXT_FIXTURES, ids=lambda p: str(p.relative_to(DATA)))
@pytest.mark.parametrize("chunksize", [1, 2, 1000])
def test_pyarrow_reads_every_fixture_as_pandas_does(monkeypatch, path, chunksize):
    assert_same_reading(monkeypatch, path, chunksize)


@pytest.fixture(scope="module")
def penalty_files(tmp_path_factory) -> dict[str, Path]:
    """A generated 行政处罚 file of 3000 records, one column per 行政处罚 field, in UTF-8 and in GBK."""
    folder = tmp_path_factory.mktemp("penalty")
    files = {enc: folder / f"penalty_{enc}.csv" for enc in ("utf-8", "gbk")}
    for enc, path in files.items():
        write_large_csv(path, "penalty", 3000, encoding=enc)
    return files


@pytest.fixture
def small_blocks(monkeypatch):
    """pyarrow reads blocks of about 100 records, so a chunk is put together from several and a fault shows
    only in a later chunk."""
    monkeypatch.setattr(text_files, "ARROW_BLOCK_BYTES", 64 * 1024)


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_generated_penalty_file_is_read_by_pyarrow_alone(monkeypatch, penalty_files, encoding):
    pandas_chunks = text_files._pandas_chunks
    monkeypatch.setattr(text_files, "_pandas_chunks", None)  # a fallback would fail
    chunks = read_text(penalty_files[encoding], 700, dataset="penalty")
    assert [len(c) for c in chunks] == [700, 700, 700, 700, 200]
    assert pd.concat(chunks)["_source_row"].tolist() == list(range(2, 3002))
    width = header_width(penalty_files[encoding]) + 1  # and _source_row
    assert all(len(c.columns) == width and (c.dtypes.iloc[:-1] == "str").all() for c in chunks)
    monkeypatch.setattr(text_files, "_pandas_chunks", pandas_chunks)
    assert_same_reading(monkeypatch, penalty_files[encoding], 700)


def header_width(path: Path) -> int:
    return len(path.read_bytes().split(b"\n", 1)[0].split(b","))


def spoil_record(source: Path, target: Path, n: int, extra_cells: int) -> Path:
    """A copy of a generated file whose n-th record (of one line, header first) has cells added at its end."""
    lines = source.read_bytes().split(b"\n")
    lines[n] += b",x" * extra_cells
    target.write_bytes(b"\n".join(lines))
    return target


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_fault_past_the_first_chunks_continues_with_the_records_not_yet_read(
    monkeypatch, tmp_path, penalty_files, encoding
):
    """Chunks go to the database as they come: after the fallback every record is still read exactly once."""
    path = spoil_record(penalty_files[encoding], tmp_path / "f.csv", 2500, 1)
    chunks = assert_same_reading(monkeypatch, path, 1000)
    rows = pd.concat(chunks)
    assert rows["_source_row"].tolist() == list(range(2, 3002))
    extra = f"第{header_width(path) + 1}列"
    assert rows[extra].dropna().tolist() == ["x"]
    assert rows.loc[rows[extra].notna(), "_source_row"].tolist() == [2501]


@pytest.mark.usefixtures("small_blocks")
def test_a_broken_row_past_the_first_chunks_is_reported_after_them(monkeypatch, tmp_path, penalty_files):
    path = spoil_record(penalty_files["utf-8"], tmp_path / "f.csv", 2500, text_files.OVERFLOW_COLUMNS + 5)
    consumed: list[int] = []
    cells = header_width(path) + text_files.OVERFLOW_COLUMNS + 5
    with pytest.raises(readers.UnreadableFile, match=f"第2501行有{cells}个单元格"):
        for chunk in readers.open_table(path, chunksize=1000).chunks():
            consumed.extend(chunk["_source_row"])
    assert consumed == list(range(2, 2002))  # the chunk holding the row is refused, as the pandas reader does
    assert_same_reading(monkeypatch, path, 1000)


@pytest.mark.parametrize(
    "data",
    [
        "1,2,3\n\n\n",  # blank lines at the end
        "1,2,3\r\n\r\n4,5,6",  # a blank CRLF line, no line break at the end
        "1,2,3\n \n4,5,6\n",  # a line of one blank: a record of one cell
        '1,2,"3\n4,5,6\n',  # a quote in the last cell never closed
        '1,2,"x"""\n',  # a quoted cell ending in a doubled quote, properly closed
        '"a""b" ,c"d,"e\nf"\n',  # quotes inside and after cells
        "1,2,3,,\n4,5,6,,x\n",  # empty cells beyond the header
    ],
)
def test_pyarrow_and_pandas_agree_on_quotes_and_line_breaks(monkeypatch, tmp_path, data):
    path = tmp_path / "f.csv"
    path.write_text("名称,类别,文号\n" + data, encoding="utf-8")
    assert_same_reading(monkeypatch, path, 1)


def test_a_quote_never_closed_in_the_last_cell_is_refused():
    """pyarrow would take the rest of the file as the cell's value; pandas refuses it and says where."""
    with pytest.raises(readers.UnreadableFile, match="第3行开始的引号没有闭合"):
        rows_of(readers.open_table(FILES / "unclosed_quote_last_cell.csv"))


# --- Workbooks ------------------------------------------------------------------------------------------------


def test_xlsx_title_row_blank_row_and_real_sheet_rows(tmp_path):
    path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["平顶山市行政许可信息公示表（2025年9月）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append([])
    ws.append(HEADER)
    ws.append(record(1))
    ws.append([])
    ws.append(record(2))
    wb.save(path)
    table = readers.open_table(path, dataset="license")
    assert (table.format, table.header_row, table.encoding) == ("xlsx", 3, None)
    assert table.headers == HEADER
    assert [r["_source_row"] for r in rows_of(table)] == [4, 6]


def test_xlsx_cells_become_the_text_the_clerk_typed(tmp_path):
    header = ["行政相对人名称", "工商注册号", "许可决定日期", "有效期自", "罚款金额（万元）", "当前状态", "备注"]
    row = [
        "甲公司",
        410402600123456,
        datetime.datetime(2025, 9, 30),
        datetime.datetime(2025, 9, 30, 10, 30),
        0.2,
        1,
        123000000000000.0,
    ]
    path = write_xlsx(
        tmp_path / "f.xlsx", {"Sheet1": [header, row, ["乙公司", 410402600123457.0, datetime.date(2025, 10, 8)]]}
    )
    rows = rows_of(readers.open_table(path))
    assert rows[0] == {
        "行政相对人名称": "甲公司",
        "工商注册号": "410402600123456",
        "许可决定日期": "2025-09-30",
        "有效期自": "2025-09-30 10:30:00",
        "罚款金额（万元）": "0.2",
        "当前状态": "1",
        "备注": "123000000000000",
        "_source_row": 2,
    }
    assert rows[1]["工商注册号"] == "410402600123457"
    assert rows[1]["许可决定日期"] == "2025-10-08"


def test_xlsx_formulas_are_read_as_their_cached_values(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", {"Sheet1": [["行政相对人名称", "罚款金额（万元）"], ["甲公司", "=0.1+0.1"]]})
    # Excel stores the last computed value next to the formula; openpyxl does not, so add it as Excel would.
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb"<f>0.1\+0.1</f>(<v\s*/>|<v></v>)?", b"<f>0.1+0.1</f><v>0.2</v>", parts[sheet])
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    assert rows_of(readers.open_table(path))[0]["罚款金额（万元）"] == "0.2"


def test_xlsx_is_recognised_by_content_not_by_name(tmp_path):
    """The landing store keeps a delivery under its hash, without an extension."""
    stored = tmp_path / "5f0c9a"
    stored.write_bytes(write_xlsx(tmp_path / "f.xlsx", {"行政许可": [HEADER, record(1)]}).read_bytes())
    table = readers.open_table(stored, dataset="license")
    assert table.format == "xlsx"
    assert rows_of(table)[0]["行政许可决定文书号"] == "平市监许〔2025〕1号"


def test_xlsx_sheet_named_for_the_dataset(tmp_path):
    penalty_header = ["行政相对人名称", "行政处罚决定书文号", "处罚类别", "处罚决定日期"]
    path = write_xlsx(
        tmp_path / "f.xlsx",
        {
            "行政许可": [HEADER, record(1)],
            "行政处罚": [penalty_header, ["甲公司", "平市监罚〔2025〕1号", "警告", "2025/9/1"]],
        },
    )
    assert readers.open_table(path, dataset="penalty").sheet == "行政处罚"
    assert readers.open_table(path, dataset="license").sheet == "行政许可"


def test_xlsx_skips_hidden_sheets_and_instruction_sheets(tmp_path):
    path = write_xlsx(
        tmp_path / "f.xlsx",
        {
            "代码表": [["法人及非法人组织"], ["自然人"]],
            "填写说明": [["请按模板填写"], ["日期格式为YYYY/MM/DD"]],
            "Sheet3": [HEADER, record(1)],
        },
        hidden=("代码表",),
    )
    table = readers.open_table(path, dataset="license")
    assert table.sheet == "Sheet3"
    assert rows_of(table)[0]["行政相对人名称"] == "平顶山市某某商贸有限公司1"


def test_xlsx_first_visible_sheet_when_nothing_matches(tmp_path):
    path = write_xlsx(
        tmp_path / "f.xlsx", {"隐藏": [["x"]], "数据": [["名称", "日期"], ["甲", "2025/9/1"]]}, hidden=("隐藏",)
    )
    table = readers.open_table(path, dataset="license")
    assert (table.sheet, table.headers, table.header_row) == ("数据", ["名称", "日期"], 1)


def test_xlsx_with_a_wrong_dimension_record_is_read_fully(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", {"Sheet1": [HEADER, record(1), record(2), record(3)]})
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:A1"/>', parts[sheet])
    assert b'<dimension ref="A1:A1"/>' in parts[sheet]
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    table = readers.open_table(path)
    assert table.headers == HEADER
    assert [r["_source_row"] for r in rows_of(table)] == [2, 3, 4]


# --- Unreadable files -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.csv", "文件为空"),
        ("blank_lines_only.csv", "文件为空"),
        ("empty_sheet.xlsx", "文件为空"),
        ("binary_garbage.csv", "无法识别的文件编码"),
        ("cp1252.csv", "无法识别的文件编码"),
        ("truncated.xlsx", "文件已损坏或被截断"),
        ("csv_named.xlsx", "不是有效的Excel文件"),
        ("html_named.xls", "不是有效的Excel文件"),
        ("not_a_workbook.xlsx", "不是有效的Excel文件"),
        ("legacy.xls", "旧版Excel"),
        ("zip_bomb.xlsx", "疑似压缩炸弹"),
        ("first_row_too_many_cells.csv", "第2行有13个单元格，比表头的4列多出太多"),
    ],
)
def test_unreadable_files_are_refused_when_opened(name, reason):
    with pytest.raises(readers.UnreadableFile) as caught:
        readers.open_table(BAD / name, dataset="license")
    assert reason in caught.value.reason
    assert caught.value.reason == caught.value.reason_zh == str(caught.value)
    assert re.search(r"[\u4e00-\u9fff]", caught.value.reason)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("unclosed_quote.csv", "第4行开始的引号没有闭合"),
        ("too_many_cells.csv", "第3行有13个单元格"),
    ],
)
def test_files_broken_past_their_start_fail_while_reading(name, reason):
    table = readers.open_table(BAD / name, dataset="license")
    with pytest.raises(readers.UnreadableFile, match=reason):
        rows_of(table)


def test_a_normal_workbook_passes_the_zip_guard(tmp_path):
    """A sheet compresses far less than a bomb does."""
    rows = [record(i) for i in range(2000)]
    path = write_xlsx(tmp_path / "f.xlsx", {"Sheet1": [HEADER, *rows]})
    with zipfile.ZipFile(path) as archive:
        ratios = [m.file_size / m.compress_size for m in archive.infolist() if m.compress_size]
    assert max(ratios) < workbooks.BOMB_RATIO
    assert len(rows_of(readers.open_table(path))) == 2000


def test_a_zip_bomb_is_refused_before_anything_is_inflated(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open a suspected bomb")

    monkeypatch.setattr(workbooks, "_workbook", never)
    with pytest.raises(readers.UnreadableFile, match="疑似压缩炸弹"):
        readers.open_table(BAD / "zip_bomb.xlsx")


def test_opening_reads_only_the_start_of_a_file():
    """Landing calls open_table to decide whether a file is readable: a fault far below the start shows later."""
    table = readers.open_table(BAD / "mixed_encoding.csv")
    assert table.headers == ["行政相对人名称", "行政相对人类别", "行政许可决定文书号", "许可类别"]
    assert table.encoding == "utf-8"


# --- JSON (how HTTP and database pulls are stored) ----------------------------------------------------------------

FEEDS = DATA / "feeds"


def test_json_array_and_json_lines_give_the_same_rows_numbered_by_position(tmp_path):
    records = [
        {"行政相对人名称": "甲公司", "罚款金额(万元)": 1500.00, "附件": {"页数": 2}},
        {},
        {"行政相对人名称": "乙公司", "备注": "补录", "是否公开": True, "罚款金额(万元)": None},
    ]
    array = tmp_path / "pull.json"
    array.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = tmp_path / "pull.jsonl"
    lines.write_bytes(b"".join(json.dumps(r, ensure_ascii=False).encode("gbk") + b"\n\n" for r in records))
    expected = [
        {"行政相对人名称": "甲公司", "罚款金额(万元)": "1500.0", "附件": '{"页数":2}', "备注": None, "是否公开": None,
         "_source_row": 1},
        {"行政相对人名称": "乙公司", "罚款金额(万元)": None, "附件": None, "备注": "补录", "是否公开": "TRUE",
         "_source_row": 3},
    ]  # fmt: skip
    for path, encoding in ((array, "utf-8"), (lines, "gb18030")):
        table = readers.open_table(path, dataset="penalty", chunksize=1)
        assert (table.format, table.encoding, table.header_row) == ("json", encoding, 0)
        assert table.headers == ["行政相对人名称", "罚款金额(万元)", "附件", "备注", "是否公开"]
        assert rows_of(table) == expected


def test_numbers_keep_the_digits_as_written(tmp_path):
    path = tmp_path / "pull.jsonl"
    path.write_text('{"罚款金额(万元)": 1500.00, "没收违法所得金额(万元)": 0.05, "n": 12}\n', encoding="utf-8")
    assert rows_of(readers.open_table(path)) == [
        {"罚款金额(万元)": "1500.00", "没收违法所得金额(万元)": "0.05", "n": "12", "_source_row": 1}
    ]


def test_a_csv_header_starting_with_a_bracket_is_still_csv(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("[必填]行政相对人名称,行政相对人类别,行政许可决定文书号\n甲公司,法人及非法人组织,1号\n", "utf-8")
    table = readers.open_table(path, dataset="license")
    assert table.format == "csv"
    assert rows_of(table)[0]["[必填]行政相对人名称"] == "甲公司"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("truncated.json", "JSON内容不完整或格式有误（可能被截断）：第2条记录处无法解析"),
        ("not_objects.jsonl", "JSON文件的第2条记录不是对象"),
    ],
)
def test_broken_json_is_refused_with_the_record_it_breaks_at(name, reason):
    with pytest.raises(readers.UnreadableFile, match=re.escape(reason)):
        readers.open_table(FEEDS / name, dataset="penalty")


def test_an_empty_json_array_is_an_empty_file(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text("[ ]\n", encoding="utf-8")
    with pytest.raises(readers.UnreadableFile, match="文件为空"):
        readers.open_table(path)
