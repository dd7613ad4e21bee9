"""Load a validated batch: quarantine rows with errors, merge the rest into core by natural key, account for all.

Everything happens in one transaction per batch, with the accounting row (docs/architecture.md invariants 1 and 3):
- a row with an error finding (or in a file with a file-level error) goes to quality.quarantine;
- a valid row identical to the previous valid row of its key in the batch (or, being the first, to the current
  core version of its key) is a duplicate;
- any other valid row becomes a new version of its key; the latest one in delivery order (receipt, the record's
  数据更新时间戳 where the dataset has one, batch id, source row: versions.py) is current, earlier versions stay
  as history (A, B, A in one batch is three versions, the last A current). A batch loaded after a later delivery
  of the same dataset (or one received at the same moment, where a 数据更新时间戳 can order their rows) is merged
  into its versions by versions.py, so the order loads run in changes nothing;
- a row the warehouse cannot store (a data error on the insert) is quarantined with a reason (unstorable.py);
- a loaded row that fixes a quarantined one (same key columns, same subject by key or by normalized name) is
  recorded in quality.corrections;
- a credit-list feed in snapshot mode closes the open periods of that feed the snapshot no longer holds
  (移出原因 '未说明', see sql/migrations/0002);
- every subject 统一社会信用代码 received is counted in quality.uscc_observations (the city's code stock).
Loading a batch that already has its accounting row does nothing, so retries and re-runs are harmless; two loads
of one batch at once serialise on the batch row and the second finds the first one's accounting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from citycredit.core import checkdigits, datasets, table_statistics
from citycredit.load import casts, corrections, creditlists, planning, unstorable, uscc_stock, versions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accounting:
    batch_id: int
    received: int
    loaded: int
    quarantined: int
    duplicate: int
    revised: int
    with_warnings: int
    corrected: int = 0
    inferred_exits: int = 0


def accounting(conn: sa.Connection, batch_id: int) -> Accounting | None:
    """The batch's accounting, once it is loaded."""
    row = conn.execute(
        sa.text(
            "SELECT batch_id, received, loaded, quarantined, duplicate, revised, with_warnings, corrected,"
            " inferred_exits FROM quality.batch_accounting WHERE batch_id = :b"
        ),
        {"b": batch_id},
    ).one_or_none()
    return Accounting(*row) if row else None


def load_batch(engine: sa.Engine, batch_id: int) -> Accounting:
    with engine.begin() as conn:
        batch = (
            conn.execute(
                sa.text(
                    "SELECT batch_id, dataset, department_id, feed_id, status, reported_on"
                    " FROM landing.batches WHERE batch_id = :b FOR UPDATE"
                ),
                {"b": batch_id},
            )
            .mappings()
            .one()
        )
        done = accounting(conn, batch_id)
        if done is not None:
            log.info("batch %s was already loaded; nothing to do", batch_id)
            return done
        if batch["status"] != "validated":
            raise RuntimeError(f"batch {batch_id} is {batch['status']}, not validated: validate it before loading")
        dataset = datasets.get(batch["dataset"])
        snapshot = dataset is datasets.CREDIT_LIST and creditlists.feed_mode(batch["feed_id"]) == creditlists.SNAPSHOT
        # One merge per dataset at a time: two loads never race for the same natural key.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": dataset.core_table})
        if dataset is datasets.CREDIT_LIST:  # the periods view classifies kinds and reasons from these tables
            creditlists.record_classes(conn)
        params = {"b": batch_id, "placeholder": checkdigits.USCC_PLACEHOLDER, "dataset": dataset.name}
        try:
            with conn.begin_nested():
                counted = _load(conn, dataset, batch, params, snapshot)
        except sa.exc.DataError:
            # A value the warehouse cannot store: those rows get an error finding and the batch loads again
            # without them (they go to quarantine); a data error no row explains still fails the load.
            if not unstorable.record(conn, dataset, batch_id):
                raise
            log.warning("batch %s: rows the warehouse cannot store are quarantined", batch_id)
            counted = _load(conn, dataset, batch, params, snapshot)
        conn.execute(
            sa.text(
                "INSERT INTO quality.batch_accounting (batch_id, received, loaded, quarantined, duplicate, revised,"
                " with_warnings, corrected, inferred_exits) VALUES (:batch_id, :received, :loaded, :quarantined,"
                " :duplicate, :revised, :with_warnings, :corrected, :inferred_exits)"
            ),
            counted.__dict__,
        )
        conn.execute(
            sa.text("UPDATE landing.batches SET status = 'loaded', updated_at = now() WHERE batch_id = :b"), params
        )
    log.info("batch %s accounted: %s", batch_id, counted)
    return counted


