"""The rows a batch-wide rule needs, held until the batch's last chunk, split by their key.

A batch-wide rule (citycredit.validate.rules.conditions.BATCH_WIDE) compares rows that share a key, so
it gives the same result on the whole batch as on each set of keys taken alone. Small batches are held in memory
as they come. Once a batch holds more than ``SPILL_ROWS`` rows, its rows go to ``PARTITIONS`` files by a hash of
the key, in a temporary folder (``$TMPDIR``), and the rule runs partition by partition: the memory the rule needs
then stays about the same however large the batch grows. Rows without a key all fall into the first partition.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

SPILL_ROWS = 1_000_000
PARTITIONS = 32


class KeyedRows:
    """Frames that hold ``key`` (a nullable integer hash column) added chunk by chunk; ``parts`` gives them back
    as frames in which every key is whole: one frame while in memory, one per partition once spilled."""

    def __init__(self, key: str):
        self._key, self._spill_rows, self._partitions = key, SPILL_ROWS, PARTITIONS
        self._frames: list[pd.DataFrame] = []
        self._rows = 0
        self._folder: tempfile.TemporaryDirectory | None = None
        self._sinks: list[pa.NativeFile] = []
        self._writers: list[pa.ipc.RecordBatchStreamWriter] = []
        self._dtypes: pd.Series | None = None

    def add(self, frame: pd.DataFrame) -> None:
        self._rows += len(frame)
        if self._folder is not None:
            self._write(frame)
            return
        self._frames.append(frame)
        if self._rows > self._spill_rows:
            self._spill()

    def parts(self) -> Iterator[pd.DataFrame]:
        """The rows added, as frames that each hold every row of their keys; then forgets them."""
        try:
            if self._folder is None:
                if self._frames:
                    yield pd.concat(self._frames, ignore_index=True)
                return
            self._close_files()
            for i in range(self._partitions):
                with pa.OSFile(str(self._path(i))) as source:
                    table = pa.ipc.open_stream(source).read_all()
                if table.num_rows:
                    yield table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get).astype(self._dtypes)
        finally:
            self.close()

    def close(self) -> None:
        """Forget the rows, removing any partition files."""
        self._frames, self._rows = [], 0
        self._close_files()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def _spill(self) -> None:
        held, self._frames = self._frames, []
        self._dtypes = held[0].dtypes
        schema = pa.Schema.from_pandas(held[0], preserve_index=False)
        self._folder = tempfile.TemporaryDirectory(prefix="citycredit-keyed-rows-")
        self._sinks = [pa.OSFile(str(self._path(i)), "wb") for i in range(self._partitions)]
        self._writers = [pa.ipc.new_stream(sink, schema) for sink in self._sinks]
        for frame in held:
            self._write(frame)

    def _close_files(self) -> None:
        for writer in self._writers:
            writer.close()
        for sink in self._sinks:
            sink.close()
        self._writers, self._sinks = [], []

    def _path(self, partition: int) -> Path:
        if self._folder is None:  # never: only the rows of a spilled batch have files
            raise AttributeError("the rows have not spilled to files")
        return Path(self._folder.name) / f"{partition}.arrow"

    def _write(self, frame: pd.DataFrame) -> None:
        partition = frame[self._key].to_numpy(dtype="int64", na_value=0) % self._partitions
        order = np.argsort(partition, kind="stable")
        bounds = np.searchsorted(partition[order], np.arange(self._partitions + 1))
        table = pa.Table.from_pandas(frame.take(order), preserve_index=False)
        for i, writer in enumerate(self._writers):
            if bounds[i + 1] > bounds[i]:
                writer.write_table(table.slice(bounds[i], bounds[i + 1] - bounds[i]))
