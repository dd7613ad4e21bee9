"""File drops start the ingest: a trigger in Airflow's triggerer watches the inboxes of the file feeds that have no
``schedule`` and fires an asset event when a delivery has arrived, so the ingest runs within a poll or two instead
of at its daily run.

The trigger only looks (``lstat`` of each inbox entry, no read, no database): what to land, and that the same bytes
never open a second batch, stays landing's. It fires once per entry (device, inode, size, modification time) and
only when the entry is unchanged since the poll before, so an upload still being written does not start a run
that would only find it "changed while read"; lock files and partial uploads (`names.waiting_for`) never fire. What
it has fired for is kept in memory: a restarted triggerer fires once for what still waits in the inboxes, which is
what a run should land anyway.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from citycredit.core import privacy
from citycredit.feeds import inbox, landing, names
from citycredit.feeds.registry import Registry

POLL_SECONDS = 15.0  # a drop fires within two polls (30 s); see docs/performance.md for what a poll costs

Seen = frozenset[tuple[str, tuple[str, ...], int, int, int, int]]  # inbox, parts, device, inode, size, mtime (ns)


def watched_inboxes(reg: Registry) -> list[str]:
    """The inboxes of the file feeds landed at every run: a feed with a ``schedule`` waits for it, drop or not."""
    return sorted(str(landing.inbox(f)) for f in reg.feeds if f.kind == "file" and not f.schedule)


def snapshot(inboxes: Iterable[str]) -> Seen:
    """Every entry waiting to be landed in ``inboxes`` (an inbox that does not exist yet holds nothing)."""
    seen = set()
    for path in inboxes:
        try:
            root = inbox.open_folder(Path(path))
        except OSError:
            continue
        try:
            for e in inbox.scan(root):
                if not (e.is_file and names.waiting_for(names.source_name(e.parts[-1]))):
                    seen.add((path, e.parts, e.stat.st_dev, e.stat.st_ino, e.stat.st_size, e.stat.st_mtime_ns))
        finally:
            os.close(root)
    return frozenset(seen)


class InboxDrop(BaseEventTrigger):
    """Fires ``{"entries": [...]}`` (``feed folder/name``) when new deliveries rest in the watched inboxes."""

    def __init__(self, *, inboxes: list[str], poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__()
        self.inboxes = inboxes
        self.poll_seconds = poll_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return f"{type(self).__module__}.{type(self).__qualname__}", {
            "inboxes": self.inboxes,
            "poll_seconds": self.poll_seconds,
        }

    async def run(self) -> AsyncIterator[TriggerEvent]:
        fired: Seen = frozenset()
        before = await asyncio.to_thread(snapshot, self.inboxes)
        while True:
            await asyncio.sleep(self.poll_seconds)
            now = await asyncio.to_thread(snapshot, self.inboxes)
            new = (now & before) - fired  # unchanged for a poll: the upload has finished
            fired = (fired & now) | new  # forget what left the inbox
            before = now
            if new:
                yield TriggerEvent({"entries": sorted(_where(e) for e in new)})


def _where(entry: tuple) -> str:
    """The entry as the event names it; Airflow keeps events and shows them in its UI, so 身份证 numbers masked."""
    path, parts = Path(entry[0]), entry[1]
    return privacy.mask_ids_in_text("/".join((path.parent.name, path.name, *(names.source_name(p) for p in parts))))
