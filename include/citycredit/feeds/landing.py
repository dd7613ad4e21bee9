"""Landing: department files stored unchanged, by content hash, with the time they reached the platform.

A file feed's inbox is ``$CITYCREDIT_HOME/landing/inbox/<department>/<feed>/``. Landing a file:
- reads it through a descriptor opened without following links (`feeds.inbox`), copying and hashing it into the
  store; every delivered byte is kept under ``store/<sha256>``, whatever landing decides;
- the same bytes already landed for the feed are recognised and recorded as a duplicate delivery;
- checks that it can be read at all; an unreadable file moves to ``rejected/`` with a ``.reason.txt`` beside it;
- otherwise opens a batch and moves the delivered file to ``archive/``.
Its time of receipt is the file's modification time: when the department's upload finished. Anything else in the
feed's inbox is refused with a reason, as a rejected delivery: a link (never followed; its target text is what is
stored), a pipe or device, a file in a subfolder. Editors' lock files and unfinished uploads wait, untouched
(`names.waiting_for`; one waiting longer than `strays.OVERDUE_AFTER` is also listed as a stray, for the quality
report to chase), and so does a file that changes while it is read. Names may be any bytes: `names` decodes
them and keeps the copies' names within the file system's limits. A run killed after recording a delivery and
before moving it records nothing again: the next run recognises the same inbox entry (device and inode), name,
bytes and time of receipt; the same file sent again is a new entry, and a delivery of its own.

An HTTP or database pull (``land_pull``) is landed the same way, as one delivery whose bytes are the JSON Lines
file the pull wrote; its time of receipt is when the pull completed.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa

from citycredit.core import city, paths
from citycredit.core.printable import printable
from citycredit.feeds import inbox as folders
from citycredit.feeds import names, store, strays
from citycredit.feeds.registry import Feed

log = logging.getLogger(__name__)

LINK = "这是一个链接（快捷方式），不是文件本身；平台不读取链接指向的内容，请上传文件本身后重新报送"
NOT_A_FILE = "这不是普通文件（而是管道、设备等特殊文件），无法读取；请上传文件本身后重新报送"


def in_subfolder(folder: str) -> str:
    return f"文件放在了子文件夹“{folder}”中；平台只接收直接放在数据源文件夹中的文件，请直接放入后重新报送"


@dataclass(frozen=True)
class Landed:
    source_name: str
    outcome: str  # new | duplicate | rejected | waiting (left in the inbox for a later run)
    batch_id: int | None
    reason: str | None = None


def inbox(feed: Feed) -> Path:
    return paths.data_path("landing", "inbox", feed.department_id, feed.id)


def _area(name: str, feed: Feed) -> Path:
    return paths.data_path("landing", name, feed.department_id, feed.id)


def _delivery(
    feed: Feed, source_name: str, sha: str, size: int, received_at: datetime, entry: folders.Entry | None = None
) -> dict:
    return {
        "department_id": feed.department_id,
        "feed_id": feed.id,
        "dataset": feed.dataset,
        "source_name": source_name,
        "sha256": sha,
        "size_bytes": size,
        "received_at": received_at,
        "reported_on": received_at.astimezone(city.timezone()).date(),
        "inbox_entry": None if entry is None else f"{entry.stat.st_dev}:{entry.stat.st_ino}",
    }


Unreadable = Callable[[Path, Feed], str | None]  # a file's Chinese reason why it cannot be read, or None


def land_inbox(engine: sa.Engine, feed: Feed, unreadable: Unreadable) -> list[Landed]:
    """Land everything waiting in a feed's inbox, oldest first; one bad file does not stop the others.

    Two runs at once (a manual run beside the scheduled one) take turns per feed: the second lands what the first
    left, so a delivery is never landed twice. The lock goes with the session, also when the process dies.
    ``unreadable`` tells a file that cannot be read (it goes to ``rejected/`` with the reason) from one that can.
    """
    with engine.connect() as lock:
        lock.execute(sa.text("SELECT pg_advisory_lock(hashtext(:k))"), {"k": f"citycredit.landing:{feed.id}"})
        store.clear_incoming(feed.id)
        root = folders.open_folder(inbox(feed))
        try:
            entries = sorted(folders.scan(root), key=lambda e: (e.stat.st_mtime, e.parts))
            return [land_entry(engine, feed, root, entry, unreadable) for entry in entries]
        finally:
            os.close(root)
            lock.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": f"citycredit.landing:{feed.id}"})


def land_entry(engine: sa.Engine, feed: Feed, root: int, entry: folders.Entry, unreadable: Unreadable) -> Landed:
    """Land one entry the scan of the feed's inbox (the descriptor ``root``) found."""
    name = entry.name
    waiting = names.waiting_for(names.source_name(entry.parts[-1])) if entry.is_file else None
    if waiting is not None:
        log.info("waiting in feed %s: %s (%s)", feed.id, printable(name), waiting)
        if strays.overdue(entry):  # forgotten rather than still in progress: chased, and still left untouched
            path = f"{feed.department_id}/{feed.id}/{name}"
            strays.record(engine, strays.Stray(path, feed.department_id, strays.OVERDUE), entry)
        return Landed(name, "waiting", None, waiting)
    with folders.opened(root, entry.parts[:-1]) as parent:
        if not entry.is_file:  # what a link holds is where it points: that text is kept, never followed
            content = folders.link_target(parent, entry) if entry.is_link else b""
            if content is None:
                return _changed(feed, name)
            return _land(engine, feed, parent, entry, io.BytesIO(content), LINK if entry.is_link else NOT_A_FILE)
        try:
            fd = folders.open_entry(parent, entry)
        except PermissionError as exc:  # the platform's account may not read it: a setup problem, not the sender's
            log.warning("cannot read %s of feed %s, left in the inbox: %s", printable(name), feed.id, exc.strerror)
            return Landed(name, "waiting", None, "permission denied")
        if fd is None:
            return _changed(feed, name)
        with open(fd, "rb") as fh:
            before = os.fstat(fd)
            refused = in_subfolder(printable(name.rpartition("/")[0])) if len(entry.parts) > 1 else None
            return _land(engine, feed, parent, entry, fh, refused or unreadable, before)


