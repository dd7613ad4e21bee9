"""HTTP feeds: a department's JSON API read page after page (page/size or cursor) into one delivery per pull.

- Base URL and credentials come from the feed's Airflow connection (host, port, schema http/https, login,
  password); the registry gives the path and the paging (`registry.HttpSource`). ``auth: token`` sends the
  connection's password as a Bearer token, ``auth: basic`` login and password.
- Each request is retried by urllib3's `Retry` on connection errors, timeouts, 429 (honouring Retry-After) and
  5xx, with exponential back-off; attempts, each wait (``max_wait``) and the whole pull (``time_limit``) are
  bounded.
- A page that still fails, a page that is not complete JSON, a page that repeats the previous one, a cursor seen
  before, or more than ``max_pages`` pages fail the whole pull: nothing is landed and the watermark stays.
- Incremental: the feed's watermark (the largest ``watermark.field`` value pulled so far) is sent as
  ``watermark.param``; the API returns what changed after it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from typing import cast

import requests
import sqlalchemy as sa
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from citycredit.feeds import pulls
from citycredit.feeds.landing import Landed
from citycredit.feeds.registry import Feed, HttpSource

RETRY_STATUSES = (429, 500, 502, 503, 504)
BACKOFF_FACTOR = 0.5  # waits 0.5 s, 1 s, 2 s, ... up to max_wait


def pull(engine: sa.Engine, feed: Feed) -> Landed | None:
    """Pull what is new from the feed's API and land it as one delivery; None when there is nothing new."""
    source = cast(HttpSource, feed.source)  # registry.load gives every http feed its HttpSource and conn_id
    return pulls.land(engine, feed, lambda since: records(feed, since), source.watermark_field)


def base_url(conn) -> str:
    host = (conn.host or "").rstrip("/")
    if "://" in host:
        return host
    scheme = next((s for s in (conn.schema, conn.conn_type) if s in ("http", "https")), "http")
    return f"{scheme}://{host}" + (f":{conn.port}" if conn.port else "")


def session_for(source: HttpSource, conn) -> requests.Session:
    retry = Retry(
        total=source.retries,
        connect=source.retries,
        read=source.retries,
        status=source.retries,
        redirect=3,
        allowed_methods={"GET"},
        status_forcelist=RETRY_STATUSES,
        backoff_factor=BACKOFF_FACTOR,
        backoff_max=source.max_wait,
        retry_after_max=source.max_wait,  # type: ignore[arg-type]  # urllib3 says int; it only compares and sleeps
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    if source.auth == "basic":
        session.auth = (conn.login or "", conn.password or "")
    elif source.auth == "token":
        session.headers["Authorization"] = f"Bearer {conn.password or ''}"
    return session


def records(feed: Feed, since: str | None) -> Iterator[dict]:
    """Every record of every page, in order; raises `pulls.PullFailed` when the pull cannot be completed."""
    source = cast(HttpSource, feed.source)
    conn = pulls.connection(cast(str, feed.conn_id))
    url = base_url(conn) + "/" + source.path.lstrip("/")
    fixed = dict(source.params)
    if since is not None and source.watermark_param:
        fixed[source.watermark_param] = since
    deadline = time.monotonic() + source.time_limit
    page, cursor, seen_cursors, previous = source.first_page, None, set(), None
    with session_for(source, conn) as session:
        for number in range(1, source.max_pages + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise pulls.PullFailed(f"接口拉取超过时限{source.time_limit:g}秒，停在第{number}页；本次拉取作废")
            query = {**fixed, source.size_param: source.page_size}
            if source.pagination == "page":
                query[source.page_param] = page
            elif cursor is not None:
                query[source.cursor_param] = cursor
            body = _get_json(session, url, query, min(source.timeout, remaining), number, source.retries)
            items = _records_of(body, source.records_path, number)
            fingerprint = hashlib.sha256(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()
            if items and fingerprint == previous:
                raise pulls.PullFailed(f"接口第{number}页与上一页内容完全相同：分页参数未生效或接口有误；本次拉取作废")
            previous = fingerprint
            yield from items
            if source.pagination == "page":
                if len(items) < source.page_size:
                    return
                page += 1
                continue
            cursor = _dig(body, source.next_cursor_path)
            if not items or cursor in (None, ""):
                return
            if not isinstance(cursor, str | int) or cursor in seen_cursors:
                raise pulls.PullFailed(
                    f"接口第{number}页给出的下一页游标{cursor!r}无效或已出现过：分页会无限循环；本次拉取作废"
                )
            seen_cursors.add(cursor)
    raise pulls.PullFailed(f"接口超过{source.max_pages}页仍未结束；本次拉取作废（可在departments.yaml中调大max_pages）")


def _get_json(session: requests.Session, url: str, query: dict, timeout: float, number: int, retries: int) -> object:
    try:
        response = session.get(url, params=query, timeout=timeout)
    except requests.RequestException as exc:
        cause = getattr(exc.args[0] if exc.args else None, "reason", exc)  # the last attempt's error
        timed_out = isinstance(exc, requests.Timeout) or isinstance(cause, urllib3.exceptions.TimeoutError)
        what = "等待响应超时" if timed_out else "请求失败"
        raise pulls.PullFailed(
            f"接口第{number}页{what}（已重试{retries}次）：{type(cause).__name__}；本次拉取作废"
        ) from exc
    if response.status_code != 200:
        hint = "（请检查Airflow连接中的凭据）" if response.status_code in (401, 403) else ""
        raise pulls.PullFailed(
            f"接口第{number}页返回HTTP {response.status_code}{hint}（可重试的错误已重试{retries}次）；本次拉取作废"
        )
    try:
        return response.json()
    except ValueError as exc:
        raise pulls.PullFailed(f"接口第{number}页的响应不是完整的JSON（可能被截断）；本次拉取作废") from exc


def _dig(body: object, path: str) -> object:
    """The value at a dotted path ("data.items"); "" is the body itself; None when absent."""
    for key in filter(None, path.split(".")):
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


def _records_of(body: object, path: str, number: int) -> list[dict]:
    items = _dig(body, path)
    where = f"“{path}”处" if path else ""
    if not isinstance(items, list):
        raise pulls.PullFailed(f"接口第{number}页的JSON{where}没有记录列表；本次拉取作废（请核对records_path）")
    if not all(isinstance(item, dict) for item in items):
        raise pulls.PullFailed(f"接口第{number}页的记录不全是JSON对象；本次拉取作废")
    return items
