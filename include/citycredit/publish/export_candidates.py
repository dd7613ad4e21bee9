"""What a destination still needs of one dataset, chosen in SQL: add, update, withdraw or hold, and why.

The rules are those of citycredit.publish.export: a record's current version in its publication window (export.yaml
`window`) or not, excluded by a category of credit_record_exclusions.yaml or not, withdrawn, masked or flagged by a
信用修复 in force (all three as citycredit.publish.publication decides them, for the subject report too), and what
the destination holds. A masked or flagged version is an item of its own (export.items.effect): the destination
receives it even when it holds the version unmasked.
"""

from __future__ import annotations

from citycredit.publish import repairs
from citycredit.publish.export_format import DatasetFormat, Exclusions
from citycredit.publish.publication import current_versions_sql

EXPIRED = "不在公示期内（已过公示截止期、有效期或已移出名单，或许可已无效）"


def candidates_query(ds: DatasetFormat, exclusions: Exclusions, rules: repairs.RepairRules) -> tuple[str, dict]:
    """The items a destination still needs for one dataset (psycopg2 %(name)s parameters: d, dataset, as_of).

    `withheld` is why an in-window version may not be public: an exclusion category, else a repair's withdrawal.
    `effect` is the repair's mask or flag on a published item, 'withdraw' on one withdrawn or held for a repair.
    """
    current, params = current_versions_sql(ds, exclusions, rules)
    publishable = "in_window AND withheld IS NULL"
    query = f"""
        WITH cur AS ({current}),
        held AS (
            SELECT DISTINCT ON (record_key) record_key, action IN ('add', 'update') AS holds
            FROM export.items
            WHERE destination = %(d)s AND dataset = %(dataset)s AND action <> 'hold'
              AND status IN ('written', 'accepted')
            ORDER BY record_key, item_id DESC
        ),
        sent AS (
            SELECT record_id, array_agg(action) AS actions,
                   array_agg(action || ':' || COALESCE(effect, '')) AS sent_as
            FROM export.items
            WHERE destination = %(d)s AND dataset = %(dataset)s GROUP BY record_id
        ),
        x AS (
            SELECT cur.*, COALESCE(held.holds, false) AS holds, COALESCE(sent.actions, '{{}}') AS actions,
                   COALESCE(sent.sent_as, '{{}}') AS sent_as
            FROM cur LEFT JOIN held USING (record_key) LEFT JOIN sent USING (record_id)
        )
        SELECT CASE WHEN {publishable} THEN CASE WHEN holds THEN 'update' ELSE 'add' END
                    WHEN holds THEN 'withdraw' ELSE 'hold' END AS action,
               CASE WHEN {publishable} THEN NULL ELSE COALESCE(withheld, %(expired)s) END AS reason,
               CASE WHEN {publishable} THEN NULLIF(shown_as, '')
                    WHEN withheld = %(rp_reason)s THEN 'withdraw' END AS effect,
               x.*
        FROM x
        WHERE ({publishable} AND NOT sent_as && ARRAY['add:' || shown_as, 'update:' || shown_as])
           OR (holds AND NOT ({publishable}) AND NOT 'withdraw' = ANY(actions))
           OR (in_window AND withheld IS NOT NULL AND NOT holds AND NOT actions && ARRAY['hold', 'withdraw'])
        ORDER BY record_id
    """
    return query, {**params, "expired": EXPIRED}