def _changed(feed: Feed, name: str) -> Landed:
    log.info("waiting in feed %s: %s (changed while it was read; landed by a later run)", feed.id, printable(name))
    return Landed(name, "waiting", None, "changed")


def _land(
    engine: sa.Engine,
    feed: Feed,
    parent: int,
    entry: folders.Entry,
    source: BinaryIO,
    judge: str | Unreadable,
    before: os.stat_result | None = None,
) -> Landed:
    """Copy ``source`` into the store, decide (``judge``: the reason it is refused, or the check of a file),
    record, then take the entry out of the inbox. ``before``: the file's state when opened, to tell an upload
    still being written."""
    received = store.receive(source, names.suffix(entry.name), feed.id)
    try:
        if before is not None:
            after = os.fstat(source.fileno())
            if (after.st_size, after.st_mtime_ns, received.size) != (before.st_size, before.st_mtime_ns, after.st_size):
                store.discard(received.copy)
                return _changed(feed, entry.name)
        reason = judge if isinstance(judge, str) else judge(received.copy, feed)
        stored = store.keep(received.copy, received.sha256)
    except BaseException:
        store.discard(received.copy)
        raise
    received_at = datetime.fromtimestamp(entry.stat.st_mtime, tz=UTC)
    delivery = _delivery(feed, entry.name, received.sha256, received.size, received_at, entry)
    with engine.begin() as conn:
        landed = _recorded(conn, delivery)  # a run killed after recording, before the entry left the inbox
        if landed is None and reason is not None:
            _record(conn, delivery, "rejected", None, reason)
            landed = Landed(entry.name, "rejected", None, reason)
        elif landed is None:
            outcome, batch_id = _open_batch(conn, delivery, stored)
            landed = Landed(entry.name, outcome, batch_id)
    _take_out(feed, parent, entry, received_at, landed.reason)
    if landed.outcome == "rejected":
        log.warning("rejected %s of feed %s: %s", printable(entry.name), feed.id, printable(landed.reason or ""))
    else:
        batch = f" as batch {landed.batch_id}" if landed.batch_id else ""
        log.info("landed %s of feed %s: %s%s", printable(entry.name), feed.id, landed.outcome, batch)
    return landed


