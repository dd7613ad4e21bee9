"""Links and strays in the inbox (issue #18): refused with a reason and never followed, or waiting, or listed;
nothing is ignored silently forever."""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from landing_helpers import GOOD, deliveries, feed, kept, land, left_in_inbox, put, stored

from citycredit.core import paths
from citycredit.feeds import inbox as folders
from citycredit.feeds import landing, registry, store, strays
from citycredit.publish import monthly
from citycredit.tasks import ingest

pytestmark = pytest.mark.db

SECRET = b"root:x:0:0:SECRET-LINE\n"
CITY = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def secret(tmp_path):
    """A file of the server a department must never get back; a valid table, so only the link gives it away."""
    path = tmp_path / "passwd"
    path.write_bytes(GOOD.replace("平顶山市GOOD示例1号有限公司".encode(), SECRET.strip()))
    return path


def test_a_link_to_a_file_of_the_server_is_refused_and_never_read(engine, secret):
    inbox = landing.inbox(feed())
    os.symlink(secret, inbox / "passwd.csv")
    os.symlink("/etc", inbox / "etc")  # a link to a folder: not walked into either
    put("good.csv", minute=1)
    landed = land(engine)
    assert sorted((x.source_name, x.outcome, x.reason) for x in landed) == [
        ("etc", "rejected", landing.LINK),
        ("good.csv", "new", None),
        ("passwd.csv", "rejected", landing.LINK),
    ]
    assert "链接" in landing.LINK
    assert not any(SECRET.strip() in content for content in stored())
    assert {str(secret).encode(), b"/etc"} <= stored()  # what a link holds, where it points, is kept
    assert [d["batch_id"] is not None for d in deliveries(engine)].count(True) == 1
    assert left_in_inbox() == [] and secret.exists()
    reasons = [p for p in kept("rejected") if p.name.endswith(".reason.txt")]
    assert len(reasons) == 2 and len(kept("rejected")) == 2  # the reasons; the links themselves are gone


def test_a_file_swapped_for_a_link_after_the_scan_is_not_followed(engine, secret):
    put("x.csv")
    root = folders.open_folder(landing.inbox(feed()))
    try:
        (entry,) = folders.scan(root)
        os.unlink(landing.inbox(feed()) / "x.csv")
        os.symlink(secret, landing.inbox(feed()) / "x.csv")
        landed = landing.land_entry(engine, feed(), root, entry, ingest.unreadable)
    finally:
        os.close(root)
    assert (landed.outcome, deliveries(engine)) == ("waiting", [])
    assert not any(SECRET.strip() in content for content in stored())
    assert [x.outcome for x in land(engine)] == ["rejected"]  # the next run sees the link, and refuses it


def test_a_pipe_is_refused_without_waiting_for_a_writer(engine):
    os.mkfifo(landing.inbox(feed()) / "pipe.csv")
    (landed,) = land(engine)
    assert (landed.source_name, landed.outcome, landed.reason) == ("pipe.csv", "rejected", landing.NOT_A_FILE)
    assert left_in_inbox() == []


def test_a_file_in_a_subfolder_is_refused_with_a_reason_and_kept(engine):
    put("2025年9月/许可.csv")
    (landed,) = land(engine)
    assert (landed.source_name, landed.outcome) == ("2025年9月/许可.csv", "rejected")
    assert "子文件夹“2025年9月”" in landed.reason
    assert [(d["source_name"], d["outcome"]) for d in deliveries(engine)] == [("2025年9月/许可.csv", "rejected")]
    assert GOOD in stored()
    copy, reason = kept("rejected")
    assert copy.read_bytes() == GOOD and reason.read_text(encoding="utf-8").strip() == landed.reason
    assert left_in_inbox() == [b"2025\xe5\xb9\xb49\xe6\x9c\x88"]  # the empty folder only


WAITING = ["~$许可.xlsx", ".~lock.许可.csv#", "许可.csv.filepart", "up.tmp", "许可.xlsx.crdownload", "许可.csv.part"]


def test_lock_files_and_partial_uploads_wait_untouched_and_logged(engine, caplog):
    for n, name in enumerate(WAITING):
        put(name, GOOD[: 100 + n], minute=n)
    before = {name: os.stat(landing.inbox(feed()) / name) for name in WAITING}
    with caplog.at_level(logging.INFO, logger="citycredit"):
        landed = land(engine)
    assert sorted((x.source_name, x.outcome) for x in landed) == sorted((name, "waiting") for name in WAITING)
    assert deliveries(engine) == []
    for name in WAITING:
        now = os.stat(landing.inbox(feed()) / name)
        assert (now.st_ino, now.st_size, now.st_mtime_ns) == (
            before[name].st_ino,
            before[name].st_size,
            before[name].st_mtime_ns,
        )
        assert any(name in r.getMessage() and "waiting" in r.getMessage() for r in caplog.records), name
    os.rename(landing.inbox(feed()) / "许可.csv.filepart", landing.inbox(feed()) / "许可.csv")  # the upload is done
    put("许可.csv")
    assert [(x.source_name, x.outcome) for x in land(engine) if x.outcome != "waiting"] == [("许可.csv", "new")]


