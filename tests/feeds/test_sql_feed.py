"""Database feeds against a real PostgreSQL source database; and both pull kinds through the real ingest DAG."""

from __future__ import annotations

import datetime
import uuid

import pytest
import sqlalchemy as sa
from support.department_api import (
    JTYS,
    DepartmentApi,
    connect_api,
    http_feed_config,
    penalty,
    stored_records,
    use_registry,
)
from support.staged_batches import LICENSE_RECORD

from citycredit.core import paths
from citycredit.feeds import pulls, registry, sql
from citycredit.tasks import ingest

pytestmark = pytest.mark.db

TYPES = {"xk_jdrq": "date", "xk_zt": "integer", "gxsj": "timestamp"}
COLUMNS = {name: "text" for name in [*LICENSE_RECORD, "xk_frdb"]} | TYPES


def license_row(i: int, changed: str) -> dict:
    return {
        **LICENSE_RECORD,
        **dict(zip(("xk_xkjg", "xk_lydw"), [JTYS[0]] * 2, strict=True)),
        **dict(zip(("xk_xkjgdm", "xk_lydwdm"), [JTYS[1]] * 2, strict=True)),
        "xk_xdr_mc": f"平顶山市示例运输有限公司{i}",
        "xk_frdb": f"王{i}",
        "xk_wsh": f"平交许〔2025〕{i}号",
        "xk_jdrq": datetime.date(2025, 9, 1) + datetime.timedelta(days=i),
        "xk_zt": 1,
        "gxsj": datetime.datetime.fromisoformat(changed),
    }


@pytest.fixture
def source_db(server_url, monkeypatch):
    """A department's database (a fresh PostgreSQL database) with a table gs.xk_gs; AIRFLOW_CONN_JTYS_DB names it."""
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"dept_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(server_url).set(database=name)
    source = sa.create_engine(url)
    columns = ", ".join(f"{c} {t}" for c, t in COLUMNS.items())
    with source.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA gs; CREATE TABLE gs.xk_gs ({columns})"))
    monkeypatch.setenv(
        "AIRFLOW_CONN_JTYS_DB", url.set(drivername="postgres").render_as_string(hide_password=False)
    )
    yield source
    source.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def insert(source: sa.Engine, rows: list[dict]) -> None:
    with source.begin() as conn:
        conn.execute(
            sa.text(f"INSERT INTO gs.xk_gs ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)})"),
            rows,
        )


def sql_feed_config(**options) -> dict:
    return {
        "id": "jtys_license_db",
        "kind": "sql",
        "dataset": "license",
        "conn_id": "jtys_db",
        "table": "gs.xk_gs",
        "watermark_column": "gxsj",
        "chunk_size": 2,
        **options,
    }


def pull(engine):
    return sql.pull(engine, registry.load().feed("jtys_license_db"))


