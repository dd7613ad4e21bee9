"""统一社会信用代码 quality over the city's code stock: 错码 (codes failing GB 32100 / GB 11714) and 重码 (one code
under two or more normalized names, one name under two or more codes), and their correction over time.

Every subject code a batch brings (loaded or quarantined; the placeholder excluded) is an observation in the
stock until it is withdrawn: a loaded row's on the day reported of the version that replaces its version in core,
a quarantined row's on the day of the correction that fixes it (quality.corrections). quality.uscc_observations
counts them per batch, day reported, code, name, whether loaded and day withdrawn (sql/migrations/0030): a 1M-row
batch's 750,000 observations are about 17,000 such rows. The load moves counts between those rows; the rows of
loaded observations follow the versions in core (``observe_batch``, ``follow_versions``), those of quarantined
rows are counted again from the quarantine and its corrections (``count_quarantined``). The SQL functions
quality.uscc_issues(d) and quality.uscc_stock(d) (sql/migrations/0002, rewritten in 0007) give the stock and its
issues at the end of any day, from a summary per code and name that triggers on the observations keep
(quality.uscc_pairs); the indicators and the monthly report read them.
"""

from __future__ import annotations

import sqlalchemy as sa

from citycredit.core import datasets
from citycredit.load import planning

GROUP = "batch_id, department_id, reported_on, code, subject_name, loaded, withdrawn_on"
MATCH = """o.batch_id = m.batch_id AND o.reported_on = m.reported_on AND o.code = m.code
    AND COALESCE(o.subject_name, '') = COALESCE(m.subject_name, '') AND o.loaded = m.loaded
    AND COALESCE(o.withdrawn_on, 'infinity') = COALESCE(m.withdrawn_on, 'infinity')"""
# The observation of each delivered version in ``stock_versions`` (``_read_versions``), withdrawn on the day reported
# of the delivered version replacing it, when that one is there too. A credit-list exit inferred by the load (no
# source row) observes nothing and withdraws nothing: the version after it does.
VERSION_OBSERVATIONS = """
    SELECT r.batch_id, r.department_id, r.reported_on, r.code, r.subject_name, true AS loaded,
           CASE WHEN s.source_row IS NULL THEN t.reported_on ELSE s.reported_on END AS withdrawn_on
    FROM stock_versions r LEFT JOIN stock_versions s ON s.supersedes = r.record_id
    LEFT JOIN stock_versions t ON s.source_row IS NULL AND t.supersedes = s.record_id
    WHERE r.source_row IS NOT NULL AND r.code IS NOT NULL AND r.code <> :placeholder"""


def observe_batch(conn: sa.Connection, dataset: datasets.Dataset, department_id: str, params: dict) -> None:
    """The observations of a batch merged in delivery order (merge.py's ``batch_new``: its new versions, each
    with the number of versions its key has in the batch and the current version the first one replaces): one per
    new version, withdrawn when a later version of the batch replaces it; the current versions replaced leave the
    stock on the batch's day. Duplicate rows add nothing."""
    code, name = dataset.subject_code, dataset.subject_name
    _move(
        conn,
        dataset,
        f"""
        SELECT v.batch_id, CAST(:dept AS text) AS department_id, v.reported_on, v.{code} AS code,
               v.{name} AS subject_name, true AS loaded,
               CASE WHEN v.n < v.versions THEN v.reported_on END AS withdrawn_on, 1 AS n
        FROM batch_new v WHERE v.{code} IS NOT NULL AND v.{code} <> :placeholder
        UNION ALL
        SELECT c.batch_id, c.department_id, c.reported_on, c.{code}, c.{name}, true, w.withdrawn_on, w.n
        FROM batch_new v JOIN {dataset.core_table} replaced ON replaced.record_id = v.current_id
        JOIN {dataset.core_table} c
             ON c.record_id = CASE WHEN replaced.source_row IS NULL THEN replaced.supersedes ELSE replaced.record_id END
        CROSS JOIN LATERAL (VALUES (NULL::date, -1), (v.reported_on, 1)) w(withdrawn_on, n)
        WHERE v.n = 1 AND c.source_row IS NOT NULL AND c.{code} IS NOT NULL AND c.{code} <> :placeholder
        """,
        {**params, "dept": department_id},
    )


def hold_versions(conn: sa.Connection, dataset: datasets.Dataset, placeholder: str) -> None:
    """Before versions.merge_before rewrites the versions of the batch's keys: the observations of those versions,
    for ``follow_versions``."""
    _read_versions(conn, dataset, _rewritten(dataset))
    conn.execute(
        sa.text(f"CREATE TEMP TABLE stock_before ON COMMIT DROP AS {VERSION_OBSERVATIONS}"),
        {"placeholder": placeholder},
    )
    conn.execute(sa.text("DROP TABLE stock_versions"))


