"""Beyond one machine: docker-compose.yaml's structure, and the distributed path run for real.

The compose file cannot be started here (no Docker daemon); its structure is checked as loaded by PyYAML.

The distributed path: a file dropped in a department's inbox reaches the month's indicators through Airflow
services on PostgreSQL metadata and a Celery worker via Redis (issue 21: drop → indicators in the deployed stack).

Started as separate processes, as in docker-compose.yaml: ``airflow api-server`` (the execution API the worker's
task processes talk to), ``airflow scheduler`` (CeleryExecutor), ``airflow dag-processor``, ``airflow triggerer``
(where the ingest's asset watcher, citycredit.feeds.drops.InboxDrop, runs) and ``airflow celery worker``. The
metadata database and the warehouse are fresh databases on the PostgreSQL service on 127.0.0.1:5432; the broker is
a dedicated database of the Redis on 127.0.0.1:6379, and the tasks go to a queue named for this test only, so
nothing another run left in Redis reaches this worker.

The test skips when either service does not answer, unless ``CITYCREDIT_REQUIRE_DISTRIBUTED`` is set (CI sets it):
then a missing service fails it. The processes' logs stay under the test's tmp dir and their tails are printed
when the test fails. The latencies from the drop are printed and recorded (``record_property``), never asserted:
speed is measured by ``make bench`` and docs/performance.md, not by a timed test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
import yaml
from cryptography.fernet import Fernet
from support.ports import free_port

from citycredit.core import airflow_env, city, paths, warehouse
from citycredit.feeds import drops, registry
from citycredit.tools.demo.feeds import generate_feeds

COMPOSE_FILE = paths.PROJECT_ROOT / "docker-compose.yaml"
DOCKERFILE = paths.PROJECT_ROOT / "docker" / "Dockerfile"
ENV_EXAMPLE = paths.PROJECT_ROOT / ".env.example"
AIRFLOW_COMMANDS = {"api-server", "scheduler", "dag-processor", "triggerer", "celery worker"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|_AUTH$")
REQUIRED_VARIABLE = re.compile(r"^\$\{(\w+):\?[^}]*\}$")  # ${NAME:?message}: compose refuses to start without it

POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
REDIS_DB = 13  # kept for this test; the default db 0 is left to whatever else uses the machine's Redis
UI_USER = ("citycredit", secrets.token_urlsafe(16))  # a signed-in Airflow UI user for the reports plugin
ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
DAG_ID = "citycredit_ingest"
MONTHLY_DAG_ID = "citycredit_monthly"
WATCHER = "citycredit.feeds.drops.InboxDrop"  # the classpath the triggerer imports
FEEDS = ("scjg_license", "scjg_penalty", "zjj_penalty")  # two GBK CSVs, and a CSV with CF_* identifier headers
STARTUP_TIMEOUT = 180
RUN_TIMEOUT = 900  # a bound, not a measurement: a loaded 2-core machine needs minutes
STOP_TIMEOUT = 30


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _airflow_services(compose: dict) -> dict[str, dict]:
    return {name: svc for name, svc in compose["services"].items() if name.startswith("airflow-")}


def _dockerfile_value(name: str) -> str:
    return re.search(rf"\b{name}=(\S+)", DOCKERFILE.read_text(encoding="utf-8")).group(1)


def _strings(node: object) -> Iterator[tuple[str, str]]:
    """(key, value) of every scalar in the document; list items are given their list's key."""
    if isinstance(node, dict):
        for key, value in node.items():
            for inner_key, inner in _strings(value):
                yield (inner_key or str(key)), inner
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif node is not None:
        yield "", str(node)


