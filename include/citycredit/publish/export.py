"""The provincial export: what the province must receive, planned as export batches, and the outbox files.

Two destinations, each tracked on its own in the `export` schema: 'outbox' (CSV + JSON + manifest files under
$CITYCREDIT_HOME/outbox) and 'province' (the HTTP push, citycredit.publish.province_push).

Planning a batch for a destination, for a day `as_of` (one transaction, serialised per destination):
- the current version of every record (行政许可, 行政处罚, credit lists) is in its publication window or not
  (export.yaml `window`), and falls under a category of credit_record_exclusions.yaml or not;
- a publishable version the destination never received goes as 'add', or as 'update' when the destination holds
  an earlier version of the record (a correction or revision);
- a record the destination holds whose current version left its window, or became excluded, goes as 'withdraw';
- an excluded version in its window that was never published is held back ('hold') with the category as reason;
- every (version, action) is an item at most once per destination (UNIQUE in export.items), so re-running sends
  nothing twice. The items' provincial records (mapped, formatted, ID numbers masked) are stored with them, so a
  resumed delivery sends exactly what was planned.
A destination has at most one unfinished batch; it is delivered (resumed) before anything new is planned.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from citycredit.core import config, datasets, paths
from citycredit.feeds import registry
from citycredit.publish.export_format import DatasetFormat, Exclusions, Profile, load_exclusions, load_profile

log = logging.getLogger(__name__)

OUTBOX, PROVINCE = "outbox", "province"
DESTINATIONS = (OUTBOX, PROVINCE)
EXPIRED = "不在公示期内（已过公示截止期、有效期或已移出名单，或许可已无效）"
EXCLUDED = "未经立法程序不得纳入信用记录：{}"


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
    files: list[dict] = field(default_factory=list)
    receipts: list[dict] = field(default_factory=list)
    last_error: str | None = None


def today() -> datetime.date:
    return datetime.datetime.now(registry.city_timezone()).date()


def _lock(conn: sa.Connection, destination: str) -> None:
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"citycredit.publish.export.{destination}"})


def open_batch(conn: sa.Connection, destination: str) -> int | None:
    return conn.execute(
        sa.text("SELECT batch_id FROM export.batches WHERE destination = :d AND status <> 'completed'"),
        {"d": destination},
    ).scalar()


# --- selection -----------------------------------------------------------------------------------------------


def _window_sql(ds: DatasetFormat) -> str:
    w, parts = ds.window, []
    if w.start:
        parts.append(f"COALESCE(c.{w.start} <= %(as_of)s, false)")
    if w.until:
        if w.months_after:
            fallback = f"(c.{w.months_after} + interval '{int(w.months)} months')::date"
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


def _column_sql(ds: DatasetFormat) -> str:
    types = {f.name: f.type for f in config.fields(ds.name)}
    parts = []
    for name in ds.columns:
        if types[name] == "date":
            parts.append(f"to_char(c.{name}, 'YYYY-MM-DD') AS {name}")
        elif types[name] == "amount":
            parts.append(f"trim_scale(c.{name})::text AS {name}")
        else:
            parts.append(f"c.{name}")
    return ", ".join(parts)


def candidates_query(ds: DatasetFormat, exclusions: Exclusions) -> tuple[str, dict]:
    """The items a destination still needs for one dataset (psycopg2 %(name)s parameters: d, dataset, as_of)."""
    excluded, params = _exclusion_sql(ds, exclusions)
    key = ", ".join(f"c.{k}::text" for k in datasets.get(ds.name).key_columns)
    publishable = "in_window AND excluded IS NULL"
    query = f"""
        WITH cur AS (
            SELECT c.record_id, md5(concat_ws('|', {key}, c.subject_key)) AS record_key,
                   {_window_sql(ds)} AS in_window, {excluded} AS excluded, {_column_sql(ds)}
            FROM core.{ds.name} c WHERE c.is_current
        ),
        held AS (
            SELECT DISTINCT ON (record_key) record_key, action IN ('add', 'update') AS holds
            FROM export.items
            WHERE destination = %(d)s AND dataset = %(dataset)s AND action <> 'hold'
              AND status IN ('written', 'accepted')
            ORDER BY record_key, item_id DESC
        ),
        sent AS (
            SELECT record_id, array_agg(action) AS actions FROM export.items
            WHERE destination = %(d)s AND dataset = %(dataset)s GROUP BY record_id
        ),
        x AS (
            SELECT cur.*, COALESCE(held.holds, false) AS holds, COALESCE(sent.actions, '{{}}') AS actions
            FROM cur LEFT JOIN held USING (record_key) LEFT JOIN sent USING (record_id)
        )
        SELECT CASE WHEN {publishable} THEN CASE WHEN holds THEN 'update' ELSE 'add' END
                    WHEN holds THEN 'withdraw' ELSE 'hold' END AS action,
               CASE WHEN {publishable} THEN NULL ELSE COALESCE(excluded, %(expired)s) END AS reason,
               x.*
        FROM x
        WHERE ({publishable} AND NOT actions && ARRAY['add', 'update'])
           OR (holds AND NOT ({publishable}) AND NOT 'withdraw' = ANY(actions))
           OR (in_window AND excluded IS NOT NULL AND NOT holds AND NOT actions && ARRAY['hold', 'withdraw'])
        ORDER BY record_id
    """
    return query, {**params, "expired": EXPIRED, "status_values": list(ds.window.status_values)}


# --- provincial records --------------------------------------------------------------------------------------


def _mask_free_text(s):
    """ID-shaped numbers in free text masked; only cells with a 15-digit run go through the regex."""
    from citycredit.core import privacy

    hit = s.str.contains(r"[0-9０-９]{15}", regex=True, na=False)
    if not hit.any():
        return s
    s = s.copy()
    s[hit] = s[hit].map(privacy.mask_ids_in_text)
    return s


def _map_codes(s, mapping: dict[str, str], multi: bool):
    """Canonical code values to the province's; a multi-valued cell ("警告;罚款") item by item."""
    if multi:
        items = _map_codes(s.str.split(";").explode(), mapping, multi=False)
        joined = items.dropna().groupby(level=0).agg(";".join)
        return joined.reindex(s.index)
    mapped = s.map(mapping)
    return mapped.where(mapped.notna(), s)


