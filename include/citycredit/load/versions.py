"""Which version of a record is current, whatever the order batches load in (docs/architecture.md invariant 7).

The versions of a natural key follow the delivery's own order: the batch's time of receipt
(landing.batches.received_at), then the record's 数据更新时间戳 where the dataset has one (the field of type
timestamp in fields.yaml: SJC of the 双公示 template), then the batch id, then the source row. Among rows of one
time of receipt, a row without a 数据更新时间戳 comes before the rows that have one (a record not updated since its
system began stamping them is the older one); where no row has one, batch id and source row decide as before.
Every valid row of a key, in that order, with each run of identical content kept once, its first row standing for
it: those are the key's versions (1, 2, ...), each superseding the one before, the last one current. The other
rows of a run are duplicates. A batch loaded after one delivered later (mapped load tasks finish in any order; a
file can arrive with an older time), or, in a dataset with a 数据更新时间戳, after another received at the same
moment, is merged here into that sequence, so the result is the one an in-order load gives:

- the keys the batch brings that rows of later loaded batches also have are rebuilt: the last version before the
  batch (kept as it is), then the batch's valid rows and the later batches' valid rows (from staging, with the
  credit-list exits inferred for their snapshots), in delivery order;
- a version already in core keeps its record id. When one of the batch's rows now starts its run (an identical
  re-send delivered earlier but loaded later), the record moves to that row (its batch, source row, reporting
  day), so that exports that name the record still do, and its code observation (load/uscc_stock.py) moves with it;
- a later row that was a duplicate and now starts a run (the batch put different content before it) becomes a
  new version;
- quarantined rows are linked to the first version delivered after them (quality.corrections; by receipt, batch
  id and source row: a quarantined row's 数据更新时间戳 may be what was wrong with it);
- the later batches' accounting is counted again from core (invariant 1 keeps holding for each).

Loading in delivery order never comes here: merge.py's set-based merge is that case.
"""

from __future__ import annotations

import sqlalchemy as sa

from citycredit.core import checkdigits, config, datasets
from citycredit.load import casts, corrections, planning, uscc_stock


def record_time(dataset: datasets.Dataset) -> str | None:
    """The dataset's 数据更新时间戳 column: its field of type timestamp, if it has one."""
    return next((f.name for f in config.fields(dataset.name) if f.type == "timestamp"), None)


def row_order(alias: str = "") -> str:
    """ORDER BY terms for rows of one time of receipt: 数据更新时间戳 (the staged text as ``record_time``; rows
    without one first), then batch id and source row. Cast only where every row is valid: validation accepted it."""
    return f"{alias}record_time::timestamptz NULLS FIRST, {alias}batch_id, {alias}source_row NULLS LAST"


def later_batches(conn: sa.Connection, dataset: datasets.Dataset, batch_id: int) -> list[int]:
    """Loaded batches of the dataset whose rows may come after this one's: delivered later (by receipt, then batch
    id), and, where a 数据更新时间戳 can order rows across batches, every other batch received at the same moment."""
    return list(
        conn.execute(
            sa.text(
                "SELECT l.batch_id FROM landing.batches b"
                " JOIN landing.batches l ON l.dataset = b.dataset AND l.batch_id <> b.batch_id"
                "  AND ((l.received_at, l.batch_id) > (b.received_at, b.batch_id)"
                "       OR (:timed AND l.received_at = b.received_at))"
                " JOIN quality.batch_accounting a ON a.batch_id = l.batch_id"
                " WHERE b.batch_id = :b ORDER BY l.batch_id"
            ),
            {"b": batch_id, "timed": record_time(dataset) is not None},
        ).scalars()
    )


