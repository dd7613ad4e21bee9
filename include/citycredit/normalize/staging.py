"""Normalize a landed batch into its staging table: the file's rows in canonical columns, still as text."""

from __future__ import annotations

import concurrent.futures
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from citycredit.core import copyio, datasets, table_statistics
from citycredit.normalize import readers, staged_frames, standardize

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Staged:
    batch_id: int
    rows: int
    unknown_columns: list[str]
    missing_columns: list[str]


def batch_info(conn: sa.Connection, batch_id: int) -> dict:
    row = (
        conn.execute(sa.text("SELECT * FROM landing.batches WHERE batch_id = :b FOR UPDATE"), {"b": batch_id})
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise LookupError(f"batch {batch_id} does not exist")
    return dict(row)


def stage_batch(engine: sa.Engine, batch_id: int, encoding_hint: str | None = None) -> Staged:
    """(Re)build the staging rows of a batch in one transaction; running it twice gives the same rows."""
    with engine.begin() as conn:
        batch = batch_info(conn, batch_id)
        dataset = datasets.get(batch["dataset"])
        reported_on = batch["reported_on"].isoformat()
        table = readers.open_table(Path(batch["stored_path"]), dataset=dataset.name, encoding_hint=encoding_hint)
        header_map = standardize.map_headers(table.headers, dataset.name)
        conn.execute(sa.text(f"DELETE FROM {dataset.staging_table} WHERE batch_id = :b"), {"b": batch_id})
        rows, kept = 0, staged_frames.Writer(batch_id, dataset.columns)
        # The server stores one chunk while the next is read and normalized: one thread sends the COPY (psycopg2
        # waits for the server without holding the GIL), at most one chunk ahead, so memory stays at two chunks.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="staging-copy") as copier:
            sending = None
            try:
                for raw in table.chunks():
                    frame = standardize.normalize_frame(raw, dataset.name, header_map)
                    frame = frame.rename(columns={"_source_row": "source_row", "_extra": "extra"})
                    frame.insert(0, "reported_on", reported_on)
                    frame.insert(0, "batch_id", batch_id)
                    data = copyio.arrow_rows(frame)
                    rows += sending.result() if sending else 0
                    sending = copier.submit(copyio.copy_rows, conn, dataset.staging_table, data)
                    kept.write(data)
                rows += sending.result() if sending else 0
            except BaseException:
                kept.abandon()
                raise
        kept.finish()
        # The load reads the batch by these columns; analyzed now, its plans count the batch's rows (a 1M-row batch
        # estimated at a few rows had its rows hashed without parallel workers: docs/performance.md).
        table_statistics.analyze_grown(conn, dataset.staging_table, rows, "batch_id, source_row")
        conn.execute(
            sa.text(
                "UPDATE landing.batches SET status = 'normalized', file_format = :fmt, encoding = :enc,"
                " sheet = :sheet, header_row = :hr, headers = :headers, unknown_columns = :unknown,"
                " missing_columns = :missing, staged_rows = :rows, updated_at = now() WHERE batch_id = :b"
            ),
            {
                "b": batch_id,
                "rows": rows,
                "fmt": table.format,
                "enc": table.encoding,
                "sheet": table.sheet,
                "hr": table.header_row,
                "headers": json.dumps(table.headers, ensure_ascii=False),
                "unknown": json.dumps(header_map.unknown, ensure_ascii=False),
                "missing": json.dumps(header_map.missing_required, ensure_ascii=False),
            },
        )
    log.info("batch %s: %s rows staged (%s)", batch_id, rows, dataset.name)
    return Staged(batch_id, rows, header_map.unknown, header_map.missing_required)