def watermark(engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT watermark FROM landing.feed_watermarks")).scalar()


def test_rows_stream_into_one_delivery_and_the_next_pull_takes_only_newer_rows(
    source_db, engine, tmp_path, monkeypatch
):
    use_registry(tmp_path, monkeypatch, sql_feed_config())
    insert(source_db, [license_row(i, f"2025-09-0{5 - i} 08:00:00.25") for i in range(5)])  # newest first

    first = pull(engine)

    records = stored_records(engine, first.batch_id)
    assert [r["xk_wsh"] for r in records] == [f"平交许〔2025〕{i}号" for i in (4, 3, 2, 1, 0)]  # by watermark
    assert (records[0]["xk_jdrq"], records[0]["xk_zt"], records[0]["gxsj"]) == ("2025-09-05", 1, "2025-09-01 08:00:00")
    assert watermark(engine) == "2025-09-05 08:00:00.250000"

    insert(source_db, [license_row(5, "2025-09-06 09:00:00"), license_row(6, "2025-09-05 08:00:00.25")])
    with source_db.begin() as conn:  # a correction touches an old row
        conn.execute(sa.text("UPDATE gs.xk_gs SET xk_nr = '更正', gxsj = '2025-09-07' WHERE xk_wsh LIKE '%1号'"))
    second = pull(engine)

    assert [(r["xk_wsh"], r["xk_nr"]) for r in stored_records(engine, second.batch_id)] == [
        ("平交许〔2025〕5号", LICENSE_RECORD["xk_nr"]),
        ("平交许〔2025〕1号", "更正"),
    ]  # the row stamped exactly at the old watermark is not taken again: watermarks must only grow
    assert watermark(engine) == "2025-09-07 00:00:00"
    assert pull(engine) is None


def test_every_row_carries_its_batch_and_source_row(source_db, engine, tmp_path, monkeypatch):
    use_registry(tmp_path, monkeypatch, sql_feed_config())
    insert(source_db, [license_row(i, f"2025-09-0{i + 1}") for i in range(3)])

    (batch_id,) = ingest.land_feed("jtys_license_db")
    ingest.normalize_batch(batch_id)
    ingest.validate_batch(batch_id)
    assert ingest.load_batch(batch_id)["loaded"] == 3

    with engine.connect() as conn:
        staged = conn.execute(
            sa.text("SELECT batch_id, source_row, xk_wsh, xk_jdrq, extra FROM staging.license_rows ORDER BY 2")
        ).all()
    assert [tuple(r[:4]) for r in staged] == [
        (batch_id, i + 1, f"平交许〔2025〕{i}号", f"2025-09-0{i + 1}") for i in range(3)
    ]
    assert [r.extra for r in staged] == [{"gxsj": f"2025-09-0{i + 1}"} for i in range(3)]


def test_a_query_without_watermark_pulls_everything_and_the_same_rows_twice_are_a_duplicate(
    source_db, engine, tmp_path, monkeypatch
):
    query = "SELECT * FROM gs.xk_gs WHERE xk_zt = 1 ORDER BY xk_wsh;"
    feed = {k: v for k, v in sql_feed_config(query=query).items() if k not in ("table", "watermark_column")}
    use_registry(tmp_path, monkeypatch, feed)
    insert(source_db, [license_row(i, "2025-09-01") for i in range(3)])

    first, second = pull(engine), pull(engine)

    assert (first.outcome, second.outcome) == ("new", "duplicate")
    assert len(stored_records(engine, first.batch_id)) == 3
    assert watermark(engine) is None


def test_a_failing_query_records_nothing(source_db, engine, tmp_path, monkeypatch):
    use_registry(tmp_path, monkeypatch, sql_feed_config(table="gs.no_such_table"))
    with pytest.raises(pulls.PullFailed, match=r"查询部门数据库失败（连接“jtys_db”）：.*no_such_table"):
        pull(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM landing.deliveries")).scalar() == 0
    assert not any(paths.data_path("landing", "pulls").iterdir())


@pytest.mark.dag
def test_the_ingest_dag_pulls_http_and_sql_feeds_then_only_what_is_new(
    run_dag, engine, source_db, server, tmp_path, monkeypatch
):
    api = DepartmentApi([penalty(i, f"2025-09-{i + 1:02d} 10:00:00") for i in range(5)])
    server.expect_request("/api/v1/penalties").respond_with_handler(api)
    connect_api(monkeypatch, server)
    use_registry(tmp_path, monkeypatch, http_feed_config(), sql_feed_config())
    insert(source_db, [license_row(i, f"2025-09-0{i + 1}") for i in range(4)])

    run_dag("citycredit_ingest")

    assert loaded(engine) == {"jtys_penalty_api": [(5, 5)], "jtys_license_db": [(4, 4)]}
    assert watermarks(engine) == {"jtys_penalty_api": "2025-09-05 10:00:00", "jtys_license_db": "2025-09-04 00:00:00"}

    api.records.append(penalty(5, "2025-09-06 10:00:00"))
    insert(source_db, [license_row(i, f"2025-09-0{i + 1}") for i in (4, 5)])
    run_dag("citycredit_ingest")

    assert loaded(engine) == {"jtys_penalty_api": [(5, 5), (1, 1)], "jtys_license_db": [(4, 4), (2, 2)]}
    assert watermarks(engine) == {"jtys_penalty_api": "2025-09-06 10:00:00", "jtys_license_db": "2025-09-06 00:00:00"}
    with engine.connect() as conn:
        current = conn.execute(
            sa.text("SELECT (SELECT count(*) FROM core.penalty), (SELECT count(*) FROM core.license)")
        ).one()
    assert tuple(current) == (6, 6)


def loaded(engine) -> dict[str, list[tuple[int, int]]]:
    """Per feed, (received, loaded) of each batch in order; every batch must be loaded."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT b.feed_id, b.status, a.received, a.loaded FROM landing.batches b"
                " JOIN quality.batch_accounting a USING (batch_id) ORDER BY b.batch_id"
            )
        ).all()
    assert {r.status for r in rows} == {"loaded"}
    result: dict[str, list[tuple[int, int]]] = {}
    for feed_id, _, received, loaded_rows in rows:
        result.setdefault(feed_id, []).append((received, loaded_rows))
    return result


def watermarks(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT feed_id, watermark FROM landing.feed_watermarks")).all())
