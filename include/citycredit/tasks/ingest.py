"""The ingest DAG's tasks: land or pull each feed, then normalize, validate and load every pending batch.

Each takes and returns references (feed ids, batch ids), never frames."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa

from citycredit.core import warehouse
from citycredit.feeds import landing, registry

log = logging.getLogger(__name__)


class BatchRejected(Exception):
    """The batch's file turned out unreadable past its first rows; it is marked rejected with the reason."""


def feed_ids(kind: str) -> list[str]:
    """The registry's feeds of one kind (file, http, sql)."""
    return [f.id for f in registry.load().feeds if f.kind == kind]


DAILY = "0 0 * * *"  # the run that pulls the feeds without a schedule and sweeps up what no drop started


def schedule() -> tuple[list[str], str, list[str]]:
    """When the ingest runs by the clock: daily and at every feed's own ``schedule``, as cron expressions read in
    the city's time zone (the second item); and the inboxes whose drops start it in between (`drops`)."""
    from citycredit.feeds import drops

    reg = registry.load()
    crons = sorted({DAILY, *(f.schedule for f in reg.feeds if f.schedule)})
    return crons, reg.timezone.key, drops.watched_inboxes(reg)


def drop_trigger(inboxes: list[str]):
    """The trigger of the ingest's AssetWatcher: fires when a delivery rests in one of `inboxes` (feeds.drops)."""
    from citycredit.feeds import drops

    return drops.InboxDrop(inboxes=inboxes)


class FeedNotDue(Exception):
    """The feed's registry ``schedule`` has not fired since its last run; the task is skipped."""


def land_feed(feed_id: str, file_drop: bool = False) -> list[int]:
    """Land a file feed's inbox, or pull an HTTP or database feed, when it is due; the ids of the new batches.

    A run a file drop started (``file_drop``) pulls nothing: a department's API is asked at the clock's runs only,
    as often as before, however many files arrive.

    A pull that cannot be completed raises `pulls.PullFailed` (the task fails and Airflow retries it); it has
    recorded nothing and left the feed's watermark and its last run where they were.
    """
    from citycredit.feeds import schedule

    reg = registry.load()
    feed = reg.feed(feed_id)
    if file_drop and feed.kind != "file":
        raise FeedNotDue(f"{feed.id}: a file drop's run; pulled at the ingest's scheduled runs")
    engine = warehouse.engine()
    with engine.connect() as conn:
        due = schedule.not_due_until(conn, feed.id, feed.schedule, reg.timezone.key)
    if due is not None:
        raise FeedNotDue(f"{feed.id}: not due until {due.isoformat()} (schedule {feed.schedule!r})")
    if feed.kind == "file":
        batch_ids = [r.batch_id for r in landing.land_inbox(engine, feed, unreadable) if r.batch_id is not None]
    else:
        from citycredit.feeds import http, sql

        pulled = (http.pull if feed.kind == "http" else sql.pull)(engine, feed)
        batch_ids = [] if pulled is None or pulled.outcome != "new" or pulled.batch_id is None else [pulled.batch_id]
    with engine.begin() as conn:
        schedule.record_run(conn, feed.id)
    return batch_ids


# Up to about 10,000 CSV rows (or 50,000 in a workbook): the stages' own work is then a second or two, less than
# starting the two more task processes the per-batch tasks need (and, on Celery, queueing each one).
SMALL_BATCH_BYTES = 4 * 2**20


