"""Statistics a large write outdates: the writing transaction analyzes the table itself.

Autovacuum analyzes a table a minute or more after a large write; a stage that reads the rows before then would be
planned as if they were not there (a 1M-row batch estimated at a few thousand rows: no parallel workers, nested
loops). So a stage that has just written many rows analyzes the columns the next statements read by, in its own
transaction, where ANALYZE counts its uncommitted rows and no autovacuum can be at work on them yet (one that is holds
the table's lock, and an ANALYZE then waits a second, ``deadlock_timeout``, for PostgreSQL to cancel it)."""

from __future__ import annotations

import sqlalchemy as sa

# autovacuum_analyze_scale_factor: the share of new rows at which autovacuum would analyze the table, in its time.
GROWTH_ANALYZED = 0.1


def analyze_grown(conn: sa.Connection, table: str, written: int, columns: str) -> None:
    """ANALYZE ``columns`` of ``table`` when the ``written`` rows outnumber GROWTH_ANALYZED of the rows its statistics
    count (none, when a vacuum found it empty or it was never analyzed). Only some columns: that leaves autovacuum's
    count of changes as it was, so autovacuum still analyzes the whole table in its time."""
    statistics = sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)")
    if written > GROWTH_ANALYZED * max(conn.execute(statistics, {"t": table}).scalar_one(), 0):
        conn.execute(sa.text(f"ANALYZE {table} ({columns})"))
