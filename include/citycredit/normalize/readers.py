"""Department files on disk → chunks of raw text cells, numbered by the rows the department sees.

`open_table` looks at the start of a file only (format, encoding, delimiter, sheet, header row) and raises
`UnreadableFile` with a Chinese reason when the file cannot be read; `Table.chunks()` then streams the rows.

Formats are told by content, not by name: a zip is an XLSX workbook; an OLE2 file (.xls, or an encrypted
workbook) is refused; anything else is delimited text (comma, tab, ``;`` or ``|``, whichever splits the first
lines most consistently). Text encodings: a BOM (UTF-8, UTF-16) decides; otherwise UTF-8 and GB18030 (a superset
of GBK and GB2312) are tried on the first 64 KiB, charset-normalizer ranks them when both decode, and the feed's
encoding hint breaks a tie or decides for a pure-ASCII start.

Rows and their numbers:

- the header is the first of the first 20 rows in which at least 3 cells are known field labels (a title row
  above it, merged or not, is skipped); failing that the row with the most such cells, failing that the first
  non-empty row. ``header_row`` is its number, 1-based.
- ``_source_row`` is what Excel shows for the row: in a workbook the sheet's row number; in a CSV file the
  record's ordinal, counting the header row and blank lines, so a quoted cell holding a line break does not
  shift later rows (Excel opens such a record as one row).
- rows whose cells are all empty or blank are not records and are left out (their numbers are simply not used).
- cells beyond the header's last column are kept in columns named "第N列" (N = the column's position) when a
  chunk has a value there; normalize puts them into ``_extra``. A CSV row with more than 8 cells too many is a
  broken file (a delimiter or quote error) and raises `UnreadableFile`.

JSON (a file whose content starts like ``[{`` or ``{"``): an array of objects or JSON Lines, as HTTP and database
feeds are stored. The header is every key that occurs; ``_source_row`` is the record's 1-based position; numbers
keep the digits as written; nested values become compact JSON text.

Chunk columns hold the pandas string dtype (missing = NA; ``pd.isna``) and ``_source_row`` (int64). Workbook cells
are turned into the text the clerk typed: dates as "YYYY-MM-DD" (with " HH:MM:SS" when the time is not
midnight), whole numbers without ".0" or an exponent (a 15-digit registration number stays 15 digits), other
numbers in plain positional notation; formulas are read as their cached values and never evaluated.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import decimal
import functools
import io
import itertools
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from citycredit.core import config
from citycredit.normalize import standardize

SAMPLE_BYTES = 64 * 1024  # start of a text file used for encoding, delimiter and header detection
HEADER_SEARCH_ROWS = 20
HEADER_MIN_MATCHES = 3
OVERFLOW_COLUMNS = 8  # cells a CSV row may have beyond its header before the file counts as broken
ARROW_BLOCK_BYTES = 4 * 1024**2  # bytes pyarrow parses at a time
# Zip-bomb guard, read from the zip directory before anything is decompressed. A real sheet compresses about
# 15:1; a bomb by 1000:1.
MAX_UNCOMPRESSED_BYTES = 8 * 1024**3
BOMB_RATIO = 100
BOMB_MIN_BYTES = 64 * 1024**2

DELIMITERS = (",", "\t", ";", "|")
SHEET_KEYWORDS = {"license": ("行政许可", "许可"), "penalty": ("行政处罚", "处罚"), "credit_list": ("名单",)}
_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)
_GB_NAMES = {"gbk", "gb2312", "gb18030", "cp936", "euc-cn"}
# Faults of a damaged workbook: truncated or corrupt zip members, broken XML inside them.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError)
_DAMAGED_REASON = "文件已损坏或被截断：无法解压或解析Excel文件的内容；请重新导出后报送"
# A JSON array of objects or JSON Lines; a CSV header may start with "[必填]" but never with "[{" or '{"'.
_JSON_START = re.compile(rb'\s*(\[\s*[{\]]|\{\s*")')
JSON_MAX_RECORD_CHARS = 64 * 1024**2  # one record larger than this is a broken file, not a record
_STR = pd.StringDtype(na_value=np.nan)  # the dtype of read_csv(dtype=str)


class UnreadableFile(Exception):
    """A file that cannot be read as a table; ``reason`` says why, in Chinese, for the department."""

    def __init__(self, reason_zh: str):
        super().__init__(reason_zh)
        self.reason_zh = reason_zh

    @property
    def reason(self) -> str:
        return self.reason_zh


@dataclass
class Table:
    """An opened department file: what was found at its start, and its rows on demand."""

    path: Path
    format: str  # csv | tsv | xlsx
    headers: list[str]  # header cells as written (trimmed); empty and repeated ones renamed, see notes
    header_row: int  # 1-based, as the department sees it
    encoding: str | None  # text files: utf-8, utf-8-sig, utf-16, gb18030 or the hinted codec
    sheet: str | None  # workbooks: the sheet read
    _rows: Callable[[], Iterator[pd.DataFrame]] = field(repr=False)
    notes: list[str] = field(default_factory=list)  # Chinese remarks about the header row (renamed columns)

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Frames of at most ``chunksize`` rows: one column per header (+ overflow columns), ``_source_row``."""
        return self._rows()


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
        return _open_xlsx(path, dataset, chunksize)
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
        return _open_json(path, encoding_hint, chunksize)
    return _open_text(path, dataset, encoding_hint, chunksize)


