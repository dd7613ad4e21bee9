"""XLSX workbooks: the zip checked before anything is inflated, the sheet picked, its rows read as cell text."""

from __future__ import annotations

import contextlib
import functools
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from citycredit.core import config
from citycredit.core.printable import printable
from citycredit.normalize import standardize
from citycredit.normalize.header_rows import (
    HEADER_MIN_MATCHES,
    HEADER_SEARCH_ROWS,
    column_names,
    columns_before_table,
    find_header,
    header_cells,
    header_width,
    label_matches,
)
from citycredit.normalize.sheet_cells import dense, sheet_rows
from citycredit.normalize.tables import MAX_COLUMNS, Table, UnreadableFile, sparse_frames, too_many_columns

# Zip-bomb guard, read from the zip directory before anything is decompressed. A real sheet compresses about
# 15:1; a bomb by 1000:1.
MAX_UNCOMPRESSED_BYTES = 8 * 1024**3
BOMB_RATIO = 100
BOMB_MIN_BYTES = 64 * 1024**2
SHEET_KEYWORDS = {"license": ("行政许可", "许可"), "penalty": ("行政处罚", "处罚"), "credit_list": ("名单",)}
INSTRUCTION_KEYWORDS = ("说明", "须知", "代码表", "字典")
# Faults of a damaged workbook: truncated or corrupt zip members, broken XML inside them.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError)
_DAMAGED_REASON = "文件已损坏或被截断：无法解压或解析Excel文件的内容；请重新导出后报送"


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise UnreadableFile("文件已损坏或被截断：Excel文件的压缩结构不完整；请重新导出后报送") from exc
    if not any(m.filename == "[Content_Types].xml" or m.filename.startswith("xl/") for m in members):
        raise _plain_archive(path, members)
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


def _plain_archive(path: Path, members: list[zipfile.ZipInfo]) -> UnreadableFile:
    """A zip that holds no workbook: a file compressed for sending (Windows "发送到 → 压缩文件夹"), or a foreign zip."""
    files = [_member_name(m) for m in members if not m.is_dir()]
    listed = "、".join(f"“{printable(n)}”" for n in files[:3]) + ("等" if len(files) > 3 else "")
    inside = f"，压缩包内有{listed}共{len(files)}个文件" if files else "，压缩包是空的"
    prefix = "不是有效的Excel文件：" if path.suffix.lower() in (".xlsx", ".xlsm", ".xls") else ""
    return UnreadableFile(f"{prefix}文件是zip压缩包，不是Excel工作簿{inside}；请解压后直接报送其中的CSV或Excel文件")


def _member_name(member: zipfile.ZipInfo) -> str:
    """A member's name as its sender wrote it: without the UTF-8 flag, Windows' zip writes names in the system code
    page (GBK on a Chinese Windows), which zipfile reads as cp437."""
    if member.flag_bits & 0x800:
        return member.filename
    raw = member.filename.encode("cp437")
    return raw.decode("gb18030", errors="replace") if not raw.isascii() else member.filename


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
    """The first rows of a sheet, empty ones included, each up to its last cell holding a value."""
    rows: list[list[str | None]] = [[] for _ in range(HEADER_SEARCH_ROWS)]
    for number, cells in sheet_rows(ws, last_row=HEADER_SEARCH_ROWS):
        rows[number - 1] = dense(cells)
    return rows


def _pick_sheet(workbook, dataset: str | None):
    """The visible sheet most like the dataset's data, by the first of these that tells sheets apart:

    not an instructions sheet (填报说明 often comes first, and may show the header as an example); named for the
    dataset (行政许可, 处罚, 名单) with some known labels; a recognisable header; named for the dataset; the most
    known labels; the first.
    """
    visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
    if not visible:
        raise UnreadableFile("不是有效的Excel文件：工作簿中没有可见的工作表")
    keywords = SHEET_KEYWORDS.get(dataset or "", ())
    ranked = []
    for position, ws in enumerate(visible):
        rows = _top_rows(ws)
        best = max((label_matches(cells, dataset) for cells in rows), default=0)
        named = any(k in ws.title for k in keywords)
        instructions = any(k in ws.title for k in INSTRUCTION_KEYWORDS)
        key = (instructions, not (named and best), best < HEADER_MIN_MATCHES, not named, -best, position)
        ranked.append((key, ws, rows))
    _, ws, rows = min(ranked, key=lambda item: item[0])
    return ws, rows


def open_xlsx(path: Path, dataset: str | None, chunksize: int) -> Table:
    _check_zip(path)
    with _workbook(path) as workbook:
        ws, rows = _pick_sheet(workbook, dataset)
        index = find_header(rows, dataset)
        if index is None:
            raise UnreadableFile(f"文件为空：工作表“{ws.title}”没有任何内容")
        cells, last = header_cells(rows, index, dataset)
        if (width := header_width(cells)) > MAX_COLUMNS:
            raise too_many_columns(width, f"工作表“{ws.title}”第{index + 1}行的表头")
        skipped = columns_before_table(rows, cells)
        headers, notes = column_names(cells[skipped:])
        sheet = ws.title
    dates = frozenset(skipped + c for c in _date_columns(headers, dataset))
    return Table(
        path=path,
        format="xlsx",
        headers=headers,
        header_row=last + 1,
        encoding=None,
        sheet=sheet,
        notes=notes,
        _rows=functools.partial(_xlsx_chunks, path, sheet, last + 1, headers, skipped + 1, dates, chunksize),
    )


def _date_columns(headers: list[str], dataset: str | None) -> frozenset[int]:
    """Columns (1-based) whose header is a date field's (of the dataset, or of any dataset)."""
    columns: set[int] = set()
    for name in [dataset] if dataset else config.DATASETS:
        dates = {f.name for f in config.fields(name) if f.type == "date"}
        mapped = standardize.map_headers(headers, name).columns
        columns.update(i for i, h in enumerate(headers, start=1) if mapped.get(h) in dates)
    return frozenset(columns)


def _xlsx_chunks(
    path: Path,
    sheet: str,
    header_row: int,
    headers: list[str],
    first_column: int,
    dates: frozenset[int],
    chunksize: int,
) -> Iterator[pd.DataFrame]:
    with _workbook(path) as workbook:
        rows = sheet_rows(workbook[sheet], first_row=header_row + 1, date_columns=dates)
        yield from sparse_frames(rows, headers, chunksize, first_column)
