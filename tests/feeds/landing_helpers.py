"""What the landing tests share: a feed's inbox on disk, a landing run and what it recorded."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from citycredit.core import paths
from citycredit.feeds import landing, registry
from citycredit.tasks import ingest

GOOD = (Path(__file__).parents[1] / "data" / "bad" / "control_good_license.csv").read_bytes()
FEED = "scjg_license"
SEPT_4 = 1_757_000_000  # 2025-09-04 in the city


def feed() -> registry.Feed:
    return registry.load().feed(FEED)


def put(name: str | bytes, content: bytes = GOOD, minute: int = 0, folder: Path | None = None) -> bytes:
    """A file written into the feed's inbox (or ``folder``) under ``name`` (any bytes), a minute per ``minute``
    after SEPT_4; its path as bytes."""
    target = os.path.join(os.fsencode(folder or landing.inbox(feed())), os.fsencode(name))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as fh:
        fh.write(content)
    os.utime(target, (SEPT_4 + 60 * minute,) * 2)
    return target


def land(engine: sa.Engine) -> list[landing.Landed]:
    return landing.land_inbox(engine, feed(), ingest.unreadable)


def deliveries(engine: sa.Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT source_name, sha256, outcome, reason, batch_id FROM landing.deliveries ORDER BY delivery_id"
            )
        )
        return [dict(r) for r in rows.mappings()]


def left_in_inbox() -> list[bytes]:
    """Every name below the feed's inbox, at any depth (as bytes: they need not be UTF-8)."""
    root = os.fsencode(landing.inbox(feed()))
    return sorted(os.path.relpath(os.path.join(d, n), root) for d, dirs, files in os.walk(root) for n in files + dirs)


def stored() -> set[bytes]:
    """The contents of every file in the landing store."""
    return {p.read_bytes() for p in paths.data_path("landing", "store").rglob("*") if p.is_file()}


def kept(area: str) -> list[Path]:
    """The files in the feed's ``archive`` or ``rejected`` folder, oldest name first."""
    f = feed()
    return sorted(paths.data_path("landing", area, f.department_id, f.id).iterdir())