# --- Shared: header detection, column names, finishing a chunk ---------------------------------------------------


def _label_matches(cells: list[str | None], dataset: str | None) -> int:
    """How many cells of a row are known field labels (of the dataset, or of the best-fitting dataset)."""
    labels = [c for c in cells if c and c.strip()]
    if not labels:
        return 0
    return max(len(standardize.map_headers(labels, d).columns) for d in ([dataset] if dataset else config.DATASETS))


def _find_header(rows: list[list[str | None]], dataset: str | None) -> int | None:
    """Index of the header among the first rows; None when they are all empty."""
    scores = [_label_matches(cells, dataset) for cells in rows]
    for i, score in enumerate(scores):
        if score >= HEADER_MIN_MATCHES:
            return i
    if max(scores, default=0) > 0:
        return scores.index(max(scores))
    return next((i for i, cells in enumerate(rows) if any(c and c.strip() for c in cells)), None)


_EDGE_INVISIBLE = re.compile(f"^[\\s{standardize.INVISIBLE}]+|[\\s{standardize.INVISIBLE}]+$")


def _column_names(cells: list[str | None]) -> tuple[list[str], list[str]]:
    """Header names (trimmed, trailing empty cells dropped, the rest made unique) and notes about renames."""
    trimmed = [_EDGE_INVISIBLE.sub("", c) if c else "" for c in cells]
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    names: list[str] = []
    notes: list[str] = []
    for position, text in enumerate(trimmed, start=1):
        if not text:
            name = _unique(f"第{position}列", names)
            notes.append(f"第{position}列的表头为空，该列记为“{name}”")
        else:
            name = _unique(text, names)
            if name != text:
                notes.append(f"表头“{text}”重复出现，第{position}列记为“{name}”")
        names.append(name)
    return names, notes


