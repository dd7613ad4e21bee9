"""The outbox destination: each export batch written as CSV and JSON files per dataset, then its manifest, under
$CITYCREDIT_HOME/outbox.

The CSV files are opened by people in Excel: a text that a spreadsheet would read as a formula gets a leading
apostrophe there (citycredit.core.csv_cells). The JSON files are read by machines and keep the exact text.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
from pathlib import Path

import sqlalchemy as sa

from citycredit.core import city, csv_cells, paths
from citycredit.publish import repairs
from citycredit.publish.export import OUTBOX, BatchReport, complete_batch, lock, plan_batch, report, summary
from citycredit.publish.export_format import DatasetFormat, Exclusions, Profile, load_exclusions, load_profile

log = logging.getLogger(__name__)


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
        lock(conn, OUTBOX)
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
            csv = csv_cells.frame_to_csv(frame).encode(profile.encoding)  # people open it: formulas neutralized
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
    rules: repairs.RepairRules | None = None,
) -> list[BatchReport]:
    """Finish an unfinished outbox batch, then plan and write what is new; the reports of the batches written."""
    profile, exclusions, as_of = profile or load_profile(), exclusions or load_exclusions(), as_of or city.today()
    rules = rules or repairs.load_rules()
    done = []
    while (batch_id := plan_batch(engine, OUTBOX, as_of, profile, exclusions, rules)) is not None:
        write_outbox(engine, batch_id, profile)
        done.append(report(engine, batch_id))
    return done
