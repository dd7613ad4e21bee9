"""Rows the warehouse cannot store: an error finding for each, so the load quarantines the row, not the batch.

Validation accepts only values that fit their core column (citycredit.validate.storable), but when the load still
meets a data error (a value out of a type's range, any cast PostgreSQL refuses), it rolls back to before the merge,
records here one error finding per row and typed column PostgreSQL cannot cast (quality.storable,
sql/migrations/0013), and loads the batch again: those rows then go to quarantine with a Chinese reason like any
other row with an error, and the accounting still adds up (docs/architecture.md invariant 8).
"""

from __future__ import annotations

import sqlalchemy as sa

from citycredit.core import config, datasets
from citycredit.validate import storable

RULE_ID = "LOAD-UNSTORABLE"
CATEGORY = "format"


def message(label: str, sql_type: str) -> str:
    return f"「{label}」的值超出数据库可以保存的范围（{sql_type}），该行无法入库，请核对数值、单位或日期"


def record(conn: sa.Connection, dataset: datasets.Dataset, batch_id: int) -> int:
    """Error findings for the batch's rows holding a value their core column cannot store; the number of rows."""
    rows: set[int] = set()
    for field in config.fields(dataset.name):
        sql_type = storable.sql_type(field.type)
        if sql_type is None:
            continue
        found = conn.execute(
            sa.text(
                f"""
                WITH refused AS MATERIALIZED (
                    SELECT v FROM (SELECT DISTINCT {field.name} AS v FROM {dataset.staging_table}
                                   WHERE batch_id = :b AND {field.name} IS NOT NULL) d
                    WHERE NOT quality.storable(v, :type)
                )
                INSERT INTO quality.findings (batch_id, source_row, dataset, rule_id, field, label, category,
                    severity, message)
                SELECT s.batch_id, s.source_row, :dataset, :rule, :field, :label, :category, 'error', :message
                FROM {dataset.staging_table} s JOIN refused r ON r.v = s.{field.name}
                WHERE s.batch_id = :b
                RETURNING source_row
                """
            ),
            {
                "b": batch_id,
                "type": sql_type,
                "dataset": dataset.name,
                "rule": RULE_ID,
                "field": field.name,
                "label": field.label,
                "category": CATEGORY,
                "message": message(field.label, sql_type),
            },
        ).scalars()
        rows.update(found)
    if rows:
        conn.execute(
            sa.text(
                "INSERT INTO quality.rule_outcomes (batch_id, rule_id, category, severity, evaluated, failed)"
                f" SELECT :b, :rule, :category, 'error', count(*), :failed FROM {dataset.staging_table}"
                " WHERE batch_id = :b"
            ),
            {"b": batch_id, "rule": RULE_ID, "category": CATEGORY, "failed": len(rows)},
        )
    return len(rows)
