"""What the load tells PostgreSQL's planner, so that no statement's plan depends on statistics the load outdates.

A load plans its statements inside one transaction, after writing rows the planner's statistics do not know of yet
(its versions in ``core``, its quarantined rows), and seconds after its rows were staged and validated. After a load
that failed or was killed, the vacuum of its dead rows leaves a table whose statistics say "no rows" over all its
pages. On such estimates the planner joins by nested loops that read one side once per row of the other, a product of
a large batch's rows (docs/performance.md, "Statistics the load outdates").

Statements that join a batch with itself or with a dataset's whole quarantine have no use for a nested loop: they are
planned without one (``hashed``). Statements that join a batch with the history in ``core`` want one for a small
batch (an index lookup per row), so after writing its versions the load analyzes ``core`` when they outnumber a tenth
of the rows its statistics count (``analyze_grown``): a large batch into an empty or young table, never a small one
into a long history.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa

# autovacuum_analyze_scale_factor: the share of new rows at which autovacuum would analyze the table, in its time.
GROWTH_ANALYZED = 0.1
# The columns of a core table that chain its versions, which is what the load reads back of them.
VERSION_COLUMNS = "record_id, batch_id, source_row, supersedes, is_current"


@contextlib.contextmanager
def hashed(conn: sa.Connection, **settings: str) -> Iterator[None]:
    """The statements inside planned without nested-loop joins (and with ``settings``), for this transaction only:
    statements whose joins are all equalities between a batch and sets as large or larger. A statement that fails
    inside leaves the settings to the rollback of its transaction or savepoint (a RESET there would hide its error)."""
    settings = {"enable_nestloop": "off", **settings}
    for name, value in settings.items():
        conn.execute(sa.text(f"SET LOCAL {name} = {value}"))
    yield
    for name in settings:
        conn.execute(sa.text(f"RESET {name}"))


def analyze_grown(conn: sa.Connection, core_table: str, written: int) -> None:
    """ANALYZE ``core_table`` when the ``written`` versions this transaction added to it outnumber GROWTH_ANALYZED of
    the rows its statistics count (none, when a vacuum found it empty or it was never analyzed). ANALYZE counts the
    transaction's own rows, so the statements after it plan with them. Only the columns the load reads back: an
    ANALYZE of some columns leaves autovacuum's count of changes as it was, so autovacuum still analyzes the whole
    table in its time."""
    statistics = sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)")
    if written > GROWTH_ANALYZED * max(conn.execute(statistics, {"t": core_table}).scalar_one(), 0):
        conn.execute(sa.text(f"ANALYZE {core_table} ({VERSION_COLUMNS})"))
