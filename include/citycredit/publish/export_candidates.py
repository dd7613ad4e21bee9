"""What a destination still needs of one dataset, chosen in SQL: add, update, withdraw or hold, and why.

The rules are those of citycredit.publish.export: a record's current version in its publication window (export.yaml
`window`) or not, excluded by a category of credit_record_exclusions.yaml or not, withdrawn, masked or flagged by a
信用修复 in force (citycredit.publish.repairs), and what the destination holds. A masked or flagged version is an
item of its own (export.items.effect): the destination receives it even when it holds the version unmasked.
"""

from __future__ import annotations

import re

from citycredit.core import config, datasets
from citycredit.publish import repairs
from citycredit.publish.export_format import DatasetFormat, Exclusions

EXPIRED = "不在公示期内（已过公示截止期、有效期或已移出名单，或许可已无效）"
EXCLUDED = "未经立法程序不得纳入信用记录：{}"


def _window_sql(ds: DatasetFormat) -> str:
    w, parts = ds.window, []
    if w.start:
        parts.append(f"COALESCE(c.{w.start} <= %(as_of)s, false)")
    if w.until:
        if w.months_after and w.months:  # the format loader requires months with months_after
            fallback = f"(c.{w.months_after} + interval '{w.months} months')::date"
            parts.append(f"COALESCE(COALESCE(c.{w.until}, {fallback}) >= %(as_of)s, false)")
        else:
            parts.append(f"(c.{w.until} IS NULL OR c.{w.until} >= %(as_of)s)")
    if w.before:
        parts.append(f"(c.{w.before} IS NULL OR c.{w.before} > %(as_of)s)")
    if w.status_column:
        parts.append(f"COALESCE(c.{w.status_column} = ANY(%(status_values)s), false)")
    return " AND ".join(parts) or "true"


def _exclusion_sql(ds: DatasetFormat, exclusions: Exclusions) -> tuple[str, dict]:
    """A CASE naming the first category whose keywords occur in one of the searched columns, else NULL."""
    columns = exclusions.fields.get(ds.name, ())
    if not columns or not exclusions.categories:
        return "NULL::text", {}
    params, whens = {}, []
    for i, category in enumerate(exclusions.categories):
        params[f"ex_re_{i}"] = "|".join(re.escape(k) for k in category.keywords)
        params[f"ex_reason_{i}"] = EXCLUDED.format(category.name)
        test = " OR ".join(f"c.{col} ~ %(ex_re_{i})s" for col in columns)
        whens.append(f"WHEN {test} THEN %(ex_reason_{i})s")
    return f"CASE {' '.join(whens)} END", params


def _column_sql(ds: DatasetFormat, rules: repairs.RepairRules) -> str:
    types = {f.name: f.type for f in config.fields(ds.name)}
    parts = []
    for name in ds.columns:
        if types[name] == "date":
            expr = f"to_char(c.{name}, 'YYYY-MM-DD')"
        elif types[name] == "amount":
            expr = f"trim_scale(c.{name})::text"
        else:
            expr = f"c.{name}"
        parts.append(f"{repairs.column_sql(rules, ds.name, name, expr, types[name] == 'text')} AS {name}")
    return ", ".join(parts)


def candidates_query(ds: DatasetFormat, exclusions: Exclusions, rules: repairs.RepairRules) -> tuple[str, dict]:
    """The items a destination still needs for one dataset (psycopg2 %(name)s parameters: d, dataset, as_of).

    `withheld` is why an in-window version may not be public: an exclusion category, else a repair's withdrawal.
    `effect` is the repair's mask or flag on a published item, 'withdraw' on one withdrawn or held for a repair.
    """
    excluded, params = _exclusion_sql(ds, exclusions)
    repaired, repair_params = repairs.effects_sql(rules, ds.name)
    key = ", ".join(f"c.{k}::text" for k in datasets.get(ds.name).key_columns)
    publishable = "in_window AND withheld IS NULL"
    query = f"""
        WITH repair AS ({repaired}),
        cur AS (
            SELECT c.record_id, md5(concat_ws('|', {key}, c.subject_key)) AS record_key,
                   {_window_sql(ds)} AS in_window,
                   COALESCE({excluded}, CASE WHEN r.effect = 'withdraw' THEN %(rp_reason)s END) AS withheld,
                   COALESCE(NULLIF(r.effect, 'withdraw'), '') AS shown_as, {_column_sql(ds, rules)}
            FROM core.{ds.name} c LEFT JOIN repair r USING (record_id) WHERE c.is_current
        ),
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
    return query, {**params, **repair_params, "expired": EXPIRED, "status_values": list(ds.window.status_values)}