def provincial_records(frame, ds: DatasetFormat, profile: Profile):
    """Canonical rows (dates as YYYY-MM-DD text) → the province's columns: formatted, coded and masked."""
    import pandas as pd

    from citycredit.core import privacy

    types = {f.name: f.type for f in config.fields(ds.name)}
    out = pd.DataFrame(index=frame.index)
    for name, identifier in ds.columns.items():
        s = frame[name].astype(object).where(frame[name].notna(), None)
        if types[name] == "date":
            s = pd.to_datetime(s, format="%Y-%m-%d").dt.strftime(profile.date_format)
        if name in ds.masked:
            s = privacy.mask_id_series(s)
        elif types[name] == "text":
            s = _mask_free_text(s.astype("string"))
        if name in ds.code_values:
            s = _map_codes(s, ds.code_values[name], multi=types[name] == "multi_code")
        out[identifier] = s.astype(object).where(s.notna(), None)
    return out


def _items(frame, ds: DatasetFormat, profile: Profile, batch_id: int, destination: str):
    import pandas as pd

    records = provincial_records(frame, ds, profile)
    payload = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    sent = frame["action"].ne("hold")
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
            "item_key": profile.sender + "-" + ds.code + "-" + frame["record_id"] + "-" + frame["action"],
            "action": frame["action"],
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
) -> int | None:
    """The destination's unfinished batch if there is one, else a new batch of what it still needs (None: nothing)."""
    import pandas as pd

    from citycredit.core import copyio

    with engine.begin() as conn:
        _lock(conn, destination)
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
        frames = []
        for ds in profile.datasets.values():
            query, params = candidates_query(ds, exclusions)
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
            "SELECT dataset, action, status, reason, count(*) FROM export.items WHERE batch_id = :b"
            " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
        ),
        {"b": batch_id},
    ).all()
    counts: dict[str, dict[str, int]] = {}
    reasons: dict[str, int] = {}
    rejected = 0
    for dataset, action, status, reason, n in rows:
        if action == "hold":
            reasons[reason] = reasons.get(reason, 0) + n
            continue
        counts.setdefault(dataset, {}).setdefault(action, 0)
        counts[dataset][action] += n
        rejected += n if status == "rejected" else 0
    return {"counts": counts, "held_back": sum(reasons.values()), "held_back_reasons": reasons, "rejected": rejected}


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
        files=stored.get("files", []),
        receipts=receipts,
        last_error=row["last_error"],
    )


# --- outbox files --------------------------------------------------------------------------------------------


