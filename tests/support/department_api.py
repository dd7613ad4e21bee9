"""A department's JSON API served by a real local HTTP server, and the registry of an HTTP feed pulling it."""

from __future__ import annotations

import json
import time

import sqlalchemy as sa
import yaml
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from citycredit.feeds import registry

JTYS = ("平顶山市交通运输局", "11410400000166131P")
USCCS = ["914403001922038216", "91330100799655058B", "9144030071526726XG", "91230500MA1B3N1N2M"]
TOKEN = "dept-token-0001"


def penalty(i: int, updated_at: str) -> dict:
    """A 行政处罚 record as a department API sends it: CF_* keys, native numbers, its change time."""
    return {
        "CF_XDR_MC": f"平顶山市某某运输有限公司{i}",
        "CF_XDR_LB": "法人及非法人组织",
        "CF_XDR_SHXYM": USCCS[i % 4],
        "CF_FRDB": f"张{i}",
        "CF_WSH": f"平交罚〔2025〕{i}号",
        "CF_WFXW": "未按规定办理道路运输经营许可",
        "CF_SY": "经查，当事人未取得道路运输经营许可擅自从事道路运输经营",
        "CF_YJ": "《中华人民共和国道路运输条例》第六十三条",
        "CF_CFLB": "罚款",
        "CF_NR": "罚款2万元",
        "CF_NR_FK": 2,
        "CF_JDRQ": f"2025-09-{i % 28 + 1:02d}",
        "CF_YXQ": f"2025-10-{i % 28 + 1:02d}",
        "CF_GSJZQ": "2026-09-30",
        "CF_CFJG": JTYS[0],
        "CF_CFJGDM": JTYS[1],
        "CF_SJLY": JTYS[0],
        "CF_SJLYDM": JTYS[1],
        "updated_at": updated_at,
    }


class DepartmentApi:
    """A department's API: records changed after ``updated_since``, by page/size or by cursor, with faults.

    ``faults[page]`` lists what the next attempts at that page (page number, or 1-based cursor page) get:
    "500", "429" (Retry-After: 7), "timeout" (answers after 1.5 s), "truncated", "repeat" (page 1 again).
    """

    def __init__(self, records: list[dict], style: str = "page"):
        self.records, self.style = records, style
        self.faults: dict[int, list[str]] = {}
        self.queries: list[dict] = []

    def __call__(self, request: Request) -> Response:
        args = dict(request.args)
        self.queries.append(args)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Response("unauthorized", status=401)
        since = args.get("updated_since")
        rows = [r for r in self.records if since is None or r["updated_at"] > since]
        size = int(args["size"])
        start = (int(args["page"]) - 1) * size if self.style == "page" else int(args.get("cursor", 0))
        pending = self.faults.get(start // size + 1)
        fault = pending.pop(0) if pending else None
        if fault == "500":
            return Response("internal error", status=500)
        if fault == "429":
            return Response("slow down", status=429, headers={"Retry-After": "7"})
        if fault == "timeout":
            time.sleep(1.5)
        if fault == "repeat":
            start = 0
        body = {"code": 0, "data": {"items": rows[start : start + size]}}
        if self.style == "cursor":
            body["next_cursor"] = str(start + size) if start + size < len(rows) else None
        text = json.dumps(body, ensure_ascii=False)
        return Response(text[: len(text) // 2] if fault == "truncated" else text, content_type="application/json")


def http_feed_config(**options) -> dict:
    return {
        "id": "jtys_penalty_api",
        "kind": "http",
        "dataset": "penalty",
        "conn_id": "jtys_api",
        "path": "/api/v1/penalties",
        "records_path": "data.items",
        "page_size": 3,
        "auth": "token",
        "watermark": {"field": "updated_at", "param": "updated_since"},
        "timeout": 0.5,
        "retries": 3,
        "max_wait": 0.05,
        **options,
    }


def use_registry(tmp_path, monkeypatch, *feeds: dict) -> registry.Registry:
    data = {
        "city": {"name": "平顶山市", "timezone": "Asia/Shanghai"},
        "departments": [{"id": "jtys", "name": JTYS[0], "uscc": JTYS[1], "feeds": list(feeds)}],
    }
    path = tmp_path / "departments.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CITYCREDIT_REGISTRY", str(path))
    return registry.load()


def connect_api(monkeypatch, server: HTTPServer) -> None:
    conn = {"conn_type": "http", "host": server.host, "port": server.port, "password": TOKEN}
    monkeypatch.setenv("AIRFLOW_CONN_JTYS_API", json.dumps(conn))


def stored_records(engine, batch_id: int) -> list[dict]:
    with engine.connect() as conn:
        path = conn.execute(sa.text("SELECT stored_path FROM landing.batches WHERE batch_id = :b"), {"b": batch_id})
        lines = open(path.scalar(), encoding="utf-8").read().splitlines()  # noqa: SIM115
    return [json.loads(line) for line in lines]
