"""A self-contained Airflow home under the data directory, for the demo, the tests and the local Airflow.

SQLite metadata is enough for ``airflow dags test`` and for the local services ``citycredit up`` starts (with
Airflow's LocalExecutor, as ``airflow standalone`` runs); production uses docker-compose.yaml instead. The settings
go into every child process's environment and into the home's ``airflow.cfg``, so that an ``airflow`` command
typed with ``AIRFLOW_HOME`` pointing there also sees our DAGs and plugin and no example DAGs.
"""

from __future__ import annotations

import configparser
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from citycredit.core import city, paths

POOLS = {
    "citycredit_file_feeds": (4, "file drops"),
    "citycredit_http_feeds": (2, "department HTTP APIs"),
    "citycredit_sql_feeds": (2, "department databases"),
}
CONFIG_FILE = "airflow.cfg"


def home() -> Path:
    return paths.data_path("airflow")


def variable(section: str, key: str) -> str:
    """The environment variable that overrides an Airflow setting."""
    return f"AIRFLOW__{section.upper()}__{key.upper()}"


def settings(timezone: str | None = None) -> dict[tuple[str, str], str]:
    """(section, key) → value of every Airflow setting citycredit gives its home."""
    base = home()
    return {
        ("database", "sql_alchemy_conn"): f"sqlite:///{base / 'airflow.db'}",
        ("core", "dags_folder"): str(paths.DAGS_DIR),
        ("core", "plugins_folder"): str(paths.PLUGINS_DIR),
        ("core", "load_examples"): "False",
        # Read only when not given: a broken registry names itself later, where the time zone is used.
        ("core", "default_timezone"): timezone or city.timezone().key,
        ("core", "unit_test_mode"): "False",
        ("logging", "base_log_folder"): str(base / "logs"),
    }


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.setdefault("AIRFLOW_HOME", str(home()))
    for (section, key), value in settings(env.get(variable("core", "default_timezone"))).items():
        env.setdefault(variable(section, key), value)
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
    """Create or upgrade the metadata database and the pools, and write our settings into the home's airflow.cfg;
    safe to run again."""
    run("db", "migrate", capture=True)  # Airflow writes its default airflow.cfg (with its secrets) on first use
    write_config(home() / CONFIG_FILE)  # ours only: an AIRFLOW_HOME set elsewhere keeps its own airflow.cfg
    pools = {name: {"slots": slots, "description": f"citycredit: {text}"} for name, (slots, text) in POOLS.items()}
    pools_file = home() / "citycredit_pools.json"
    pools_file.write_text(json.dumps(pools), encoding="utf-8")
    run("pools", "import", str(pools_file), capture=True)  # one Airflow start for all pools, not one each


def write_config(path: Path) -> None:
    """Set our settings in an airflow.cfg, keeping every other value in it (the secrets Airflow generated)."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(path, encoding="utf-8")
    wanted = settings(os.environ.get(variable("core", "default_timezone")))
    if not config.has_option("api_auth", "jwt_secret"):  # Airflow did not write this file: the services share one
        wanted[("api_auth", "jwt_secret")] = secrets.token_urlsafe(16)
    for (section, key), value in wanted.items():
        if not config.has_section(section):
            config.add_section(section)
        config.set(section, key, value)
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    with scratch.open("w", encoding="utf-8") as out:
        out.write("# Airflow settings of the citycredit home; citycredit sets its own keys again at every start.\n")
        config.write(out)
    scratch.replace(path)
