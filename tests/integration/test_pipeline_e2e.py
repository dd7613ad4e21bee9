"""The whole pipeline through the real DAGs (`airflow dags test`) against a real PostgreSQL warehouse."""

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from citycredit.core import airflow_env, paths
from citycredit.tools.demo.feeds import generate_feeds

pytestmark = [pytest.mark.db, pytest.mark.dag]

# A 身份证 number in a delivery's file name (clerks name files after the person a decision concerns): landing logs
# the name, so the run's logs would show it unless masking works in the task processes.
ID_NUMBER = "41042319800101003X"
ID_MASKED = "4104**********003X"


def core_checksum(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM ("
                " SELECT concat_ws(',', batch_id, source_row, version, is_current, content_hash) AS x FROM core.license"
                " UNION ALL SELECT concat_ws(',', batch_id, source_row, version, is_current, content_hash)"
                "  FROM core.penalty"
                " UNION ALL SELECT concat_ws(',', batch_id, source_row, rule_ids) FROM quality.quarantine"
                " UNION ALL SELECT concat_ws(',', batch_id, received, loaded, quarantined, duplicate)"
                "  FROM quality.batch_accounting) t"
            )
        ).scalar()


def run_logged(dag_id: str, *extra: str) -> str:
    """`airflow dags test` of a DAG (must succeed); its console output and every log file it wrote."""
    result = airflow_env.run("dags", "test", dag_id, *extra, check=False, capture=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return output


def written_logs(airflow_home: Path) -> str:
    folders = {airflow_home, paths.data_path("airflow"), Path(airflow_env.environment()["AIRFLOW_HOME"])}
    return "".join(
        path.read_text(encoding="utf-8", errors="replace")
        for folder in folders
        if folder.exists()
        for path in folder.rglob("*")
        if path.is_file() and (path.suffix in (".log", ".json") or "logs" in path.parts)
    )


def test_ingest_and_monthly_dags_load_every_delivery_and_account_for_every_row(airflow_home, engine):
    inbox = paths.data_path("landing", "inbox")
    delivered = generate_feeds(inbox, records_per_feed=60)
    named = delivered[0].path.rename(delivered[0].path.with_name(f"{ID_NUMBER}_{delivered[0].path.name}"))
    # keyed by department and feed as well: two departments may send files of the same name
    rows_by_file = {f.path.relative_to(inbox).as_posix(): f.rows for f in delivered[1:]}
    rows_by_file[named.relative_to(inbox).as_posix()] = delivered[0].rows
    stray = paths.data_path("landing", "inbox", "no_such_department") / "许可.csv"  # where no feed reads
    stray.write_bytes(delivered[1].path.read_bytes())

    logs = run_logged("citycredit_ingest")

    with engine.connect() as conn:
        batches = (
            conn.execute(
                sa.text(
                    "SELECT b.department_id || '/' || b.feed_id || '/' || b.source_name AS delivered, b.status,"
                    " b.status_reason, a.received, a.loaded, a.quarantined, a.duplicate"
                    " FROM landing.batches b LEFT JOIN quality.batch_accounting a USING (batch_id)"
                )
            )
            .mappings()
            .all()
        )
    assert sorted(b["delivered"] for b in batches) == sorted(rows_by_file)
    for b in batches:
        assert b["status"] == "loaded", f"{b['delivered']}: {b['status']} {b['status_reason']}"
        assert b["received"] == rows_by_file[b["delivered"]]
        assert b["received"] == b["loaded"] + b["quarantined"] + b["duplicate"]
    assert sum(b["quarantined"] for b in batches) > 0, "the sample feeds carry faults that must be quarantined"
    assert sum(b["duplicate"] for b in batches) > 0, "the sample feeds carry duplicate rows"
    left = [p for p in inbox.rglob("*.*")]
    assert left == [stray], "every delivery leaves the inbox; a stray stays where it is"
    with engine.connect() as conn:
        strays = conn.execute(sa.text("SELECT path FROM landing.strays")).scalars().all()
    assert strays == ["no_such_department/许可.csv"], "the run names the stray for the quality report"

    logs += run_logged("citycredit_monthly", "--conf", json.dumps({"month": "2025-09"}))
    logs += written_logs(airflow_home)
    assert f"landed {ID_MASKED}_{delivered[0].path.name}" in logs, "the landing of the named file is logged, masked"
    assert ID_NUMBER not in logs, "a 身份证 number in the logs of the run"

    with engine.connect() as conn:
        city = conn.execute(
            sa.text(
                "SELECT numerator, denominator, value FROM mart.indicator_values WHERE month = '2025-09-01'"
                " AND indicator = 'shuanggongshi_accuracy' AND scope = 'city' AND dataset = 'all'"
            )
        ).one()
        expected = conn.execute(
            sa.text(
                "SELECT sum(a.loaded), sum(a.loaded + a.quarantined) FROM quality.batch_accounting a"
                " JOIN landing.batches b USING (batch_id) WHERE b.dataset IN ('license', 'penalty')"
                " AND (b.received_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN '2025-09-01' AND '2025-09-30'"
            )
        ).one()
    assert (city.numerator, city.denominator) == tuple(expected)
    assert 0.9 < city.value < 1


def test_redelivering_the_same_files_changes_nothing(run_dag, engine):
    delivered = generate_feeds(paths.data_path("landing", "inbox"), records_per_feed=30)
    first = {f.feed_id: f for f in reversed(delivered)}  # each feed's first delivery is enough here
    for f in delivered:
        if f is not first[f.feed_id]:
            f.path.unlink()
    run_dag("citycredit_ingest")
    before = core_checksum(engine)

    archive, inbox = paths.data_path("landing", "archive"), paths.data_path("landing", "inbox")
    for path in archive.rglob("*.*"):
        target = inbox / path.relative_to(archive)
        shutil.copy2(path, target.with_name(target.name.split("_", 1)[1]))
    run_dag("citycredit_ingest")

    assert core_checksum(engine) == before
    with engine.connect() as conn:
        outcomes = dict(
            conn.execute(sa.text("SELECT outcome, count(*) FROM landing.deliveries GROUP BY outcome")).all()
        )
        batches = conn.execute(sa.text("SELECT count(*) FROM landing.batches")).scalar()
    assert outcomes["duplicate"] == outcomes["new"] == batches
