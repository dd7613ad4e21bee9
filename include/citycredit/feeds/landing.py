"""Landing: department files stored unchanged, by content hash, with the time they reached the platform.

A file feed's inbox is ``$CITYCREDIT_HOME/landing/inbox/<department>/<feed>/``. Landing a file:
- hashes it; the same bytes already landed for the feed are recognised and recorded as a duplicate delivery;
- checks that it can be read at all; an unreadable file moves to ``rejected/`` with a ``.reason.txt`` beside it;
- otherwise stores the bytes under ``store/<sha256>`` and opens a batch;
- moves the delivered file to ``archive/``.
Its time of receipt is the file's modification time: when the department's upload finished.

An HTTP or database pull (``land_pull``) is landed the same way, as one delivery whose bytes are the JSON Lines
file the pull wrote; its time of receipt is when the pull completed.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from citycredit.core import city, paths
from citycredit.feeds.registry import Feed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Landed:
    source_name: str
    outcome: str  # new | duplicate | rejected
    batch_id: int | None
    reason: str | None = None


def inbox(feed: Feed) -> Path:
    return paths.data_path("landing", "inbox", feed.department_id, feed.id)


def _area(name: str, feed: Feed) -> Path:
    return paths.data_path("landing", name, feed.department_id, feed.id)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _move(path: Path, folder: Path, stamp: datetime) -> Path:
    target = folder / f"{stamp:%Y%m%dT%H%M%S}_{path.name}"
    shutil.move(str(path), target)
    return target


def _delivery(feed: Feed, source_name: str, sha: str, size: int, received_at: datetime) -> dict:
    return {
        "department_id": feed.department_id,
        "feed_id": feed.id,
        "dataset": feed.dataset,
        "source_name": source_name,
        "sha256": sha,
        "size_bytes": size,
        "received_at": received_at,
        "reported_on": received_at.astimezone(city.timezone()).date(),
    }


Unreadable = Callable[[Path, Feed], str | None]  # a file's Chinese reason why it cannot be read, or None


def land_file(engine: sa.Engine, feed: Feed, path: Path, unreadable: Unreadable) -> Landed:
    stat = path.stat()
    received_at = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
    sha = sha256_of(path)
    delivery = _delivery(feed, path.name, sha, stat.st_size, received_at)
    reason = unreadable(path, feed)
    if reason is not None:
        rejected = _move(path, _area("rejected", feed), received_at)
        rejected.with_name(rejected.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
        with engine.begin() as conn:
            _record(conn, delivery, "rejected", None, reason)
        log.warning("rejected %s of feed %s: %s", path.name, feed.id, reason)
        return Landed(path.name, "rejected", None, reason)

    stored = _store(path, sha, move=False)
    with engine.begin() as conn:
        outcome, batch_id = _open_batch(conn, delivery, stored)
    _move(path, _area("archive", feed), received_at)
    log.info("landed %s of feed %s: %s%s", path.name, feed.id, outcome, f" as batch {batch_id}" if batch_id else "")
    return Landed(path.name, outcome, batch_id)


def land_pull(engine: sa.Engine, feed: Feed, pulled: Path, source_name: str, watermark: str | None) -> Landed:
    """Land what one HTTP or database pull wrote (a JSON Lines file, moved into the store) as one delivery.

    The feed's watermark moves in the transaction that records the delivery: both happen, or neither. The same
    records pulled again are a duplicate delivery, like a file delivered twice.
    """
    from citycredit.feeds import watermarks

    received_at = datetime.now(UTC)
    sha = sha256_of(pulled)
    delivery = _delivery(feed, source_name, sha, pulled.stat().st_size, received_at)
    stored = _store(pulled, sha, move=True)
    with engine.begin() as conn:
        outcome, batch_id = _open_batch(conn, delivery, stored)
        if watermark is not None:
            watermarks.advance(conn, feed.id, watermark, batch_id)
    log.info("landed pull %s of feed %s: %s (batch %s)", source_name, feed.id, outcome, batch_id)
    return Landed(source_name, outcome, batch_id)


def _store(path: Path, sha: str, *, move: bool) -> Path:
    """The bytes under ``store/<sha256>`` (kept once); ``move`` takes the file itself instead of a copy."""
    stored = paths.data_path("landing", "store", sha[:2]) / sha
    if stored.exists():
        if move:
            path.unlink()
        return stored
    if move:
        path.replace(stored)
    else:
        tmp = stored.with_suffix(".part")
        try:
            shutil.copyfile(path, tmp)
        except OSError:  # e.g. the disk is full: leave no partial copy; the delivery stays in the inbox
            tmp.unlink(missing_ok=True)
            raise
        tmp.replace(stored)
    return stored


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


def _record(conn: sa.Connection, delivery: dict, outcome: str, batch_id: int | None, reason: str | None) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO landing.deliveries (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
            " received_at, outcome, reason, batch_id) VALUES (:department_id, :feed_id, :dataset,"
            " :source_name, :sha256, :size_bytes, :received_at, :outcome, :reason, :batch_id)"
        ),
        {**delivery, "outcome": outcome, "reason": reason, "batch_id": batch_id},
    )


def land_inbox(engine: sa.Engine, feed: Feed, unreadable: Unreadable) -> list[Landed]:
    """Land every file waiting in a feed's inbox, oldest first; one bad file does not stop the others.

    Two runs at once (a manual run beside the scheduled one) take turns per feed: the second lands what the first
    left, so a delivery is never landed twice. The lock goes with the session, also when the process dies.
    ``unreadable`` tells a file that cannot be read (it goes to ``rejected/`` with the reason) from one that can.
    """
    with engine.connect() as lock:
        lock.execute(sa.text("SELECT pg_advisory_lock(hashtext(:k))"), {"k": f"citycredit.landing:{feed.id}"})
        try:
            files = sorted(
                (p for p in inbox(feed).iterdir() if p.is_file()), key=lambda p: (p.stat().st_mtime, p.name)
            )
            return [land_file(engine, feed, path, unreadable) for path in files]
        finally:
            lock.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": f"citycredit.landing:{feed.id}"})
