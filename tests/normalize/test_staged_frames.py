"""Validation reads normalization's Arrow file of a batch when it has one, and the warehouse otherwise: the same
findings either way; the file is a copy that may be missing, stale or unwritable without changing any result."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from citycredit.core import copyio, paths
from citycredit.normalize import readers, staged_frames
from citycredit.tasks import ingest
from citycredit.tools.demo.feeds import write_large_csv

pytestmark = pytest.mark.db

BAD = Path(__file__).parents[1] / "data" / "bad"
FEED = "scjg_license"


@pytest.fixture
def normalized(engine) -> dict[str, int]:
    """Three landed and normalized 行政许可 batches by file name: 12,000 generated rows (past the GX-results size),
    rows with bad dates and repeated rows."""
    inbox = paths.data_path("landing", "inbox", "scjg", FEED)
    write_large_csv(inbox / "generated.csv", "license", 12_000)
    for name in ("invalid_dates.csv", "duplicate_rows.csv"):
        shutil.copyfile(BAD / name, inbox / name)
        os.utime(inbox / name, (1_757_000_000,) * 2)
    for batch_id in ingest.land_feed(FEED):
        ingest.normalize_batch(batch_id)
    with engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT source_name, batch_id FROM landing.batches")).all())


def kept_files(batch_id: int) -> list[Path]:
    return list(staged_frames.folder().glob(f"{batch_id}-*.arrow"))


def staged_rows(engine, batch_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT staged_rows FROM landing.batches WHERE batch_id = :b"), {"b": batch_id}
        ).scalar_one()


def findings(engine, batch_id: int) -> tuple[list, list]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT source_row, rule_id, field, severity, message FROM quality.findings WHERE batch_id = :b"
                " ORDER BY 1, 2"
            ),
            {"b": batch_id},
        ).all()
        outcomes = conn.execute(
            sa.text("SELECT rule_id, evaluated, failed FROM quality.rule_outcomes WHERE batch_id = :b ORDER BY 1"),
            {"b": batch_id},
        ).all()
    return rows, outcomes


def validate_from_warehouse(engine, batch_id: int) -> tuple[list, list]:
    staged_frames.discard(batch_id)
    ingest.validate_batch(batch_id)
    return findings(engine, batch_id)


def test_validation_reads_the_file_and_finds_what_the_warehouse_rows_give(engine, normalized, monkeypatch):
    assert len(normalized) == 3
    for batch_id in normalized.values():
        assert kept_files(batch_id) == [staged_frames.path(batch_id, staged_rows(engine, batch_id))]
    read_back, from_file = [], {}
    with monkeypatch.context() as m:
        m.setattr(copyio, "copy_out", lambda *a, **k: read_back.append(a))
        for batch_id in normalized.values():
            ingest.validate_batch(batch_id)
            from_file[batch_id] = findings(engine, batch_id)
            assert kept_files(batch_id) == [], "the file is removed once the batch is validated"
    assert read_back == [], "no staged row was read back out of the warehouse"
    severities = {row.severity for rows, _ in from_file.values() for row in rows}
    assert severities == {"error", "warning"}
    assert sum(len(rows) for rows, _ in from_file.values()) > 1_000
    for batch_id in normalized.values():
        assert validate_from_warehouse(engine, batch_id) == from_file[batch_id]


def test_a_file_of_another_row_count_is_ignored(engine, normalized):
    generated, bad_dates = normalized["generated.csv"], normalized["invalid_dates.csv"]
    (generated_file,) = kept_files(generated)
    expected = validate_from_warehouse(engine, bad_dates)
    # another batch's rows under this batch's id: the count in the name does not match what was staged
    shutil.copyfile(generated_file, staged_frames.path(bad_dates, staged_rows(engine, generated)))
    ingest.validate_batch(bad_dates)
    assert findings(engine, bad_dates) == expected


def test_a_full_disk_costs_the_file_not_the_batch(engine, normalized, monkeypatch, caplog):
    batch_id = normalized["generated.csv"]
    expected = validate_from_warehouse(engine, batch_id)
    real_write = staged_frames.pa.ipc.RecordBatchFileWriter.write_table
    calls = []

    def disk_full_on_second_chunk(self, table, *args, **kwargs):
        calls.append(table.num_rows)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(self, table, *args, **kwargs)

    monkeypatch.setattr(staged_frames.pa.ipc.RecordBatchFileWriter, "write_table", disk_full_on_second_chunk)
    real_open = readers.open_table
    monkeypatch.setattr(readers, "open_table", lambda *a, **k: real_open(*a, **{**k, "chunksize": 5_000}))
    ingest.normalize_batch(batch_id)  # normalized again, in chunks of 5,000 rows
    assert len(calls) == 2
    assert "staged rows not kept for validation" in caplog.text
    assert kept_files(batch_id) == []
    assert list(staged_frames.folder().glob("*.part")) == []
    ingest.validate_batch(batch_id)
    assert findings(engine, batch_id) == expected
