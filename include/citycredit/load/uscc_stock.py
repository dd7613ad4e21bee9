"""统一社会信用代码 quality over the city's code stock: 错码 (codes failing GB 32100 / GB 11714) and 重码 (one code
under two or more normalized names, one name under two or more codes), and their correction over time.

Every subject code a batch brings (loaded or quarantined; the placeholder excluded) is recorded by the load in
quality.uscc_observations; it leaves the stock when a later version of its record replaces it or a correction
fixes it. The SQL functions quality.uscc_issues(d) and quality.uscc_stock(d) (sql/migrations/0002, rewritten in
0007) give the stock and its issues at the end of any day, from a summary per code and name that triggers on the
observations keep (quality.uscc_pairs): a day's stock costs what the stock holds, not the history. This module
writes the observations; the indicators and the monthly report read those functions.
"""

from __future__ import annotations

import sqlalchemy as sa

from citycredit.core import datasets


def observed_columns(dataset: datasets.Dataset, value: str) -> str:
    """SQL for what an observation records of a staged row's code and name (``name_key``, ``code_valid``), given
    how to read a column (e.g. "s.{}"): computed when the load first reads the batch, by parallel workers."""
    code, name = value.format(dataset.subject_code), value.format(dataset.subject_name)
    return f"quality.name_key({name}) AS name_key, quality.uscc_valid({code}) AS code_valid"


def observe_batch(conn: sa.Connection, dataset: datasets.Dataset, department_id: str, params: dict) -> None:
    """Record the subject codes of the batch in ``batch_rows`` (with its ``observed_columns``); withdraw the
    observations it replaces or fixes.

    Called inside the load transaction, after the merge (``batch_new``: the new versions, with their record ids
    and the versions they supersede) and the corrections. Duplicate rows add nothing.
    """
    code, name = dataset.subject_code, dataset.subject_name
    conn.execute(
        sa.text(
            f"""
            INSERT INTO quality.uscc_observations (batch_id, source_row, dataset, department_id, reported_on, code,
                subject_name, name_key, code_valid, loaded, record_id)
            SELECT r.batch_id, r.source_row, :dataset, :dept, r.reported_on, r.{code}, r.{name},
                   r.name_key, r.code_valid, r.rule_ids IS NULL, n.record_id
            FROM batch_rows r LEFT JOIN batch_new n ON n.source_row = r.source_row
            WHERE r.{code} IS NOT NULL AND r.{code} <> :placeholder
              AND (r.rule_ids IS NOT NULL OR n.record_id IS NOT NULL)
            """
        ),
        {**params, "dept": department_id},
    )
    # Versions replaced by this batch (also within it) and quarantined rows it corrected, or of it that a later
    # version corrected (load/versions.py), leave the stock.
    conn.execute(
        sa.text(
            """
            UPDATE quality.uscc_observations o SET withdrawn_on = n.reported_on
            FROM batch_new n
            WHERE o.dataset = :dataset AND o.record_id = n.supersedes AND o.withdrawn_on IS NULL
            """
        ),
        params,
    )
    conn.execute(
        sa.text(
            """
            UPDATE quality.uscc_observations o SET withdrawn_on = k.corrected_on
            FROM quality.corrections k
            WHERE (k.batch_id = :b OR k.quarantine_batch_id = :b) AND o.batch_id = k.quarantine_batch_id
              AND o.source_row = k.quarantine_source_row AND o.withdrawn_on IS DISTINCT FROM k.corrected_on
            """
        ),
        params,
    )


def follow_versions(conn: sa.Connection, dataset: datasets.Dataset, placeholder: str) -> None:
    """After a batch was merged into the versions of later batches (load/versions.py: ``batch_sequence``,
    ``sequence_heads``), the observations of loaded rows follow the versions, as an in-order load leaves them: a
    later row that stopped standing for a version (its record moved to this batch's row) observes nothing, a later
    row that became a version observes its code, and each version's observation is withdrawn on the day of the
    version that now replaces it."""
    table, code, name = dataset.core_table, dataset.subject_code, dataset.subject_name
    conn.execute(
        sa.text(
            f"""
            DELETE FROM quality.uscc_observations o USING batch_sequence q
            WHERE o.batch_id = q.batch_id AND o.source_row = q.source_row AND NOT q.mine AND o.loaded
              AND NOT EXISTS (SELECT 1 FROM {table} c WHERE c.batch_id = q.batch_id AND c.source_row = q.source_row)
            """
        )
    )
    conn.execute(
        sa.text(
            f"""
            INSERT INTO quality.uscc_observations (batch_id, source_row, dataset, department_id, reported_on, code,
                subject_name, name_key, code_valid, loaded, record_id)
            SELECT s.batch_id, s.source_row, :dataset, b.department_id, s.reported_on, s.{code}, s.{name},
                   {observed_columns(dataset, "s.{}")}, true, h.record_id
            FROM sequence_heads h JOIN {dataset.staging_table} s
                 ON s.batch_id = h.batch_id AND s.source_row = h.source_row
            JOIN landing.batches b ON b.batch_id = h.batch_id
            WHERE h.new AND NOT h.mine AND s.{code} IS NOT NULL AND s.{code} <> :placeholder
            """
        ),
        {"dataset": dataset.name, "placeholder": placeholder},
    )
    # The versions of a rebuilt chain and the one before it (base_id) are all in sequence_heads: so are their
    # successors.
    conn.execute(
        sa.text(
            """
            UPDATE quality.uscc_observations o SET withdrawn_on = n.reported_on
            FROM (SELECT r.record_id, successor.reported_on
                  FROM (SELECT record_id FROM sequence_heads UNION SELECT base_id FROM sequence_heads) r
                  LEFT JOIN sequence_heads successor ON successor.supersedes = r.record_id) n
            WHERE o.dataset = :dataset AND o.loaded AND o.record_id = n.record_id
              AND o.withdrawn_on IS DISTINCT FROM n.reported_on
            """
        ),
        {"dataset": dataset.name},
    )
