"""The city's code stock (quality.uscc_observations) against its definition, recomputed from scratch.

An observation is a subject code (not the placeholder) of a delivered row: of a version in core, withdrawn on the
day reported of the next delivered version of its record (an exit the load inferred is skipped), or of a quarantined
row, withdrawn on the day of its correction. The load keeps them counted per batch, day, code, name, whether loaded
and day withdrawn; this walks every record's chain in Python, another way to the same counts.
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from citycredit.core import checkdigits, datasets

COLUMNS = "batch_id, department_id, reported_on, code, subject_name, loaded, withdrawn_on"


def counted(conn: sa.Connection) -> list[tuple]:
    """The observations as the load counted them: (COLUMNS..., observations), sorted."""
    rows = conn.execute(sa.text(f"SELECT {COLUMNS}, observations FROM quality.uscc_observations")).all()
    return sorted((tuple(r) for r in rows), key=repr)


def as_defined(conn: sa.Connection) -> list[tuple]:
    """The observations the definition gives, in the shape of ``counted``."""
    groups: Counter = Counter()
    for dataset in datasets.ALL.values():
        if not dataset.subject_code:
            continue
        records = {
            r.record_id: r
            for r in conn.execute(
                sa.text(
                    f"SELECT record_id, supersedes, source_row, batch_id, department_id, reported_on,"
                    f" {dataset.subject_code} AS code, {dataset.subject_name} AS name FROM {dataset.core_table}"
                )
            )
        }
        successor = {r.supersedes: r for r in records.values() if r.supersedes is not None}
        for r in records.values():
            if r.source_row is None or r.code is None or r.code == checkdigits.USCC_PLACEHOLDER:
                continue
            after = successor.get(r.record_id)
            if after is not None and after.source_row is None:
                after = successor.get(after.record_id)
            withdrawn = after.reported_on if after is not None else None
            groups[(r.batch_id, r.department_id, r.reported_on, r.code, r.name, True, withdrawn)] += 1
        quarantined = conn.execute(
            sa.text(
                f"SELECT q.batch_id, b.department_id, CAST(q.row_data->>'reported_on' AS date),"
                f" q.row_data->>'{dataset.subject_code}', q.row_data->>'{dataset.subject_name}', k.corrected_on"
                " FROM quality.quarantine q JOIN landing.batches b ON b.batch_id = q.batch_id"
                " LEFT JOIN quality.corrections k"
                "   ON k.quarantine_batch_id = q.batch_id AND k.quarantine_source_row = q.source_row"
                " WHERE q.dataset = :dataset"
            ),
            {"dataset": dataset.name},
        )
        for batch_id, department, day, code, name, corrected in quarantined:
            if code is not None and code != checkdigits.USCC_PLACEHOLDER:
                groups[(batch_id, department, day, code, name, False, corrected)] += 1
    return sorted((key + (n,) for key, n in groups.items()), key=repr)