def follow_versions(conn: sa.Connection, dataset: datasets.Dataset, placeholder: str) -> None:
    """After a batch was merged into the versions of later batches (versions.merge_before): the observations of
    the versions it rewrote, as an in-order load leaves them (a record moved to another row observes that row's
    code, a version observes until the version now replacing it), less what they were (``hold_versions``)."""
    _read_versions(conn, dataset, f"{_rewritten(dataset)} UNION SELECT record_id FROM sequence_heads")
    _move(
        conn,
        dataset,
        f"SELECT {GROUP}, 1 AS n FROM ({VERSION_OBSERVATIONS}) a UNION ALL SELECT {GROUP}, -1 FROM stock_before",
        {"placeholder": placeholder},
    )
    conn.execute(sa.text("DROP TABLE stock_versions"))


def count_quarantined(conn: sa.Connection, dataset: datasets.Dataset, params: dict) -> None:
    """The observations of the batch's quarantined rows and of every batch whose quarantined rows it corrected,
    counted again from quality.quarantine and quality.corrections (a correction may have moved to this batch from
    a later one: load/versions.link_corrections). Called after the batch's corrections are recorded."""
    code, name = (f"q.row_data->>'{c}'" for c in (dataset.subject_code, dataset.subject_name))
    # An array computed once: as a subquery joined in, the planner could read it again for each quarantined row.
    batches = (
        "ARRAY(SELECT CAST(:b AS bigint) UNION SELECT quarantine_batch_id FROM quality.corrections WHERE batch_id = :b)"
    )
    cleared = f"DELETE FROM quality.uscc_observations WHERE NOT loaded AND batch_id = ANY({batches})"
    conn.execute(sa.text(cleared), params)
    _move(
        conn,
        dataset,
        f"""
        SELECT q.batch_id, b.department_id, CAST(q.row_data->>'reported_on' AS date) AS reported_on, {code} AS code,
               {name} AS subject_name, false AS loaded, k.corrected_on AS withdrawn_on, 1 AS n
        FROM quality.quarantine q JOIN landing.batches b ON b.batch_id = q.batch_id
        LEFT JOIN quality.corrections k ON k.quarantine_batch_id = q.batch_id AND k.quarantine_source_row = q.source_row
        WHERE q.batch_id = ANY({batches}) AND q.dataset = :dataset AND {code} IS NOT NULL AND {code} <> :placeholder
        """,
        params,
    )


def _rewritten(dataset: datasets.Dataset) -> str:
    """SQL: the versions versions.merge_before rewrites, the later batches' versions of the batch's keys and the
    version before them (with the delivered one before that, where it is an inferred exit)."""
    return f"""SELECT record_id FROM batch_sequence WHERE record_id IS NOT NULL
        UNION SELECT base_id FROM sequence_base WHERE base_id IS NOT NULL
        UNION SELECT c.supersedes FROM sequence_base b JOIN {dataset.core_table} c ON c.record_id = b.base_id
              WHERE b.base_id IS NOT NULL AND c.source_row IS NULL AND c.supersedes IS NOT NULL"""


def _read_versions(conn: sa.Connection, dataset: datasets.Dataset, records: str) -> None:
    """``stock_versions``: the versions among ``records`` (a query of record ids) with what their observations
    need, read by record id (planning.by_record_id)."""
    code, name = dataset.subject_code, dataset.subject_name
    conn.execute(
        sa.text(
            f"""
            CREATE TEMP TABLE stock_versions ON COMMIT DROP AS
            SELECT c.record_id, c.supersedes, c.source_row, c.batch_id, c.department_id, c.reported_on,
                   c.{code} AS code, c.{name} AS subject_name
            FROM {dataset.core_table} c WHERE c.record_id = {planning.by_record_id(records)}
            """
        )
    )
    conn.execute(sa.text("ANALYZE stock_versions"))


def _move(conn: sa.Connection, dataset: datasets.Dataset, moves: str, params: dict) -> None:
    """Add ``moves`` (rows of GROUP and a signed count ``n``) to the observations: a count that falls to nothing
    removes its row, a new group gets one. Separate statements, so that the pairs' statement triggers each see
    the whole of one change."""
    conn.execute(
        sa.text(
            f"""
            CREATE TEMP TABLE stock_moves ON COMMIT DROP AS
            SELECT {GROUP}, sum(n) AS n, false AS known FROM ({moves}) m GROUP BY {GROUP} HAVING sum(n) <> 0
            """
        ),
        params,
    )
    conn.execute(sa.text(f"UPDATE stock_moves m SET known = true FROM quality.uscc_observations o WHERE {MATCH}"))
    conn.execute(
        sa.text(
            f"DELETE FROM quality.uscc_observations o USING stock_moves m WHERE {MATCH} AND o.observations + m.n = 0"
        )  # fmt: skip
    )
    conn.execute(
        sa.text(
            f"UPDATE quality.uscc_observations o SET observations = o.observations + m.n FROM stock_moves m"
            f" WHERE {MATCH}"
        )  # fmt: skip
    )
    conn.execute(
        sa.text(
            f"""
            INSERT INTO quality.uscc_observations ({GROUP}, dataset, name_key, code_valid, observations)
            SELECT {GROUP}, :dataset, quality.name_key(subject_name), quality.uscc_valid(code), n
            FROM stock_moves WHERE NOT known
            """
        ),
        {"dataset": dataset.name},
    )
    conn.execute(sa.text("DROP TABLE stock_moves"))
