"""Every delivered byte stays retrievable (issue #18), and landing recovers from a fault without recording twice."""

from __future__ import annotations

import errno
import os

import pytest
from landing_helpers import GOOD, deliveries, kept, land, left_in_inbox, put, stored

from citycredit.core import paths
from citycredit.feeds import store

pytestmark = pytest.mark.db


class Fault(Exception):
    """The injected fault: the process dies at this point."""


def test_a_rejected_file_delivered_again_under_the_same_name_keeps_both(engine):
    first, second = b"", b"\x00\x01\x02 not a table"
    put("许可.csv", first)
    assert [x.outcome for x in land(engine)] == ["rejected"]
    put("许可.csv", second)  # the same name and modification time, other bytes
    assert [x.outcome for x in land(engine)] == ["rejected"]
    shas = [d["sha256"] for d in deliveries(engine)]
    assert len(set(shas)) == 2
    assert {first, second} <= stored()
    for sha, content in zip(shas, [first, second], strict=True):
        assert (paths.data_path("landing", "store", sha[:2]) / sha).read_bytes() == content
    files = [p for p in kept("rejected") if not p.name.endswith(".reason.txt")]
    assert sorted(p.read_bytes() for p in files) == sorted([first, second])
    assert all(p.with_name(p.name + ".reason.txt").exists() for p in files)


def test_a_run_killed_after_recording_a_delivery_does_not_record_it_again(engine, monkeypatch):
    put("许可.csv")
    real = os.rename

    def killed(*args, **kwargs):  # the moment the file would leave the inbox
        raise Fault

    with monkeypatch.context() as m:
        m.setattr(os, "rename", killed)
        with pytest.raises(Fault):
            land(engine)
    assert os.rename is real
    assert left_in_inbox() == [b"\xe8\xae\xb8\xe5\x8f\xaf.csv"]
    assert [x.outcome for x in land(engine)] == ["new"]
    assert [(d["outcome"], d["batch_id"]) for d in deliveries(engine)] == [("new", 1)]
    assert left_in_inbox() == [] and [p.read_bytes() for p in kept("archive")] == [GOOD]


def test_the_same_file_sent_again_with_the_same_time_is_a_delivery_of_its_own(engine):
    put("许可.csv")  # as a department's `rsync -t` or `sftp put -p` sends it: name, bytes and mtime unchanged
    assert [x.outcome for x in land(engine)] == ["new"]
    put("许可.csv")
    assert [x.outcome for x in land(engine)] == ["duplicate"]
    assert [(d["outcome"], d["batch_id"]) for d in deliveries(engine)] == [("new", 1), ("duplicate", None)]
    assert left_in_inbox() == [] and [p.read_bytes() for p in kept("archive")] == [GOOD, GOOD]


def test_a_file_that_could_not_be_stored_stays_in_the_inbox(engine, monkeypatch):
    put("许可.csv")

    def disk_full(source, target, digest):
        target.write(source.read(100))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as m:
        m.setattr(store, "_copy", disk_full)
        with pytest.raises(OSError, match="No space left"):
            land(engine)
    assert deliveries(engine) == [] and left_in_inbox() == [b"\xe8\xae\xb8\xe5\x8f\xaf.csv"]
    assert [p for p in paths.data_path("landing", "store").rglob("*") if p.is_file()] == []
    assert list(paths.data_path("landing", "store", "incoming", "scjg_license").iterdir()) == []
    assert [x.outcome for x in land(engine)] == ["new"]


def test_what_a_killed_copy_left_half_way_is_cleared_by_the_next_run(engine):
    left = paths.data_path("landing", "store", "incoming", "scjg_license") / "killed.part"
    left.mkdir()
    (left / "delivery.csv").write_bytes(GOOD[:100])
    put("许可.csv")
    assert [x.outcome for x in land(engine)] == ["new"]
    assert not left.exists() and GOOD[:100] not in stored()
