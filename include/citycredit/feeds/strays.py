"""Strays: what lies in the landing inbox where no file feed reads it.

A file directly in the inbox or in a department's folder, under a folder that is not a registered department, or
under a department's folder that is not one of its file feeds is never landed: nothing says which feed it is. It
is left where it is (it lands once the registry has its feed, or someone moves it into a feed's folder), named in
the log on every scan and kept in ``landing.strays`` for the monthly quality report. Lock files and unfinished
uploads (`names.waiting_for`) wait, wherever they are, until they are older than ``OVERDUE_AFTER``: then they are
strays too (`overdue`, also for landing in a feed's own folder), since nobody is still working on them. What is
wrong inside a file feed's own folder (a link, a file in a subfolder) is landing's to refuse, as a rejected
delivery of that feed.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from citycredit.core import paths
from citycredit.core.printable import printable
from citycredit.feeds import inbox as folders
from citycredit.feeds import names
from citycredit.feeds.registry import Registry

log = logging.getLogger(__name__)

# How long a lock file or an unfinished upload may wait (by its modification time) before it is chased: longer than
# any upload or editing session, so one still there is forgotten. departments.yaml has no landing settings to hold it.
OVERDUE_AFTER = timedelta(hours=24)
OVERDUE = (
    f"上传未完成或文件被占用已超过{OVERDUE_AFTER // timedelta(hours=1)}小时（临时文件或锁定文件），请确认后重新报送"
)


@dataclass(frozen=True)
class Stray:
    path: str  # below the inbox, as the department wrote it
    department_id: str | None  # the registered department whose folder it is in
    reason: str


def find(engine: sa.Engine, registry: Registry) -> list[Stray]:
    """Every stray in the inbox now: logged, and recorded (first and last seen) in ``landing.strays``."""
    departments = {d.id: d for d in registry.departments}
    file_feeds = {(f.department_id, f.id) for f in registry.feeds if f.kind == "file"}
    root = folders.open_folder(paths.data_path("landing", "inbox"))
    try:
        entries = folders.scan(root, skip=lambda parts: parts in file_feeds)
    finally:
        os.close(root)
    found = []
    for entry in entries:
        department = departments.get(entry.parts[0]) if len(entry.parts) > 1 else None
        waiting = entry.is_file and names.waiting_for(names.source_name(entry.parts[-1]))
        if waiting and not overdue(entry):
            continue
        reason = OVERDUE if waiting else _reason(entry.parts, registry)
        found.append(record(engine, Stray(entry.name, department.id if department else None, reason), entry))
    return found


def overdue(entry: folders.Entry, now: float | None = None) -> bool:
    """Whether a waiting entry (a lock file, an unfinished upload) has waited longer than OVERDUE_AFTER."""
    return (time.time() if now is None else now) - entry.stat.st_mtime > OVERDUE_AFTER.total_seconds()


def record(engine: sa.Engine, stray: Stray, entry: folders.Entry) -> Stray:
    """Name a stray in the log and keep it (first and last seen) in ``landing.strays``."""
    log.warning("stray in the landing inbox, not read: %s (%s)", printable(stray.path), printable(stray.reason))
    _record(engine, stray, entry)
    return stray


def _reason(parts: tuple[str, ...], registry: Registry) -> str:
    known = {d.id for d in registry.departments}
    if len(parts) == 1:
        return "文件直接放在了收件箱中，不属于任何部门的数据源，不会被接收；请放入“部门/数据源”文件夹"
    folder = printable(names.source_name(parts[0]))
    if parts[0] not in known:
        return f"“{folder}”不是已登记的部门文件夹，其中的文件不会被接收；请放入本部门数据源的文件夹"
    department = registry.department(parts[0])
    feeds = "、".join(f.id for f in department.feeds if f.kind == "file") or "无"
    where = f"请放入本部门文件报送数据源的文件夹（{feeds}）"
    if len(parts) == 2:
        return f"文件没有放在数据源文件夹中，不会被接收；{where}"
    feed = next((f for f in department.feeds if f.id == parts[1]), None)
    name = printable(names.source_name(parts[1]))
    if feed is not None:
        return f"数据源“{name}”通过接口或数据库报送，不读取收件箱中的文件；{where}"
    return f"“{name}”不是本部门已登记的数据源文件夹，其中的文件不会被接收；{where}"


def _record(engine: sa.Engine, stray: Stray, entry: folders.Entry) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO landing.strays (path, department_id, reason, size_bytes, modified_at)"
                " VALUES (:path, :department_id, :reason, :size, :modified_at) ON CONFLICT (path) DO UPDATE SET"
                " department_id = excluded.department_id, reason = excluded.reason, size_bytes = excluded.size_bytes,"
                " modified_at = excluded.modified_at, last_seen_at = now()"
            ),
            {
                **stray.__dict__,
                "size": entry.stat.st_size,
                "modified_at": datetime.fromtimestamp(entry.stat.st_mtime, tz=UTC),
            },
        )