def _take_out(feed: Feed, parent: int, entry: folders.Entry, received_at: datetime, reason: str | None) -> None:
    """The landed entry out of the inbox: a file to ``archive/`` (``rejected/`` with its reason beside it); a link
    or special file is removed (what it held, a link's target, is in the store); nothing that replaced the entry
    in the meantime is touched."""
    if not folders.still_there(parent, entry):
        return
    folder = _area("archive" if reason is None else "rejected", feed)
    kept = folder / names.kept_name(
        entry.name, received_at, lambda n: (folder / n).exists() or (folder / (n + names.REASON_SUFFIX)).exists()
    )
    if entry.is_file:
        os.rename(entry.parts[-1], kept, src_dir_fd=parent)
    else:
        os.unlink(entry.parts[-1], dir_fd=parent)
    if reason is not None:
        kept.with_name(kept.name + names.REASON_SUFFIX).write_text(reason + "\n", encoding="utf-8")


def land_pull(engine: sa.Engine, feed: Feed, pulled: Path, source_name: str, watermark: str | None) -> Landed:
    """Land what one HTTP or database pull wrote (a JSON Lines file, moved into the store) as one delivery.

    The feed's watermark moves in the transaction that records the delivery: both happen, or neither. The same
    records pulled again are a duplicate delivery, like a file delivered twice.
    """
    from citycredit.feeds import watermarks

    received_at = datetime.now(UTC)
    sha = store.sha256_of(pulled)
    delivery = _delivery(feed, source_name, sha, pulled.stat().st_size, received_at)
    stored = store.keep(pulled, sha)
    with engine.begin() as conn:
        outcome, batch_id = _open_batch(conn, delivery, stored)
        if watermark is not None:
            watermarks.advance(conn, feed.id, watermark, batch_id)
    log.info("landed pull %s of feed %s: %s (batch %s)", source_name, feed.id, outcome, batch_id)
    return Landed(source_name, outcome, batch_id)


def _open_batch(conn: sa.Connection, delivery: dict, stored: Path) -> tuple[str, int | None]:
    """A new batch for content the feed has not delivered before (outcome new), else outcome duplicate."""
    batch_id = conn.execute(
        sa.text(
            "INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
            " stored_path, received_at, reported_on) VALUES (:department_id, :feed_id, :dataset, :source_name,"
            " :sha256, :size_bytes, :stored_path, :received_at, :reported_on) ON CONFLICT (feed_id, sha256) DO NOTHING"
            " RETURNING batch_id"
        ),
        {**delivery, "stored_path": str(stored)},
    ).scalar()
    outcome = "new" if batch_id is not None else "duplicate"
    _record(conn, delivery, outcome, batch_id, None)
    return outcome, batch_id


def _recorded(conn: sa.Connection, delivery: dict) -> Landed | None:
    """This very delivery (the same inbox entry, name, bytes and time of receipt) as already recorded, if it is."""
    row = conn.execute(
        sa.text(
            "SELECT outcome, batch_id, reason FROM landing.deliveries WHERE feed_id = :feed_id"
            " AND source_name = :source_name AND sha256 = :sha256 AND received_at = :received_at"
            " AND inbox_entry = :inbox_entry ORDER BY delivery_id LIMIT 1"
        ),
        delivery,
    ).one_or_none()
    return None if row is None else Landed(delivery["source_name"], row.outcome, row.batch_id, row.reason)


def _record(conn: sa.Connection, delivery: dict, outcome: str, batch_id: int | None, reason: str | None) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO landing.deliveries (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
            " received_at, outcome, reason, batch_id, inbox_entry) VALUES (:department_id, :feed_id, :dataset,"
            " :source_name, :sha256, :size_bytes, :received_at, :outcome, :reason, :batch_id, :inbox_entry)"
        ),
        {**delivery, "outcome": outcome, "reason": reason, "batch_id": batch_id},
    )