def land_feed_through(feed_id: str, file_drop: bool = False) -> dict[str, list[int]]:
    """`land_feed`, then each new batch of at most SMALL_BATCH_BYTES normalized, validated and loaded in this same
    process: a small delivery reaches the warehouse from one task, without two more task processes. The new batch
    ids (``landed``) and those of them loaded here (``loaded``).

    A batch this lane cannot finish is left where it stopped (landed, normalized or validated) with its error in
    the log, and the per-batch tasks of the same run take it up (`pending_batches`): they retry it, and fail the
    run if it keeps failing. A batch the lane rejects (unreadable past its first rows) is recorded as rejected.
    """
    landed = land_feed(feed_id, file_drop)
    with warehouse.engine().connect() as conn:
        small = set(
            conn.execute(
                sa.text("SELECT batch_id FROM landing.batches WHERE batch_id = ANY(:b) AND size_bytes <= :limit"),
                {"b": landed, "limit": SMALL_BATCH_BYTES},
            ).scalars()
        )
    loaded = []
    for batch_id in (b for b in landed if b in small):
        try:
            load_batch(validate_batch(normalize_batch(batch_id)))
        except BatchRejected as exc:
            log.warning("%s", exc)
        except Exception:
            log.exception("batch %s: left to the per-batch tasks of this run", batch_id)
        else:
            loaded.append(batch_id)
    return {"landed": landed, "loaded": loaded}


def loaded_by_feeds(lanes: Iterable[dict]) -> bool:
    """Whether the feeds' tasks of a run (their results, `land_feed_through`'s and ``retried``) may have loaded a
    batch: one did, or one was retried, since a try killed after its lane loaded a batch lost that result and its
    retry finds nothing new to land (at worst one monthly run too many)."""
    return any(lane["loaded"] or lane["retried"] for lane in lanes)


def find_strays() -> list[str]:
    """Files in the landing inbox no file feed reads (an unknown department or feed folder, a file outside any
    feed's folder): logged and recorded for the monthly quality report, left where they are. Their paths."""
    from citycredit.feeds import strays

    return [s.path for s in strays.find(warehouse.engine(), registry.load())]


def unreadable(path: Path, feed: registry.Feed) -> str | None:
    """None when the file can be opened as a table of the feed's dataset, else the Chinese reason why not.

    Landing asks this before it accepts a file; the reader is the one normalization uses.
    """
    from citycredit.normalize import readers  # at run time: the DAG files' parse must not import pandas

    try:
        readers.open_table(path, dataset=feed.dataset, encoding_hint=feed.encoding)
    except readers.UnreadableFile as exc:
        return exc.reason
    return None


def pending_batches() -> list[int]:
    """Every batch landed but not yet loaded or rejected, in delivery order (received, then batch id).

    Read from the warehouse rather than from the land tasks' results, so that one feed's failed pull does not hold
    back the batches the other feeds landed, and batches an earlier, failed run left half-way are taken up again.
    """
    with warehouse.engine().connect() as conn:
        return list(
            conn.execute(
                sa.text(
                    "SELECT batch_id FROM landing.batches"
                    " WHERE status IN ('landed', 'normalized', 'validated') ORDER BY received_at, batch_id"
                )
            ).scalars()
        )


def normalize_batch(batch_id: int) -> int:
    from citycredit.normalize import readers, staging

    engine = warehouse.engine()
    with engine.connect() as conn:
        feed_id = conn.execute(
            sa.text("SELECT feed_id FROM landing.batches WHERE batch_id = :b"), {"b": batch_id}
        ).scalar_one()
    feed = registry.load().feed(feed_id)
    try:
        staging.stage_batch(engine, batch_id, encoding_hint=feed.encoding)
    except readers.UnreadableFile as exc:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE landing.batches SET status = 'rejected', status_reason = :r, updated_at = now()"
                    " WHERE batch_id = :b"
                ),
                {"b": batch_id, "r": exc.reason},
            )
        raise BatchRejected(f"batch {batch_id}: {exc.reason}") from exc
    return batch_id


def validate_batch(batch_id: int) -> int:
    from citycredit.validate import suites

    counts = suites.validate_batch(warehouse.engine(), batch_id)
    log.info("batch %s: %s errors, %s warnings", batch_id, counts["error"], counts["warning"])
    return batch_id


def build_data_docs() -> str:
    from citycredit.publish import datadocs

    return str(datadocs.build_for_warehouse(warehouse.engine()))


def load_batch(batch_id: int) -> dict:
    from citycredit.load import merge

    return merge.load_batch(warehouse.engine(), batch_id).__dict__