def merge_before(
    conn: sa.Connection, dataset: datasets.Dataset, department_id: str, later: list[int]
) -> tuple[int, int]:
    """Merge the batch (its rows in ``batch_rows``) into the versions of later batches; ``batch_new`` gets its new
    versions as merge.py's does. Returns (loaded, revised) of this batch."""
    key = ", ".join(dataset.key)
    core, staging = dataset.core_table, dataset.staging_table
    stamp = record_time(dataset)
    staged_time = f"s.{stamp}" if stamp else "NULL::text"
    exits = ""
    if dataset is datasets.CREDIT_LIST:
        exits = f"""
            UNION ALL
            SELECT c.batch_id, NULL, c.reported_on, {", ".join(f"c.{k}::text" for k in dataset.key_columns)},
                   c.subject_key, c.content_hash, false, c.record_id, false, NULL::text, c.version, c.supersedes
            FROM {core} c JOIN keys k ON {" AND ".join(f"c.{k}::text = k.{k}" for k in dataset.key)}
            WHERE c.batch_id = ANY(:later) AND c.source_row IS NULL"""
    conn.execute(
        sa.text(
            f"""
            CREATE TEMP TABLE batch_sequence ON COMMIT DROP AS
            WITH keys AS (SELECT DISTINCT {key} FROM batch_rows WHERE rule_ids IS NULL)
            SELECT r.batch_id, r.source_row, r.reported_on, {", ".join(f"r.{k}" for k in dataset.key)},
                   r.content_hash, r.has_warning, NULL::bigint AS record_id, true AS mine, r.record_time,
                   NULL::integer AS core_version, NULL::bigint AS core_supersedes
            FROM batch_rows r WHERE r.rule_ids IS NULL
            UNION ALL
            SELECT s.batch_id, s.source_row, s.reported_on, {", ".join(f"s.{k}" for k in dataset.key)},
                   md5(ROW({", ".join(f"s.{c}" for c in dataset.columns)})::text), false, c.record_id, false,
                   {staged_time}, c.version, c.supersedes
            FROM (SELECT s.*, {dataset.subject_key_sql("s.{}")} AS subject_key FROM {staging} s
                  WHERE s.batch_id = ANY(:later)) s
            JOIN keys k ON {" AND ".join(f"s.{k} = k.{k}" for k in dataset.key)}
            LEFT JOIN {core} c ON c.batch_id = s.batch_id AND c.source_row = s.source_row
            WHERE NOT EXISTS (SELECT 1 FROM quality.quarantine q
                              WHERE q.batch_id = s.batch_id AND q.source_row = s.source_row)
            {exits}
            """
        ),
        {"later": later, "placeholder": checkdigits.USCC_PLACEHOLDER},
    )
    conn.execute(sa.text(f"ANALYZE batch_sequence (record_id, batch_id, {key})"))
    # The version each key's rebuilt part continues: the one the earliest later version superseded, or, when no
    # later version has the key, its current version. The keys come sorted, and meet core by index lookups only
    # (planning.looked_up): hash joins read every version of the dataset, three times (docs/performance.md).
    with planning.looked_up(conn):
        conn.execute(
            sa.text(
                f"""
                CREATE TEMP TABLE sequence_base ON COMMIT DROP AS
                WITH keys AS (
                    SELECT DISTINCT ON ({key}) {key}, record_id IS NOT NULL AS continued, core_supersedes
                    FROM batch_sequence ORDER BY {key}, record_id IS NULL, core_version
                )
                SELECT {", ".join(f"k.{k}" for k in dataset.key)}, b.record_id AS base_id,
                       COALESCE(b.version, 0) AS base_version, b.content_hash AS base_hash
                FROM keys k
                LEFT JOIN {core} cur ON NOT k.continued AND cur.is_current AND {casts.key_match(dataset, "cur", "k")}
                LEFT JOIN {core} b ON b.record_id = COALESCE(k.core_supersedes, cur.record_id)
                """
            )
        )
    _number_heads(conn, dataset)
    conn.execute(sa.text("ANALYZE sequence_heads (record_id, base_id, batch_id, source_row)"))
    uscc_stock.hold_versions(conn, dataset, checkdigits.USCC_PLACEHOLDER)
    conn.execute(
        sa.text(
            f"""
            UPDATE {core} c SET is_current = false
            WHERE c.is_current AND c.record_id IN (SELECT base_id FROM sequence_heads
                                                   UNION ALL SELECT record_id FROM sequence_heads WHERE NOT new)
              AND NOT EXISTS (SELECT 1 FROM sequence_heads h WHERE h.record_id = c.record_id AND h.is_current)
            """
        )
    )
    # A record whose run now starts with one of this batch's rows moves to that row.
    conn.execute(
        sa.text(
            f"""
            UPDATE {core} c SET batch_id = h.batch_id, source_row = h.source_row, reported_on = h.reported_on,
                department_id = :dept, extra = s.extra
            FROM sequence_heads h JOIN {staging} s ON s.batch_id = h.batch_id AND s.source_row = h.source_row
            WHERE c.record_id = h.record_id AND h.moved
            """
        ),
        {"dept": department_id},
    )
    conn.execute(
        sa.text(
            f"""
            INSERT INTO {core} (record_id, department_id, batch_id, source_row, reported_on, subject_key,
                content_hash, version, is_current, supersedes, extra, {", ".join(dataset.columns)})
            SELECT h.record_id, b.department_id, s.batch_id, s.source_row, s.reported_on, h.subject_key,
                   h.content_hash, h.version, h.is_current, h.supersedes, s.extra, {casts.typed(dataset, "s.")}
            FROM sequence_heads h JOIN {staging} s ON s.batch_id = h.batch_id AND s.source_row = h.source_row
            JOIN landing.batches b ON b.batch_id = h.batch_id
            WHERE h.new
            ORDER BY h.record_id
            """
        )
    )
    conn.execute(
        sa.text(
            f"""
            UPDATE {core} c SET version = h.version, is_current = h.is_current, supersedes = h.supersedes
            FROM sequence_heads h WHERE c.record_id = h.record_id AND NOT h.new
              AND (c.version, c.is_current, c.supersedes) IS DISTINCT FROM (h.version, h.is_current, h.supersedes)
            """
        )
    )
    conn.execute(
        sa.text(
            """
            CREATE TEMP TABLE batch_new ON COMMIT DROP AS
            SELECT r.*, h.record_id, h.supersedes, h.version FROM sequence_heads h
            JOIN batch_rows r ON r.source_row = h.source_row WHERE h.mine
            """
        )
    )
    loaded, revised = conn.execute(sa.text("SELECT count(*), count(*) FILTER (WHERE version > 1) FROM batch_new")).one()
    return int(loaded), int(revised)


