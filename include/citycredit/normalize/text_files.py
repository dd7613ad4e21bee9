"""Delimited text files (CSV, TSV): delimiter, header record, and the records streamed in chunks.

pyarrow reads the records while they are as wide as the header record and close every quote; from the first
record it cannot read exactly, pandas reads the rest and says what is wrong, in Chinese, if anything is.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import io
import itertools
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from citycredit.normalize.header_rows import (
    HEADER_MIN_MATCHES,
    HEADER_SEARCH_ROWS,
    column_names,
    columns_before_table,
    find_header,
    header_cells,
    header_width,
    label_matches,
    overflow_names,
    unique_name,
)
from citycredit.normalize.tables import (
    MAX_COLUMNS,
    Table,
    UnreadableFile,
    chunk_rows,
    finish_chunk,
    too_many_columns,
)
from citycredit.normalize.text_encodings import (
    LINES,
    SAMPLE_BYTES,
    codec_label,
    decode_sample,
    detect_encoding,
    encodings_of,
)

OVERFLOW_COLUMNS = 8  # cells a CSV row may have beyond its header line before the file counts as broken
ARROW_BLOCK_BYTES = 4 * 1024**2  # bytes pyarrow parses at a time
DELIMITERS = (",", "\t", ";", "|")
_STR = pd.StringDtype(na_value=np.nan)  # the dtype of read_csv(dtype=str)


@dataclass(frozen=True)
class _TextLayout:
    codec: str  # decodes the bytes after the BOM
    arrow_codec: str  # what pyarrow decodes with: UTF-8 natively, where the file should be UTF-8 throughout
    delimiter: str
    headers: list[str]
    header_row: int
    data_offset: int  # byte offset of the first record after the header
    header_cells: int  # cells of the header record, empty trailing ones included
    skipped: int = 0  # empty columns left of the table (header_rows.columns_before_table)

    def max_cells(self) -> int:
        """Cells a record may have: as many as the header record (whose trailing empty cells count: Excel writes
        every line of a sheet's used range as wide, so a table with empty columns to its right has lines ending in
        commas), and ``OVERFLOW_COLUMNS`` more."""
        return min(max(self.header_cells, len(self.headers)), MAX_COLUMNS) + OVERFLOW_COLUMNS

    def columns(self, width: int | None = None) -> list[str]:
        """Names of the cells of a record as wide as the header record (within the overflow allowance), or
        ``width`` cells; those left of the table first, named by their column number as those beyond it are."""
        leading: list[str] = []
        for position in range(1, self.skipped + 1):
            leading.append(unique_name(f"第{position}列", leading + self.headers))
        return overflow_names(leading + self.headers, width or min(self.header_cells, self.max_cells()))

    def in_table_order(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The header's columns first, then the cells outside it (`finish_chunk` drops those without a value)."""
        if not self.skipped:
            return frame
        return frame[[*frame.columns[self.skipped :], *frame.columns[: self.skipped]]]


def open_text(path: Path, dataset: str | None, encoding_hint: str | None, chunksize: int) -> Table:
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
        at_eof = not fh.read(1)
    label, codec, bom = detect_encoding(sample, at_eof, encoding_hint)
    text = decode_sample(sample[bom:], codec, at_eof)
    delimiter = _detect_delimiter(text)
    records = _leading_records(text, delimiter, at_eof)
    if not records and not at_eof:
        raise _first_record_too_long(text, delimiter)
    index = find_header([cells for cells, _ in records], dataset)
    if label == "gb18030" and _big5(sample, at_eof, dataset, index, records):
        raise UnreadableFile(
            "文件是繁体中文Big5编码，平台只读取UTF-8或GBK/GB18030编码的简体中文文件；"
            "请转换为简体中文，另存为UTF-8或GBK编码的CSV文件后重新报送"
        )
    if index is None:
        if at_eof:
            raise UnreadableFile("文件为空：没有表头，也没有数据")
        raise UnreadableFile(f"文件开头的{len(records)}行都是空行，找不到表头")
    cells, last = header_cells([cells for cells, _ in records], index, dataset)
    if (width := header_width(cells)) > MAX_COLUMNS:
        raise too_many_columns(width, f"第{index + 1}行的表头")
    skipped = columns_before_table([cells for cells, _ in records], cells)
    headers, notes = column_names(cells[skipped:])
    header_end = bom + _byte_length(sample[bom:], text[: records[last][1]], codec)
    layout = _TextLayout(
        codec,
        "utf-8" if codec == LINES and label.startswith("utf-8") else codec,
        delimiter,
        headers,
        last + 1,
        header_end,
        len(records[last][0]),
        skipped,
    )
    if last + 1 < len(records) and len(records[last + 1][0]) > layout.max_cells():
        # pandas would cut a first record this wide down to the header with a warning, and lose the rest
        raise UnreadableFile(_too_wide_reason(last + 2, len(records[last + 1][0]), len(headers)))
    return Table(
        path=path,
        format="tsv" if delimiter == "\t" else "csv",
        headers=headers,
        header_row=layout.header_row,
        encoding=label,
        sheet=None,
        notes=notes,
        # pyarrow and pandas must cut the same chunks: both read at most the header and the overflow allowance
        _rows=functools.partial(_text_chunks, path, layout, chunk_rows(chunksize, layout.max_cells())),
    )


