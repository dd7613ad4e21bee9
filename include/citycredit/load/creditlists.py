"""Credit lists (红名单, 严重失信主体名单 and its kinds, 重点关注名单): listing periods and how feeds deliver them.

A listing period is one subject on one list of one 认定部门 from one 列入日期; core.credit_list keeps its versions
(sql/migrations/0002). An exit (移出日期 and 移出原因, e.g. 修复, 补报年度报告, 期满, 注销) is a new version of the
period; a re-entry has a new 列入日期 and is a second period. A feed delivers either changes (new and changed
entries; an exit arrives as the entry with its 移出日期) or full snapshots (departments.yaml ``mode: snapshot``):
then an open period of that feed that a snapshot no longer holds is closed on the snapshot's reporting day, with
移出原因 ``未说明`` because the department did not say why.

The class of each list kind (严重失信 / 重点关注 / 红名单 / 不归集) and the category of each exit reason are
configuration (include/config/credit_lists.yaml); `record_classes` writes them into the warehouse, where
core.credit_list_periods shows them beside the stored kind and reason (sql/migrations/0014).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa

from citycredit.core import checkdigits, config, datasets
from citycredit.feeds import registry

SNAPSHOT, CHANGES = "snapshot", "changes"
UNSTATED_REMOVAL = "未说明"  # 移出原因 of an exit inferred from a snapshot
CLASSES_FILE = "credit_lists.yaml"


@dataclass(frozen=True)
class Classes:
    """credit_lists.yaml read: 名单类型 → class, 移出原因 → category."""

    list_class: dict[str, str]
    removal_category: dict[str, str]

    def kinds(self, list_class: str) -> list[str]:
        """The 名单类型 values of one class, in the file's order."""
        return [kind for kind, cls in self.list_class.items() if cls == list_class]


def _sorted_into(doc: dict, key: str) -> dict[str, str]:
    """``{group: [value, ...]}`` of the file turned into value → group; a value in two groups is an error."""
    out: dict[str, str] = {}
    for group, values in (doc.get(key) or {}).items():
        for value in values or ():
            if out.setdefault(str(value), str(group)) != str(group):
                raise config.ConfigError(f"{CLASSES_FILE}: {key}: {value!r} is in both {out[str(value)]} and {group}")
    return out


@functools.cache
def classes() -> Classes:
    doc = cast("dict[str, Any]", config.load_yaml(CLASSES_FILE))  # the repository's own file: a mapping
    return Classes(_sorted_into(doc, "list_classes"), _sorted_into(doc, "removal_categories"))


def record_classes(conn: sa.Connection) -> None:
    """Write the classes of credit_lists.yaml into core.credit_list_kinds and core.credit_list_removal_reasons.

    The tables then hold exactly the file's content, so a class changed in the file reaches every period already
    loaded, not only the next ones.
    """
    current = classes()
    # A load and a month's computation may both rewrite the tables at once; taken in turn, neither sees the
    # other's rows half replaced (nor inserts a kind the other has just inserted).
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('core.credit_list_kinds'))"))
    for table, key, value, mapping in (
        ("core.credit_list_kinds", "list_type", "list_class", current.list_class),
        ("core.credit_list_removal_reasons", "removal_reason", "category", current.removal_category),
    ):
        conn.execute(sa.text(f"DELETE FROM {table}"))
        conn.execute(
            sa.text(f"INSERT INTO {table} ({key}, {value}) VALUES (:k, :v)"),
            [{"k": k, "v": v} for k, v in mapping.items()],
        )


def feed_mode(feed_id: str) -> str:
    """How a feed delivers: full snapshots or changes (departments.yaml ``mode``; changes when not said)."""
    try:
        mode = registry.load().feed(feed_id).options.get("mode", CHANGES)
    except KeyError:
        return CHANGES
    if mode not in (SNAPSHOT, CHANGES):
        raise config.ConfigError(f"departments.yaml: feeds[{feed_id}].mode: {mode!r} is not snapshot or changes")
    return mode


