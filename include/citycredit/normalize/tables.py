"""An opened department table, what a reader raises when it cannot open one, and the frames of its rows.

Every format's reader (text_files, workbooks, json_files) returns a `Table`; its chunks are finished here alike:
overflow columns without a value and rows without any value left out, ``_source_row`` added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from citycredit.normalize import standardize
from citycredit.normalize.header_rows import overflow_names


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


def finish_chunk(frame: pd.DataFrame, source_rows: np.ndarray, n_headers: int) -> pd.DataFrame:
    """Drop overflow columns without a value and rows without any value; add ``_source_row``."""
    blank = pd.DataFrame({c: frame[c].isna() | frame[c].str.isspace().fillna(False) for c in frame.columns})
    frame = frame.drop(columns=[c for c in frame.columns[n_headers:] if blank[c].all()])
    frame[standardize.SOURCE_ROW] = source_rows.astype(np.int64)
    return frame[~blank.all(axis=1)]


def chunked_frames(
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
    frame = pd.DataFrame(padded, columns=overflow_names(headers, width), dtype="str")
    return finish_chunk(frame, np.asarray(numbers), len(headers))
