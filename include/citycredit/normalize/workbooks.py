"""XLSX workbooks: the zip checked before anything is inflated, the sheet picked, its rows read as cell text."""

from __future__ import annotations

import contextlib
import functools
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from citycredit.core.cell_text import cell_text
from citycredit.normalize.header_rows import (
    HEADER_MIN_MATCHES,
    HEADER_SEARCH_ROWS,
    column_names,
    find_header,
    label_matches,
)
from citycredit.normalize.tables import Table, UnreadableFile, chunked_frames

# Zip-bomb guard, read from the zip directory before anything is decompressed. A real sheet compresses about
# 15:1; a bomb by 1000:1.
MAX_UNCOMPRESSED_BYTES = 8 * 1024**3
BOMB_RATIO = 100
BOMB_MIN_BYTES = 64 * 1024**2
SHEET_KEYWORDS = {"license": ("行政许可", "许可"), "penalty": ("行政处罚", "处罚"), "credit_list": ("名单",)}
# Faults of a damaged workbook: truncated or corrupt zip members, broken XML inside them.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError)
_DAMAGED_REASON = "文件已损坏或被截断：无法解压或解析Excel文件的内容；请重新导出后报送"


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise UnreadableFile("文件已损坏或被截断：Excel文件的压缩结构不完整；请重新导出后报送") from exc
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile(
            f"疑似压缩炸弹：文件解压后共{total / 1024**3:.1f}GB，"
            f"超过上限{MAX_UNCOMPRESSED_BYTES / 1024**3:.0f}GB，已拒绝读取；请核实文件来源"
        )
    for m in members:
        if m.file_size > BOMB_MIN_BYTES and m.file_size > BOMB_RATIO * max(m.compress_size, 1):
            raise UnreadableFile(
                f"疑似压缩炸弹：文件中的“{m.filename}”解压后达{m.file_size / 1024**2:.0f}MB，"
                f"是压缩后大小的{m.file_size // max(m.compress_size, 1)}倍，已拒绝读取；请核实文件来源"
            )


@contextlib.contextmanager
def _workbook(path: Path) -> Iterator:
    """The workbook opened read-only with cached formula values; bad content raises `UnreadableFile`.

    openpyxl gets a file object, not the path: given a path it refuses names without an Excel extension, and
    the landing store keeps files under their hash.
    """
    import openpyxl

    with path.open("rb") as fh:
        try:
            workbook = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except _DAMAGED as exc:
            raise UnreadableFile(_DAMAGED_REASON) from exc
        except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError, XML errors) for foreign zips
            raise UnreadableFile(
                "不是有效的Excel文件：文件中没有可读取的工作簿；请用Excel另存为.xlsx后重新报送"
            ) from exc
        try:
            yield workbook
        except _DAMAGED as exc:
            raise UnreadableFile(_DAMAGED_REASON) from exc
        finally:
            workbook.close()


def _top_rows(ws) -> list[list[str | None]]:
    ws.reset_dimensions()  # exporters often write a wrong <dimension>; never let it cut rows off
    return [[cell_text(v) for v in row] for row in ws.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)]


def _pick_sheet(workbook, dataset: str | None):
    """The sheet named for the dataset; else the first visible sheet with a recognisable header; else the first."""
    visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
    if not visible:
        raise UnreadableFile("不是有效的Excel文件：工作簿中没有可见的工作表")
    keywords = SHEET_KEYWORDS.get(dataset or "", ())
    named = [ws for ws in visible if any(k in ws.title for k in keywords)]
    for ws in named or visible:
        rows = _top_rows(ws)
        if named or any(label_matches(cells, dataset) >= HEADER_MIN_MATCHES for cells in rows):
            return ws, rows
    return visible[0], _top_rows(visible[0])


def open_xlsx(path: Path, dataset: str | None, chunksize: int) -> Table:
    _check_zip(path)
    with _workbook(path) as workbook:
        ws, rows = _pick_sheet(workbook, dataset)
        index = find_header(rows, dataset)
        if index is None:
            raise UnreadableFile(f"文件为空：工作表“{ws.title}”没有任何内容")
        headers, notes = column_names(rows[index])
        sheet = ws.title
    return Table(
        path=path,
        format="xlsx",
        headers=headers,
        header_row=index + 1,
        encoding=None,
        sheet=sheet,
        notes=notes,
        _rows=functools.partial(_xlsx_chunks, path, sheet, index + 1, headers, chunksize),
    )


def _xlsx_chunks(path: Path, sheet: str, header_row: int, headers: list[str], chunksize: int) -> Iterator[pd.DataFrame]:
    with _workbook(path) as workbook:
        ws = workbook[sheet]
        ws.reset_dimensions()
        rows = ws.iter_rows(min_row=header_row + 1, values_only=True)
        numbered = ((number, [cell_text(v) for v in row]) for number, row in enumerate(rows, start=header_row + 1))
        nonblank = ((n, cells) for n, cells in numbered if any(c is not None for c in cells))
        yield from chunked_frames(nonblank, headers, chunksize)
