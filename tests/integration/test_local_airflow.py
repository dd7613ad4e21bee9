"""`make up` / `make down` (`citycredit up` / `citycredit down`): the local Airflow on the demo's warehouse.

Run as a user runs them, as commands, on a fresh data directory: the printed URL and sign-in must open the REST API,
which must list our three DAGs and no example, and the reports plugin's page; a second `up` says it runs already;
`down` leaves no process of the services and stops the embedded warehouse. A file dropped in an inbox is loaded by
a run the asset watcher started, with nobody triggering the ingest. Starting four Airflow services takes
one to two minutes on a loaded 2-core machine.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest
from support.ports import free_port

from citycredit.core import paths

CITYCREDIT = str(Path(sys.executable).with_name("citycredit"))
DAG_IDS = ["citycredit_export", "citycredit_ingest", "citycredit_monthly"]
PARSE_TIMEOUT = 180
DROP_TIMEOUT = 240  # measured: 46 s from the drop to the loaded batch on a loaded 2-core machine


def _citycredit(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW") and k != "CITYCREDIT_WAREHOUSE_URL"}
    env["CITYCREDIT_HOME"] = str(home)
    return subprocess.run([CITYCREDIT, *args], env=env, capture_output=True, text=True, timeout=600)


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _token(url: str, user: str, password: str) -> str:
    body = json.dumps({"username": user, "password": password}).encode()
    request = urllib.request.Request(f"{url}/auth/token", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["access_token"]


def _sessions_alive(pids: list[int]) -> list[str]:
    alive = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        try:
            if os.getsid(process.pid) in pids:
                alive.append(" ".join(process.info["cmdline"] or []))
        except OSError:
            continue
    return alive


@pytest.mark.distributed
@pytest.mark.db
def test_up_serves_our_dags_and_the_reports_plugin_and_down_stops_everything(tmp_path, page):
    home = tmp_path / "home"
    port = free_port()
    up = _citycredit(home, "up", "--port", str(port))
    pids: list[int] = []
    cleaned = None
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        url = re.search(r"running at (http://\S+)", up.stdout).group(1)
        assert url == f"http://127.0.0.1:{port}"
        assert f"front door   {url}/citycredit-web/" in up.stdout
        user, password = re.search(r"sign in as\s+(\S+) / (\S+)", up.stdout).groups()
        pids = [int(p) for p in re.findall(r"\(pid (\d+)\)", up.stdout)]
        assert len(pids) == 4 and all(psutil.pid_exists(p) for p in pids)

        again = _citycredit(home, "up", "--port", str(port))
        assert again.returncode == 0 and "already running" in again.stdout, again.stdout + again.stderr
        assert [int(p) for p in re.findall(r"\(pid (\d+)\)", again.stdout)] == pids

        assert _get(f"{url}/api/v2/dags")[0] == 401, "the REST API asks for a sign-in"
        token = _token(url, user, password)
        deadline = time.monotonic() + PARSE_TIMEOUT
        while True:
            status, body = _get(f"{url}/api/v2/dags?limit=100", token)
            assert status == 200, body[:500]
            listed = sorted(d["dag_id"] for d in json.loads(body)["dags"])
            if listed == DAG_IDS or time.monotonic() > deadline:
                break
            time.sleep(3)
        assert listed == DAG_IDS, "our three DAGs and no example DAG"

        status, body = _get(f"{url}/api/v2/plugins", token)
        assert status == 200 and "citycredit_reports" in [p["name"] for p in json.loads(body)["plugins"]]
        assert _get(f"{url}/citycredit-reports/")[0] == 401
        status, index = _get(f"{url}/citycredit-reports/", token)
        assert (status, "信用数据质量报告" in index) == (200, True), index[:500]
        status, door = _get(f"{url}/citycredit-web/reports")  # without the UI's cookie: our own sign-in, mounted
        assert status == 200 and 'action="/citycredit-web/login"' in door, door[:500]

        _sign_in_and_browse(page, url, user, password)

        cfg = (home / "airflow" / "airflow.cfg").read_text(encoding="utf-8")  # the home the demo prints
        assert f"dags_folder = {paths.DAGS_DIR}" in cfg and "load_examples = False" in cfg
        assert f"plugins_folder = {paths.PLUGINS_DIR}" in cfg
        assert (home / "pg" / "postmaster.pid").exists(), "the embedded warehouse runs for the tasks"
        cleaned = _make_clean(tmp_path, home)
    finally:
        if cleaned is None or cleaned.returncode != 0:
            _citycredit(home, "down")  # the test failed half-way: leave nothing running
    assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
    assert "embedded warehouse" in cleaned.stdout and "scheduler" in cleaned.stdout, "make clean stops first"
    assert not home.exists(), "then deletes the data directory"
    assert _sessions_alive(pids) == [], "no process of the services is left"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert _citycredit(home, "down").stdout.strip() == "nothing was running"


@pytest.mark.distributed
@pytest.mark.db
def test_a_file_dropped_in_an_inbox_is_loaded_without_anyone_triggering_the_ingest(tmp_path):
    """#21: the asset watcher in the triggerer sees the drop and the scheduler starts the ingest on its own."""
    import sqlalchemy as sa

    from citycredit.core import warehouse

    home = tmp_path / "home"  # also this process's CITYCREDIT_HOME (conftest): the same embedded warehouse
    up = _citycredit(home, "up", "--port", str(free_port()))
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        url = re.search(r"running at (http://\S+)", up.stdout).group(1)
        token = _token(url, *re.search(r"sign in as\s+(\S+) / (\S+)", up.stdout).groups())
        deadline = time.monotonic() + PARSE_TIMEOUT
        while _get(f"{url}/api/v2/dags/citycredit_ingest", token)[0] != 200 and time.monotonic() < deadline:
            time.sleep(3)
        unpause = urllib.request.Request(
            f"{url}/api/v2/dags/citycredit_ingest",
            data=b'{"is_paused": false}',
            method="PATCH",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        urllib.request.urlopen(unpause, timeout=10).close()
        before = _ingest_runs_once_idle(url, token)  # unpausing starts the last daily run: let it finish first
        inbox = home / "landing" / "inbox" / "scjg" / "scjg_license"
        inbox.mkdir(parents=True, exist_ok=True)
        (inbox / "许可.csv").write_bytes((Path(__file__).parents[1] / "data/bad/control_good_license.csv").read_bytes())
        dropped, loaded = time.monotonic(), None
        while loaded is None and time.monotonic() < dropped + DROP_TIMEOUT:
            time.sleep(3)
            with warehouse.engine().connect() as conn:
                loaded = conn.execute(sa.text("SELECT batch_id FROM landing.batches WHERE status = 'loaded'")).scalar()
        assert loaded is not None, f"no batch loaded {DROP_TIMEOUT} s after the drop"
        started = [r for r in _ingest_runs(url, token) if r["dag_run_id"] not in before]
        assert [r["run_type"] for r in started] == ["asset_triggered"]
        # The small file was loaded by the task that landed it; the run tells the monthly DAG's asset so once every
        # feed's task has ended.
        events, query = [], f"{url}/api/v2/assets/events?source_run_id={quote(started[0]['dag_run_id'])}"
        while not events and time.monotonic() < dropped + DROP_TIMEOUT:
            status, body = _get(query, token)
            assert status == 200, body[:500]
            events = [(e["name"], e["source_task_id"]) for e in json.loads(body)["asset_events"]]
            time.sleep(0 if events else 2)
        assert events == [("citycredit_warehouse_core", "pending_batches")]
    finally:
        _citycredit(home, "down")


def _ingest_runs(url: str, token: str) -> list[dict]:
    status, body = _get(f"{url}/api/v2/dags/citycredit_ingest/dagRuns", token)
    assert status == 200, body[:500]
    return json.loads(body)["dag_runs"]


def _ingest_runs_once_idle(url: str, token: str) -> set[str]:
    """The ids of the ingest's runs once none has been queued or running for 20 s (the scheduler's loop is a few
    seconds)."""
    idle_since, deadline = time.monotonic(), time.monotonic() + DROP_TIMEOUT
    while time.monotonic() - idle_since < 20 and time.monotonic() < deadline:
        time.sleep(2)
        runs = _ingest_runs(url, token)
        if any(r["state"] in ("queued", "running") for r in runs):
            idle_since = time.monotonic()
    return {r["dag_run_id"] for r in runs}


def _sign_in_and_browse(page, url: str, user: str, password: str) -> None:
    """What an operator does first, in the browser at an office screen's size: sign in with what `up` printed,
    see our three DAGs (and nothing else), and open the reports from the navigation, shown inside the UI."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{url}/")
    page.wait_for_url("**/auth/login**", timeout=30_000)  # the UI asks for a sign-in
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/auth/login" not in u, timeout=30_000)
    page.goto(f"{url}/dags")
    page.get_by_text("citycredit_monthly").first.wait_for(timeout=60_000)
    assert page.get_by_text("3 Dags").is_visible()
    for dag_id in DAG_IDS:
        assert page.get_by_role("link", name=dag_id).is_visible()
    page.get_by_role("button", name="Browse").click()
    page.get_by_text("信用数据质量报告").click()
    frame = page.frame_locator("iframe[title='信用数据质量报告']")  # the plugin's page, inside the UI
    expect(frame.locator("h1")).to_have_text("信用数据质量报告", timeout=30_000)
    assert "尚未生成任何报告" in frame.locator("body").inner_text()
    assert page.url.startswith(f"{url}/plugin/citycredit-reports"), page.url

    # The web front door, mounted in the api-server: the Airflow sign-in is the operator's sign-in there.
    page.get_by_role("button", name="Browse").click()
    page.get_by_text("公共信用信息平台").click()
    door = page.frame_locator("iframe[title='公共信用信息平台']")
    expect(door.locator("h1")).to_have_text("公共信用信息报告", timeout=60_000)
    assert f"airflow:{user}（管理员）" in door.locator("header").inner_text()
    door.locator("#q").fill("没有记录的测试公司")
    door.get_by_role("button", name="查询").click()  # a form POST with the session's CSRF token, inside the frame
    expect(door.locator(".refusal")).to_contain_text("未找到主体“没有记录的测试公司”", timeout=30_000)
    door.get_by_role("link", name="审计日志").click()
    expect(door.locator("h1")).to_have_text("审计日志", timeout=30_000)
    logged = door.locator("table").inner_text()
    assert f"airflow:{user}" in logged and "Airflow 界面登录" in logged and "没有记录的测试公司" in logged
    assert page.url.startswith(f"{url}/plugin/citycredit-web"), page.url
    assert not [m for m in page.messages if m.startswith("pageerror")], page.messages


def _make_clean(tmp_path: Path, home: Path) -> subprocess.CompletedProcess:
    """`make clean` with a stand-in virtualenv (so that the real one stays), whose citycredit is the real one."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "citycredit").symlink_to(CITYCREDIT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    return subprocess.run(
        ["make", "-C", str(paths.PROJECT_ROOT), "clean", f"VENV={venv}", f"CITYCREDIT_HOME={home}"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_homes_airflow_cfg_gets_our_settings_and_keeps_airflows_own(tmp_path, monkeypatch):
    from citycredit.core import airflow_env

    cfg = tmp_path / "airflow.cfg"
    cfg.write_text(
        "[core]\ndags_folder = /somewhere/dags\nload_examples = True\nfernet_key = kept=\n"
        "[api_auth]\njwt_secret = airflows-own\n[webserver]\nbase_url = http://x:1/%%(a)s\n",
        encoding="utf-8",
    )
    airflow_env.write_config(cfg)
    written = configparser.ConfigParser(interpolation=None)
    written.read(cfg, encoding="utf-8")
    assert written["core"]["dags_folder"] == str(paths.DAGS_DIR) and written["core"]["load_examples"] == "False"
    assert written["core"]["plugins_folder"] == str(paths.PLUGINS_DIR)
    assert written["core"]["default_timezone"] == "Asia/Shanghai"
    assert (written["core"]["fernet_key"], written["api_auth"]["jwt_secret"]) == ("kept=", "airflows-own")
    assert written["webserver"]["base_url"] == "http://x:1/%%(a)s", "values are kept exactly as written"


@pytest.mark.dag
def test_an_airflow_home_set_elsewhere_keeps_its_own_airflow_cfg(tmp_path, monkeypatch):
    from citycredit.core import airflow_env

    elsewhere = tmp_path / "my-airflow"
    elsewhere.mkdir()
    (elsewhere / "airflow.cfg").write_text("[core]\ndags_folder = /mine\n", encoding="utf-8")
    monkeypatch.setenv("AIRFLOW_HOME", str(elsewhere))
    airflow_env.initialize()
    assert (elsewhere / "airflow.cfg").read_text(encoding="utf-8") == "[core]\ndags_folder = /mine\n"
    assert f"dags_folder = {paths.DAGS_DIR}" in (airflow_env.home() / "airflow.cfg").read_text(encoding="utf-8")
