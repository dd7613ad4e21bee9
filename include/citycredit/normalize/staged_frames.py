"""A batch's normalized rows kept beside its staging table as an Arrow IPC file, for validation to read.

Validation reads every row of a batch once. Reading them back out of PostgreSQL (COPY TO, then parsing the CSV)
cost more than validating them: about 16 s of a 1M-row batch. Normalization has the same rows in hand, so it
also writes them to ``$CITYCREDIT_HOME/landing/staged/<batch_id>.arrow`` (the landing volume, which every worker
shares). Validation reads that file when it holds as many rows as normalization staged (recorded with them in
``landing.batches.staged_rows``), else the staging table. The staging table stays the record; the file is only
a faster copy of it, written best-effort (a full disk costs speed, not the batch) and removed once the batch is
validated.

The file holds what validation reads: ``_source_row``, ``_reported_on`` and the dataset's columns as text, empty
values as missing, exactly as the staging table gives them back.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa

from citycredit.core import paths

log = logging.getLogger(__name__)


def folder() -> Path:
    return paths.data_path("landing", "staged")


def path(batch_id: int, rows: int) -> Path:
    """The file of a batch holding ``rows`` rows: the count is in the name, so checking it reads nothing."""
    return folder() / f"{batch_id}-{rows}.arrow"


def schema(columns: list[str]) -> pa.Schema:
    return pa.schema([("_source_row", pa.int64()), ("_reported_on", pa.string()), *((c, pa.string()) for c in columns)])


class Writer:
    """Appends the staged chunks of one batch; ``finish`` makes the file visible to validation."""

    def __init__(self, batch_id: int, columns: list[str]):
        self._batch_id, self._rows = batch_id, 0
        self._part = folder() / f"{batch_id}.part"
        self._schema = schema(columns)
        discard(batch_id)  # an earlier normalization's file no longer describes the rows about to be staged
        self._sink: pa.NativeFile | None = None
        self._writer: pa.ipc.RecordBatchFileWriter | None = None
        self._attempt(self._open)

    def _open(self) -> None:
        self._sink = pa.OSFile(str(self._part), "wb")
        self._writer = pa.ipc.new_file(self._sink, self._schema)

    def _attempt(self, step, *args) -> None:
        """Run a step of writing the file; on a failure to write, give the file up and go on without it."""
        try:
            step(*args)
        except OSError as exc:
            log.warning("staged rows not kept for validation (%s); it will read them from the warehouse", exc)
            self.abandon()

    def write(self, rows: pa.Table) -> None:
        """Append a chunk: a table with staging's ``source_row``, ``reported_on`` and the dataset's columns."""
        if self._writer is not None:
            renamed = rows.rename_columns({"source_row": "_source_row", "reported_on": "_reported_on"})
            self._attempt(self._writer.write_table, renamed.select(self._schema.names).cast(self._schema))
            self._rows += rows.num_rows

    def finish(self) -> None:
        if self._writer is not None:
            self._attempt(self._close)

    def _close(self) -> None:
        if self._writer is None or self._sink is None:  # never: finish() closes only an open file
            raise AttributeError("no staged-rows file is open")
        self._writer.close()
        self._sink.close()
        self._writer = None
        self._part.replace(path(self._batch_id, self._rows))

    def abandon(self) -> None:
        self._writer = None
        if self._sink is not None:
            with contextlib.suppress(OSError):
                self._sink.close()
        self._part.unlink(missing_ok=True)


def read(batch_id: int, staged_rows: int) -> Iterator[pd.DataFrame] | None:
    """The batch's rows chunk by chunk, or None when no file holds exactly ``staged_rows`` rows of it.

    Read chunk by chunk into memory, not mapped: a mapped file's pages would count in the process's memory.
    """
    try:
        source = pa.OSFile(str(path(batch_id, staged_rows)))
    except OSError:
        return None
    try:
        reader = pa.ipc.open_file(source)
    except (OSError, pa.ArrowInvalid):
        source.close()
        return None
    return _chunks(source, reader)


def _chunks(source: pa.NativeFile, reader: pa.ipc.RecordBatchFileReader) -> Iterator[pd.DataFrame]:
    with source:
        for i in range(reader.num_record_batches):
            yield reader.get_batch(i).to_pandas()


def discard(batch_id: int) -> None:
    for stale in folder().glob(f"{batch_id}-*.arrow"):
        stale.unlink(missing_ok=True)
