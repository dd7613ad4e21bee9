"""The local Airflow: ``airflow api-server``, ``scheduler``, ``dag-processor`` and ``triggerer`` on the citycredit
Airflow home (SQLite metadata, LocalExecutor, our DAGs and plugin, no examples) and the warehouse the demo uses.

Each service runs in its own session, logging to ``$CITYCREDIT_HOME/airflow/logs/services/<name>.log``; their
process ids and the port are recorded in ``$CITYCREDIT_HOME/run/airflow.json``. Stopping ends every process of
those sessions (the LocalExecutor's workers and the task processes too), then the embedded warehouse.

The UI's sign-in is Airflow's simple auth manager: the user ``admin``, whose password this module writes once
into the file that manager reads (``simple_auth_manager_passwords.json.generated`` in the Airflow home).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from citycredit.core import airflow_env, migrations, paths, warehouse

SERVICES = ("api-server", "scheduler", "dag-processor", "triggerer")
HOST = "127.0.0.1"  # the UI and the execution API answer on this machine only
USER = "admin"
SIGN_IN_FILE = "simple_auth_manager_passwords.json.generated"  # where the simple auth manager reads them
# The LocalExecutor starts this many worker processes at once (Airflow's default is 32): a laptop's worth.
PARALLELISM = 4
START_TIMEOUT = 300  # a bound, not a measurement: four Airflow processes starting on a loaded 2-core machine
STOP_TIMEOUT = 30
PG_STOP_TIMEOUT = 60


class StackError(RuntimeError):
    """The services could not be started or stopped; the message says which and where its log is."""


@dataclass
class Stack:
    port: int
    pids: dict[str, int]
    already_running: bool = False
    stopped: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def state_file() -> Path:
    return paths.data_path("run") / "airflow.json"


def log_folder() -> Path:
    return paths.data_path("airflow", "logs", "services")


def login() -> tuple[str, str, Path]:
    """The UI's user, password and the file that holds it; the password is made on first use."""
    path = airflow_env.home() / SIGN_IN_FILE
    passwords = json.loads(path.read_text(encoding="utf-8") or "{}") if path.exists() else {}
    if USER not in passwords:
        passwords[USER] = secrets.token_urlsafe(12)
        path.touch(mode=0o600)
        path.write_text(json.dumps(passwords) + "\n", encoding="utf-8")
    return USER, passwords[USER], path


def environment(port: int) -> dict[str, str]:
    env = airflow_env.environment()
    env.update(
        {
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(PARALLELISM),
            "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager."
            "SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
            "AIRFLOW__API__HOST": HOST,
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": f"http://{HOST}:{port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{HOST}:{port}/execution/",
        }
    )
    return env


def _recorded() -> dict:
    path = state_file()
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _alive(pid: int) -> bool:
    """The process runs and is an Airflow service (a recorded id a later, unrelated process took does not count)."""
    try:
        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and "airflow" in " ".join(process.cmdline())
    except psutil.Error:
        return False


def running() -> Stack | None:
    """The recorded services, when every one of them runs."""
    state = _recorded()
    pids = state.get("pids", {})
    if pids and set(pids) == set(SERVICES) and all(_alive(pid) for pid in pids.values()):
        return Stack(state["port"], pids, already_running=True)
    return None


def start(port: int, timeout: float = START_TIMEOUT) -> Stack:
    """Start the services (after stopping what is left of an earlier start) and wait until they answer."""
    current = running()
    if current is not None:
        return current
    _stop_services()
    migrations.upgrade(warehouse.engine())  # the tasks' warehouse: started and migrated before the first task
    airflow_env.initialize()
    login()
    env = environment(port)
    pids = {}
    try:
        for name in SERVICES:
            with open(log_folder() / f"{name}.log", "ab") as out:
                args = ("api-server", "--host", HOST, "--port", str(port)) if name == "api-server" else (name,)
                process = subprocess.Popen(
                    [airflow_env.airflow_executable(), *args],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,  # its own session: stopped as a whole, and not by the caller's Ctrl-C
                )
            pids[name] = process.pid
        _record({"port": port, "pids": pids})
        _wait_until_healthy(Stack(port, pids), timeout)
    except BaseException:
        _stop_services()
        raise
    return Stack(port, pids)


def _record(state: dict) -> None:
    scratch = state_file().with_suffix(".tmp")
    scratch.write_text(json.dumps(state), encoding="utf-8")
    scratch.replace(state_file())


def health(url: str) -> dict | None:
    """Airflow's own health report (metadatabase, scheduler, triggerer, dag processor), or None if no answer."""
    try:
        with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=5) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def _healthy(report: dict | None) -> bool:
    parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
    return report is not None and all((report.get(p) or {}).get("status") == "healthy" for p in parts)


def _wait_until_healthy(stack: Stack, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not _healthy(health(stack.url)):
        dead = [name for name, pid in stack.pids.items() if not _alive(pid)]
        if dead:
            raise StackError(f"{', '.join(dead)} exited while starting; see {_tails(dead)}")
        if time.monotonic() > deadline:
            raise StackError(f"Airflow did not report healthy within {timeout:.0f} s; see {_tails(SERVICES)}")
        time.sleep(2)


def _tails(names, lines: int = 20) -> str:
    parts = []
    for name in names:
        log = log_folder() / f"{name}.log"
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""
        parts.append(f"{log}:\n{tail}")
    return "\n".join(parts)


def stop() -> Stack:
    """Stop the services and the embedded warehouse; names what was running."""
    state = _recorded()
    stack = Stack(state.get("port", 0), state.get("pids", {}))
    stack.stopped = _stop_services()
    if stop_embedded_warehouse():
        stack.stopped.append("embedded warehouse")
    return stack


def _session_members(pids: dict[str, int]) -> list[psutil.Process]:
    """Every process of the services' sessions, and their descendants (a child that made its own session too)."""
    sessions = set(pids.values())
    found: dict[int, psutil.Process] = {}
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) in sessions:
                found[process.pid] = process
                found.update({child.pid: child for child in process.children(recursive=True)})
        except (OSError, psutil.Error):
            continue
    return list(found.values())


def _stop_services() -> list[str]:
    pids = _recorded().get("pids", {})
    alive = [name for name, pid in pids.items() if _alive(pid)]
    members = _session_members(pids)
    for process in members:  # TERM first: the scheduler and the api-server end their children themselves
        try:
            process.send_signal(signal.SIGTERM)
        except psutil.Error:
            pass
    _, left = psutil.wait_procs(members, timeout=STOP_TIMEOUT)
    for process in left + _session_members(pids):
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(left, timeout=5)
    state_file().unlink(missing_ok=True)
    return alive


def stop_embedded_warehouse() -> bool:
    """Stop the embedded PostgreSQL of this data directory when it runs; True if it did.

    By signal, as pg_ctl does: run as root, the server runs as another user, which may not reach the data directory
    through a private parent folder to run pg_ctl there."""
    pidfile = paths.data_path("pg", create=False) / "postmaster.pid"
    try:
        postmaster = psutil.Process(int(pidfile.read_text().split()[0]))
        if "postgres" not in postmaster.name():
            return False  # a stale postmaster.pid whose number another process has now
        postmaster.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown: sessions end, the data is checkpointed
        postmaster.wait(timeout=PG_STOP_TIMEOUT)
    except (FileNotFoundError, IndexError, ValueError, psutil.NoSuchProcess):
        return False
    except psutil.TimeoutExpired:
        raise StackError(f"the embedded warehouse ({pidfile.parent}) did not stop within {PG_STOP_TIMEOUT} s") from None
    return True