def close_missing_periods(conn: sa.Connection, feed_id: str, batch_id: int, day: dt.date) -> int:
    """Exit versions for the feed's open periods that the feed's latest snapshot no longer holds.

    Normally the latest snapshot is this batch (in ``batch_rows``) and the exits are dated `day`. When a later
    snapshot of the feed was loaded first (mapped tasks finish in any order), this stale batch closes nothing
    on its own account; the periods it opened or reopened are held against that later snapshot and closed on
    its day, so the current state equals an in-order load. A period counts as held when any row of the
    snapshot (also one sent to quarantine) has its key, so a row with an error never closes a listing.
    Returns the number of periods closed.
    """
    table = datasets.CREDIT_LIST.core_table
    cols = datasets.CREDIT_LIST.columns
    later = conn.execute(
        sa.text(
            "SELECT l.batch_id, l.reported_on FROM landing.batches b JOIN landing.batches l ON l.feed_id = b.feed_id"
            "  AND (l.received_at, l.batch_id) > (b.received_at, b.batch_id)"
            " WHERE b.batch_id = :b AND l.status = 'loaded' ORDER BY l.received_at DESC, l.batch_id DESC LIMIT 1"
        ),
        {"b": batch_id},
    ).one_or_none()
    holder, day = (batch_id, day) if later is None else later
    values = [
        "CAST(:day AS date)" if c == "md_ycrq" else "CAST(:reason AS text)" if c == "md_ycyy" else f"c.{c}"
        for c in cols
    ]
    conn.execute(
        sa.text(
            f"""
            CREATE TEMP TABLE batch_exits ON COMMIT DROP AS
            SELECT c.* FROM {table} c JOIN landing.batches b ON b.batch_id = c.batch_id
            WHERE c.is_current AND c.md_ycrq IS NULL AND b.feed_id = :feed AND (:stale = false OR c.batch_id = :b)
              AND NOT EXISTS (SELECT 1 FROM staging.credit_list_rows r
                              WHERE r.batch_id = :holder AND r.md_rdbm = c.md_rdbm AND r.md_lx = c.md_lx
                                AND r.md_lrrq = c.md_lrrq::text
                                AND COALESCE(NULLIF(r.md_shxym, :placeholder), r.md_zjhm, r.md_zt_mc, '')
                                    = c.subject_key)
            """
        ),
        {
            "feed": feed_id,
            "b": batch_id,
            "holder": holder,
            "stale": later is not None,
            "placeholder": checkdigits.USCC_PLACEHOLDER,
        },  # fmt: skip
    )
    conn.execute(sa.text(f"UPDATE {table} c SET is_current = false FROM batch_exits e WHERE e.record_id = c.record_id"))
    return conn.execute(
        sa.text(
            f"""
            INSERT INTO {table} (department_id, batch_id, source_row, reported_on, subject_key, content_hash,
                version, is_current, supersedes, inferred_exit, extra, {", ".join(cols)})
            SELECT c.department_id, :b, NULL, :day, c.subject_key, md5(ROW({", ".join(values)})::text),
                   c.version + 1, true, c.record_id, true, c.extra, {", ".join(values)}
            FROM batch_exits c ORDER BY c.record_id
            """
        ),
        {"b": batch_id, "day": day, "reason": UNSTATED_REMOVAL},
    ).rowcount


def periods(engine: sa.Engine, subject_key: str | None = None) -> list[dict]:
    """The current version of every listing period (core.credit_list_periods), oldest listing first."""
    where = "" if subject_key is None else "WHERE subject_key = :s"
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                f"SELECT * FROM core.credit_list_periods {where} ORDER BY subject_key, list_type, listed_on, record_id"
            ),
            {"s": subject_key},
        )
        return [dict(r) for r in rows.mappings()]
