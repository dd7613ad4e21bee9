"""What of a record is public on a day: the current version of every record of a dataset with its publication
window (export.yaml `window`), its exclusion (credit_record_exclusions.yaml) and the 信用修复 in force
(citycredit.publish.repairs) applied to its columns.

One definition serves whoever publishes: the provincial export (export_candidates) and the subject's 公共信用信息报告
(subject_report) must never disagree on whether a record is public, or on what of it is shown.
"""

from __future__ import annotations

import re

from citycredit.core import config, datasets
from citycredit.publish import repairs
from citycredit.publish.export_format import DatasetFormat, Exclusions

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


def current_versions_sql(
    ds: DatasetFormat, exclusions: Exclusions, rules: repairs.RepairRules, restrict: str = "true"
) -> tuple[str, dict]:
    """The current versions of one dataset as published on %(as_of)s (psycopg2 %(name)s parameters), one row each:

    record_id, record_key (the natural key's digest), in_window, withheld (why the version may not be public: an
    exclusion category, else REASON of a repair's withdrawal; NULL when it may), shown_as (the repair's 'mask' or
    'flag', '' for none), repaired_on (that repair's 办结日期), loaded_at, repair_loaded_at, and the dataset's export
    columns as text (dates YYYY-MM-DD) with the repair's effect applied.

    `restrict`: a further condition on the record `c` (e.g. one subject's), applied before repairs are matched.
    """
    excluded, params = _exclusion_sql(ds, exclusions)
    repaired, repair_params = repairs.effects_sql(rules, ds.name, restrict)
    key = ", ".join(f"c.{k}::text" for k in datasets.get(ds.name).key_columns)
    query = f"""
        SELECT c.record_id, md5(concat_ws('|', {key}, c.subject_key)) AS record_key,
               {_window_sql(ds)} AS in_window,
               COALESCE({excluded}, CASE WHEN r.effect = 'withdraw' THEN %(rp_reason)s END) AS withheld,
               COALESCE(NULLIF(r.effect, 'withdraw'), '') AS shown_as, r.repaired_on, c.loaded_at,
               r.loaded_at AS repair_loaded_at, {_column_sql(ds, rules)}
        FROM core.{ds.name} c LEFT JOIN ({repaired}) r USING (record_id)
        WHERE c.is_current AND ({restrict})
    """
    return query, {**params, **repair_params, "status_values": list(ds.window.status_values)}
