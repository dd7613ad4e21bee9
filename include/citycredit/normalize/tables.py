"""An opened department table, what a reader raises when it cannot open one, and the frames of its rows.

Every format's reader (text_files, workbooks, json_files) returns a `Table`; its chunks are finished here alike:
overflow columns without a value and rows without any value left out, ``_source_row`` added; then rows that are
not records are left out (`not_records`): a header row again below the first, a 合计 or sign-off row.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from citycredit.core import config
from citycredit.normalize import standardize
from citycredit.normalize.header_rows import overflow_names, unique_name

# Reading is bounded by the cells that hold data, never by the columns a sheet can address (16,384): a table with
# more columns than this (a header this wide, or values in this many different columns) is refused. A national
# template has 15 to 40 columns.
MAX_COLUMNS = 1000
# Cells in one chunk of rows: a wide table is read fewer rows at a time (100,000 rows of up to 50 columns).
CHUNK_CELLS = 5_000_000


class UnreadableFile(Exception):
    """A file that cannot be read as a table; ``reason`` says why, in Chinese, for the department."""

    def __init__(self, reason_zh: str):
        super().__init__(reason_zh)
        self.reason_zh = reason_zh

    @property
    def reason(self) -> str:
        return self.reason_zh


def too_many_columns(count: int, where: str) -> UnreadableFile:
    return UnreadableFile(
        f"列数过多：{where}有{count}列，超过上限{MAX_COLUMNS}列，不是一张报送数据表；"
        "请删除多余的列或表格外的内容后重新报送"
    )


def chunk_rows(chunksize: int, width: int) -> int:
    """Rows per chunk for a table this wide: ``chunksize``, fewer when the chunk would exceed ``CHUNK_CELLS``."""
    return max(1, min(chunksize, CHUNK_CELLS // max(width, 1)))


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
        labels = _header_texts(tuple(self.headers))
        for frame in self._rows():
            yield frame[~not_records(frame, labels)]


# A row is a header row, not a record, when this many of its cells are header labels: the file's own or any field's.
HEADER_LIKE_CELLS = 3
# The first cell of a summary row under the records, and the cells of a sign-off row (report templates).
_SUMMARY_WORDS = "合计|总计|小计|共计"
_SIGN_OFF_WORDS = "制表|填表|填报|审核|审批|负责|联系|报送"
_SUMMARY = re.compile(rf"\s*(?:{_SUMMARY_WORDS})")
_SIGN_OFF = re.compile(rf"\s*(?:{_SIGN_OFF_WORDS})(?:人|日期|时间|单位|电话)?\s*[:：]")
_COUNT = re.compile(r"\s*[0-9][0-9,.]*\s*[条项件户家个]?\s*")
_FIRST_CELLS = 5  # the first non-empty cell of a summary row is sought in this many columns (a table may start at C)


@functools.cache
def _header_texts(headers: tuple[str, ...]) -> frozenset[str]:
    """Cell texts that are header labels: the file's headers and every field's label and aliases, also with the
    BOM a second export joined to the first carries into its first header cell."""
    texts = {*headers, *(t for d in config.DATASETS for f in config.fields(d) for t in (f.label, *f.aliases))}
    return frozenset(texts | {"\ufeff" + t for t in texts})


def not_records(frame: pd.DataFrame, labels: frozenset[str]) -> pd.Series:
    """Per row, whether it is not a record but a header row again (two exports joined, a second table pasted
    below), or a summary or sign-off row under the records (合计 3条; 制表人：…, 审核人：…); such rows are left out
    as blank rows are, so that they neither count as received nor come back to the department as errors.

    A summary row holds nothing but its label, counts and sign-offs: a record has dates and text besides.
    """
    cells = [c for c in frame.columns if c != standardize.SOURCE_ROW]
    known = pa.array(sorted(labels), pa.large_string())
    label_cells = np.zeros(len(frame), dtype=np.int64)
    leading: list[pa.Array] = []  # the first _FIRST_CELLS columns as Arrow, the only ones kept past their label count
    for c in cells:
        column = pa.array(frame[c].array, type=pa.large_string(), from_pandas=True)
        label_cells += pc.is_in(column, value_set=known).to_numpy(zero_copy_only=False)
        if len(leading) < _FIRST_CELLS:
            leading.append(column)
    summary = np.zeros(len(frame), dtype=bool)
    if leading:
        first = pc.coalesce(*leading)
        # Only a first cell holding one of the words can start a summary or sign-off row: the regular expressions
        # run in Python on those few, not on every row (the first cell is among the texts each must match).
        worded = pc.fill_null(pc.match_substring_regex(first, f"{_SUMMARY_WORDS}|{_SIGN_OFF_WORDS}"), False)
        for position in np.flatnonzero(worded.to_numpy(zero_copy_only=False)):
            texts = [t for t in frame.iloc[position][cells] if isinstance(t, str) and t.strip()]
            summary[position] = all(_SUMMARY.match(t) or _SIGN_OFF.match(t) or _COUNT.fullmatch(t) for t in texts)
    return pd.Series((label_cells >= HEADER_LIKE_CELLS) | summary, index=frame.index)


def finish_chunk(frame: pd.DataFrame, source_rows: np.ndarray, n_headers: int) -> pd.DataFrame:
    """Drop overflow columns without a value and rows without any value; add ``_source_row``."""
    blank = pd.DataFrame({c: frame[c].isna() | frame[c].str.isspace().fillna(False) for c in frame.columns})
    frame = frame.drop(columns=[c for c in frame.columns[n_headers:] if blank[c].all()])
    frame[standardize.SOURCE_ROW] = source_rows.astype(np.int64)
    return frame[~blank.all(axis=1)]


def chunked_frames(
    numbered: Iterator[tuple[int, list[str | None]]], headers: list[str], chunksize: int
) -> Iterator[pd.DataFrame]:
    """Frames of at most ``chunksize`` rows (fewer for a wide table) from (source row, cells) pairs."""
    chunksize = chunk_rows(chunksize, len(headers))
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
    frame = pd.DataFrame(padded, columns=overflow_names(headers, width), dtype="str")
    return finish_chunk(frame, np.asarray(numbers), len(headers))


def sparse_frames(
    numbered: Iterator[tuple[int, dict[int, str]]], headers: list[str], chunksize: int, first_column: int = 1
) -> Iterator[pd.DataFrame]:
    """Frames from (source row, {column number: text}) pairs: one column per header (the header's first cell in
    ``first_column``), and one per column outside the header, before or beyond it, that holds a value in the chunk;
    never a column for the empty cells between them.

    Raises `UnreadableFile` once the header and the columns outside it holding a value exceed ``MAX_COLUMNS``.
    """
    width = len(headers)
    last = first_column + width - 1
    outside: set[int] = set()  # columns outside the header that held a value, in the whole table so far
    batch: list[dict[int, str]] = []
    numbers: list[int] = []
    columns: set[int] = set()  # ... in this chunk
    for number, cells in numbered:
        wide = [c for c in cells if c > last or c < first_column]
        if wide:
            outside.update(wide)
            if width + len(outside) > MAX_COLUMNS:
                raise too_many_columns(width + len(outside), f"截至第{number}行，有内容的列")
            columns.update(wide)
        batch.append(cells)
        numbers.append(number)
        if len(batch) >= chunk_rows(chunksize, width + len(columns)):
            yield _sparse_frame(batch, numbers, headers, first_column, sorted(columns))
            batch, numbers, columns = [], [], set()
    if batch:
        yield _sparse_frame(batch, numbers, headers, first_column, sorted(columns))


def _sparse_frame(
    batch: list[dict[int, str]], numbers: list[int], headers: list[str], first_column: int, outside: list[int]
) -> pd.DataFrame:
    names = list(headers)
    for column in outside:
        names.append(unique_name(f"第{column}列", names))
    positions = [*range(first_column, first_column + len(headers)), *outside]
    data = {name: [cells.get(p) for cells in batch] for name, p in zip(names, positions, strict=True)}
    return finish_chunk(pd.DataFrame(data, columns=names, dtype="str"), np.asarray(numbers), len(headers))
