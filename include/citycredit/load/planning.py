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
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa

# The columns of a core table that chain its versions, which is what the load reads back of them.
VERSION_COLUMNS = "record_id, batch_id, source_row, supersedes, is_current"


@contextlib.contextmanager
def hashed(conn: sa.Connection, **settings: str) -> Iterator[None]:
    """The statements inside planned with hash joins only (and with ``settings``), for this transaction only:
    statements whose joins are all equalities between a batch and other sets, any of which may be empty or huge. A
    statement that fails inside leaves the settings to the rollback of its transaction or savepoint (a RESET there
    would hide its error)."""
    settings = {"enable_nestloop": "off", "enable_mergejoin": "off", **settings}
    for name, value in settings.items():
        conn.execute(sa.text(f"SET LOCAL {name} = {value}"))
    yield
    for name in settings:
        conn.execute(sa.text(f"RESET {name}"))
