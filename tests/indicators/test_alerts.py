"""The reporting-deadline alert against real local servers: a webhook (pytest-httpserver) and an SMTP server."""

from __future__ import annotations

import email
import email.policy
import json
import socketserver
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
import sqlalchemy as sa
from support.indicator_rows import accounted, batch, local, record

from citycredit.feeds import registry
from citycredit.indicators import alerts, deadlines

pytestmark = pytest.mark.db
SEPTEMBER = "2025-09"


@pytest.fixture
def deliveries(engine):
    """What each department sent in September; only a new file that loaded rows, or is still loading, reports."""
    with engine.begin() as conn:
        accounted(conn, batch(conn, "scjg", "license", "2025-09-01 00:00"), loaded=1)
        batch(conn, "sthj", "penalty", "2025-09-20 17:00", outcome="rejected")  # in time, but unreadable
        accounted(conn, batch(conn, "jtys", "license", "2025-09-20 17:05"), loaded=1)  # five minutes late
        accounted(conn, batch(conn, "zjj", "license", "2025-08-31 23:59"), loaded=1)  # last month's
        accounted(conn, batch(conn, "zjj", "license", "2025-09-10 10:00"), quarantined=3)  # every row wrong
        accounted(conn, batch(conn, "yjgl", "penalty", "2025-08-10 10:00"), loaded=1)
        batch(conn, "yjgl", "penalty", "2025-09-10 10:00", outcome="duplicate")  # August's file sent again
        pending = batch(conn, "fgw", "license", "2025-09-20 16:59")  # landed in time, loading after the deadline
        conn.execute(sa.text("UPDATE landing.batches SET status = 'validated' WHERE batch_id = :b"), {"b": pending})
    return engine


NOTHING = "本月尚未向市公共信用信息平台报送任何数据"
NAMED = [
    {"id": "sthj", "name": "平顶山市生态环境局", "missing": NOTHING},
    {"id": "jtys", "name": "平顶山市交通运输局", "missing": NOTHING},
    {"id": "zjj", "name": "平顶山市住房和城乡建设局", "missing": NOTHING},
    {"id": "yjgl", "name": "平顶山市应急管理局", "missing": NOTHING},
]
EVERY_DEPARTMENT = [d.id for d in registry.load().departments]


def recorded(engine, kind: str = "data") -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT month::text, departments, notifier FROM mart.deadline_alerts WHERE kind = :k ORDER BY 1"),
            {"k": kind},
        ).all()