def _load(conn: sa.Connection, dataset: datasets.Dataset, batch, params: dict, snapshot: bool) -> Accounting:
    """Quarantine, merge, exits, corrections and code observations of one batch; its accounting (not yet written)."""
    batch_id, department_id = batch["batch_id"], batch["department_id"]
    quarantined = _stage_rows(conn, dataset, params)
    received = conn.execute(sa.text("SELECT count(*) FROM batch_rows")).scalar_one()
    later = versions.later_batches(conn, dataset, batch_id)
    if later:
        loaded, revised = versions.merge_before(conn, dataset, department_id, later)
    else:
        loaded, revised = _merge(conn, dataset, department_id, batch_id, received - quarantined)
    # The statements after the merge read its versions back.
    table_statistics.analyze_grown(conn, dataset.core_table, loaded, planning.VERSION_COLUMNS)
    exits = 0
    if snapshot:
        exits = creditlists.close_missing_periods(conn, batch["feed_id"], batch_id, batch["reported_on"])
    if later:
        corrected = versions.link_corrections(conn, dataset, batch_id, later)
        versions.recount(conn, dataset, later)
    else:
        corrected = _record_corrections(conn, dataset, params)
    if later:
        uscc_stock.follow_versions(conn, dataset, params["placeholder"])
    else:
        uscc_stock.observe_batch(conn, dataset, department_id, params)
    uscc_stock.count_quarantined(conn, dataset, params)
    with_warnings = conn.execute(sa.text("SELECT count(*) FROM batch_new WHERE has_warning")).scalar_one()
    return Accounting(
        batch_id, received, loaded, quarantined, received - loaded - quarantined, revised, with_warnings, corrected,
        exits,
    )  # fmt: skip


