"""HTTP feeds against a real local HTTP server: paging, retries, faults, watermarks, one delivery per pull."""

from __future__ import annotations

import json
import time
import types

import pytest
import sqlalchemy as sa
import urllib3.util.retry
from support.dags import ingest_dagbag
from support.department_api import (
    DepartmentApi,
    connect_api,
    http_feed_config,
    penalty,
    stored_records,
    use_registry,
)
from werkzeug import Request, Response

from citycredit.core import paths
from citycredit.feeds import http, pulls, registry
from citycredit.tasks import ingest

pytestmark = pytest.mark.db

@pytest.fixture
def api(server, tmp_path, monkeypatch):
    """The API with 7 records and an http feed pulling it page by page (3 a page)."""
    api = DepartmentApi([penalty(i, f"2025-09-{i + 1:02d} 10:00:00") for i in range(7)])
    server.expect_request("/api/v1/penalties").respond_with_handler(api)
    connect_api(monkeypatch, server)
    use_registry(tmp_path, monkeypatch, http_feed_config())
    return api


def warehouse_state(engine) -> dict:
    with engine.connect() as conn:
        return {
            "deliveries": conn.execute(sa.text("SELECT outcome FROM landing.deliveries ORDER BY delivery_id")).all(),
            "batches": conn.execute(sa.text("SELECT batch_id, sha256 FROM landing.batches ORDER BY 1")).all(),
            "watermark": conn.execute(sa.text("SELECT watermark FROM landing.feed_watermarks")).scalar(),
        }


def pull(engine):
    return http.pull(engine, registry.load().feed("jtys_penalty_api"))


def test_pages_become_one_delivery_and_the_watermark_moves(api, engine):
    landed = pull(engine)

    assert landed.outcome == "new"
    assert stored_records(engine, landed.batch_id) == api.records
    assert [(q["page"], q["size"]) for q in api.queries] == [("1", "3"), ("2", "3"), ("3", "3")]
    assert all("updated_since" not in q for q in api.queries)  # the first pull takes everything
    assert warehouse_state(engine)["watermark"] == "2025-09-07 10:00:00"

    api.records += [penalty(7, "2025-09-08 09:00:00"), penalty(3, "2025-09-08 09:30:00")]  # one new, one changed
    api.queries.clear()
    second = pull(engine)

    assert [q["updated_since"] for q in api.queries] == ["2025-09-07 10:00:00"]
    assert stored_records(engine, second.batch_id) == api.records[7:]
    assert warehouse_state(engine)["watermark"] == "2025-09-08 09:30:00"

    api.queries.clear()
    assert pull(engine) is None  # nothing new: nothing recorded
    assert len(warehouse_state(engine)["deliveries"]) == 2


def test_cursor_pagination(server, tmp_path, monkeypatch, engine):
    api = DepartmentApi([penalty(i, f"2025-09-{i + 1:02d}") for i in range(8)], style="cursor")
    server.expect_request("/api/v1/penalties").respond_with_handler(api)
    connect_api(monkeypatch, server)
    use_registry(tmp_path, monkeypatch, http_feed_config(pagination="cursor"))

    landed = pull(engine)

    assert stored_records(engine, landed.batch_id) == api.records
    assert [q.get("cursor") for q in api.queries] == [None, "3", "6"]


