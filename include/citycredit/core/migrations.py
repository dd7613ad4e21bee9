"""Versioned schema migrations: ``sql/migrations/NNNN_name.sql`` applied in order, each once, recorded."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from citycredit.core import paths

log = logging.getLogger(__name__)

MIGRATIONS_DIR = paths.SQL_DIR / "migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Any constant works; it serialises concurrent `db upgrade` runs against one warehouse.
_LOCK_KEY = 7_420_250_930


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def available(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_lower_snake.sql")
        found.append(Migration(int(match.group(1)), match.group(2), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a version number")
    return found


def upgrade(engine: sa.Engine, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply every migration not yet recorded; return those applied. Safe to run twice or concurrently."""
    applied_now = []
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        conn.execute(
            sa.text(
                "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
        )
        done: dict[int, str] = dict(
            conn.execute(sa.text("SELECT version, checksum FROM public.schema_migrations")).all()
        )
        for migration in available(directory):
            if migration.version in done:
                if done[migration.version] != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.path.name} was changed after it was applied; "
                        "write a new migration instead"
                    )
                continue
            log.info("applying migration %s", migration.path.name)
            conn.exec_driver_sql(migration.sql)
            conn.execute(
                sa.text("INSERT INTO public.schema_migrations (version, name, checksum) VALUES (:v, :n, :c)"),
                {"v": migration.version, "n": migration.name, "c": migration.checksum},
            )
            applied_now.append(migration)
    return applied_now


def current_version(engine: sa.Engine) -> int | None:
    with engine.connect() as conn:
        exists = conn.execute(sa.text("SELECT to_regclass('public.schema_migrations')")).scalar()
        if not exists:
            return None
        return conn.execute(sa.text("SELECT max(version) FROM public.schema_migrations")).scalar()