def _big5(
    sample: bytes, at_eof: bool, dataset: str | None, index: int | None, records: list[tuple[list[str | None], int]]
) -> bool:
    """Whether a file read as GB18030 is Big5 (繁體 Windows, a Taiwan or Hong Kong template): GB18030 decodes Big5
    bytes without an error, as gibberish, so the header is found only when the start is read as Big5."""
    if index is not None and label_matches(records[index][0], dataset) >= HEADER_MIN_MATCHES:
        return False
    try:
        text = codecs.getincrementaldecoder("big5")().decode(sample, final=at_eof)
    except UnicodeDecodeError:
        return False
    rows = [cells for cells, _ in _leading_records(text, _detect_delimiter(text), at_eof)]
    return max((label_matches(cells, dataset) for cells in rows), default=0) >= HEADER_MIN_MATCHES


def _first_record_too_long(text: str, delimiter: str) -> UnreadableFile:
    """Why the first record does not end within the sample: too many columns, else an unclosed quote or no line
    breaks (the header search would otherwise see no rows at all)."""
    cells = text.count(delimiter) + 1
    if cells > MAX_COLUMNS:
        return too_many_columns(cells, f"文件第一行（前{SAMPLE_BYTES // 1024}KB内仍未结束）至少")
    return UnreadableFile(
        f"文件第一行超过{SAMPLE_BYTES // 1024}KB仍未结束：可能缺少换行符，或有引号没有闭合；请检查后重新报送"
    )


def _byte_length(raw: bytes, text: str, codec: str) -> int:
    """Bytes of ``raw`` that decode to ``text``, which ends at a line break; line by line for `LINES`."""
    if codec != LINES:
        return len(text.encode(codec))
    lines = len(io.StringIO(text, newline="").readlines())  # splits at \n, \r and \r\n, as bytes.splitlines
    return sum(len(line) for line in raw.splitlines(keepends=True)[:lines])


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


def _arrow_chunks(path: Path, layout: _TextLayout, chunksize: int) -> Generator[pd.DataFrame, None, None]:
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
            rows = layout.header_row + 1 + frame.index.to_numpy()
            yield finish_chunk(layout.in_table_order(frame), rows, len(layout.headers))
            start += len(frame)


def _arrow_reader(fh: BinaryIO, layout: _TextLayout) -> pacsv.CSVStreamingReader:
    """Every cell as text, empty ones (quoted or not) missing, quoted line breaks kept: as `_pandas_chunks`."""
    columns = layout.columns()
    return pacsv.open_csv(
        fh,
        read_options=pacsv.ReadOptions(column_names=columns, encoding=layout.arrow_codec, block_size=ARROW_BLOCK_BYTES),
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
    tails = {('"' + (last_cell or "").replace('"', '""')).encode(encoding) for encoding in encodings_of(codec)}
    with path.open("rb") as fh:
        end = fh.seek(0, io.SEEK_END)
        for tail in tails:
            fh.seek(max(0, end - len(tail)))
            if fh.read() == tail:
                return True
    return False


def _pandas_chunks(path: Path, layout: _TextLayout, chunksize: int) -> Iterator[pd.DataFrame]:
    names = layout.columns(layout.max_cells())
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
                    rows = layout.header_row + 1 + chunk.index.to_numpy()
                    yield finish_chunk(layout.in_table_order(chunk), rows, len(layout.headers))
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"文件中途出现无法按{codec_label(layout.codec)}解码的内容：可能混用了多种编码，或文件已损坏；"
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