def test_transient_faults_are_retried_and_retry_after_is_honoured(api, engine, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(urllib3.util.retry, "time", types.SimpleNamespace(sleep=waits.append, time=time.time))
    api.faults = {1: ["500"], 2: ["429", "timeout"], 3: ["500", "500"]}

    landed = pull(engine)

    assert stored_records(engine, landed.batch_id) == api.records
    assert len(api.queries) == 3 + 5  # every fault cost one more request
    assert 0.05 in waits  # Retry-After: 7 asked for, capped by the feed's max_wait
    assert warehouse_state(engine)["watermark"] == "2025-09-07 10:00:00"


def test_retry_after_is_waited_for_within_the_bound(api, engine, monkeypatch, tmp_path):
    waits: list[float] = []
    monkeypatch.setattr(urllib3.util.retry, "time", types.SimpleNamespace(sleep=waits.append, time=time.time))
    use_registry(tmp_path, monkeypatch, http_feed_config(max_wait=30))
    api.faults = {2: ["429"]}

    pull(engine)

    assert waits == [7]


def nothing_recorded(engine) -> None:
    state = warehouse_state(engine)
    assert state == {"deliveries": [], "batches": [], "watermark": None}
    assert not any(paths.data_path("landing", "pulls").iterdir()), "no half-written pull is left behind"


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        ({2: ["500"] * 4}, "接口第2页返回HTTP 500（可重试的错误已重试3次）；本次拉取作废"),
        ({3: ["timeout"] * 4}, "接口第3页等待响应超时（已重试3次）：ReadTimeoutError；本次拉取作废"),
        ({2: ["truncated"]}, "接口第2页的响应不是完整的JSON（可能被截断）；本次拉取作废"),
        ({2: ["repeat"]}, "接口第2页与上一页内容完全相同：分页参数未生效或接口有误；本次拉取作废"),
    ],
)
def test_a_page_that_still_fails_fails_the_whole_pull(api, engine, faults, message):
    api.faults = {page: list(answers) for page, answers in faults.items()}  # the API uses them up; keep the param
    with pytest.raises(pulls.PullFailed) as failed:
        pull(engine)
    assert str(failed.value) == message
    nothing_recorded(engine)


def test_a_cursor_that_comes_back_fails_the_pull(server, tmp_path, monkeypatch, engine):
    served = []

    def looping(request: Request) -> Response:  # new records every time, but always the same next cursor
        served.append(penalty(len(served), "2025-09-01"))
        body = {"data": {"items": served[-1:]}, "next_cursor": "abc"}
        return Response(json.dumps(body, ensure_ascii=False), content_type="application/json")

    server.expect_request("/api/v1/penalties").respond_with_handler(looping)
    connect_api(monkeypatch, server)
    use_registry(tmp_path, monkeypatch, http_feed_config(pagination="cursor", page_size=1))
    with pytest.raises(pulls.PullFailed, match="接口第2页给出的下一页游标'abc'无效或已出现过"):
        pull(engine)
    nothing_recorded(engine)


def test_wrong_credentials_and_a_missing_connection_are_named(api, engine, monkeypatch, server):
    monkeypatch.setenv("AIRFLOW_CONN_JTYS_API", json.dumps({"conn_type": "http", "host": server.host,
                                                            "port": server.port, "password": "wrong"}))  # fmt: skip
    with pytest.raises(pulls.PullFailed, match=r"接口第1页返回HTTP 401（请检查Airflow连接中的凭据）"):
        pull(engine)
    monkeypatch.delenv("AIRFLOW_CONN_JTYS_API")
    with pytest.raises(pulls.PullFailed, match="Airflow连接“jtys_api”未配置"):
        pull(engine)
    nothing_recorded(engine)


def test_a_failed_pull_retried_gives_what_a_clean_pull_gives(api, engine, tmp_path, monkeypatch):
    """Dying mid-pagination lands nothing; the retry lands the same batch and rows as a clean run."""
    api.faults = {3: ["500"] * 4}
    with pytest.raises(pulls.PullFailed):
        ingest.land_feed("jtys_penalty_api")
    nothing_recorded(engine)

    (batch_id,) = ingest.land_feed("jtys_penalty_api")  # Airflow's task retry
    for step in (ingest.normalize_batch, ingest.validate_batch):
        step(batch_id)
    counts = ingest.load_batch(batch_id)

    assert stored_records(engine, batch_id) == api.records
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT source_row, cf_wsh FROM core.penalty WHERE batch_id = :b ORDER BY source_row"),
            {"b": batch_id},
        ).all()
        accounting = conn.execute(
            sa.text("SELECT received, loaded, quarantined, duplicate FROM quality.batch_accounting")
        ).one()
    assert rows == [(i + 1, f"平交罚〔2025〕{i}号") for i in range(7)]  # lineage: the record's position in the pull
    assert accounting == (7, 7, 0, 0)
    assert counts["loaded"] == 7