def _unique(name: str, taken: list[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}#{n}"
    return candidate


def _overflow_names(headers: list[str], width: int) -> list[str]:
    names = list(headers)
    for position in range(len(headers) + 1, width + 1):
        names.append(_unique(f"第{position}列", names))
    return names


def _finish(frame: pd.DataFrame, source_rows: np.ndarray, n_headers: int) -> pd.DataFrame:
    """Drop overflow columns without a value and rows without any value; add ``_source_row``."""
    blank = pd.DataFrame({c: frame[c].isna() | frame[c].str.isspace().fillna(False) for c in frame.columns})
    frame = frame.drop(columns=[c for c in frame.columns[n_headers:] if blank[c].all()])
    frame[standardize.SOURCE_ROW] = source_rows.astype(np.int64)
    return frame[~blank.all(axis=1)]


# --- Delimited text -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TextLayout:
    codec: str  # decodes the bytes after the BOM
    delimiter: str
    headers: list[str]
    header_row: int
    data_offset: int  # byte offset of the first record after the header
    header_cells: int  # cells of the header record, empty trailing ones included

    def columns(self) -> list[str]:
        """Names of the cells of a record as wide as the header record (within the overflow allowance)."""
        return _overflow_names(self.headers, min(self.header_cells, len(self.headers) + OVERFLOW_COLUMNS))


def _open_text(path: Path, dataset: str | None, encoding_hint: str | None, chunksize: int) -> Table:
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
        at_eof = not fh.read(1)
    label, codec, bom = _detect_encoding(sample, at_eof, encoding_hint)
    text = codecs.getincrementaldecoder(codec)().decode(sample[bom:], final=at_eof)
    delimiter = _detect_delimiter(text)
    records = _leading_records(text, delimiter, at_eof)
    index = _find_header([cells for cells, _ in records], dataset)
    if index is None:
        if at_eof:
            raise UnreadableFile("文件为空：没有表头，也没有数据")
        raise UnreadableFile(f"文件开头的{len(records)}行都是空行，找不到表头")
    headers, notes = _column_names(records[index][0])
    if index + 1 < len(records) and len(records[index + 1][0]) > len(headers) + OVERFLOW_COLUMNS:
        # pandas would cut a first record this wide down to the header with a warning, and lose the rest
        raise UnreadableFile(_too_wide_reason(index + 2, len(records[index + 1][0]), len(headers)))
    consumed = text[: records[index][1]]
    layout = _TextLayout(
        codec, delimiter, headers, index + 1, bom + len(consumed.encode(codec)), len(records[index][0])
    )
    return Table(
        path=path,
        format="tsv" if delimiter == "\t" else "csv",
        headers=headers,
        header_row=layout.header_row,
        encoding=label,
        sheet=None,
        notes=notes,
        _rows=functools.partial(_text_chunks, path, layout, chunksize),
    )


def _codec_for_hint(hint: str | None) -> str | None:
    if not hint:
        return None
    if hint.strip().lower() in _GB_NAMES:
        return "gb18030"  # a superset: decodes every GBK / GB2312 file the same way
    try:
        name = codecs.lookup(hint).name
    except LookupError:
        return None
    return "utf-8" if name == "utf-8-sig" else name


def _decodes(sample: bytes, codec: str, at_eof: bool) -> bool:
    try:
        codecs.getincrementaldecoder(codec)().decode(sample, final=at_eof)
    except UnicodeDecodeError:
        return False
    return True


def _detect_encoding(sample: bytes, at_eof: bool, hint: str | None) -> tuple[str, str, int]:
    """(label reported, codec for the bytes after the BOM, BOM length)."""
    for bom, label, codec in _BOMS:
        if sample.startswith(bom):
            return label, codec, len(bom)
    if b"\x00" in sample:
        raise UnreadableFile("无法识别的文件编码：文件含有二进制内容，不是CSV文本文件")
    hinted = _codec_for_hint(hint)
    if sample.isascii():
        return (hinted or "utf-8"), (hinted or "utf-8"), 0
    if at_eof and not _decodes(sample, "utf-8", True) and _decodes(sample, "utf-8", False):
        # UTF-8 up to a character cut off at the very end: an interrupted upload or export, not another encoding
        # (GB18030 may well decode such bytes, as gibberish).
        raise UnreadableFile("文件不完整：文件末尾的字符被截断，可能是上传或导出中断；请重新导出完整的文件后报送")
    candidates = [c for c in dict.fromkeys(["utf-8", "gb18030", hinted]) if c and _decodes(sample, c, at_eof)]
    if not candidates:
        raise UnreadableFile(
            "无法识别的文件编码：内容既不是UTF-8也不是GBK/GB18030编码；请另存为UTF-8或GBK编码的CSV文件后重新报送"
        )
    chosen = candidates[0] if len(candidates) == 1 else _rank_encodings(sample, candidates, hinted)
    return chosen, chosen, 0


def _rank_encodings(sample: bytes, candidates: list[str], hinted: str | None) -> str:
    """The candidate charset-normalizer finds least chaotic; the hint, then the list order, breaks ties."""
    import charset_normalizer

    chaos = {
        codecs.lookup(m.encoding).name: m.chaos for m in charset_normalizer.from_bytes(sample, cp_isolation=candidates)
    }
    ranked = [c for c in candidates if c in chaos]
    if not ranked:
        return hinted if hinted in candidates else candidates[0]
    least = min(chaos[c] for c in ranked)
    tied = [c for c in ranked if chaos[c] == least]
    return hinted if hinted in tied else tied[0]


def _detect_delimiter(text: str) -> str:
    """The delimiter with the highest median count over the first non-empty lines (ties: comma first)."""
    lines = [line for line in text.splitlines()[: HEADER_SEARCH_ROWS * 2] if line.strip()][:HEADER_SEARCH_ROWS]
    best, best_median = ",", 0
    for delimiter in DELIMITERS:
        counts = sorted(line.count(delimiter) for line in lines)
        median = counts[len(counts) // 2] if counts else 0
        if median > best_median:
            best, best_median = delimiter, median
    return best


def _leading_records(text: str, delimiter: str, at_eof: bool) -> list[tuple[list[str | None], int]]:
    """The first complete records of the sample, each with the number of characters read up to its end."""
    source = io.StringIO(text, newline="")
    consumed = 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        for line in source:
            consumed += len(line)
            yield line

    records: list[tuple[list[str | None], int]] = []
    for cells in csv.reader(lines(), delimiter=delimiter):
        if not at_eof and consumed >= len(text):
            break  # may be cut off by the end of the sample
        records.append(([c or None for c in cells], consumed))
        if len(records) == HEADER_SEARCH_ROWS:
            break
    return records


_BAD_WIDTH = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def _text_chunks(path: Path, layout: _TextLayout, chunksize: int) -> Iterator[pd.DataFrame]:
    """The records as pyarrow reads them; from the first record it cannot read exactly, as pandas reads them."""
    with path.open("rb") as fh:
        fh.seek(layout.data_offset)
        if not fh.read(1):
            return  # a header and nothing else: zero rows
    yielded = 0
    with contextlib.closing(_arrow_chunks(path, layout, chunksize)) as fast:
        while True:
            try:
                chunk = next(fast, None)
            except (pa.ArrowException, UnicodeDecodeError, _OpenQuoteAtEnd):
                break  # pandas reads the rest, and says what is wrong if anything is
            if chunk is None:
                return
            yield chunk
            yielded += 1
    # Both readers cut the records into the same chunks: skip the ones already yielded.
    yield from itertools.islice(_pandas_chunks(path, layout, chunksize), yielded, None)


class _OpenQuoteAtEnd(Exception):
    """The last cell opens a quote that is never closed: pyarrow takes the rest of the file as its value."""


def _arrow_chunks(path: Path, layout: _TextLayout, chunksize: int) -> Iterator[pd.DataFrame]:
    """What `_pandas_chunks` yields, for a file whose records are as wide as its header record and close every quote.

    Raises `pa.ArrowException` at a record with more or fewer cells (a blank line is a record of empty cells, as
    in pandas), `UnicodeDecodeError` at undecodable bytes and `_OpenQuoteAtEnd`, each before yielding the chunk
    holding the record.
    """
    start = 0
    with path.open("rb") as fh:
        fh.seek(layout.data_offset)
        for table, last in _record_tables(_arrow_reader(fh, layout), chunksize):
            if last and _ends_in_open_quote(path, table.column(-1)[-1].as_py(), layout.codec):
                raise _OpenQuoteAtEnd
            frame = table.to_pandas(types_mapper={pa.large_string(): _STR}.get)
            frame.index = pd.RangeIndex(start, start + len(frame))
            yield _finish(frame, layout.header_row + 1 + frame.index.to_numpy(), len(layout.headers))
            start += len(frame)


def _arrow_reader(fh: BinaryIO, layout: _TextLayout) -> pacsv.CSVStreamingReader:
    """Every cell as text, empty ones (quoted or not) missing, quoted line breaks kept: as `_pandas_chunks`."""
    columns = layout.columns()
    return pacsv.open_csv(
        fh,
        read_options=pacsv.ReadOptions(column_names=columns, encoding=layout.codec, block_size=ARROW_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(delimiter=layout.delimiter, newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(columns, pa.large_string()), null_values=[""], strings_can_be_null=True
        ),
    )


def _record_tables(reader: pacsv.CSVStreamingReader, chunksize: int) -> Iterator[tuple[pa.Table, bool]]:
    """Tables of ``chunksize`` records (the last may have fewer), each with whether it is the last one."""
    pending = reader.schema.empty_table()
    for batch in reader:
        pending = pa.concat_tables([pending, pa.Table.from_batches([batch])])
        while pending.num_rows > chunksize:
            yield pending.slice(0, chunksize), False
            pending = pending.slice(chunksize)
    if pending.num_rows:
        yield pending, True


def _ends_in_open_quote(path: Path, last_cell: str | None, codec: str) -> bool:
    """Whether the file ends with the last cell written as a quoted value without its closing quote.

    pyarrow reads such a cell up to the end of the file; pandas refuses the file. A false alarm only costs speed.
    """
    tail = ('"' + (last_cell or "").replace('"', '""')).encode(codec)
    with path.open("rb") as fh:
        fh.seek(max(0, fh.seek(0, io.SEEK_END) - len(tail)))
        return fh.read() == tail


def _pandas_chunks(path: Path, layout: _TextLayout, chunksize: int) -> Iterator[pd.DataFrame]:
    names = _overflow_names(layout.headers, len(layout.headers) + OVERFLOW_COLUMNS)
    with path.open("rb") as fh:
        fh.seek(layout.data_offset)
        try:
            with pd.read_csv(
                fh,
                sep=layout.delimiter,
                header=None,
                names=names,
                index_col=False,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,
                encoding=layout.codec,
                engine="c",
                chunksize=chunksize,
            ) as reader:
                for chunk in reader:
                    # The reader numbers records 0, 1, ... across chunks; blank lines are records too.
                    yield _finish(chunk, layout.header_row + 1 + chunk.index.to_numpy(), len(layout.headers))
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"文件中途出现无法按{layout.codec}解码的内容：可能混用了多种编码，或文件已损坏；"
                "请统一另存为UTF-8或GBK编码后重新报送"
            ) from exc
        except pd.errors.ParserError as exc:
            raise UnreadableFile(_parser_reason(str(exc), layout)) from exc


def _too_wide_reason(row: int, cells: int, headers: int) -> str:
    return f"第{row}行有{cells}个单元格，比表头的{headers}列多出太多，可能是分隔符或引号使用有误；请检查该行后重新报送"


def _parser_reason(message: str, layout: _TextLayout) -> str:
    if m := _BAD_WIDTH.search(message):
        return _too_wide_reason(layout.header_row + int(m.group(2)), int(m.group(3)), len(layout.headers))
    if m := _OPEN_QUOTE.search(message):
        row = layout.header_row + 1 + int(m.group(1))
        return f"第{row}行开始的引号没有闭合，文件其余内容无法分行；请检查该行后重新报送"
    return "文件已损坏或格式有误，无法按CSV读取；请重新导出后报送"


# --- XLSX -----------------------------------------------------------------------------------------------------


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


def cell_text(value: object) -> str | None:
    """The text of a workbook cell (or a JSON value, or a database column) as the clerk would read it."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else np.format_float_positional(value, trim="-")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


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
        if named or any(_label_matches(cells, dataset) >= HEADER_MIN_MATCHES for cells in rows):
            return ws, rows
    return visible[0], _top_rows(visible[0])


def _open_xlsx(path: Path, dataset: str | None, chunksize: int) -> Table:
    _check_zip(path)
    with _workbook(path) as workbook:
        ws, rows = _pick_sheet(workbook, dataset)
        index = _find_header(rows, dataset)
        if index is None:
            raise UnreadableFile(f"文件为空：工作表“{ws.title}”没有任何内容")
        headers, notes = _column_names(rows[index])
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
        yield from _chunked_frames(nonblank, headers, chunksize)


def _chunked_frames(
    numbered: Iterator[tuple[int, list[str | None]]], headers: list[str], chunksize: int
) -> Iterator[pd.DataFrame]:
    """Frames of at most ``chunksize`` rows from (source row, cells) pairs."""
    batch: list[list[str | None]] = []
    numbers: list[int] = []
    for number, cells in numbered:
        batch.append(cells)
        numbers.append(number)
        if len(batch) == chunksize:
            yield _rows_frame(batch, numbers, headers)
            batch, numbers = [], []
    if batch:
        yield _rows_frame(batch, numbers, headers)


def _rows_frame(batch: list[list[str | None]], numbers: list[int], headers: list[str]) -> pd.DataFrame:
    width = max(len(headers), max(len(cells) for cells in batch))
    padded = [cells + [None] * (width - len(cells)) for cells in batch]
    frame = pd.DataFrame(padded, columns=_overflow_names(headers, width), dtype="str")
    return _finish(frame, np.asarray(numbers), len(headers))


# --- JSON -----------------------------------------------------------------------------------------------------

_JSON_BLOCK = 1 << 20
_JSON_BROKEN = "JSON内容不完整或格式有误（可能被截断）：第{n}条记录处无法解析；请重新导出后报送"
_JSON_NOT_OBJECT = "JSON文件的第{n}条记录不是对象（应为“字段名: 值”的形式）；请按对象数组或每行一个对象重新导出"


def _open_json(path: Path, encoding_hint: str | None, chunksize: int) -> Table:
    """A JSON array of objects, or JSON Lines (one object a line). The header is every key that occurs, in order
    of first occurrence, so finding it reads the whole file once; a record's ``_source_row`` is its position and
    ``header_row`` is 0 (there is no header line)."""
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
        at_eof = not fh.read(1)
    label, codec, bom = _detect_encoding(sample, at_eof, encoding_hint)
    keys: dict[str, None] = {}
    for _, record in _json_records(path, codec, bom):
        keys.update(dict.fromkeys(record))
    if not keys:
        raise UnreadableFile("文件为空：JSON中没有任何记录")
    headers = [k if k.strip() else _unique(f"第{i}列", list(keys)) for i, k in enumerate(keys, start=1)]
    notes = [f"第{i}个字段名为空，记为“{h}”" for i, h in enumerate(headers, start=1) if h not in keys]
    return Table(
        path=path,
        format="json",
        headers=headers,
        header_row=0,
        encoding=label,
        sheet=None,
        notes=notes,
        _rows=functools.partial(_json_chunks, path, codec, bom, list(keys), headers, chunksize),
    )


def _json_chunks(
    path: Path, codec: str, bom: int, keys: list[str], headers: list[str], chunksize: int
) -> Iterator[pd.DataFrame]:
    numbered = ((n, [cell_text(record.get(k)) for k in keys]) for n, record in _json_records(path, codec, bom))
    yield from _chunked_frames(numbered, headers, chunksize)


def _json_records(path: Path, codec: str, bom: int) -> Iterator[tuple[int, dict]]:
    """(1-based position, object) of every record. Decimals keep the digits as written."""
    decoder = json.JSONDecoder(parse_float=decimal.Decimal)
    raw = path.open("rb")
    raw.seek(bom)
    with io.TextIOWrapper(raw, encoding=codec, newline="") as fh:
        try:
            first = fh.read(1)
            while first.isspace():
                first = fh.read(1)
            records = _array_items(fh, decoder) if first == "[" else _json_lines(first + fh.readline(), fh, decoder)
            for number, record in enumerate(records, start=1):
                if not isinstance(record, dict):
                    raise UnreadableFile(_JSON_NOT_OBJECT.format(n=number))
                yield number, record
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"文件中途出现无法按{codec}解码的内容：可能混用了多种编码，或文件已损坏；请统一另存为UTF-8编码后重新报送"
            ) from exc


def _json_lines(first_line: str, fh: io.TextIOWrapper, decoder: json.JSONDecoder) -> Iterator[object]:
    number = 0
    for line in _chain_first(first_line, fh):
        if not line.strip():
            continue
        number += 1
        try:
            yield decoder.decode(line)
        except json.JSONDecodeError as exc:
            raise UnreadableFile(_JSON_BROKEN.format(n=number)) from exc


def _chain_first(first: str, rest: io.TextIOWrapper) -> Iterator[str]:
    yield first
    yield from rest


def _array_items(fh: io.TextIOWrapper, decoder: json.JSONDecoder) -> Iterator[object]:
    """The items of a JSON array whose "[" was just read, decoded one at a time from a sliding buffer."""
    buffer, pos, number = "", 0, 0

    def skip_blanks() -> None:
        nonlocal buffer, pos
        while True:
            while pos < len(buffer) and buffer[pos].isspace():
                pos += 1
            if pos < len(buffer):
                return
            buffer, pos = fh.read(_JSON_BLOCK), 0
            if not buffer:
                raise UnreadableFile(_JSON_BROKEN.format(n=number + 1))

    while True:
        skip_blanks()
        if buffer[pos] == "]":
            if fh.read(_JSON_BLOCK).strip() or buffer[pos + 1 :].strip():
                raise UnreadableFile(f"JSON数组结束后还有多余内容（第{number}条记录之后）；请重新导出后报送")
            return
        if number:
            if buffer[pos] != ",":
                raise UnreadableFile(_JSON_BROKEN.format(n=number + 1))
            pos += 1
            skip_blanks()
        while True:
            try:
                item, end = decoder.raw_decode(buffer, pos)
                break
            except json.JSONDecodeError as exc:
                more = fh.read(_JSON_BLOCK)
                if not more or len(buffer) - pos > JSON_MAX_RECORD_CHARS:
                    raise UnreadableFile(_JSON_BROKEN.format(n=number + 1)) from exc
                buffer, pos = buffer[pos:] + more, 0
        number += 1
        pos = end
        yield item
