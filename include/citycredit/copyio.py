"""Bulk transfer between pandas frames and PostgreSQL with COPY (never row-by-row INSERT)."""

from __future__ import annotations

import io

import pandas as pd
import sqlalchemy as sa


def copy_in(conn: sa.Connection, table: str, frame: pd.DataFrame) -> int:
    """COPY a frame's columns (by name) into a table; None/NaN become NULL."""
    if frame.empty:
        return 0
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False)
    buffer.seek(0)
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)
    finally:
        cursor.close()
    return len(frame)


def copy_out(conn: sa.Connection, query: str, params: dict | None = None) -> pd.DataFrame:
    """Run a SELECT through COPY ... TO STDOUT and read it as strings (NULL → missing)."""
    cursor = conn.connection.driver_connection.cursor()
    try:
        sql = cursor.mogrify(query, params or {}).decode()
        buffer = io.StringIO()
        cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)", buffer)
    finally:
        cursor.close()
    buffer.seek(0)
    return pd.read_csv(buffer, dtype=str, keep_default_na=False, na_values=[""])