def _number_heads(conn: sa.Connection, dataset: datasets.Dataset) -> None:
    """``sequence_heads``: the rows that start a run, with their record id, version and predecessor.

    A run is a stretch of identical content in delivery order; an existing version starts one unless the rows
    before it in its run are all this batch's (then the first of them takes its record: ``moved``). An existing
    version never disappears, so a key left out of order by loads before this rule keeps all its versions.
    """
    key = ", ".join(f"q.{k}" for k in dataset.key)
    part = f"PARTITION BY {key}"
    order = f"ORDER BY b.received_at, {row_order('q.')}"
    conn.execute(
        sa.text(
            f"""
            CREATE TEMP TABLE sequence_heads ON COMMIT DROP AS
            WITH ordered AS (
                SELECT q.*, s.base_id, s.base_version, b.received_at,
                       COALESCE(lag(q.content_hash) OVER w, s.base_hash) IS DISTINCT FROM q.content_hash AS starts,
                       row_number() OVER w AS position
                FROM batch_sequence q JOIN landing.batches b ON b.batch_id = q.batch_id
                JOIN sequence_base s ON {" AND ".join(f"s.{k} = q.{k}" for k in dataset.key)}
                WINDOW w AS ({part} {order})
            ), first_runs AS (
                SELECT q.*, sum(starts::int) OVER ({part} ORDER BY position) AS run0 FROM ordered q
            ), placed AS (
                SELECT q.*, q.record_id IS NOT NULL AND NOT q.starts AND q.run0 > 0
                            AND count(*) FILTER (WHERE NOT q.mine) OVER (
                                PARTITION BY {key}, q.run0 ORDER BY position
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) = 0 AS demoted
                FROM first_runs q
            ), runs AS (
                SELECT q.*, sum((q.starts OR (q.record_id IS NOT NULL AND NOT q.demoted))::int)
                            OVER ({part} ORDER BY position) AS run,
                       q.starts OR (q.record_id IS NOT NULL AND NOT q.demoted) AS head
                FROM placed q
            ), heads AS (
                SELECT q.*, COALESCE(q.record_id, max(q.record_id) FILTER (WHERE q.demoted)
                                                  OVER (PARTITION BY {key}, q.run)) AS kept_id
                FROM runs q
            ), numbered AS (
                SELECT q.*, COALESCE(q.kept_id, nextval(CAST(:sequence AS regclass))) AS final_id
                FROM (SELECT * FROM heads q WHERE head ORDER BY {key}, position) q
            )
            SELECT q.batch_id, q.source_row, q.reported_on, q.subject_key, q.content_hash, q.mine, q.base_id,
                   q.final_id AS record_id, q.kept_id IS NULL AS new, q.record_id IS NULL AND q.kept_id IS NOT NULL
                   AS moved, q.base_version + q.run AS version,
                   q.run = max(q.run) OVER ({part}) AS is_current,
                   COALESCE(lag(q.final_id) OVER ({part} ORDER BY q.position), q.base_id) AS supersedes
            FROM numbered q
            """
        ),
        {
            "sequence": conn.execute(
                sa.text("SELECT pg_get_serial_sequence(:t, 'record_id')"), {"t": dataset.core_table}
            ).scalar_one()
        },
    )


