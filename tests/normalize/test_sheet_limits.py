"""Reading is bounded by the cells that hold data: far columns, too many columns, wide headers, chunk sizes."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from citycredit.normalize import readers, tables

NATIONAL = (Path(__file__).parents[1] / "data" / "bad" / "control_good_license.csv").read_text(encoding="utf-8")
HEADER, *GOOD = [line.split(",") for line in NATIONAL.splitlines()]
XFD = 16_384  # the last column a sheet can address


def rows_of(table: readers.Table) -> pd.DataFrame:
    return pd.concat(list(table.chunks()), ignore_index=True)


def far_column_workbook(path: Path, rows: int, column_of=lambda i: XFD) -> Path:
    """The national header and ``rows`` records, each with one more value in a column far to the right."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i in range(rows):
        ws.append(GOOD[i % len(GOOD)])
        ws.cell(row=i + 2, column=column_of(i), value=f"远处{i}")
    wb.save(path)
    return path


def test_a_value_in_column_xfd_costs_its_cell_not_the_empty_columns_before_it(tmp_path):
    path = far_column_workbook(tmp_path / "xfd.xlsx", 500)
    tracemalloc.start()
    try:
        table = readers.open_table(path, dataset="license")
        frames = list(table.chunks())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Padded to XFD, 500 rows are 8 million cells (hundreds of MB); read sparsely, a few MB.
    assert peak < 40 * 1024**2, f"peak {peak / 1024**2:.0f} MB"
    frame = pd.concat(frames, ignore_index=True)
    assert list(frame.columns) == [*HEADER, f"第{XFD}列", "_source_row"]
    assert frame[f"第{XFD}列"].tolist() == [f"远处{i}" for i in range(500)]
    assert frame["行政相对人名称"].tolist()[:3] == [g[0] for g in GOOD]
    assert frame["_source_row"].tolist() == list(range(2, 502))


def test_values_in_more_columns_than_the_limit_are_refused_with_the_row_reached(tmp_path):
    past = tables.MAX_COLUMNS - len(HEADER) + 1  # the first record whose column is one too many
    path = far_column_workbook(tmp_path / "scattered.xlsx", past + 5, column_of=lambda i: len(HEADER) + 1 + i)
    table = readers.open_table(path, dataset="license")  # the start of the sheet is fine
    with pytest.raises(readers.UnreadableFile) as caught:
        rows_of(table)
    reason = caught.value.reason
    assert f"截至第{past + 1}行，有内容的列有{tables.MAX_COLUMNS + 1}列" in reason
    assert f"超过上限{tables.MAX_COLUMNS}列" in reason


def test_as_many_columns_as_the_limit_are_read(tmp_path):
    count = tables.MAX_COLUMNS - len(HEADER)
    path = far_column_workbook(tmp_path / "wide.xlsx", count, column_of=lambda i: len(HEADER) + 1 + i)
    frame = rows_of(readers.open_table(path, dataset="license"))
    assert len(frame) == count
    assert frame[f"第{tables.MAX_COLUMNS}列"].dropna().tolist() == [f"远处{count - 1}"]


def test_a_workbook_header_wider_than_the_limit_is_refused_for_that_reason(tmp_path):
    path = tmp_path / "wide_header.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(HEADER + [f"自定义字段{i}" for i in range(10_000)])
    wb.active.append(GOOD[0])
    wb.save(path)
    with pytest.raises(readers.UnreadableFile) as caught:
        readers.open_table(path, dataset="license")
    assert f"第1行的表头有{len(HEADER) + 10_000}列，超过上限{tables.MAX_COLUMNS}列" in caught.value.reason


def test_a_csv_header_wider_than_the_limit_is_refused_for_that_reason(tmp_path):
    path = tmp_path / "wide_header.csv"
    names = HEADER + [f"字段{i}" for i in range(2_000)]  # about 20 KB: the whole header is in the sample
    path.write_text(",".join(names) + "\n" + ",".join(GOOD[0]) + "\n", encoding="utf-8")
    with pytest.raises(readers.UnreadableFile) as caught:
        readers.open_table(path, dataset="license")
    assert f"第1行的表头有{len(names)}列，超过上限{tables.MAX_COLUMNS}列" in caught.value.reason


def test_a_csv_header_longer_than_the_sample_is_refused_for_its_columns_not_as_blank_lines(tmp_path):
    """10,000 columns make a header line over 64 KiB: it was refused as "文件开头的0行都是空行"."""
    path = tmp_path / "huge_header.csv"
    names = HEADER + [f"自定义字段{i}" for i in range(10_000)]
    path.write_text(",".join(names) + "\n" + ",".join(GOOD[0]) + "\n", encoding="utf-8")
    assert path.stat().st_size > 64 * 1024
    with pytest.raises(readers.UnreadableFile) as caught:
        readers.open_table(path, dataset="license")
    reason = caught.value.reason
    assert "列数过多" in reason and f"超过上限{tables.MAX_COLUMNS}列" in reason
    assert "空行" not in reason


def test_a_first_line_longer_than_the_sample_with_few_columns_is_refused_as_such(tmp_path):
    path = tmp_path / "no_line_breaks.csv"
    path.write_text(",".join(HEADER) + "," + "很长的表头" * 20_000 + "\n", encoding="utf-8")
    with pytest.raises(readers.UnreadableFile) as caught:
        readers.open_table(path, dataset="license")
    assert "文件第一行超过64KB仍未结束" in caught.value.reason


def test_json_records_with_more_distinct_fields_than_the_limit_are_refused(tmp_path):
    path = tmp_path / "keys.json"
    path.write_text(json.dumps([{f"字段{i}": "x"} for i in range(tables.MAX_COLUMNS + 1)], ensure_ascii=False))
    with pytest.raises(readers.UnreadableFile, match=f"列数过多.*超过上限{tables.MAX_COLUMNS}列"):
        readers.open_table(path)


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
def test_a_wide_table_is_read_fewer_rows_at_a_time(monkeypatch, tmp_path, kind):
    monkeypatch.setattr(tables, "CHUNK_CELLS", 100 * len(HEADER))
    records = [[f"平顶山市第{i}号有限公司", *GOOD[0][1:]] for i in range(1000)]
    path = tmp_path / f"f.{kind}"
    if kind == "csv":
        path.write_text("\n".join(",".join(r) for r in [HEADER, *records]) + "\n", encoding="utf-8")
    elif kind == "json":
        path.write_text(json.dumps([dict(zip(HEADER, r, strict=True)) for r in records], ensure_ascii=False))
    else:
        wb = openpyxl.Workbook()
        for r in [HEADER, *records]:
            wb.active.append(r)
        wb.save(path)
    frames = list(readers.open_table(path, dataset="license", chunksize=100_000).chunks())
    width = len(HEADER) + (8 if kind == "csv" else 0)  # a CSV chunk makes room for 8 overflow cells
    rows = 100 * len(HEADER) // width
    assert [len(f) for f in frames] == [rows] * (1000 // rows) + ([1000 % rows] if 1000 % rows else [])
    assert pd.concat(frames)["行政相对人名称"].tolist() == [r[0] for r in records]
