"""The reporting-deadline alert: departments with nothing received by the month's deadline are named, once a month.

The deadline is indicators.yaml ``reporting_deadline`` (the 20th at 17:00 in the city's time zone unless configured
otherwise). A department has "received something" when any of its feeds delivered a file (new, repeated or
unreadable) between the first of the month and the deadline. The alert goes through a pluggable notifier
(indicators.yaml ``alerts``): a webhook (JSON POST with requests) or e-mail through an Airflow SMTP connection.
mart.deadline_alerts records each month checked, in the transaction that sends, so a re-run sends nothing again
and a failed send is retried by the next run.
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
from citycredit.feeds import registry
from citycredit.indicators import definitions, deliveries, periods

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    month: date
    deadline: datetime
    departments: list[dict]  # [{"id": ..., "name": ...}]

    @property
    def subject(self) -> str:
        return f"【信用信息报送提醒】{self.month:%Y年%m月}报送截止时间已过，{len(self.departments)}个部门未报送"

    @property
    def body(self) -> str:
        names = "\n".join(f"  {i}. {d['name']}" for i, d in enumerate(self.departments, 1))
        return (
            f"截至{self.deadline:%Y年%m月%d日 %H:%M}（报送截止时间），"
            f"以下部门本月尚未向市公共信用信息平台报送任何数据：\n{names}\n请督促上述部门尽快报送。"
        )

    def payload(self) -> dict:
        return {
            "month": f"{self.month:%Y-%m}",
            "deadline": self.deadline.isoformat(),
            "departments": self.departments,
            "title": self.subject,
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


def silent_departments(engine: sa.Engine, month: str | date) -> list[dict]:
    """Departments of the registry that reported nothing (``deliveries.reported``) from the first of the month to
    its deadline."""
    params = {**periods.month_params(month), "deadline": periods.reporting_deadline(month), **deliveries.params()}
    with engine.connect() as conn:
        delivered = set(
            conn.execute(
                sa.text(
                    deliveries.reported("DISTINCT department_id", "received_at >= :start AND received_at <= :deadline")
                ),
                params,
            ).scalars()
        )
    return [{"id": d.id, "name": d.name} for d in registry.load().departments if d.feeds and d.id not in delivered]


def check_deadline(
    engine: sa.Engine, month: str | date, notifier: Notifier | None = None, now: datetime | None = None
) -> Alert | None:
    """After the month's deadline, once: name the departments that sent nothing (through ``notifier``, by default
    the configured one, when there are any) and record the check. Returns the alert sent, or None (before the
    deadline, already checked, or every department delivered)."""
    first = month_start(month)
    deadline = periods.reporting_deadline(first)
    if (now or datetime.now(UTC)) < deadline:
        return None
    alert = Alert(first, deadline, silent_departments(engine, first))
    if alert.departments and notifier is None:
        notifier = configured_notifier()
        if notifier is None:
            log.warning("%s\n%s", alert.subject, alert.body)
            return alert
    with engine.begin() as conn:
        recorded = conn.execute(
            sa.text(
                "INSERT INTO mart.deadline_alerts (month, deadline, departments, notifier)"
                " VALUES (:m, :d, CAST(:deps AS jsonb), :n) ON CONFLICT (month) DO NOTHING RETURNING month"
            ),
            {
                "m": first,
                "d": deadline,
                "deps": json.dumps(alert.departments, ensure_ascii=False),
                "n": notifier.name if alert.departments and notifier is not None else "none",
            },
        ).scalar()
        if recorded is None or not alert.departments or notifier is None:  # None only without departments
            return None
        notifier.send(alert)  # an error here rolls the record back: the next run tries again
    log.info(
        "deadline alert for %s sent by %s: %s", f"{first:%Y-%m}", notifier.name, [d["id"] for d in alert.departments]
    )
    return alert


def watch(engine: sa.Engine, now: datetime | None = None, notifier: Notifier | None = None) -> list[str]:
    """The monthly DAG's check of the previous and the current month (a run that missed the deadline catches
    up). Returns the ids of the departments named."""
    now = now or datetime.now(UTC)
    zone = city.timezone()
    named = []
    for month in previous_and_current(now.astimezone(zone).date()):
        alert = check_deadline(engine, month, notifier, now)
        named += [d["id"] for d in alert.departments] if alert else []
    return named
