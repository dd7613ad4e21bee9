"""A self-contained Airflow home under the data directory, for the demo, the tests and local runs.

SQLite metadata is enough for ``airflow dags test``; production uses docker-compose.yaml instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from citycredit.core import city, paths

POOLS = {
    "citycredit_file_feeds": (4, "file drops"),
    "citycredit_http_feeds": (2, "department HTTP APIs"),
    "citycredit_sql_feeds": (2, "department databases"),
}


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    home = paths.data_path("airflow")
    env.setdefault("AIRFLOW_HOME", str(home))
    env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home / 'airflow.db'}")
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(paths.DAGS_DIR))
    env.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(paths.PLUGINS_DIR))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    if "AIRFLOW__CORE__DEFAULT_TIMEZONE" not in env:  # read only when needed: a broken registry names itself later
        env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] = city.timezone().key
    env.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
    env.setdefault("AIRFLOW__LOGGING__BASE_LOG_FOLDER", str(home / "logs"))
    env.setdefault("CITYCREDIT_HOME", str(paths.home()))
    return env


def airflow_executable() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def run(*args: str, check: bool = True, capture: bool = False) -> subprocess.CompletedProcess:
    """Run an ``airflow`` CLI command against the citycredit Airflow home."""
    return subprocess.run(
        [airflow_executable(), *args],
        env=environment(),
        check=check,
        text=True,
        capture_output=capture,
    )


def initialize() -> None:
    """Create or upgrade the metadata database and the pools; safe to run again."""
    run("db", "migrate", capture=True)
    for name, (slots, description) in POOLS.items():
        run("pools", "set", name, str(slots), f"citycredit: {description}", capture=True)