def test_departments_with_nothing_by_the_deadline_are_named_once(deliveries, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_json({"errcode": 0})
    notifier = alerts.WebhookNotifier(httpserver.url_for("/hook"))

    assert alerts.check_deadline(deliveries, SEPTEMBER, notifier, now=local("2025-09-20 16:59")) is None
    assert httpserver.log == [] and recorded(deliveries) == []

    alert = alerts.check_deadline(deliveries, SEPTEMBER, notifier, now=local("2025-09-20 17:00"))
    assert alert.departments == NAMED
    ((request, _),) = httpserver.log
    body = request.get_json()
    assert body["month"] == "2025-09" and body["departments"] == NAMED
    assert "平顶山市应急管理局：本月尚未向市公共信用信息平台报送任何数据" in body["text"]
    assert "2025年09月20日 17:00（信用信息报送截止时间）" in body["text"]
    assert recorded(deliveries) == [("2025-09-01", NAMED, "webhook")]

    assert alerts.check_deadline(deliveries, SEPTEMBER, notifier, now=local("2025-09-21 09:00")) is None
    assert len(httpserver.log) == 1


def test_a_failed_send_is_not_recorded_and_the_next_run_sends_it(deliveries, httpserver):
    httpserver.expect_oneshot_request("/hook").respond_with_data("busy", status=503)
    httpserver.expect_request("/hook").respond_with_json({})
    notifier = alerts.WebhookNotifier(httpserver.url_for("/hook"))
    with pytest.raises(requests.HTTPError):
        alerts.check_deadline(deliveries, SEPTEMBER, notifier, now=local("2025-09-21 09:00"))
    assert recorded(deliveries) == []
    assert alerts.check_deadline(deliveries, SEPTEMBER, notifier, now=local("2025-09-21 10:00")).departments == NAMED
    assert len(httpserver.log) == 2 and len(recorded(deliveries)) == 1


def test_watch_catches_up_on_last_month_and_waits_for_this_months_deadline(deliveries, httpserver, monkeypatch):
    """Through the configured notifier: the webhook URL comes from the Airflow connection."""
    monkeypatch.setenv("AIRFLOW_CONN_CITYCREDIT_ALERT_WEBHOOK", httpserver.url_for("/hook"))
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    named = alerts.watch(deliveries, now=local("2025-10-01 06:00"))
    # September's deadlines, in their order: the data (20th), then the 联合奖惩 cases (25th: scjg and fgw have such
    # a feed and sent nothing), the city's cases (25th: fgw); no 联合奖惩 case was reported, so none awaits feedback.
    assert named == [d["id"] for d in NAMED] + ["scjg", "fgw", "fgw"]
    assert [r[0] for r in recorded(deliveries)] == ["2025-09-01"]  # October's deadlines are still ahead
    assert recorded(deliveries, "joint_sanction_feedback") == [("2025-09-01", [], "none")]


@pytest.fixture
def cases(engine):
    """September's 联合奖惩 cases and the city's own cases, and when they were fed back."""
    with engine.begin() as conn:
        scjg = batch(conn, "scjg", "joint_sanction", "2025-09-10 10:00")
        accounted(conn, scjg, loaded=2)
        for row, fed_back in ((2, "2025-09-29"), (3, None)):
            record(conn, "joint_sanction", scjg, row, jc_bh=f"JC{row}", jc_zt_mc="某公司", jc_fkrq=fed_back)
        fgw = batch(conn, "fgw", "joint_sanction", "2025-09-25 17:30")  # half an hour after the 25th's deadline
        accounted(conn, fgw, loaded=1)
        record(conn, "joint_sanction", fgw, 2, jc_bh="JC-F", jc_zt_mc="某公司", jc_fkrq="2025-10-02")  # after the 30th
        october = batch(conn, "fgw", "joint_sanction", "2025-10-01 09:00")
        accounted(conn, october, loaded=1)
        record(conn, "joint_sanction", october, 2, jc_bh="JC-O", jc_zt_mc="某公司")  # October's case
        accounted(conn, batch(conn, "fgw", "case_register", "2025-09-25 16:00"), loaded=1)
    return engine


def test_the_25th_names_who_reported_no_cases_and_the_30th_the_cases_not_fed_back(cases, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    notifier = alerts.WebhookNotifier(httpserver.url_for("/hook"))
    watched = {d.kind: d for d in deadlines.watched()}

    joint = watched["joint_sanction_cases"]
    assert alerts.check_deadline(cases, SEPTEMBER, notifier, local("2025-09-25 16:59"), joint) is None
    alert = alerts.check_deadline(cases, SEPTEMBER, notifier, local("2025-09-25 17:00"), joint)
    fgw = {"id": "fgw", "name": "平顶山市发展和改革委员会", "missing": "本月尚未上报联合奖惩案例"}
    assert alert.departments == [fgw]
    assert alert.subject == "【信用信息报送提醒】2025年09月联合奖惩案例上报截止时间已过，1个部门未按时完成"
    city_cases = watched["city_cases"]
    assert alerts.check_deadline(cases, SEPTEMBER, notifier, local("2025-09-25 17:00"), city_cases) is None
    assert recorded(cases, "city_cases") == [("2025-09-01", [], "none")]  # fgw reported its cases at 16:00

    feedback = watched["joint_sanction_feedback"]
    assert alerts.check_deadline(cases, SEPTEMBER, notifier, local("2025-09-30 16:59"), feedback) is None
    alert = alerts.check_deadline(cases, SEPTEMBER, notifier, local("2025-09-30 17:00"), feedback)
    assert [(d["id"], d["missing"]) for d in alert.departments] == [
        ("scjg", "本月上报的联合奖惩案例尚未反馈至国家联合奖惩系统（1件）"),
        ("fgw", "本月上报的联合奖惩案例尚未反馈至国家联合奖惩系统（1件）"),
    ]
    assert "2025年09月30日 17:00（联合奖惩案例反馈国家平台截止时间）" in alert.body
    assert [r.get_json()["title"] for r, _ in httpserver.log] == ["联合奖惩案例上报", "联合奖惩案例反馈国家平台"]


def test_a_deadline_past_the_months_end_is_its_last_day():
    feedback = {d.kind: d for d in deadlines.watched()}["joint_sanction_feedback"]
    assert feedback.instant("2026-02") == local("2026-02-28 17:00")
    assert feedback.instant("2025-09") == local("2025-09-30 17:00")


def test_without_a_notifier_connection_the_alert_is_logged_and_checked_again_later(deliveries, caplog, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_CITYCREDIT_ALERT_WEBHOOK", raising=False)
    # caplog's handler on the module's own logger too: in a worker where an earlier test had set up Airflow's logging,
    # caplog on the root logger caught nothing while the warning was printed.
    alerts.log.addHandler(caplog.handler)
    try:
        alert = alerts.check_deadline(deliveries, SEPTEMBER, now=local("2025-09-21 09:00"))
    finally:
        alerts.log.removeHandler(caplog.handler)
    assert alert.departments == NAMED
    assert "平顶山市交通运输局" in caplog.text
    assert recorded(deliveries) == []


def test_a_month_where_everyone_delivered_is_recorded_without_a_message(engine, httpserver):
    with engine.begin() as conn:
        for department in EVERY_DEPARTMENT:
            accounted(conn, batch(conn, department, "penalty", "2025-09-10 10:00"), loaded=1)
    notifier = alerts.WebhookNotifier(httpserver.url_for("/hook"))
    assert alerts.check_deadline(engine, SEPTEMBER, notifier, now=local("2025-09-21 09:00")) is None
    assert httpserver.log == []
    assert recorded(engine) == [("2025-09-01", [], "none")]


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message and keep it in ``server.messages``."""

    def handle(self):
        self.wfile.write(b"220 localhost\r\n")
        while line := self.rfile.readline():
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                self.server.messages.append(email.message_from_bytes(data, policy=email.policy.default))
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_alert_by_e_mail_through_an_smtp_connection(deliveries, smtp_server, monkeypatch):
    host, port = smtp_server.server_address
    monkeypatch.setenv("AIRFLOW_CONN_CITYCREDIT_ALERT_SMTP", f"smtp://{host}:{port}/?from=xyb%40example.cn")
    notifier = alerts.SmtpNotifier.from_connection("citycredit_alert_smtp", ["duty@example.cn"])
    alerts.check_deadline(deliveries, SEPTEMBER, notifier, now=local("2025-09-21 09:00"))
    (message,) = smtp_server.messages
    assert message["To"] == "duty@example.cn" and message["From"] == "xyb@example.cn"
    assert "信用信息报送截止时间已过，4个部门未按时完成" in message["Subject"]
    assert "平顶山市住房和城乡建设局" in message.get_content()
    assert recorded(deliveries)[0][2] == "smtp"


@pytest.mark.dag
def test_the_monthly_dag_computes_the_month_and_sends_the_deadline_alert(deliveries, run_dag, httpserver, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_CITYCREDIT_ALERT_WEBHOOK", httpserver.url_for("/hook"))
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    run_dag("citycredit_monthly", "--conf", json.dumps({"month": SEPTEMBER}))

    with deliveries.connect() as conn:
        reported = conn.execute(
            sa.text(
                "SELECT numerator FROM mart.indicator_values WHERE month = '2025-09-01'"
                " AND indicator = 'shuanggongshi_reported' AND scope = 'city' AND dataset = 'all'"
            )
        ).scalar()
        scored = conn.execute(sa.text("SELECT count(*) FROM mart.scorecard_totals WHERE month = '2025-09-01'")).scalar()
    assert (reported, scored) == (0, len(EVERY_DEPARTMENT))  # no rows in core; every department is scored
    # The run checks the previous and the current month of the day it runs: each deadline that has passed is
    # checked once; the data deadline names every department (nothing was delivered then), the cases' deadlines
    # those with such a feed, and no 联合奖惩 case awaits feedback.
    now = datetime.now(UTC)
    current = now.astimezone(ZoneInfo("Asia/Shanghai")).date().replace(day=1)
    months = [(current - timedelta(days=1)).replace(day=1), current]
    passed = [(m, d) for m in months for d in deadlines.watched() if d.instant(m) <= now]
    with deliveries.connect() as conn:
        checked = conn.execute(sa.text("SELECT month, kind FROM mart.deadline_alerts ORDER BY 1, 2")).all()
    assert checked == sorted((m, d.kind) for m, d in passed)
    departments = registry.load().departments
    with_feed = {
        d.kind: sum(any(not d.datasets or f.dataset in d.datasets for f in dept.feeds) for dept in departments)
        for m, d in passed
        if d.check == deadlines.REPORTED
    }
    named = [(request.get_json()["title"], len(request.get_json()["departments"])) for request, _ in httpserver.log]
    assert named == [(d.title, with_feed[d.kind]) for m, d in passed if d.check == deadlines.REPORTED]
    assert with_feed["data"] == len(EVERY_DEPARTMENT)