def test_compose_runs_every_airflow_component_on_one_image_and_one_environment(compose):
    common = compose["x-airflow-common"]
    services = _airflow_services(compose)
    assert {svc.get("command") for svc in services.values()} >= AIRFLOW_COMMANDS
    assert {"postgres-airflow", "postgres-warehouse", "redis"} <= set(compose["services"])
    for name, svc in services.items():
        for key in ("image", "build", "volumes"):
            assert svc[key] == common[key], f"{name}: {key}"
        assert svc["environment"].items() >= compose["x-airflow-env"].items(), name
    env = compose["x-airflow-env"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert "@redis:6379/" in env["AIRFLOW__CELERY__BROKER_URL"]
    assert "@postgres-airflow:5432/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://airflow-apiserver:8080/")
    assert env["WAREHOUSE_DB_HOST"] == "postgres-warehouse"


def test_compose_services_report_health_and_airflow_waits_for_its_init(compose):
    for name, svc in compose["services"].items():
        if name != "airflow-init":
            assert svc.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    init = compose["services"]["airflow-init"]
    assert Path(init["command"]).relative_to("/opt/citycredit") == Path("docker/init.sh")
    assert (paths.PROJECT_ROOT / "docker" / "init.sh").stat().st_mode & 0o111, "init.sh is executable"
    for name, svc in _airflow_services(compose).items():
        if name == "airflow-init":
            continue
        conditions = {dep: spec["condition"] for dep, spec in svc["depends_on"].items()}
        assert conditions["airflow-init"] == "service_completed_successfully", name
        assert conditions["postgres-airflow"] == conditions["redis"] == "service_healthy", name
    assert compose["services"]["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"


def test_compose_keeps_landing_and_outbox_on_volumes_under_the_images_data_directory(compose):
    home = _dockerfile_value("CITYCREDIT_HOME")
    mounts = dict(reversed(m.split(":")[:2]) for m in compose["x-airflow-common"]["volumes"])
    assert mounts[f"{home}/landing"] == "landing" and mounts[f"{home}/outbox"] == "outbox"
    assert {"landing", "outbox"} <= set(compose["volumes"])


def test_image_is_the_pinned_airflow_version_on_python_3_11():
    pinned = re.search(r"^apache-airflow==(\S+)$", (paths.PROJECT_ROOT / "requirements" / "constraints.txt")
                       .read_text(encoding="utf-8"), re.M).group(1)  # fmt: skip
    assert _dockerfile_value("AIRFLOW_IMAGE") == f"apache/airflow:{pinned}-python3.11"
    assert "-c requirements/constraints.txt" in DOCKERFILE.read_text(encoding="utf-8")


def test_compose_holds_no_secret_and_env_example_names_every_one_it_needs(compose):
    required = set()
    for key, value in _strings(compose):
        for password in re.findall(r"://[^:/@\s]*:([^@\s]+)@", value):
            assert REQUIRED_VARIABLE.match(password), f"{key}: a password literal in a URL"
            required.add(REQUIRED_VARIABLE.match(password).group(1))
        if SECRET_NAME.search(key):
            assert REQUIRED_VARIABLE.match(value), f"{key}: a secret must come from .env as ${{NAME:?...}}"
            required.add(REQUIRED_VARIABLE.match(value).group(1))
    example = dict(
        line.split("=", 1) for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )  # fmt: skip
    assert required == set(example), "every required variable, and only those, is listed in .env.example"
    assert all(value == "" for value in example.values()), ".env.example carries no secret value"
    assert ".env" in (paths.PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").split()


def _answers(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, timeout=2).close()
        return True
    except OSError:
        return False


@pytest.fixture
def services() -> None:
    missing = [f"{name} on {host}:{port}" for name, (host, port) in {"PostgreSQL": POSTGRES, "Redis": REDIS}.items()
               if not _answers((host, port))]  # fmt: skip
    if not missing:
        return
    message = f"{', '.join(missing)} does not answer"
    if os.environ.get("CITYCREDIT_REQUIRE_DISTRIBUTED"):
        pytest.fail(f"{message}, and CITYCREDIT_REQUIRE_DISTRIBUTED is set")
    pytest.skip(message)


@pytest.fixture
def databases(services) -> Iterator[dict[str, str]]:
    """A fresh Airflow metadata database and a fresh (empty, unmigrated) warehouse database on the service."""
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    tag = uuid.uuid4().hex[:12]
    names = {"metadata": f"cc_airflow_{tag}", "warehouse": f"cc_wh_{tag}"}
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = sa.engine.make_url(ADMIN_URL)
    yield {role: base.set(database=name).render_as_string(hide_password=False) for role, name in names.items()}
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Processes:
    """Long-running Airflow commands, each in its own process group, logging to <logs>/<name>.log."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> None:
        with open(self.logs / f"{name}.log", "wb") as out:
            self.running[name] = subprocess.Popen(
                [airflow_env.airflow_executable(), *args],
                env=airflow_env.environment(),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def tails(self, lines: int = 40) -> str:
        parts = []
        for name, proc in self.running.items():
            tail = "\n".join(self.log(name).splitlines()[-lines:])
            parts.append(f"===== {name} (exit code {proc.poll()}) — {self.logs / name}.log =====\n{tail}")
        return "\n".join(parts)

    def check_alive(self) -> None:
        dead = [name for name, proc in self.running.items() if proc.poll() is not None]
        assert not dead, f"{', '.join(dead)} exited early\n{self.tails()}"

    def wait_for(self, what: str, condition: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            self.check_alive()
            assert time.monotonic() < deadline, f"{what}: not within {timeout} s\n{self.tails()}"
            time.sleep(2)

    def stop(self) -> None:
        for proc in self.running.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for proc in self.running.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # also whatever the command left behind in its group
            except ProcessLookupError:
                pass
            proc.wait()


@pytest.fixture
def cluster(databases, tmp_path, monkeypatch) -> Iterator[tuple[Processes, dict]]:
    """api-server, scheduler, dag-processor, triggerer and a Celery worker on a migrated metadata database, with
    pools and the citycredit_warehouse connection created as docker-compose.yaml's init service does."""
    port = free_port()
    queue = f"citycredit_test_{uuid.uuid4().hex[:8]}"
    home = tmp_path / "airflow"
    settings_ = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": databases["metadata"],
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}",
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + databases["metadata"],
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{UI_USER[0]}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(tmp_path / "ui-passwords.json"),
    }
    (tmp_path / "ui-passwords.json").write_text(json.dumps(dict([UI_USER])))
    for name, value in settings_.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AIRFLOW_CONN_CITYCREDIT_WAREHOUSE", raising=False)

    try:
        airflow_env.initialize()  # metadata schema and pools, as airflow-init does
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"airflow {' '.join(exc.cmd[1:])}:\n{(exc.stdout + exc.stderr)[-4000:]}")
    conn_uri = databases["warehouse"].replace("postgresql+psycopg2://", "postgres://", 1)
    _airflow("connections", "add", warehouse.CONN_ID, "--conn-uri", conn_uri)

    logs = tmp_path / "process-logs"
    logs.mkdir()
    processes = Processes(logs)
    try:
        processes.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1")
        processes.start("scheduler", "scheduler")
        processes.start("dag-processor", "dag-processor")
        # Runs the asset watcher that turns a drop into an ingest run; no log server, whose fixed port another
        # test's Airflow may hold.
        processes.start("triggerer", "triggerer", "--skip-serve-logs")
        processes.start("celery-worker", "celery", "worker", "--queues", queue, "--concurrency", "2",
                        "--skip-serve-logs", "--celery-hostname", f"{queue}@%h")  # fmt: skip
        yield processes, {"queue": queue, "port": port, **databases}
    finally:
        processes.stop()
        broker = redis.Redis(*REDIS, db=REDIS_DB)
        broker.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        broker.close()