def _stage_rows(conn: sa.Connection, dataset: datasets.Dataset, params: dict) -> int:
    """The batch's rows as the load needs them (key, subject, hashes, error rules, warnings) in ``batch_rows``;
    the rows with an error into quarantine. Narrow on purpose: the full rows stay in staging and are read once,
    by the insert into core."""
    carried = ", ".join(
        f"s.{c}" for c in dict.fromkeys([*dataset.key_columns, dataset.subject_name, dataset.subject_code])
    )
    stamp = versions.record_time(dataset)
    record_time = f"s.{stamp}" if stamp else "NULL::text"  # staged text: cast only on valid rows (versions.row_order)
    # Hashing every row is the load's costliest computation; parallel workers share it. For that the rows are
    # hashed in a subquery the planner keeps apart (OFFSET 0), below the joins whose array subquery only the
    # leader may run, and a parallel scan is priced as cheap as it is: by the planner's defaults, passing a
    # batch's rows from the workers to the leader would cost more than it saves. On two cores the hashes of 1M rows
    # took 7.0 s before and 4.0 s after; the name key the corrections match on is computed here too for the same
    # reason. Only this statement is planned with those costs. It joins the batch's rows with their findings, by
    # hash whatever the statistics say (load/planning.py); the file-level errors are a subquery computed once.
    with planning.hashed(conn, parallel_setup_cost="0", parallel_tuple_cost="0"):
        conn.execute(
            sa.text(
                f"""
                CREATE TEMP TABLE batch_rows ON COMMIT DROP AS
                WITH findings AS (
                    SELECT source_row, severity, rule_id FROM quality.findings WHERE batch_id = :b
                ), row_errors AS (
                    SELECT source_row, array_agg(DISTINCT rule_id) AS rule_ids FROM findings
                    WHERE severity = 'error' AND source_row IS NOT NULL GROUP BY source_row
                ), file_errors AS (
                    SELECT array_agg(DISTINCT rule_id) AS rule_ids FROM findings
                    WHERE severity = 'error' AND source_row IS NULL
                ), warned AS (
                    SELECT DISTINCT source_row FROM findings WHERE severity = 'warning' AND source_row IS NOT NULL
                )
                SELECT s.*,
                       CASE WHEN e.rule_ids IS NOT NULL OR (SELECT rule_ids FROM file_errors) IS NOT NULL THEN
                            ARRAY(SELECT DISTINCT x FROM unnest(e.rule_ids || (SELECT rule_ids FROM file_errors)) x
                                  ORDER BY 1) END AS rule_ids,
                       w.source_row IS NOT NULL AS has_warning
                FROM (
                    SELECT s.batch_id, s.source_row, s.reported_on, {carried}, {record_time} AS record_time,
                           {dataset.subject_key_sql("s.{}")} AS subject_key,
                           md5(ROW({", ".join(f"s.{c}" for c in dataset.columns)})::text) AS content_hash,
                           quality.name_key(s.{dataset.subject_name}) AS name_key
                    FROM {dataset.staging_table} s WHERE s.batch_id = :b
                    OFFSET 0
                ) s
                LEFT JOIN row_errors e ON e.source_row = s.source_row
                LEFT JOIN warned w ON w.source_row = s.source_row
                """
            ),
            params,
        )
    # Temp tables are never analyzed automatically; the columns the later joins and filters read are enough.
    conn.execute(sa.text(f"ANALYZE batch_rows (source_row, rule_ids, {', '.join(dataset.key)})"))
    # Each quarantined row is fetched from staging by its key (OFFSET 0 keeps the subquery apart): left to itself,
    # the planner reads all the batch's staged rows to hash-join the few.
    return conn.execute(
        sa.text(
            f"""
            INSERT INTO quality.quarantine (batch_id, source_row, dataset, row_data, rule_ids)
            SELECT s.batch_id, s.source_row, :dataset, to_jsonb(s) - 'batch_id', r.rule_ids
            FROM batch_rows r CROSS JOIN LATERAL (
                SELECT * FROM {dataset.staging_table} x
                WHERE x.batch_id = r.batch_id AND x.source_row = r.source_row OFFSET 0
            ) s
            WHERE r.rule_ids IS NOT NULL
            """
        ),
        params,
    ).rowcount


