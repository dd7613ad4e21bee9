"""When a feed is due: its registry ``schedule`` (a cron expression in the city's time zone) against its last run.

The ingest DAG runs on a file drop, daily, and at every feed's ``schedule``; a department API that may be asked only
weekly, or a file drop checked on the first working days of a month, says so with ``schedule`` and is skipped in
between. A feed without one runs every time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa


def not_due_until(conn: sa.Connection, feed_id: str, schedule: str | None, timezone: str) -> datetime | None:
    """When the feed is next due, if that is still to come; None when it is due now (no schedule, never run, or its
    schedule fired since its last run)."""
    if not schedule:
        return None
    last = conn.execute(
        sa.text("SELECT last_run_at FROM landing.feed_runs WHERE feed_id = :f"), {"f": feed_id}
    ).scalar()
    if last is None:
        return None
    from croniter import croniter

    due = croniter(schedule, last.astimezone(ZoneInfo(timezone))).get_next(datetime)
    return due if due > datetime.now(UTC) else None


def record_run(conn: sa.Connection, feed_id: str) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO landing.feed_runs (feed_id, last_run_at) VALUES (:f, now())"
            " ON CONFLICT (feed_id) DO UPDATE SET last_run_at = excluded.last_run_at"
        ),
        {"f": feed_id},
    )
