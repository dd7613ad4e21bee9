"""The provincial export: what the province must receive, planned as export batches, and the batches' reports.

Two destinations, each tracked on its own in the `export` schema: 'outbox' (CSV + JSON + manifest files under
$CITYCREDIT_HOME/outbox) and 'province' (the HTTP push, citycredit.publish.province_push).

Planning a batch for a destination, for a day `as_of` (one transaction, serialised per destination):
- the current version of every record (行政许可, 行政处罚, credit lists) is in its publication window or not
  (export.yaml `window`), and falls under a category of credit_record_exclusions.yaml or not;
- a publishable version the destination never received goes as 'add', or as 'update' when the destination holds
  an earlier version of the record (a correction or revision);
- a record the destination holds whose current version left its window, or became excluded, goes as 'withdraw';
- an excluded version in its window that was never published is held back ('hold') with the category as reason;
- a 信用修复 in force on `as_of` (export.yaml `credit_repair`, citycredit.publish.repairs) withdraws the record it
  names like an exclusion, or has it sent masked or flagged: that version goes again, as an item of its own
  (export.items.effect); repairs that name no record are counted in the batch summary;
- every (version, action, effect) is an item at most once per destination (UNIQUE in export.items), so re-running
  sends nothing twice. The items' provincial records (mapped, formatted, ID numbers masked) are stored with them, so a
  resumed delivery sends exactly what was planned.
A destination has at most one unfinished batch; it is delivered (resumed) before anything new is planned.
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa

from citycredit.core import datasets
from citycredit.publish import repairs
from citycredit.publish.export_candidates import candidates_query
from citycredit.publish.export_format import DatasetFormat, Exclusions, Profile
from citycredit.publish.provincial_records import provincial_records

log = logging.getLogger(__name__)

OUTBOX, PROVINCE = "outbox", "province"


@dataclass
class BatchReport:
    """One export batch as staff see it: counts per dataset and action, what was held back and why."""

    batch_id: int
    destination: str
    as_of: datetime.date
    status: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    held_back: int = 0
    held_back_reasons: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    repairs: dict = field(default_factory=dict)  # {"applied": {effect: items}, "unmatched": repairs}
    files: list[dict] = field(default_factory=list)
    receipts: list[dict] = field(default_factory=list)
    last_error: str | None = None


def lock(conn: sa.Connection, destination: str) -> None:
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"citycredit.export.{destination}"})


def open_batch(conn: sa.Connection, destination: str) -> int | None:
    return conn.execute(
        sa.text("SELECT batch_id FROM export.batches WHERE destination = :d AND status <> 'completed'"),
        {"d": destination},
    ).scalar()


def _items(frame, ds: DatasetFormat, profile: Profile, batch_id: int, destination: str):
    import pandas as pd

    records = provincial_records(frame, ds, profile)
    payload = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    sent = frame["action"].ne("hold")
    effect = frame["effect"].astype(object).where(frame["effect"].notna(), None)
    # A masked or flagged version is another item than the version as it was: another id for the province.
    suffix = effect.where(effect.isin(["mask", "flag"]), None).map(lambda e: f"-{e}" if e else "")
    if sent.any():
        lines = records[sent].to_json(orient="records", lines=True, force_ascii=False).strip().split("\n")
        payload[sent] = lines
    return pd.DataFrame(
        {
            "batch_id": batch_id,
            "destination": destination,
            "dataset": ds.name,
            "record_id": frame["record_id"].astype("int64"),
            "record_key": frame["record_key"],
            "item_key": profile.sender + "-" + ds.code + "-" + frame["record_id"] + "-" + frame["action"] + suffix,
            "action": frame["action"],
            "effect": effect,
            "reason": frame["reason"],
            "payload": payload,
            "status": sent.map({True: "planned", False: "held"}),
        }
    )


def plan_batch(
    engine: sa.Engine,
    destination: str,
    as_of: datetime.date,
    profile: Profile,
    exclusions: Exclusions,
    rules: repairs.RepairRules | None = None,
) -> int | None:
    """The destination's unfinished batch if there is one, else a new batch of what it still needs (None: nothing).

    `rules`: the 信用修复 section of export.yaml, read when not given.
    """
    import pandas as pd

    from citycredit.core import copyio

    rules = rules or repairs.load_rules()

    with engine.begin() as conn:
        lock(conn, destination)
        unfinished = open_batch(conn, destination)
        if unfinished is not None:
            return unfinished
        batch_id, batch_key = conn.execute(
            sa.text(
                "INSERT INTO export.batches (destination, profile, as_of, batch_key) VALUES (:d, :p, :a, :k)"
                " RETURNING batch_id, batch_key"
            ),
            {"d": destination, "p": profile.name, "a": as_of, "k": str(uuid.uuid4())},
        ).one()
        # Kept in the batch's summary until it is completed (summary() reads it from there).
        unmatched = len(repairs.unmatched(conn, rules, as_of))
        conn.execute(
            sa.text("UPDATE export.batches SET summary = CAST(:s AS jsonb) WHERE batch_id = :b"),
            {"b": batch_id, "s": json.dumps({"repairs": {"unmatched": unmatched}})},
        )
        # The candidates compare every current record with what the destination holds. Planned on statistics from
        # before the last batch was written or sent (its items' status all changed at once), the planner took the
        # items held for one row and joined each record with each item: 50 s instead of 0.5 s for the demo's
        # 12,000 行政处罚 records.
        conn.execute(sa.text("ANALYZE export.items"))
        frames = []
        for ds in profile.datasets.values():
            query, params = candidates_query(ds, exclusions, rules)
            frame = copyio.copy_out(conn, query, {**params, "d": destination, "dataset": ds.name, "as_of": as_of})
            if not frame.empty:
                frames.append(_items(frame, ds, profile, batch_id, destination))
        if not frames:
            conn.execute(sa.text("DELETE FROM export.batches WHERE batch_id = :b"), {"b": batch_id})
            log.info("export to %s: nothing new as of %s", destination, as_of)
            return None
        items = pd.concat(frames, ignore_index=True)
        sent = items["action"].ne("hold")
        items["chunk_no"] = pd.Series(pd.NA, index=items.index, dtype="Int64")
        items.loc[sent, "chunk_no"] = (pd.Series(range(int(sent.sum()))) // profile.api.chunk_size + 1).to_numpy()
        copyio.copy_in(conn, "export.items", items)
        conn.execute(
            sa.text(
                "INSERT INTO export.chunks (batch_id, chunk_no, idempotency_key, records)"
                " SELECT :b, chunk_no, :k || '-' || chunk_no, count(*) FROM export.items"
                " WHERE batch_id = :b AND chunk_no IS NOT NULL GROUP BY chunk_no"
            ),
            {"b": batch_id, "k": f"{profile.sender}-{destination}-{batch_key}"},
        )
        log.info(
            "export to %s: batch %s planned with %s items (%s held back)",
            destination,
            batch_id,
            int(sent.sum()),
            int((~sent).sum()),
        )
    return batch_id


def summary(conn: sa.Connection, batch_id: int) -> dict:
    rows = conn.execute(
        sa.text(
            "SELECT dataset, action, status, reason, effect, count(*) FROM export.items WHERE batch_id = :b"
            " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
        ),
        {"b": batch_id},
    ).all()
    unmatched = conn.execute(
        sa.text("SELECT summary #> '{repairs,unmatched}' FROM export.batches WHERE batch_id = :b"), {"b": batch_id}
    ).scalar()
    counts: dict[str, dict[str, int]] = {}
    reasons: dict[str, int] = {}
    applied: dict[str, int] = {}
    rejected = 0
    for dataset, action, status, reason, effect, n in rows:
        if effect and action != "hold":
            applied[effect] = applied.get(effect, 0) + n
        if action == "hold":
            reasons[reason] = reasons.get(reason, 0) + n
            continue
        counts.setdefault(dataset, {}).setdefault(action, 0)
        counts[dataset][action] += n
        rejected += n if status == "rejected" else 0
    return {
        "counts": counts,
        "held_back": sum(reasons.values()),
        "held_back_reasons": reasons,
        "rejected": rejected,
        "repairs": {"applied": applied, "unmatched": int(unmatched or 0)},
    }


def complete_batch(conn: sa.Connection, batch_id: int, extra: dict | None = None) -> None:
    conn.execute(
        sa.text(
            "UPDATE export.batches SET status = 'completed', last_error = NULL, summary = CAST(:s AS jsonb),"
            " completed_at = now(), updated_at = now() WHERE batch_id = :b"
        ),
        {"b": batch_id, "s": json.dumps({**summary(conn, batch_id), **(extra or {})}, ensure_ascii=False)},
    )


def report(engine: sa.Engine, batch_id: int) -> BatchReport:
    with engine.connect() as conn:
        row = (
            conn.execute(
                sa.text(
                    "SELECT batch_id, destination, as_of, status, last_error, summary FROM export.batches"
                    " WHERE batch_id = :b"
                ),
                {"b": batch_id},
            )
            .mappings()
            .one()
        )
        stored = row["summary"] or {}
        current = summary(conn, batch_id)
        receipts = [
            dict(r)
            for r in conn.execute(
                sa.text(
                    "SELECT chunk_no, idempotency_key, records, status, attempts, receipt FROM export.chunks"
                    " WHERE batch_id = :b ORDER BY chunk_no"
                ),
                {"b": batch_id},
            ).mappings()
        ]
    return BatchReport(
        batch_id=row["batch_id"],
        destination=row["destination"],
        as_of=row["as_of"],
        status=row["status"],
        counts=current["counts"],
        held_back=current["held_back"],
        held_back_reasons=current["held_back_reasons"],
        rejected=current["rejected"],
        repairs=current["repairs"],
        files=stored.get("files", []),
        receipts=receipts,
        last_error=row["last_error"],
    )


def batch_list(engine: sa.Engine) -> list[BatchReport]:
    with engine.connect() as conn:
        ids = conn.execute(sa.text("SELECT batch_id FROM export.batches ORDER BY batch_id")).scalars().all()
    return [report(engine, b) for b in ids]


def describe(r: BatchReport) -> str:
    """A batch in a few lines, in Chinese, for credit-center staff."""
    names = {"add": "新增", "update": "更新", "withdraw": "撤下"}
    where = {OUTBOX: "文件", PROVINCE: "省级平台接口"}[r.destination]
    status = {"planned": "待发送", "failed": "发送失败（下次运行续传）", "completed": "已完成"}[r.status]
    lines = [f"导出批次 {r.batch_id}（{where}，公示日 {r.as_of.isoformat()}）：{status}"]
    for dataset, counts in sorted(r.counts.items()):
        parts = "，".join(f"{names[a]} {n}" for a, n in sorted(counts.items()))
        lines.append(f"  {datasets.get(dataset).label}：{parts}")
    if r.rejected:
        lines.append(f"  省级平台拒收 {r.rejected} 条")
    applied, unmatched = r.repairs.get("applied", {}), r.repairs.get("unmatched", 0)
    if applied:
        effects = {"withdraw": "撤下", "mask": "屏蔽后报送", "flag": "标注后报送"}
        lines.append("  信用修复：" + "，".join(f"{effects[e]} {n}" for e, n in sorted(applied.items())))
    if unmatched:
        lines.append(f"  信用修复找不到被修复的信息：{unmatched} 条（见日志）")
    if r.held_back:
        lines.append(f"  暂不报送 {r.held_back} 条：")
        lines.extend(f"    {reason}：{n} 条" for reason, n in sorted(r.held_back_reasons.items()))
    if r.last_error:
        lines.append(f"  错误：{r.last_error}")
    lines.extend(f"  文件 {f['name']}  sha256 {f['sha256']}" for f in r.files)
    return "\n".join(lines)