def _write_atomically(path: Path, data: bytes) -> dict:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return {"name": path.name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _batch_frame(conn: sa.Connection, batch_id: int, ds: DatasetFormat, profile: Profile):
    from citycredit.core import copyio

    columns = ", ".join(f'"{c}" text' for c in ds.columns.values())
    selected = ", ".join(f'p."{c}"' for c in ds.columns.values())
    frame = copyio.copy_out(
        conn,
        f"SELECT i.item_key, i.action, {selected} FROM export.items i,"
        f" jsonb_to_record(i.payload) AS p({columns})"
        " WHERE i.batch_id = %(b)s AND i.dataset = %(ds)s AND i.action <> 'hold' ORDER BY i.item_id",
        {"b": batch_id, "ds": ds.name},
    )
    frame.insert(0, profile.item_id_column, frame.pop("item_key"))
    frame.insert(1, profile.action_column, frame.pop("action").map(profile.action_codes))
    return frame


def write_outbox(engine: sa.Engine, batch_id: int, profile: Profile) -> list[dict]:
    """The batch's files: per dataset a CSV and a JSON file, then the manifest (counts, sha256 of each file).

    Files are written under temporary names and renamed; the manifest comes last, so a collector that waits
    for the manifest never reads a half-written batch. Writing a batch again produces the same files.
    """
    outbox = paths.data_path("outbox")
    with engine.begin() as conn:
        _lock(conn, OUTBOX)
        batch = (
            conn.execute(
                sa.text("SELECT as_of, created_at, status FROM export.batches WHERE batch_id = :b"), {"b": batch_id}
            )
            .mappings()
            .one()
        )
        names = {"sender": profile.sender, "batch": batch_id, "as_of": batch["as_of"].strftime("%Y%m%d")}
        files = []
        for ds in profile.datasets.values():
            frame = _batch_frame(conn, batch_id, ds, profile)
            if frame.empty:
                continue
            stem = profile.data_file.format(dataset=ds.code, **names)
            csv = frame.to_csv(index=False, lineterminator="\r\n").encode(profile.encoding)
            records = frame.to_json(orient="records", force_ascii=False)
            head = {
                "sender": profile.sender,
                "batch": batch_id,
                "as_of": batch["as_of"].isoformat(),
                "dataset": ds.code,
            }
            document = json.dumps(head, ensure_ascii=False)[:-1] + f', "records": {records}}}'
            for ext, data in (("csv", csv), ("json", document.encode("utf-8"))):
                entry = _write_atomically(outbox / f"{stem}.{ext}", data)
                files.append({**entry, "dataset": ds.code, "format": ext, "records": len(frame)})
        manifest = {
            "sender": profile.sender,
            "profile": profile.name,
            "batch": batch_id,
            "as_of": batch["as_of"].isoformat(),
            "created_at": batch["created_at"].isoformat(),
            "encoding": {"csv": profile.encoding, "json": "utf-8"},
            **summary(conn, batch_id),
            "files": files,
        }
        manifest_name = profile.manifest_file.format(**names)
        data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        files.append({**_write_atomically(outbox / manifest_name, data), "format": "manifest"})
        conn.execute(
            sa.text("UPDATE export.items SET status = 'written' WHERE batch_id = :b AND status = 'planned'"),
            {"b": batch_id},
        )
        complete_batch(conn, batch_id, {"files": files})
    log.info("export batch %s: %s files in %s", batch_id, len(files), outbox)
    return files


def export_outbox(
    engine: sa.Engine,
    as_of: datetime.date | None = None,
    profile: Profile | None = None,
    exclusions: Exclusions | None = None,
) -> list[BatchReport]:
    """Finish an unfinished outbox batch, then plan and write what is new; the reports of the batches written."""
    profile, exclusions, as_of = profile or load_profile(), exclusions or load_exclusions(), as_of or today()
    done = []
    while (batch_id := plan_batch(engine, OUTBOX, as_of, profile, exclusions)) is not None:
        write_outbox(engine, batch_id, profile)
        done.append(report(engine, batch_id))
    return done


def as_of_for_run(requested: str | None, run_after: datetime.datetime) -> str:
    """The day a DAG run evaluates publication windows for: the one asked for, else the run's day in China."""
    day = datetime.date.fromisoformat(requested) if requested else run_after.astimezone(registry.city_timezone()).date()
    return day.isoformat()


def run_outbox(as_of: str) -> list[int]:
    """The outbox task: the ids of the batches written."""
    from citycredit.core import warehouse

    return [r.batch_id for r in export_outbox(warehouse.engine(), datetime.date.fromisoformat(as_of))]


# --- the `citycredit export` command -------------------------------------------------------------------------


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
    if r.held_back:
        lines.append(f"  暂不报送 {r.held_back} 条：")
        lines.extend(f"    {reason}：{n} 条" for reason, n in sorted(r.held_back_reasons.items()))
    if r.last_error:
        lines.append(f"  错误：{r.last_error}")
    lines.extend(f"  文件 {f['name']}  sha256 {f['sha256']}" for f in r.files)
    return "\n".join(lines)
