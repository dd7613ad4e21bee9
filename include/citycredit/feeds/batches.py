"""Reading the batches with their accounting (``landing.batches`` and ``quality.batch_accounting``): every batch
for ``citycredit batches``, a department's deliveries newest first, a page at a time, for the web front door."""

from __future__ import annotations

import sqlalchemy as sa

STATUS_NAMES = {
    "landed": "已接收",
    "normalized": "已标准化",
    "validated": "已校验",
    "loaded": "已入库",
    "rejected": "已拒收",
}
_SELECT = """
    SELECT b.batch_id, b.department_id, b.feed_id, b.dataset, b.source_name, b.sha256, b.status,
           b.status_reason, b.received_at, a.received, a.loaded, a.quarantined, a.duplicate, a.revised,
           a.with_warnings, a.corrected, a.inferred_exits
    FROM landing.batches b LEFT JOIN quality.batch_accounting a USING (batch_id)"""


def batch_rows(engine: sa.Engine) -> list[dict]:
    """Every batch with its accounting, oldest first."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(_SELECT + " ORDER BY b.batch_id")).mappings()]


def department_batches(engine: sa.Engine, department_id: str, page: int, size: int) -> tuple[list[dict], int]:
    """The department's batches with their accounting, newest first: page `page` (from 1) of `size`, and how many
    there are."""
    where = " WHERE b.department_id = :department"
    query = _SELECT + where + " ORDER BY b.received_at DESC, b.batch_id DESC LIMIT :size OFFSET :skip"
    with engine.connect() as conn:
        rows = conn.execute(sa.text(query), {"department": department_id, "size": size,
                                             "skip": (max(page, 1) - 1) * size}).mappings()  # fmt: skip
        total = conn.execute(sa.text("SELECT count(*) FROM landing.batches b" + where),
                             {"department": department_id}).scalar_one()  # fmt: skip
        return [dict(r) for r in rows], int(total)
