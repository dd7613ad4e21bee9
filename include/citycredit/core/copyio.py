"""Bulk transfer between pandas frames and PostgreSQL with COPY (never row-by-row INSERT).

Both directions go through pyarrow's CSV writer and reader, several times faster than pandas' own and without
a Python object per value. In PostgreSQL's CSV format an unquoted empty field is NULL and a quoted one ("") an
empty string: frames go in with missing values and empty strings alike as NULL, and come out with both missing.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa

COPY_BLOCK_BYTES = 1 << 20  # what psycopg2 hands the server per read of the buffer (its default is 8 KiB)


def _empty_as_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        return column
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, column.type), column)


def arrow_rows(frame: pd.DataFrame) -> pa.Table:
    """A frame as the Arrow table COPY sends: None/NaN and empty strings as null."""
    data = pa.Table.from_pandas(frame, preserve_index=False)
    return pa.table([_empty_as_null(c) for c in data.columns], names=data.column_names)


def _cursor(conn: sa.Connection) -> Any:
    """A cursor of the psycopg2 connection under ``conn``: COPY is psycopg2's, not SQLAlchemy's."""
    driver = conn.connection.driver_connection
    if driver is None:  # SQLAlchemy's typing allows it; a connection in use always has its driver connection
        raise AttributeError("the connection has no driver connection")
    return driver.cursor()


def copy_in(conn: sa.Connection, table: str, frame: pd.DataFrame) -> int:
    """COPY a frame's columns (by name) into a table; None/NaN and empty strings become NULL."""
    return copy_rows(conn, table, arrow_rows(frame)) if not frame.empty else 0


def copy_rows(conn: sa.Connection, table: str, data: pa.Table) -> int:
    """COPY an Arrow table's columns (by name) into a table; nulls become NULL."""
    if not data.num_rows:
        return 0
    buffer = io.BytesIO()
    pacsv.write_csv(data, buffer, pacsv.WriteOptions(include_header=False))
    buffer.seek(0)
    columns = ", ".join(f'"{c}"' for c in data.column_names)
    cursor = _cursor(conn)
    try:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer, size=COPY_BLOCK_BYTES)
    finally:
        cursor.close()
    return data.num_rows


def copy_out(conn: sa.Connection, query: str, params: dict | None = None) -> pd.DataFrame:
    """Run a SELECT through COPY ... TO STDOUT and read it as strings (NULL → missing)."""
    cursor = _cursor(conn)
    try:
        sql = cursor.mogrify(query, params or {}).decode()
        buffer = io.BytesIO()
        cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)", buffer, size=COPY_BLOCK_BYTES)
    finally:
        cursor.close()
    buffer.seek(0)
    names = next(csv.reader([buffer.readline().decode()]))
    if buffer.tell() == len(buffer.getbuffer()):  # no rows: pyarrow refuses an empty file
        return pa.table({n: pa.array([], pa.string()) for n in names}).to_pandas()
    data = pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(column_names=names),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    )
    return data.to_pandas()
