"""Each HTTP or database feed's high-water mark (``landing.feed_watermarks``), and how marks compare."""

from __future__ import annotations

import sqlalchemy as sa


def get(conn: sa.Connection, feed_id: str) -> str | None:
    return conn.execute(
        sa.text("SELECT watermark FROM landing.feed_watermarks WHERE feed_id = :f"), {"f": feed_id}
    ).scalar()


def advance(conn: sa.Connection, feed_id: str, watermark: str, batch_id: int | None) -> None:
    """Record the feed's new mark (in the caller's transaction, beside the delivery it belongs to)."""
    conn.execute(
        sa.text(
            "INSERT INTO landing.feed_watermarks (feed_id, watermark, batch_id) VALUES (:f, :w, :b)"
            " ON CONFLICT (feed_id) DO UPDATE SET watermark = excluded.watermark,"
            " batch_id = coalesce(excluded.batch_id, landing.feed_watermarks.batch_id), updated_at = now()"
        ),
        {"f": feed_id, "w": watermark, "b": batch_id},
    )


def _key(value: str) -> tuple:
    """Numbers compare as numbers, anything else (ISO dates and times) as text."""
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)


def later(a: str | None, b: str | None) -> str | None:
    """The later of two marks; None is earlier than any mark."""
    if a is None or b is None:
        return a if b is None else b
    return b if _key(b) > _key(a) else a
