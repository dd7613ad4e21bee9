"""What the load recorded in quality.corrections, as the tests compare it."""

from __future__ import annotations

import sqlalchemy as sa


def linked(conn: sa.Connection, core_table: str, column: str) -> list[tuple]:
    """Every correction in quarantine order: the quarantined batch and row, the fixing batch and row, the day of the
    fix, and ``column`` (an expression over ``c``, the fixing version in ``core_table``)."""
    return conn.execute(
        sa.text(
            "SELECT k.quarantine_batch_id, k.quarantine_source_row, k.batch_id, k.source_row, k.corrected_on::text,"
            f" c.{column} FROM quality.corrections k JOIN {core_table} c USING (record_id) ORDER BY 1, 2"
        )
    ).all()
