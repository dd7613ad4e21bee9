"""The bench's own database, created fresh and migrated for each measurement, dropped after it."""

from __future__ import annotations

import contextlib
import os

import sqlalchemy as sa


@contextlib.contextmanager
def bench_database(base_url: str, name: str):
    """A fresh, migrated database ``name`` on the server of ``base_url``; dropped on leaving."""
    from citycredit.core import migrations, warehouse

    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    url = sa.engine.make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        migrations.upgrade(warehouse.engine(url))
        yield url
    finally:
        warehouse.engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def settle(url: str) -> None:
    """What the server and this machine just wrote, on disk: a checkpoint, then the page cache's dirty pages."""
    from citycredit.core import warehouse

    with warehouse.engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("CHECKPOINT"))
    os.sync()
