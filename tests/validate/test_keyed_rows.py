"""Rows held for a batch-wide rule: whole keys per part, exact hashes, nothing left on disk."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from citycredit.validate import keyed_rows


def _chunks(rows: int, size: int, seed: int = 3) -> list[pd.DataFrame]:
    rng = np.random.default_rng(seed)
    keys = rng.choice(np.array([np.iinfo(np.int64).min, -1, 0, 1, 2**53 + 1, np.iinfo(np.int64).max]), rows)
    keys = np.where(rng.random(rows) < 0.5, rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, rows), keys)
    missing = rng.random(rows) < 0.1
    frame = pd.DataFrame(
        {
            "_source_row": np.arange(2, rows + 2, dtype="int64"),
            "_natural_key": pd.arrays.IntegerArray(keys, missing),
            "_content_hash": pd.array(rng.integers(-(2**62), 2**62, rows), dtype="Int64"),
        }
    )
    return [frame.iloc[i : i + size] for i in range(0, rows, size)]


@pytest.fixture(autouse=True)
def _own_temp_folder(tmp_path, monkeypatch):
    # Other tests on parallel workers spill rows too; counting their folders in the shared /tmp made these flaky.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def _held_folders() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("citycredit-keyed-rows-*"))


@pytest.mark.parametrize("spill_rows", [10**9, 250], ids=["in memory", "spilled"])
def test_every_row_comes_back_once_exactly_and_each_key_in_one_part(spill_rows, monkeypatch):
    monkeypatch.setattr(keyed_rows, "SPILL_ROWS", spill_rows)
    monkeypatch.setattr(keyed_rows, "PARTITIONS", 4)
    before = _held_folders()
    chunks = _chunks(1_000, 100)
    held = keyed_rows.KeyedRows("_natural_key")
    for chunk in chunks:
        held.add(chunk)
    assert (len(_held_folders() - before) == 1) == (spill_rows < 1_000)
    parts = list(held.parts())
    assert len(parts) == (1 if spill_rows > 1_000 else 4)
    seen_keys = [set(p["_natural_key"].dropna()) for p in parts]
    assert all(not (a & b) for i, a in enumerate(seen_keys) for b in seen_keys[i + 1 :])
    together = pd.concat(parts).sort_values("_source_row", ignore_index=True)
    pd.testing.assert_frame_equal(together, pd.concat(chunks, ignore_index=True))
    assert _held_folders() == before  # the partition files are gone once read
    assert list(held.parts()) == []  # and the rows forgotten


def test_closing_unread_rows_removes_their_files(monkeypatch):
    monkeypatch.setattr(keyed_rows, "SPILL_ROWS", 10)
    before = _held_folders()
    held = keyed_rows.KeyedRows("_natural_key")
    for chunk in _chunks(100, 30):
        held.add(chunk)
    assert len(_held_folders() - before) == 1
    held.close()
    assert _held_folders() == before
