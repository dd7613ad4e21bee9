"""What the load tells PostgreSQL's planner, so that no statement's plan depends on statistics the load outdates.

A load plans its statements inside one transaction, after writing rows the planner's statistics do not know of yet
(its versions in ``core``, its quarantined rows), and seconds after its rows were staged and validated. After a load
that failed or was killed, the vacuum of its dead rows leaves a table whose statistics say "no rows" over all its
pages. On such estimates the planner joins by nested loops that read one side once per row of the other, a product of
a large batch's rows (docs/performance.md, "Statistics the load outdates").

Statements that join a batch with itself or with a dataset's whole quarantine have no use for a nested loop, nor for
a merge join, which sorts the whole batch where the other side may hold no row: they are planned with hash joins
only (``hashed``). Statements that join a batch with the history in ``core`` want a nested loop for a small batch
(an index lookup per row), so after writing its versions the load analyzes ``core`` when they outnumber a tenth of
the rows its statistics count (``core.table_statistics``): a large batch into an empty or young table, never a small
one into a long history; normalization does the same for the staging table.

The new versions of a batch meet the current version of each key by an index lookup whatever the sizes
(``looked_up``), and so do the versions a batch loaded out of order continues (load/versions.py). The planner
prices each lookup as a random read and would rather read every current version of the dataset (a hash join, or a
merge join over the whole index), which grows with the history; but the batch comes sorted by key, so its lookups
walk the index in order, and the join keeps that order for the windows after it.

Versions the load already knows by record id are read through ``by_record_id``: an array the primary key's index
scan sorts and walks, whatever the planner thinks of the query that lists them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa

# The columns of a core table that chain its versions, which is what the load reads back of them.
VERSION_COLUMNS = "record_id, batch_id, source_row, supersedes, is_current"


def by_record_id(ids: str) -> str:
    """SQL matching ``record_id`` against ``ids`` (a query of record ids) as one array, computed once, that the
    primary key's index scan sorts and walks in order. Joined or semi-joined, the ids were found by hashing every
    version of the dataset, even when they were none (docs/performance.md, "Into a core that already holds a long
    history"), or looked up one by one in hash order."""
    return f"ANY(ARRAY({ids}))"


def hashed(conn: sa.Connection, **settings: str) -> contextlib.AbstractContextManager[None]:
    """The statements inside planned with hash joins only (and with ``settings``): statements whose joins are all
    equalities between a batch and other sets, any of which may be empty or huge."""
    return _planned(conn, {"enable_nestloop": "off", "enable_mergejoin": "off", **settings})


def looked_up(conn: sa.Connection) -> contextlib.AbstractContextManager[None]:
    """The statements inside planned with nested loops only: statements that meet a batch, sorted by key, with the
    current versions of its keys through the current-key index."""
    return _planned(conn, {"enable_hashjoin": "off", "enable_mergejoin": "off"})


@contextlib.contextmanager
def _planned(conn: sa.Connection, settings: dict[str, str]) -> Iterator[None]:
    """``settings`` for the statements inside, in this transaction only. A statement that fails inside leaves them
    to the rollback of its transaction or savepoint (a RESET there would hide its error)."""
    for name, value in settings.items():
        conn.execute(sa.text(f"SET LOCAL {name} = {value}"))
    yield
    for name in settings:
        conn.execute(sa.text(f"RESET {name}"))
