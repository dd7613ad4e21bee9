"""What HTTP and database feeds share: their Airflow connection, and landing one pull as one delivery.

A pull's records are written as JSON Lines to ``$CITYCREDIT_HOME/landing/pulls/`` while they arrive (memory stays
flat), then landed like a delivered file (`landing.land_pull`): stored by content hash, one batch, and the feed's
watermark moved in the same transaction. A pull that fails part-way leaves nothing behind: no delivery, no batch,
the watermark where it was. A pull that finds nothing new records nothing.
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping

import sqlalchemy as sa

from citycredit.core import paths
from citycredit.core.cell_text import cell_text
from citycredit.feeds import landing, watermarks
from citycredit.feeds.registry import Feed

log = logging.getLogger(__name__)


class PullFailed(Exception):
    """A pull that could not be completed; the message (Chinese) says where and why."""


def connection(conn_id: str):
    """The Airflow connection of a feed (``AIRFLOW_CONN_<ID>`` or Airflow's connection store)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException as exc:
        raise PullFailed(
            f"Airflow连接“{conn_id}”未配置：请在Airflow中创建该连接（或设置环境变量AIRFLOW_CONN_{conn_id.upper()}）"
        ) from exc


def watermark_text(value: object) -> str | None:
    """A watermark value as text, at full precision (a time keeps its fractions of a second and its offset)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return cell_text(value)


def land(
    engine: sa.Engine,
    feed: Feed,
    records: Callable[[str | None], Iterable[Mapping]],
    watermark_key: str | None,
) -> landing.Landed | None:
    """Pull ``records(watermark)`` completely, then land them as one delivery; None when there was nothing new."""
    with engine.connect() as conn:
        since = watermarks.get(conn, feed.id)
    started = datetime.datetime.now(datetime.UTC)
    path = paths.data_path("landing", "pulls") / f"{feed.id}-{uuid.uuid4().hex}.jsonl.part"
    count, newest = 0, since
    try:
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            for record in records(since):
                fh.write(json.dumps(dict(record), ensure_ascii=False, default=cell_text) + "\n")
                count += 1
                if watermark_key is not None and record.get(watermark_key) is not None:
                    newest = watermarks.later(newest, watermark_text(record[watermark_key]))
        if count == 0:
            log.info("feed %s: nothing new since watermark %r", feed.id, since)
            path.unlink()
            return None
        source_name = f"{feed.id}_{started:%Y%m%dT%H%M%SZ}.jsonl"
        log.info("feed %s: %s records pulled since watermark %r, now %r", feed.id, count, since, newest)
        return landing.land_pull(engine, feed, path, source_name, newest if newest != since else None)
    finally:
        path.unlink(missing_ok=True)
