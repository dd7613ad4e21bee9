"""The deadline alerts: each month, once a deadline of the watch has passed, the departments that missed it are named,
once (citycredit.indicators.deadlines: the data by the 20th, the 联合奖惩 and city cases by the 25th, the 联合奖惩
feedback by the 30th).

The alert goes through a pluggable notifier (indicators.yaml ``alerts``): a webhook (JSON POST with requests) or
e-mail through an Airflow SMTP connection. mart.deadline_alerts records each month and deadline checked, in the
transaction that sends, so a re-run sends nothing again and a failed send is retried by the next run.
"""

from __future__ import annotations

import json
import logging
import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import Protocol

import sqlalchemy as sa

from citycredit.core import city
from citycredit.core.months import month_start, previous_and_current
from citycredit.indicators import deadlines, definitions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    month: date
    deadline: datetime
    departments: list[dict]  # [{"id", "name", "missing"}]
    title: str = "信用信息报送"  # what was due

    @property
    def subject(self) -> str:
        return (
            f"【信用信息报送提醒】{self.month:%Y年%m月}{self.title}截止时间已过，{len(self.departments)}个部门未按时完成"
        )

    @property
    def body(self) -> str:
        names = "\n".join(f"  {i}. {d['name']}：{d['missing']}" for i, d in enumerate(self.departments, 1))
        return (
            f"截至{self.deadline:%Y年%m月%d日 %H:%M}（{self.title}截止时间），以下部门未按时完成：\n{names}\n"
            "请督促上述部门尽快办理。"
        )

    def payload(self) -> dict:
        return {
            "month": f"{self.month:%Y-%m}",
            "deadline": self.deadline.isoformat(),
            "title": self.title,
            "departments": self.departments,
            "subject": self.subject,
            "text": self.body,
        }


class Notifier(Protocol):
    name: str

    def send(self, alert: Alert) -> None: ...


class WebhookNotifier:
    """POSTs the alert as JSON; any answer other than 2xx is an error (the alert is then not recorded as sent)."""

    name = "webhook"

    def __init__(self, url: str, timeout: float = 10, headers: dict | None = None):
        self.url, self.timeout, self.headers = url, timeout, headers or {}

    def send(self, alert: Alert) -> None:
        import requests

        response = requests.post(self.url, json=alert.payload(), headers=self.headers, timeout=self.timeout)
        response.raise_for_status()


class SmtpNotifier:
    """Sends the alert as a plain-text e-mail."""

    name = "smtp"

    def __init__(self, host: str, port: int, sender: str, recipients: list[str], login: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 30):  # fmt: skip
        if not recipients:
            raise ValueError("SMTP alert: no recipients configured (indicators.yaml alerts.smtp.to)")
        self.host, self.port, self.sender, self.recipients = host, port, sender, recipients
        self.login, self.password, self.starttls, self.timeout = login, password, starttls, timeout

    @classmethod
    def from_connection(cls, conn_id: str, recipients: list[str]) -> SmtpNotifier:
        """From an Airflow connection: host, port, login, password; extra {"from": ..., "starttls": true}."""
        from airflow.sdk import Connection

        conn = Connection.get(conn_id)
        extra = conn.extra_dejson
        return cls(conn.host, conn.port or 25, extra.get("from") or conn.login, recipients, conn.login,
                   conn.password, bool(extra.get("starttls")))  # fmt: skip

    def send(self, alert: Alert) -> None:
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = alert.subject, self.sender, ", ".join(self.recipients)
        message.set_content(alert.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.login and self.password:
                smtp.login(self.login, self.password)
            smtp.send_message(message)


def _webhook_url(conn_id: str) -> tuple[str, dict]:
    """The URL of an Airflow HTTP connection (host may hold the whole URL) and its extra headers."""
    from airflow.sdk import Connection

    conn = Connection.get(conn_id)
    if conn.host and conn.host.startswith(("http://", "https://")):
        url = conn.host
    else:
        scheme = "http" if conn.conn_type == "http" and conn.port not in (None, 443) else "https"
        url = f"{scheme}://{conn.host}" + (f":{conn.port}" if conn.port else "")
    if conn.schema:
        url = url.rstrip("/") + "/" + conn.schema.lstrip("/")
    return url, conn.extra_dejson.get("headers") or {}


def configured_notifier() -> Notifier | None:
    """The notifier indicators.yaml ``alerts`` names; None (with a warning) while its Airflow connection is not
    set up, so the pipeline keeps running and the alert is logged instead."""
    spec = definitions.settings_file()["alerts"]
    kind = spec["notifier"]
    if kind not in ("webhook", "smtp"):
        raise ValueError(f"indicators.yaml: alerts.notifier: {kind!r} is not webhook or smtp")
    try:
        if kind == "webhook":
            url, headers = _webhook_url(spec["webhook"]["conn_id"])
            return WebhookNotifier(url, spec["webhook"].get("timeout_seconds", 10), headers)
        return SmtpNotifier.from_connection(spec["smtp"]["conn_id"], list(spec["smtp"].get("to") or []))
    except Exception as exc:  # noqa: BLE001 - a missing connection raises Airflow's own not-found error
        log.warning("deadline alert: %s notifier not usable (%s); the alert is only logged", kind, exc)
        return None


def check_deadline(
    engine: sa.Engine,
    month: str | date,
    notifier: Notifier | None = None,
    now: datetime | None = None,
    deadline: deadlines.Deadline | None = None,
) -> Alert | None:
    """After the month's deadline (by default the data deadline), once: name the departments that missed it
    (through ``notifier``, by default the configured one, when there are any) and record the check. Returns the
    alert sent, or None (before the deadline, already checked, or nobody missed it)."""
    first = month_start(month)
    deadline = deadline or deadlines.watched()[0]
    due = deadline.instant(first)
    if (now or datetime.now(UTC)) < due:
        return None
    alert = Alert(first, due, deadlines.missed(engine, deadline, first), deadline.title)
    if alert.departments and notifier is None:
        notifier = configured_notifier()
        if notifier is None:
            log.warning("%s\n%s", alert.subject, alert.body)
            return alert
    with engine.begin() as conn:
        recorded = conn.execute(
            sa.text(
                "INSERT INTO mart.deadline_alerts (month, kind, deadline, departments, notifier)"
                " VALUES (:m, :k, :d, CAST(:deps AS jsonb), :n) ON CONFLICT (month, kind) DO NOTHING RETURNING month"
            ),
            {
                "m": first,
                "k": deadline.kind,
                "d": due,
                "deps": json.dumps(alert.departments, ensure_ascii=False),
                "n": notifier.name if alert.departments and notifier is not None else "none",
            },
        ).scalar()
        if recorded is None or not alert.departments or notifier is None:  # None only without departments
            return None
        notifier.send(alert)  # an error here rolls the record back: the next run tries again
    log.info(
        "%s alert for %s sent by %s: %s",
        deadline.kind,
        f"{first:%Y-%m}",
        notifier.name,
        [d["id"] for d in alert.departments],
    )
    return alert


def watch(engine: sa.Engine, now: datetime | None = None, notifier: Notifier | None = None) -> list[str]:
    """The monthly DAG's check of every deadline of the previous and the current month (a run that missed a
    deadline catches up). Returns the ids of the departments named, once per deadline that named them."""
    now = now or datetime.now(UTC)
    zone = city.timezone()
    named = []
    for month in previous_and_current(now.astimezone(zone).date()):
        for deadline in deadlines.watched():
            alert = check_deadline(engine, month, notifier, now, deadline)
            named += [d["id"] for d in alert.departments] if alert else []
    return named
