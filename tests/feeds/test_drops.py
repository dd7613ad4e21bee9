"""The inbox watcher (#21): the trigger, run in an asyncio loop against a real inbox on disk, fires for a delivery
that has finished arriving, once, and for nothing else; the run it starts lands the delivery once."""

from __future__ import annotations

import asyncio
import os

import pytest
from landing_helpers import FEED, GOOD, deliveries, feed, left_in_inbox, put
from support.department_api import http_feed_config, use_registry

from citycredit.core import paths
from citycredit.feeds import drops, landing, registry
from citycredit.tasks import ingest

POLL = 0.05


async def watching(action, polls: int = 6) -> list[list[str]]:
    """The entries of every event the trigger fires while ``action`` (a coroutine function) runs, and ``polls``
    polls after it."""
    events: list[list[str]] = []

    async def collect():
        async for event in drops.InboxDrop(inboxes=drops.watched_inboxes(registry.load()), poll_seconds=POLL).run():
            events.append(event.payload["entries"])

    watcher = asyncio.create_task(collect())
    await asyncio.sleep(POLL)  # its first look: what waits already
    await action()
    await asyncio.sleep(POLL * polls)
    watcher.cancel()
    return events


def watch(action=None, polls: int = 6) -> list[list[str]]:
    async def nothing():
        pass

    return asyncio.run(watching(action or nothing, polls))


def test_a_dropped_file_fires_once_and_a_file_waiting_already_fires_on_the_first_polls():
    async def drop():
        put("许可.csv")

    assert watch(drop) == [["scjg/scjg_license/许可.csv"]]
    assert watch() == [["scjg/scjg_license/许可.csv"]]  # a restarted triggerer: it still waits to be landed


def test_an_id_number_in_a_file_name_is_masked_in_the_event():
    async def drop():
        put("张三_410403198503153310_许可.csv")

    (entries,) = watch(drop)
    assert entries[0].startswith("scjg/scjg_license/张三_") and "410403198503153310" not in entries[0]


def test_lock_files_unfinished_uploads_and_files_no_watched_feed_reads_do_not_fire():
    async def drop():
        put("~$许可.xlsx")
        put("许可.csv.part")
        put("许可.csv", folder=landing.inbox(feed()).parent)  # the department's folder: a stray, not a delivery
        put("许可.csv", folder=paths.data_path("landing", "archive", "scjg", FEED))  # landed already

    assert watch(drop) == []


def test_a_file_still_being_written_fires_once_it_rests():
    async def upload():
        path = put("许可.csv", b"")
        for chunk in range(4):
            with open(path, "ab") as fh:
                fh.write(GOOD[chunk::4])
            os.utime(path, (1_757_000_000 + chunk,) * 2)
            await asyncio.sleep(POLL)

    assert watch(upload) == [["scjg/scjg_license/许可.csv"]]


@pytest.mark.db
def test_a_drop_lands_one_batch_and_the_same_bytes_dropped_again_fire_a_run_that_opens_none(engine):
    async def drop():
        put("许可.csv")

    assert len(watch(drop)) == 1
    (batch_id,) = ingest.land_feed(FEED, file_drop=True)
    assert left_in_inbox() == []
    assert watch() == []  # landed: out of the inbox, nothing more to start

    assert len(watch(drop)) == 1  # the same bytes sent again: a delivery, and a run to record it
    assert ingest.land_feed(FEED, file_drop=True) == []
    assert [(d["outcome"], d["batch_id"]) for d in deliveries(engine)] == [("new", batch_id), ("duplicate", None)]


def test_the_clock_runs_daily_and_at_each_feeds_schedule_and_drops_start_the_unscheduled_file_feeds(
    tmp_path, monkeypatch
):
    use_registry(
        tmp_path,
        monkeypatch,
        http_feed_config(schedule="0 8 * * 1"),
        {"id": "jtys_penalty", "kind": "file", "dataset": "penalty"},
        {"id": "jtys_license", "kind": "file", "dataset": "license", "schedule": "0 9 1-5 * *"},
    )
    crons, timezone, inboxes = ingest.schedule()
    assert crons == ["0 0 * * *", "0 8 * * 1", "0 9 1-5 * *"]
    assert timezone == "Asia/Shanghai"
    assert inboxes == [str(landing.inbox(registry.load().feed("jtys_penalty")))]
    with pytest.raises(ingest.FeedNotDue, match="file drop"):  # before any request or warehouse connection
        ingest.land_feed("jtys_penalty_api", file_drop=True)
