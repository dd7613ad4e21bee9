"""What the load tells PostgreSQL's planner, so that no statement's plan depends on statistics the load outdates.

A load plans its statements inside one transaction, after writing rows the planner's statistics do not know of yet:
the batch's versions in ``core``, its rows in ``quality.quarantine``, and, before the load, its staged rows and
findings (autovacuum analyzes a table a minute or more after a large write, the load starts seconds after). Worse,
a load that was killed or failed leaves its rows dead, and vacuuming them leaves a table whose statistics say "no
rows" over all its pages: the planner then reckons every read of it at one row. On such an estimate it joins by a
nested loop that reads the other side once per row, and a 1M-row batch's loop (its versions against its quarantined
rows, or its versions against themselves read back from ``core``) compares 10^10 pairs or more: statements of a
second each ran for more than ten minutes before they were stopped (docs/performance.md, "Statistics the load
outdates").

Two remedies, each where it fits. Statements that join a batch with the batch or with a dataset's whole quarantine
have no use for a nested loop: they are planned without one (``hashed``). Statements that join a batch with the
history in ``core`` want one for a small batch (an index lookup per row is the fast way there), so after writing its
versions into ``core`` the load analyzes that table when they outnumber a tenth of the rows its statistics count
(``analyze_grown``): a large batch into an empty or young table, never a small one into a long history.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa

# A batch's versions larger than this share of the rows a table's statistics count make the table analyzed: the
# share at which autovacuum would analyze it (autovacuum_analyze_scale_factor), here done before the load reads on.
GROWTH_ANALYZED = 0.1
# The columns of a core table that chain its versions, which is what the load reads back of them.
VERSION_COLUMNS = "record_id, batch_id, source_row, supersedes, is_current"


@contextlib.contextmanager
def settings(conn: sa.Connection, **values: str) -> Iterator[None]:
    """Planner settings for the statements run inside, for this transaction only. A statement that fails inside
    leaves them to the rollback of its transaction or savepoint, which undoes them."""
    for name, value in values.items():
        conn.execute(sa.text(f"SET LOCAL {name} = {value}"))
    yield
    for name in values:
        conn.execute(sa.text(f"RESET {name}"))


def hashed(conn: sa.Connection, **values: str) -> contextlib.AbstractContextManager[None]:
    """``settings`` without nested-loop joins (and ``values``): for statements whose joins are all equalities between
    a batch and sets as large or larger, which a hash join reads once whatever the estimates say."""
    return settings(conn, enable_nestloop="off", **values)


def analyze_grown(conn: sa.Connection, core_table: str, written: int) -> None:
    """ANALYZE ``core_table`` when the ``written`` versions this transaction added to it outnumber GROWTH_ANALYZED of
    the rows its statistics count (none, when a vacuum found it empty or it was never analyzed). ANALYZE counts the
    transaction's own rows, so the statements after it plan with them. Only the columns the load's later statements
    join and filter on (about 0.1 s at 1M rows); autovacuum, whose count of changes an ANALYZE of some columns leaves
    as it was, analyzes the whole table in its time. An autovacuum at work on the table yields to it after
    deadlock_timeout (1 s)."""
    statistics = sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)")
    counted = conn.execute(statistics, {"t": core_table})
    if written > GROWTH_ANALYZED * max(counted.scalar_one(), 0):
        conn.execute(sa.text(f"ANALYZE {core_table} ({VERSION_COLUMNS})"))