def _airflow(*args: str) -> None:
    """An ``airflow`` CLI command that must succeed; its output is the failure message otherwise."""
    result = airflow_env.run(*args, check=False, capture=True)
    assert result.returncode == 0, f"airflow {' '.join(args)}:\n{(result.stdout + result.stderr)[-4000:]}"


def _ui_get(port: int, path: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _ui_token(port: int) -> str:
    body = json.dumps({"username": UI_USER[0], "password": UI_USER[1]}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/auth/token", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["access_token"]


def _execution_api_up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/execution/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _scalar(engine: sa.Engine, sql: str, **params) -> object:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def _rows(engine: sa.Engine, sql: str, **params) -> list[sa.Row]:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def _runs(metadata: sa.Engine, dag_id: str, after: dt.datetime | None = None) -> list[sa.Row]:
    """The DAG's runs (created after ``after``), oldest first."""
    return _rows(
        metadata,
        "SELECT id, run_id, run_type, state, created_at, start_date, end_date FROM dag_run WHERE dag_id = :d"
        " AND (CAST(:after AS timestamptz) IS NULL OR created_at > :after) ORDER BY created_at, id",
        d=dag_id,
        after=after,
    )


def _consumed(metadata: sa.Engine, run_pk: int) -> list[sa.Row]:
    """The asset events a run was created for: asset name, event id, extra."""
    return _rows(
        metadata,
        "SELECT a.name, e.id, e.extra FROM dagrun_asset_event d JOIN asset_event e ON e.id = d.event_id"
        " JOIN asset a ON a.id = e.asset_id WHERE d.dag_run_id = :r ORDER BY e.timestamp, e.id",
        r=run_pk,
    )


def _all_finished(runs: list[sa.Row]) -> bool:
    return bool(runs) and all(r.state in ("success", "failed") for r in runs)


def _previous_month() -> str:
    """The month before today in the city: a monthly run started by the warehouse computes it (with the current)."""
    return (city.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


@pytest.mark.distributed
@pytest.mark.db
@pytest.mark.dag
def test_a_dropped_file_reaches_the_months_indicators_on_celery_workers_against_postgresql_metadata(
    cluster, record_property
):
    """#21: nobody triggers anything. The triggerer's watcher sees the drop, the scheduler starts the ingest for
    the asset event, the Celery worker loads the batches, and the load's asset starts the monthly indicators."""
    processes, info = cluster
    metadata = sa.create_engine(info["metadata"], poolclass=sa.pool.NullPool)
    month = _previous_month()  # the files' month of receipt: what the asset-triggered monthly run computes
    generated = generate_feeds(paths.data_path("generated"), month=month, records_per_feed=40)
    chosen = [next(f for f in generated if f.feed_id == feed) for feed in FEEDS]  # each feed's first delivery
    inbox = paths.data_path("landing", "inbox")
    rows_by_file = {d.path.name: d.rows for d in chosen}
    watched = set(drops.watched_inboxes(registry.load()))
    assert {str(inbox / d.department_id / d.feed_id) for d in chosen} <= watched, "the files go where it looks"

    try:
        processes.wait_for("the execution API answering", lambda: _execution_api_up(info["port"]), STARTUP_TIMEOUT)
        parsed = "SELECT count(*) FROM serialized_dag WHERE dag_id IN (:i, :m)"
        processes.wait_for(
            "both DAGs parsed by the dag-processor",
            lambda: _scalar(metadata, parsed, i=DAG_ID, m=MONTHLY_DAG_ID) == 2,
            STARTUP_TIMEOUT,
        )
        _airflow("dags", "unpause", "--treat-dag-id-as-regex", "--yes", f"^({DAG_ID}|{MONTHLY_DAG_ID})$")
        paused = "SELECT count(*) FROM dag WHERE is_paused AND dag_id IN (:i, :m)"
        assert _scalar(metadata, paused, i=DAG_ID, m=MONTHLY_DAG_ID) == 0
        # Unpausing starts each DAG's latest clock run (catchup=False), on an empty inbox: let them finish first,
        # so that the drop is landed by a run it started and timed without waiting behind them.
        processes.wait_for(
            "the clock runs that unpausing started finishing",
            lambda: all(_all_finished(_runs(metadata, d)) for d in (DAG_ID, MONTHLY_DAG_ID)),
            RUN_TIMEOUT,
        )
        clock_runs = _runs(metadata, DAG_ID) + _runs(metadata, MONTHLY_DAG_ID)
        assert {(r.run_type, r.state) for r in clock_runs} == {("scheduled", "success")}, clock_runs
        running = "SELECT count(*) FROM trigger WHERE classpath = :c AND triggerer_id IS NOT NULL"
        processes.wait_for(  # registered at the parse after the unpause, then taken up by the triggerer
            "the inbox watcher running in the triggerer",
            lambda: _scalar(metadata, running, c=WATCHER) == 1,
            STARTUP_TIMEOUT,
        )

        dropped = dt.datetime.now(dt.UTC)
        for delivery in chosen:
            target = inbox / delivery.department_id / delivery.feed_id / delivery.path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(delivery.path, target)  # keeps the mtime: the time of receipt, in the month
        processes.wait_for("an ingest run started by the drop", lambda: _runs(metadata, DAG_ID, dropped), RUN_TIMEOUT)
        run = _runs(metadata, DAG_ID, dropped)[0]
        processes.wait_for(
            f"run {run.run_id} finishing",
            lambda: _scalar(metadata, "SELECT state FROM dag_run WHERE id = :r", r=run.id) in ("success", "failed"),
            RUN_TIMEOUT,
        )
        run = next(r for r in _runs(metadata, DAG_ID, dropped) if r.id == run.id)

        with metadata.connect() as conn:
            tasks = conn.execute(
                sa.text("SELECT task_id, map_index, state, queue FROM task_instance WHERE run_id = :r AND dag_id = :d"),
                {"r": run.run_id, "d": DAG_ID},
            ).all()
        assert run.state == "success", f"run {run.run_id} ended {run.state}: {tasks}\n{processes.tails()}"
        assert run.run_type == "asset_triggered", "started by the watcher's asset event, not a person or the clock"
        assert {c.name for c in _consumed(metadata, run.id)} == {"citycredit_inbox"}
        events = _rows(
            metadata,
            "SELECT e.timestamp, e.extra FROM asset_event e JOIN asset a ON a.id = e.asset_id"
            " WHERE a.name = 'citycredit_inbox' AND e.timestamp > :t ORDER BY e.timestamp",
            t=dropped,
        )
        entries = [
            entry
            for _, extra in events
            for entry in (extra if isinstance(extra, dict) else json.loads(extra))["payload"]["entries"]
        ]
        assert sorted(entries) == sorted(f"{d.department_id}/{d.feed_id}/{d.path.name}" for d in chosen), (
            "the watcher fires once for each delivery, naming it"
        )
        ran = [t for t in tasks if t.state != "skipped"]
        assert {t.state for t in ran} == {"success"}, tasks
        # Small deliveries are loaded by their feed's task (tasks.ingest.land_feed_through): no per-batch task runs.
        assert {t.task_id for t in tasks if t.state == "skipped"} == {"batch.normalize", "batch.validate", "batch.load"}
        assert {t.queue for t in tasks} == {info["queue"]}, "every task went through this test's Celery queue"
        processes.wait_for(  # the worker records a task's Celery result just after the task reports its state
            "the Celery worker's result of every task instance",
            lambda: _scalar(  # every run's: the clock runs' and the monthly's too
                metadata,
                "SELECT count(*) >= (SELECT count(*) FROM task_instance WHERE state = 'success')"
                " AND bool_and(status = 'SUCCESS') FROM celery_taskmeta",
            ),
            60,
        )
        worker_log = processes.log("celery-worker")
        for t in ran:
            assert f"task_id='{t.task_id}'" in worker_log, f"{t.task_id} not executed by the Celery worker"

        wh = warehouse.engine(info["warehouse"])
        batches = [
            r._asdict()
            for r in _rows(
                wh,
                "SELECT b.source_name, b.status, b.status_reason, a.received, a.loaded, a.quarantined, a.duplicate,"
                " a.accounted_at FROM landing.batches b LEFT JOIN quality.batch_accounting a USING (batch_id)",
            )
        ]
        assert sorted(b["source_name"] for b in batches) == sorted(rows_by_file)
        for b in batches:
            assert b["status"] == "loaded", f"{b['source_name']}: {b['status']} {b['status_reason']}"
            assert b["received"] == rows_by_file[b["source_name"]]
            assert b["received"] == b["loaded"] + b["quarantined"] + b["duplicate"]
            assert b["loaded"] > 0
        assert not any(inbox.rglob("*.*")), "every delivery leaves the inbox"

        # The run emits citycredit_warehouse_core once for what the feeds' tasks loaded, after the last of them. A
        # monthly run that started after it computes every batch. It need not be a run created for that event: the
        # scheduler folds events that arrive while a run is queued into that run without linking them to it.
        loads = _rows(
            metadata,
            "SELECT e.timestamp, e.source_task_id FROM asset_event e JOIN asset a ON a.id = e.asset_id"
            " WHERE a.name = 'citycredit_warehouse_core' AND e.source_run_id = :r ORDER BY e.timestamp",
            r=run.run_id,
        )
        assert [e.source_task_id for e in loads] == ["pending_batches"], "one event for every feed's load"
        last_event = loads[-1].timestamp

        def monthly_run() -> sa.Row | None:
            runs = _runs(metadata, MONTHLY_DAG_ID, dropped)
            return next((r for r in runs if r.start_date is not None and r.start_date > last_event), None)

        processes.wait_for(
            "a monthly run started after the last load finishing",
            lambda: (r := monthly_run()) is not None and r.state in ("success", "failed"),
            RUN_TIMEOUT,
        )
        monthly = monthly_run()
        monthly_runs = _runs(metadata, MONTHLY_DAG_ID, dropped)
        assert monthly.state == "success", f"{monthly.run_id} ended {monthly.state}\n{processes.tails()}"
        assert monthly.run_type == "asset_triggered"
        assert {c.name for c in _consumed(metadata, monthly.id)} == {"citycredit_warehouse_core"}

        city_accuracy = _rows(
            wh,
            "SELECT numerator, denominator FROM mart.indicator_values WHERE month = :m AND scope = 'city'"
            " AND indicator = 'shuanggongshi_accuracy' AND dataset = 'all'",
            m=f"{month}-01",
        )
        expected = (sum(b["loaded"] for b in batches), sum(b["loaded"] + b["quarantined"] for b in batches))
        assert [tuple(r) for r in city_accuracy] == [expected], "the month's 双公示 accuracy counts the dropped rows"
        report = paths.data_path("reports", month, create=False) / f"质量报告_{month}.html"
        assert report.is_file() and report.stat().st_mtime > dropped.timestamp(), f"{report}: published anew"

        latencies = {
            "drop → watcher's asset event": (events[0].timestamp - dropped).total_seconds(),
            "drop → ingest run created": (run.created_at - dropped).total_seconds(),
            "drop → batches loaded": (max(b["accounted_at"] for b in batches) - dropped).total_seconds(),
            "drop → ingest run finished": (run.end_date - dropped).total_seconds(),
            "drop → monthly run finished": (monthly.end_date - dropped).total_seconds(),
        }
        for what, seconds in latencies.items():
            record_property(what, round(seconds, 1))
        print(
            f"\n#21 on the Celery stack ({len(chosen)} files, {sum(rows_by_file.values())} rows,"
            f" {len(monthly_runs)} monthly runs, load average {os.getloadavg()[0]:.1f}): "
            + "; ".join(f"{what} {seconds:.1f} s" for what, seconds in latencies.items())
        )

        # The reports plugin is mounted by the real api-server, behind Airflow's sign-in, and in the UI's navigation.
        assert _ui_get(info["port"], "/citycredit-reports/")[0] == 401
        token = _ui_token(info["port"])
        status, page = _ui_get(info["port"], "/citycredit-reports/", token)
        assert (status, "信用数据质量报告" in page) == (200, True), page[:500]
        status, plugins = _ui_get(info["port"], "/api/v2/plugins", token)
        assert status == 200 and "citycredit-reports" in plugins, plugins[:1000]
    except BaseException:
        print(processes.tails(80))
        raise
    finally:
        metadata.dispose()
        warehouse.engine(info["warehouse"]).dispose()