def link_corrections(conn: sa.Connection, dataset: datasets.Dataset, batch_id: int, later: list[int]) -> int:
    """Corrections as delivery order has them: a quarantined row is fixed by the first version delivered after it.

    This batch's new versions fix quarantined rows delivered before them (also ones a later version had fixed);
    this batch's quarantined rows are fixed by versions of the later batches. Returns the rows this batch fixes.
    """
    params = {"dataset": dataset.name, "b": batch_id, "later": later, "placeholder": checkdigits.USCC_PLACEHOLDER}
    with planning.hashed(conn):
        conn.execute(
            sa.text(
                f"""
                INSERT INTO quality.corrections AS k ({corrections.COLUMNS})
                SELECT DISTINCT ON (m.quarantine_batch_id, m.quarantine_source_row) m.*
                FROM ({corrections.candidates(dataset, "batch_new")}) m
                JOIN landing.batches qb ON qb.batch_id = m.quarantine_batch_id
                JOIN landing.batches nb ON nb.batch_id = m.batch_id
                WHERE (qb.received_at, m.quarantine_batch_id, m.quarantine_source_row)
                      < (nb.received_at, m.batch_id, m.source_row)
                ORDER BY m.quarantine_batch_id, m.quarantine_source_row, m.source_row
                ON CONFLICT (quarantine_batch_id, quarantine_source_row) DO UPDATE
                SET record_id = EXCLUDED.record_id, batch_id = EXCLUDED.batch_id, source_row = EXCLUDED.source_row,
                    corrected_on = EXCLUDED.corrected_on
                WHERE ((SELECT b.received_at FROM landing.batches b WHERE b.batch_id = k.batch_id), k.batch_id,
                       k.source_row)
                    > ((SELECT b.received_at FROM landing.batches b WHERE b.batch_id = EXCLUDED.batch_id),
                       EXCLUDED.batch_id, EXCLUDED.source_row)
                """
            ),
            params,
        )
        later_versions = "n.batch_id = ANY(:later) AND n.source_row IS NOT NULL"
        fixed_later = corrections.candidates(dataset, dataset.core_table, "q.batch_id = :b", later_versions, typed=True)
        conn.execute(
            sa.text(
                f"""
                INSERT INTO quality.corrections ({corrections.COLUMNS})
                SELECT DISTINCT ON (m.quarantine_batch_id, m.quarantine_source_row) m.*
                FROM ({fixed_later}) m
                JOIN landing.batches nb ON nb.batch_id = m.batch_id
                ORDER BY m.quarantine_batch_id, m.quarantine_source_row, nb.received_at, m.batch_id, m.source_row
                ON CONFLICT DO NOTHING
                """
            ),
            params,
        )
    return conn.execute(
        sa.text("SELECT count(*) FROM quality.corrections WHERE batch_id = :b"), {"b": batch_id}
    ).scalar_one()


def recount(conn: sa.Connection, dataset: datasets.Dataset, later: list[int]) -> None:
    """The later batches' loaded, duplicate, revised, with-warnings and corrected rows, counted again from core and
    quality.corrections."""
    conn.execute(
        sa.text(
            f"""
            UPDATE quality.batch_accounting a
            SET loaded = n.loaded, duplicate = a.received - a.quarantined - n.loaded, revised = n.revised,
                with_warnings = n.warned,
                corrected = (SELECT count(*) FROM quality.corrections k WHERE k.batch_id = n.batch_id)
            FROM (
                SELECT l.batch_id, count(c.record_id) AS loaded, count(c.record_id) FILTER (WHERE c.version > 1)
                       AS revised,
                       count(c.record_id) FILTER (WHERE EXISTS (
                           SELECT 1 FROM quality.findings f WHERE f.batch_id = c.batch_id
                           AND f.source_row = c.source_row AND f.severity = 'warning')) AS warned
                FROM unnest(CAST(:later AS bigint[])) l(batch_id)
                LEFT JOIN {dataset.core_table} c ON c.batch_id = l.batch_id AND c.source_row IS NOT NULL
                GROUP BY l.batch_id
            ) n
            WHERE a.batch_id = n.batch_id
            """
        ),
        {"later": later},
    )
