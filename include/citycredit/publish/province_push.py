"""The HTTP push of export batches to the provincial platform, chunk by chunk, each chunk acknowledged and recorded
before the next.

Where: the base URL (with user and password for HTTP basic auth) of the Airflow connection `citycredit_province`
(e.g. AIRFLOW_CONN_CITYCREDIT_PROVINCE=https://user:secret@credit.province.example/gateway), or outside Airflow
the variable CITYCREDIT_PROVINCE_URL in the same form. Nothing of it lives in the repository.

The contract with the province (export.yaml `api`):
- POST <base URL><api.path>, header `Idempotency-Key: <sender>-province-<batch uuid>-<chunk no>`, JSON body
  {"sender", "batch", "chunk", "chunks", "records": [{"id", "dataset", "action", "data"}]}: `id` is stable per
  record version and action, `dataset` XK / CF / MD, `action` the code of add / update / withdraw, `data` the
  provincial record (ID numbers masked).
- 2xx with {"receipt": "<id>", "rejected": [{"id", "reason"}]}: the chunk is taken; records not listed in
  `rejected` are accepted.
- The same Idempotency-Key again returns the first answer and changes nothing. A chunk is resent only when its
  acknowledgement was never recorded here (a timeout, a 5xx, or a crash between the answer and the recording),
  and it is resent byte for byte, so the province applies every record exactly once.
- 5xx, 429, timeouts and lost connections are retried with exponential backoff, a bounded number of times; any
  other answer fails the batch at once. A failed batch is resumed from its first unacknowledged chunk by the
  next run, before anything new is planned.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from citycredit.core import city, warehouse
from citycredit.publish import export
from citycredit.publish.export_format import Exclusions, Profile, load_exclusions, load_profile

log = logging.getLogger(__name__)

CONN_ID = "citycredit_province"
URL_ENV = "CITYCREDIT_PROVINCE_URL"
_ERROR_TEXT = 300


class PushFailed(RuntimeError):
    """A chunk could not be delivered; the message (Chinese, for staff) says why. The batch is resumable."""

    def __init__(self, message: str, attempts: int = 1):
        super().__init__(message)
        self.attempts = attempts


class NotConfigured(RuntimeError):
    """The push cannot run as configured: no endpoint, or one that is not a URL."""


class NoEndpoint(NotConfigured):
    """No endpoint is configured at all: the city hands the outbox files over by other means."""


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    auth: tuple[str, str] | None = None

    @classmethod
    def from_url(cls, url: str) -> Endpoint:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NotConfigured(f"省级平台接口地址无效：{cls(url).describe()}（应为 http(s)://主机/路径）")
        auth = None
        if parts.username:
            auth = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        return cls(urllib.parse.urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", "")), auth)

    def describe(self) -> str:
        """The URL without credentials, for messages."""
        parts = urllib.parse.urlsplit(self.base_url)
        return urllib.parse.urlunsplit((parts.scheme, parts.hostname or "", parts.path, "", ""))


def resolve_endpoint() -> Endpoint:
    url = os.environ.get(URL_ENV) or warehouse.airflow_connection_uri(CONN_ID)
    if not url:
        raise NoEndpoint(f"未配置省级平台接口：请设置 Airflow 连接 {CONN_ID} 或环境变量 {URL_ENV}")
    return Endpoint.from_url(url)


def _body(conn: sa.Connection, batch_id: int, chunk_no: int, chunks: int, profile: Profile) -> bytes:
    codes = {ds.name: ds.code for ds in profile.datasets.values()}
    rows = conn.execute(
        sa.text(
            "SELECT item_key, dataset, action, payload::text FROM export.items"
            " WHERE batch_id = :b AND chunk_no = :c ORDER BY item_id"
        ),
        {"b": batch_id, "c": chunk_no},
    ).all()
    records = [
        {"id": key, "dataset": codes[dataset], "action": profile.action_codes[action], "data": json.loads(payload)}
        for key, dataset, action, payload in rows
    ]
    body = {"sender": profile.sender, "batch": batch_id, "chunk": chunk_no, "chunks": chunks, "records": records}
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _short(text: str) -> str:
    from citycredit.core import privacy

    return privacy.mask_ids_in_text(text[:_ERROR_TEXT])


def _receipt(response, attempt: int) -> dict:
    try:
        receipt = response.json()
    except ValueError:
        receipt = None
    rejected = receipt.get("rejected", []) if isinstance(receipt, dict) else None
    valid = isinstance(rejected, list) and all(isinstance(r, dict) and "id" in r for r in rejected)
    if not valid or not receipt.get("receipt"):
        raise PushFailed(f"省级平台的应答不是有效回执（HTTP {response.status_code}）：{_short(response.text)}", attempt)
    return receipt


def send_chunk(
    session, url: str, key: str, body: bytes, profile: Profile, sleep: Callable[[float], None]
) -> tuple[dict, int]:
    """POST one chunk until it is acknowledged; (receipt, attempts). Raises PushFailed when the budget is spent."""
    import requests

    api = profile.api
    error = ""
    for attempt in range(1, api.attempts + 1):
        if attempt > 1:
            sleep(min(api.backoff * 2 ** (attempt - 2), api.max_backoff))
        try:
            response = session.post(
                url,
                data=body,
                headers={"Idempotency-Key": key, "Content-Type": "application/json; charset=utf-8"},
                timeout=(api.connect_timeout, api.read_timeout),
            )
        except requests.Timeout:
            error = f"省级平台接口超时（第 {attempt}/{api.attempts} 次尝试）"
        except requests.ConnectionError as exc:
            error = f"无法连接省级平台接口（第 {attempt}/{api.attempts} 次尝试）：{_short(str(exc))}"
        else:
            if response.ok:
                return _receipt(response, attempt), attempt
            error = f"省级平台接口返回 HTTP {response.status_code}（第 {attempt}/{api.attempts} 次尝试）：" + _short(
                response.text
            )
            if response.status_code < 500 and response.status_code != 429:
                raise PushFailed(error, attempt)
        log.warning("chunk %s: %s", key, error)
    raise PushFailed(error, api.attempts)


def record_receipt(engine: sa.Engine, batch_id: int, chunk_no: int, receipt: dict, attempts: int) -> int:
    """Record a chunk's acknowledgement and its items' outcome in one transaction; the number rejected.

    The province's texts are stored with ID numbers masked: they may quote the records they reject.
    """
    from citycredit.core import privacy

    receipt = json.loads(privacy.mask_ids_in_text(json.dumps(receipt, ensure_ascii=False)))
    rejected = {str(r["id"]): str(r.get("reason") or "未说明原因") for r in receipt.get("rejected", [])}
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE export.items SET status = CASE WHEN item_key = ANY(:keys) THEN 'rejected' ELSE 'accepted' END,"
                " province_reason = (CAST(:reasons AS jsonb)) ->> item_key"
                " WHERE batch_id = :b AND chunk_no = :c"
            ),
            {"b": batch_id, "c": chunk_no, "keys": list(rejected), "reasons": json.dumps(rejected, ensure_ascii=False)},
        )
        conn.execute(
            sa.text(
                "UPDATE export.chunks SET status = 'acknowledged', attempts = attempts + :n, last_error = NULL,"
                " receipt = CAST(:r AS jsonb), acknowledged_at = now() WHERE batch_id = :b AND chunk_no = :c"
            ),
            {"b": batch_id, "c": chunk_no, "n": attempts, "r": json.dumps(receipt, ensure_ascii=False)},
        )
    return len(rejected)


def _record_failure(engine: sa.Engine, batch_id: int, chunk_no: int, error: str, attempts: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE export.chunks SET attempts = attempts + :n, last_error = :e"
                " WHERE batch_id = :b AND chunk_no = :c"
            ),
            {"b": batch_id, "c": chunk_no, "n": attempts, "e": error},
        )
        conn.execute(
            sa.text(
                "UPDATE export.batches SET status = 'failed', last_error = :e, updated_at = now() WHERE batch_id = :b"
            ),
            {"b": batch_id, "e": f"第 {chunk_no} 块：{error}"},
        )


def push_batch(
    engine: sa.Engine,
    batch_id: int,
    endpoint: Endpoint,
    profile: Profile,
    session=None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Deliver the batch's unacknowledged chunks in order, then complete it."""
    import requests

    session = session or requests.Session()
    session.auth = endpoint.auth
    url = endpoint.base_url + profile.api.path
    with engine.connect() as conn:
        chunks = conn.execute(
            sa.text(
                "SELECT chunk_no, idempotency_key, status FROM export.chunks WHERE batch_id = :b ORDER BY chunk_no"
            ),
            {"b": batch_id},
        ).all()
    for chunk_no, key, status in chunks:
        if status == "acknowledged":
            continue
        with engine.connect() as conn:
            body = _body(conn, batch_id, chunk_no, len(chunks), profile)
        try:
            receipt, attempts = send_chunk(session, url, key, body, profile, sleep)
        except PushFailed as exc:
            _record_failure(engine, batch_id, chunk_no, str(exc), exc.attempts)
            raise
        rejected = record_receipt(engine, batch_id, chunk_no, receipt, attempts)
        log.info("export batch %s chunk %s/%s acknowledged (%s rejected)", batch_id, chunk_no, len(chunks), rejected)
    with engine.begin() as conn:
        export.complete_batch(conn, batch_id)


def push_to_province(
    engine: sa.Engine,
    as_of: datetime.date | None = None,
    profile: Profile | None = None,
    exclusions: Exclusions | None = None,
    endpoint: Endpoint | None = None,
    session=None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[export.BatchReport]:
    """Resume an unfinished batch, then plan and push what is new; the reports of the batches completed."""
    profile, exclusions, as_of = profile or load_profile(), exclusions or load_exclusions(), as_of or city.today()
    endpoint = endpoint or resolve_endpoint()
    done = []
    while (batch_id := export.plan_batch(engine, export.PROVINCE, as_of, profile, exclusions)) is not None:
        push_batch(engine, batch_id, endpoint, profile, session=session, sleep=sleep)
        done.append(export.report(engine, batch_id))
    return done
