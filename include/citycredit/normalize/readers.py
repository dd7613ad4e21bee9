"""Department files on disk → chunks of raw text cells, numbered by the rows the department sees.

`open_table` looks at the start of a file only (format, encoding, delimiter, sheet, header row) and raises
`UnreadableFile` with a Chinese reason when the file cannot be read; `Table.chunks()` then streams the rows.
Each format has its module (text_files, workbooks, json_files); this one tells them apart.

Formats are told by content, not by name: a zip is an XLSX workbook (a zip without one is refused as an
archive, as are gzip, 7z and rar files); an OLE2 file (.xls, or an encrypted workbook) is refused; anything else
is delimited text (comma, tab, ``;`` or ``|``, whichever splits the first lines most consistently); a line may
have as many cells as the header line, trailing empty ones included, and 8 more. Text encodings: a BOM (UTF-8,
UTF-16) decides; otherwise UTF-8 and GB18030 (a superset of GBK and GB2312) are tried on the first 64 KiB,
charset-normalizer ranks them when both decode, and the feed's encoding hint breaks a tie or decides for a
pure-ASCII start. A UTF-8 or GB18030 file is then decoded line by line (text_encodings.LINES): a line that is
valid UTF-8 is read as UTF-8, any other as GB18030, so a row pasted from another source is neither gibberish nor
the end of the file. A Big5 file (繁體), which GB18030 decodes as gibberish, is refused when only Big5 shows its
header.

Limits (tables.py), each refused with a Chinese reason: a table has at most ``MAX_COLUMNS`` (1,000) columns, counted
as the header's width, or the header plus every column beyond it that holds a value, or a JSON file's distinct
keys; a CSV header must end within the first 64 KiB. Memory follows the cells that hold data: workbook rows are
read as their cells (sheet_cells.py), never padded to the last column a sheet addresses (XFD), and a chunk holds at
most ``CHUNK_CELLS`` cells, so a wide table is read fewer rows at a time.

Rows and their numbers:

- the header is the first of the first 20 rows in which at least 3 cells are known field labels (a title row
  above it, merged or not, is skipped); failing that the row with the most such cells, failing that the first
  non-empty row. When the row below it is the header's second row (the national template's two-row header:
  行政相对人代码 merged over its codes, 有效期 over 自 / 至), the two are read as one header
  (header_rows.two_row_header) and ``header_row`` is the second's number. ``header_row`` is 1-based.
- the sheet of a workbook is a visible one, chosen by its name and header (workbooks._pick_sheet): an instructions
  sheet (填报说明) is read only when no other sheet looks like data.
- ``_source_row`` is what Excel shows for the row: in a workbook the sheet's row number; in a CSV file the
  record's ordinal, counting the header row and blank lines, so a quoted cell holding a line break does not
  shift later rows (Excel opens such a record as one row).
- rows whose cells are all empty or blank are not records and are left out (their numbers are simply not used);
  so are a header row again below the first (two exports joined, a second table pasted below) and a 合计 or
  sign-off row (制表人：…) under the records (tables.not_records).
- cells beyond the header's last column are kept in columns named "第N列" (N = the column's position) when a
  chunk has a value there; normalize puts them into ``_extra``. A CSV row with more than 8 cells too many is a
  broken file (a delimiter or quote error) and raises `UnreadableFile`.

JSON (a file whose content starts like ``[{`` or ``{"``): an array of objects or JSON Lines, as HTTP and database
feeds are stored. The header is every key that occurs; ``_source_row`` is the record's 1-based position; numbers
keep the digits as written; nested values become compact JSON text.

Chunk columns hold the pandas string dtype (missing = NA; ``pd.isna``) and ``_source_row`` (int64). Workbook cells
are turned into the text the clerk typed: dates as "YYYY-MM-DD" (with " HH:MM:SS" when the time is not
midnight), whole numbers without ".0" or an exponent (a 15-digit registration number stays 15 digits), other
numbers in plain positional notation; formulas are read as their cached values and never evaluated; a cached error
value is its text ("#N/A", "#REF!", ...), a boolean "TRUE" or "FALSE". In a workbook of the 1904 date system (old
Mac Excel) a five-digit plain number in a date column is a serial of that system and is read as the date.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from citycredit.normalize import json_files, text_files, workbooks
from citycredit.normalize.tables import Table, UnreadableFile

__all__ = ["Table", "UnreadableFile", "open_table"]

_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# Archives other than zip: a file compressed by the sending system or a mail gateway, the name left as it was.
_ARCHIVE_MAGICS = {b"\x1f\x8b": "gzip", b"7z\xbc\xaf\x27\x1c": "7z", b"Rar!\x1a\x07": "rar"}
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
# A JSON array of objects or JSON Lines; a CSV header may start with "[必填]" but never with "[{" or '{"'.
_JSON_START = re.compile(rb'\s*(\[\s*[{\]]|\{\s*")')


def open_table(
    path: Path,
    *,
    dataset: str | None = None,
    encoding_hint: str | None = None,
    chunksize: int = 100_000,
) -> Table:
    """Open a department file: detect its format, encoding, sheet and header row; read no further.

    ``dataset`` (license | penalty | credit_list) picks the workbook sheet and the labels the header is
    recognised by; ``encoding_hint`` is the feed's configured encoding. Raises `UnreadableFile`.
    """
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise UnreadableFile("文件为空（0字节）")
    if head.startswith(_ZIP_MAGICS):
        return workbooks.open_xlsx(path, dataset, chunksize)
    if kind := next((k for magic, k in _ARCHIVE_MAGICS.items() if head.startswith(magic)), None):
        raise UnreadableFile(f"文件是{kind}压缩包，不是CSV或Excel文件；请解压后直接报送其中的CSV或Excel文件")
    if head.startswith(_OLE2_MAGIC):
        raise UnreadableFile(
            "文件是旧版Excel（.xls）或加密的Excel文件，无法读取；请另存为不加密的.xlsx或CSV文件后重新报送"
        )
    if path.suffix.lower() in _EXCEL_SUFFIXES:
        raise UnreadableFile(
            f"不是有效的Excel文件：扩展名是{path.suffix}，内容却不是Excel工作簿（可能是改了扩展名的网页或文本文件）；"
            "请用Excel另存为.xlsx或CSV文件后重新报送"
        )
    with path.open("rb") as fh:
        start = fh.read(256).removeprefix(codecs.BOM_UTF8)
    if _JSON_START.match(start):
        return json_files.open_json(path, encoding_hint, chunksize)
    return text_files.open_text(path, dataset, encoding_hint, chunksize)