def _merge(
    conn: sa.Connection, dataset: datasets.Dataset, department_id: str, batch_id: int, valid: int
) -> tuple[int, int]:
    """The ``valid`` rows that are not duplicates become versions of their key; returns (loaded, revised)."""
    key = ", ".join(dataset.key)
    sequence = conn.execute(
        sa.text("SELECT pg_get_serial_sequence(:t, 'record_id')"), {"t": dataset.core_table}
    ).scalar_one()
    # A valid row is a duplicate when it repeats the content of the previous valid row of its key in the batch,
    # or, being the first of its key, the current core version. So A, A is one version, and A, B, A is three
    # (the department's last word, A, is current). The rows of a key follow their 数据更新时间戳, then their
    # source row (versions.row_order). Each new version gets its record id here, so that it can name the version it
    # supersedes: the current one for the first of its key in the batch, else the previous one in the batch. The ids
    # are a block reserved at once for every valid row (a duplicate leaves its id unused), handed out in the order
    # of the key's window: one sort serves every window, where numbering in delivery order cost two more sorts and a
    # call of nextval per row (docs/performance.md, "The data path").
    first_id = conn.execute(
        sa.text("SELECT setval(CAST(:sequence AS regclass), nextval(CAST(:sequence AS regclass)) + :n - 1) - :n + 1"),
        {"sequence": sequence, "n": max(valid, 1)},
    ).scalar_one()
    order = f"ORDER BY {versions.row_order()}"
    with planning.looked_up(conn):
        conn.execute(
            sa.text(
                f"""
            CREATE TEMP TABLE batch_new ON COMMIT DROP AS
            WITH changes AS (
                SELECT o.*, c.record_id AS current_id, COALESCE(c.version, 0) AS current_version
                FROM (SELECT r.*, lag(content_hash) OVER (PARTITION BY {key} {order}) AS previous_hash
                      FROM batch_rows r WHERE rule_ids IS NULL) o
                LEFT JOIN {dataset.core_table} c ON c.is_current AND {casts.key_match(dataset, "c", "o")}
                WHERE o.previous_hash IS DISTINCT FROM o.content_hash
                  AND NOT (o.previous_hash IS NULL AND c.content_hash IS NOT DISTINCT FROM o.content_hash)
            ), numbered AS (
                SELECT f.*, CAST(:first_id AS bigint) - 1 + row_number() OVER (ORDER BY {key}, {versions.row_order()})
                       AS record_id
                FROM changes f
            )
            SELECT f.*, row_number() OVER w AS n, count(*) OVER (PARTITION BY {key}) AS versions,
                   COALESCE(lag(record_id) OVER w, current_id) AS supersedes
            FROM numbered f WINDOW w AS (PARTITION BY {key} {order})
            """
            ),
            {"first_id": first_id},
        )
    conn.execute(sa.text("ANALYZE batch_new (current_id, source_row, record_id, supersedes)"))
    retired = planning.by_record_id("SELECT current_id FROM batch_new WHERE current_id IS NOT NULL")
    conn.execute(sa.text(f"UPDATE {dataset.core_table} c SET is_current = false WHERE c.record_id = {retired}"))
    loaded = conn.execute(
        sa.text(
            f"""
            INSERT INTO {dataset.core_table} (record_id, department_id, batch_id, source_row, reported_on,
                subject_key, content_hash, version, is_current, supersedes, extra, {", ".join(dataset.columns)})
            SELECT n.record_id, :dept, s.batch_id, s.source_row, s.reported_on, n.subject_key, n.content_hash,
                   n.current_version + n.n, n.n = n.versions, n.supersedes, s.extra, {casts.typed(dataset, "s.")}
            FROM batch_new n JOIN {dataset.staging_table} s ON s.batch_id = :b AND s.source_row = n.source_row
            ORDER BY n.source_row
            """
        ),
        {"dept": department_id, "b": batch_id},
    ).rowcount
    revised = conn.execute(sa.text("SELECT count(*) FROM batch_new WHERE current_version + n > 1")).scalar_one()
    return loaded, int(revised)


def _record_corrections(conn: sa.Connection, dataset: datasets.Dataset, params: dict) -> int:
    """Link quarantined rows (earlier batches, or earlier rows of this one) to the loaded records that fix them; a
    row already fixed keeps its correction."""
    with planning.hashed(conn):
        return conn.execute(
            sa.text(
                f"""
                INSERT INTO quality.corrections ({corrections.COLUMNS})
                SELECT DISTINCT ON (m.quarantine_batch_id, m.quarantine_source_row) m.*
                FROM ({corrections.candidates(dataset, "batch_new")}) m
                WHERE m.quarantine_batch_id <> m.batch_id OR m.quarantine_source_row < m.source_row
                ORDER BY m.quarantine_batch_id, m.quarantine_source_row, m.source_row
                ON CONFLICT DO NOTHING
                """
            ),
            params,
        ).rowcount