def test_a_lock_file_or_partial_upload_waiting_a_day_is_chased_and_still_left_alone(engine, caplog):
    """Waiting is for work in progress: one older (by mtime) than strays.OVERDUE_AFTER is a stray with a reason,
    named in the log and in the month's chase list of the quality report; a younger one keeps waiting."""
    day = strays.OVERDUE_AFTER.total_seconds()
    old, young = "许可.csv.filepart", "~$许可.xlsx"
    os.utime(put(old), (time.time() - day - 3600,) * 2)
    os.utime(put(young), (time.time() - day + 3600,) * 2)
    os.utime(put("~$名单.xlsx", folder=paths.data_path("landing", "inbox", "unknown_dept")), (1_000_000_000,) * 2)
    with caplog.at_level(logging.INFO, logger="citycredit"):
        landed = land(engine)
        found = strays.find(engine, registry.load())
    assert sorted((x.source_name, x.outcome) for x in landed) == sorted([(old, "waiting"), (young, "waiting")])
    assert sorted(left_in_inbox()) == sorted(n.encode() for n in (old, young)) and deliveries(engine) == []
    assert [(f.path, f.reason) for f in found] == [("unknown_dept/~$名单.xlsx", strays.OVERDUE)]
    assert "超过24小时" in strays.OVERDUE and "重新报送" in strays.OVERDUE
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(old in m for m in warned) and not any(young in m for m in warned)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT path, department_id, reason FROM landing.strays ORDER BY path")).all()
    assert [tuple(r) for r in rows] == [
        (f"scjg/scjg_license/{old}", "scjg", strays.OVERDUE),
        ("unknown_dept/~$名单.xlsx", None, strays.OVERDUE),
    ]
    chase = [c["what"] for c in monthly.chase_list(engine, datetime.now(CITY).date())]
    assert [w for w in chase if young in w] == []
    (named,) = [w for w in chase if old in w]
    assert named.startswith(f"收件箱中的文件“scjg/scjg_license/{old}”未被接收：{strays.OVERDUE}")


def test_a_file_still_being_written_waits_for_a_later_run(engine, monkeypatch):
    path = put("许可.csv", GOOD[:150])
    real = store.receive

    def upload_goes_on(source, suffix, feed_id):
        received = real(source, suffix, feed_id)
        with open(path, "ab") as fh:
            fh.write(GOOD[150:])
        return received

    with monkeypatch.context() as m:
        m.setattr(store, "receive", upload_goes_on)
        assert [x.outcome for x in land(engine)] == ["waiting"]
    assert deliveries(engine) == [] and left_in_inbox() == [b"\xe8\xae\xb8\xe5\x8f\xaf.csv"]
    assert list(paths.data_path("landing", "store", "incoming", "scjg_license").iterdir()) == []
    assert [x.outcome for x in land(engine)] == ["new"]
    assert GOOD in stored() and GOOD[:150] not in stored()


def test_files_where_no_feed_reads_them_are_listed_and_left_alone(engine, caplog):
    inbox = paths.data_path("landing", "inbox")
    put("x.csv", folder=inbox / "unknown_dept")
    put("y.csv", folder=inbox / "scjg" / "scjg_licence")  # a typo of the feed's folder
    put("z.csv", folder=inbox / "scjg")
    put("loose.csv", folder=inbox)
    os.utime(put("~$y.xlsx", folder=inbox / "scjg" / "scjg_licence"))  # saved just now: waiting, not a stray
    put("good.csv")  # in the feed's own folder: landing's, not a stray
    with caplog.at_level(logging.WARNING, logger="citycredit"):
        found = ingest.find_strays()
    expected = ["loose.csv", "scjg/scjg_licence/y.csv", "scjg/z.csv", "unknown_dept/x.csv"]
    assert sorted(found) == expected
    for path in expected:
        assert (inbox / path).read_bytes() == GOOD
        assert any(path in r.getMessage() for r in caplog.records), path
    ingest.find_strays()
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT path, department_id, reason, size_bytes, last_seen_at > first_seen_at AS again"
                    " FROM landing.strays ORDER BY path")
        ).mappings().all()  # fmt: skip
    assert [(r["path"], r["department_id"], r["size_bytes"], r["again"]) for r in rows] == [
        ("loose.csv", None, len(GOOD), True),
        ("scjg/scjg_licence/y.csv", "scjg", len(GOOD), True),
        ("scjg/z.csv", "scjg", len(GOOD), True),
        ("unknown_dept/x.csv", None, len(GOOD), True),
    ]
    assert "“scjg_licence”不是本部门已登记的数据源文件夹" in rows[1]["reason"]
    assert "scjg_license" in rows[1]["reason"]
    assert "“unknown_dept”不是已登记的部门文件夹" in rows[3]["reason"]


def test_a_file_in_the_folder_of_an_http_feed_is_a_stray(engine):
    reg = registry.load()
    scjg = reg.department("scjg")
    api = dataclasses.replace(scjg.feeds[0], id="scjg_api", kind="http")
    departments = tuple(dataclasses.replace(d, feeds=(*d.feeds, api)) if d is scjg else d for d in reg.departments)
    put("x.csv", folder=paths.data_path("landing", "inbox", "scjg", "scjg_api"))
    (found,) = strays.find(engine, dataclasses.replace(reg, departments=departments))
    assert (found.path, found.department_id) == ("scjg/scjg_api/x.csv", "scjg")
    assert found.reason.startswith("数据源“scjg_api”通过接口或数据库报送，不读取收件箱中的文件")
