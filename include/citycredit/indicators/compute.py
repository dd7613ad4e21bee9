"""Monthly indicators, defined in include/config/indicators.yaml and computed by set-based SQL into the mart.

An indicator is a row set (``sql/indicators/rows/<rows>.sql``: one row per record that can count, with boolean
role columns) and an aggregate over it (``sql/indicators/<query>.sql``, reading the row set as ``rows``). The
aggregate gives scope, scope_id, dataset, numerator, denominator and value; ``compute_month`` writes them into
mart.indicator_values, replacing the month's earlier values (re-runs and backfills give the same mart).
``explain_rows`` lists the rows behind a value from the same row set, so every figure leads to its batch, file
hash and source row (docs/architecture.md invariant 5). Row sets select records by indexed month or window columns, so a
month costs what its own data costs, not the history's; the exceptions are the stock measures that are defined
over the whole stock: the subject register and the open listing periods, and the city's 统一社会信用代码 stock,
which is read from a summary per code and name (quality.uscc_pairs, sql/migrations/0007), so it costs what the
stock holds, not every observation ever made.
"""
from __future__ import annotations

import logging
from datetime import date

import sqlalchemy as sa

from citycredit.core.months import month_start
from citycredit.indicators.definitions import definition, definitions
from citycredit.indicators.periods import month_params

log = logging.getLogger(__name__)

RANDOM_PAGE_COST = 2


def compute_month(engine: sa.Engine, month: str | date) -> int:
    """Recompute every indicator of a month, then the department scorecard that reads them, in one transaction;
    returns the number of indicator values written."""
    from citycredit.indicators import scorecard
    from citycredit.load import creditlists

    first = month_start(month)
    written = 0
    with engine.begin() as conn:
        creditlists.record_classes(conn)  # the list classes as credit_lists.yaml says them now
        # Each statement reads one month (or window) through indexes; JIT compilation would cost seconds a statement
        # as soon as the history makes the planner's estimates large, and save nothing.
        conn.execute(sa.text("SET LOCAL jit = off"))
        # The window's records are read by reported_on. A month's records were loaded together and lie together
        # on disk, which the default page cost (4, made for spinning disks) cannot know: over a long history it
        # then reads the whole table for a 12-month window. At 2 the planner takes the bitmap index scan (10M
        # history records: 10.1 s -> 5.0 s a month on PostgreSQL 15; 1.1 picks plain index scans, 11.7 s).
        conn.execute(sa.text(f"SET LOCAL random_page_cost = {RANDOM_PAGE_COST}"))
        conn.execute(sa.text("DELETE FROM mart.indicator_values WHERE month = :m"), {"m": first})
        for d in definitions().values():
            sql = (
                "INSERT INTO mart.indicator_values (month, indicator, scope, scope_id, dataset, numerator,"
                f" denominator, value) WITH rows AS ({d.rows_sql()})"
                " SELECT :month, :indicator, a.scope, a.scope_id, a.dataset, a.numerator, a.denominator, a.value"
                f" FROM ({d.aggregate_sql()}) a"
            )
            n = conn.execute(sa.text(sql), {**month_params(first, d.params), "indicator": d.id}).rowcount
            log.info("indicator %s for %s: %s values", d.id, first, n)
            written += n
        scorecard.compute(conn, first)
    return written


def month_values(engine: sa.Engine, month: str | date, indicator: str | None = None) -> list[dict]:
    query = (
        "SELECT month, indicator, scope, scope_id, dataset, numerator, denominator, value"
        " FROM mart.indicator_values WHERE month = :m AND (:i IS NULL OR indicator = :i)"
        " ORDER BY indicator, scope, scope_id, dataset"
    )
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(query), {"m": month_start(month), "i": indicator}).mappings()]


def explain_rows(
    engine: sa.Engine, indicator: str, month: str | date, department: str | None = None, limit: int | None = None
) -> list[dict]:
    """The rows of the indicator's row set that are in its numerator or its denominator, with both roles marked
    (``in_numerator``, ``in_denominator``); ``id_number`` masked. A department limits them to its rows."""
    from citycredit.core import privacy

    d = definition(indicator)
    den = d.denominator or "false"
    sql = (
        f"WITH rows AS ({d.rows_sql()}) SELECT {d.numerator} AS in_numerator, {den} AS in_denominator, rows.*"
        f" FROM rows WHERE ({d.numerator} OR {den})"
        " AND (CAST(:department AS text) IS NULL OR department_id = :department)"
        " ORDER BY 3, 4, 5" + (" LIMIT :limit" if limit else "")
    )
    params = {**month_params(month, d.params), "department": department, "limit": limit}
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]
    for row in rows:
        if row.get("id_number"):
            row["id_number"] = privacy.mask_id(row["id_number"])
        for key, value in row.items():
            if isinstance(value, str):
                row[key] = privacy.mask_ids_in_text(value)
    return rows