def test_a_failed_pull_holds_back_no_batch_landed_before_it(api, engine):
    """The batch step takes every batch not yet loaded or rejected from the warehouse, whatever else failed."""
    (landed,) = ingest.land_feed("jtys_penalty_api")
    api.records.append(penalty(99, "2025-09-30"))
    api.faults = {1: ["500"] * 4}
    with pytest.raises(pulls.PullFailed):
        ingest.land_feed("jtys_penalty_api")

    assert ingest.pending_batches() == [landed]
    ingest.normalize_batch(landed)
    assert ingest.pending_batches() == [landed]  # half-way through an earlier run: taken up again
    ingest.validate_batch(landed)
    ingest.load_batch(landed)
    assert ingest.pending_batches() == []


def test_a_feed_with_a_schedule_is_pulled_only_when_its_schedule_fired_since_its_last_run(
    server, tmp_path, monkeypatch, engine
):
    api = DepartmentApi([penalty(i, "2025-09-01") for i in range(2)])
    server.expect_request("/api/v1/penalties").respond_with_handler(api)
    connect_api(monkeypatch, server)
    use_registry(tmp_path, monkeypatch, http_feed_config(schedule="0 8 * * 1"))  # Mondays at 08:00

    (first,) = ingest.land_feed("jtys_penalty_api")  # never run: due
    requests_after_first = len(server.log)
    with pytest.raises(ingest.FeedNotDue, match=r"jtys_penalty_api: not due until .*T08:00:00\+08:00"):
        ingest.land_feed("jtys_penalty_api")
    assert len(server.log) == requests_after_first  # the department's API was not asked

    with engine.begin() as conn:  # the last run a week ago: Monday 08:00 has come since
        conn.execute(sa.text("UPDATE landing.feed_runs SET last_run_at = last_run_at - interval '8 days'"))
    api.records.append(penalty(2, "2025-09-02"))
    (second,) = ingest.land_feed("jtys_penalty_api")
    assert second != first
    assert [r["CF_WSH"] for r in stored_records(engine, second)] == [penalty(2, "2025-09-02")["CF_WSH"]]


def test_the_same_records_pulled_again_are_a_duplicate_delivery(server, tmp_path, monkeypatch, engine):
    api = DepartmentApi([penalty(i, "2025-09-01") for i in range(2)])
    server.expect_request("/api/v1/penalties").respond_with_handler(api)
    connect_api(monkeypatch, server)
    options = {k: v for k, v in http_feed_config().items() if k != "watermark"}
    use_registry(tmp_path, monkeypatch, options)

    first, second = pull(engine), pull(engine)

    assert (first.outcome, second.outcome, second.batch_id) == ("new", "duplicate", None)
    assert len(warehouse_state(engine)["batches"]) == 1


def test_the_ingest_dag_maps_a_pull_per_feed_in_the_pool_of_its_kind(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    sql = {"id": "jtys_license_db", "kind": "sql", "dataset": "license", "conn_id": "jtys_db", "table": "gs.xk"}
    use_registry(tmp_path, monkeypatch, http_feed_config(), sql)

    dag = ingest_dagbag().dags["citycredit_ingest"]

    for task_id, pool, feed_id in [
        ("pull_http_feed", "citycredit_http_feeds", "jtys_penalty_api"),
        ("pull_sql_feed", "citycredit_sql_feeds", "jtys_license_db"),
    ]:
        task = dag.get_task(task_id)
        assert (task.pool, task.op_kwargs_expand_input.value["feed_id"]) == (pool, [feed_id])
        assert task.downstream_task_ids == {"pending_batches"}
    assert dag.get_task("pending_batches").trigger_rule == "all_done"  # a failed feed holds back no other batch
    assert "land_file_feed" not in dag.task_ids  # no file feed in this registry: no empty map to skip the run


def test_a_registry_mistake_fails_the_dag_parse_naming_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    use_registry(tmp_path, monkeypatch, http_feed_config())
    path = tmp_path / "departments.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("page_size: 3", "pagination: offset"), encoding="utf-8")

    errors = ingest_dagbag().import_errors

    assert "departments[jtys].feeds[jtys_penalty_api].pagination: expected page or cursor" in "".join(errors.values())
