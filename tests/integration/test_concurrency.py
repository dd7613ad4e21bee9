"""Loads at the same time, and a load whose connection is killed half-way, on a real PostgreSQL."""

import threading
import time

import pytest
import sqlalchemy as sa
from support.deliveries import CODES, deliver, permits
from support.staged_batches import stage

from citycredit.load import merge

pytestmark = pytest.mark.db

def subjects(n: int) -> dict[int, dict]:
    """n register lines over the four codes, each a new 登记状态 wording of its subject."""
    return {
        k + 2: {"zt_mc": f"平顶山市示例{k % 4}号有限公司", "zt_shxym": CODES[k % 4], "zt_lx": "企业",
                "zt_djzt": f"存续（第{k // 4}次变更）", "zt_clrq": "2020-01-01", "zt_qhdm": "410402"}
        for k in range(n)
    }  # fmt: skip


def checksum(engine) -> str:
    """The content of every table a load writes, without serial ids and timestamps."""
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                """
                SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
                    SELECT concat_ws(',', 'c', c.batch_id, c.source_row, c.version, c.is_current, c.content_hash,
                                     p.batch_id, p.source_row) AS x
                    FROM core.license c LEFT JOIN core.license p ON p.record_id = c.supersedes
                    UNION ALL SELECT concat_ws(',', 'q', batch_id, source_row, rule_ids, row_data)
                    FROM quality.quarantine
                    UNION ALL SELECT concat_ws(',', 'a', batch_id, received, loaded, quarantined, duplicate, revised,
                                               corrected) FROM quality.batch_accounting
                    UNION ALL SELECT concat_ws(',', 'k', quarantine_batch_id, quarantine_source_row, batch_id,
                                               source_row, corrected_on) FROM quality.corrections
                    UNION ALL SELECT concat_ws(',', 'o', batch_id, reported_on, code, subject_name, code_valid,
                                               loaded, withdrawn_on, observations)
                    FROM quality.uscc_observations
                    UNION ALL SELECT concat_ws(',', 'b', batch_id, status) FROM landing.batches
                ) t
                """
            )
        ).scalar()


def run_together(*calls) -> list:
    """Start the calls in threads released at the same moment; their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - handed to the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_feeds_loaded_at_once_lose_no_row(engine):
    with engine.begin() as conn:
        earlier = deliver(conn, "scjg", permits("scjg", 30, first=1000))
    merge.load_batch(engine, earlier)
    with engine.begin() as conn:
        # the 市场监管 batch revises the earlier permits and fixes their quarantined rows while 生态环境 loads
        ours = deliver(conn, "scjg", {k: {**v, "xk_nr": "变更"} for k, v in permits("scjg", 30, first=1000).items()})
        theirs = deliver(conn, "sthj", permits("sthj", 300))
        register = stage(conn, "subject_registry", subjects(100), feed_id="scjg_subjects", department_id="scjg")
    results = run_together(*(lambda b=b: merge.load_batch(engine, b) for b in (ours, theirs, register)))
    assert not any(isinstance(r, Exception) for r in results), results
    assert [(r.received, r.loaded + r.quarantined + r.duplicate) for r in results] == [(30, 30), (300, 300), (100, 100)]
    assert (results[2].loaded, results[2].revised) == (100, 96)  # four subjects, each changed 25 times
    with engine.connect() as conn:
        per_department = dict(
            conn.execute(sa.text("SELECT department_id, count(*) FROM core.license WHERE is_current GROUP BY 1")).all()
        )
    assert per_department == {"scjg": 27, "sthj": 270}
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM core.subject_registry WHERE is_current")).scalar() == 4
    assert results[0].revised == 27 and results[0].corrected == 0  # the quarantined rows are still wrong


def test_the_same_batch_loaded_twice_at_once_is_loaded_once(engine, clean_engine):
    for target in (engine, clean_engine):
        with target.begin() as conn:
            batch = deliver(conn, "scjg", permits("scjg", 200))
    merge.load_batch(clean_engine, batch)
    first, second = run_together(lambda: merge.load_batch(engine, batch), lambda: merge.load_batch(engine, batch))
    assert first == second == merge.load_batch(clean_engine, batch)
    assert checksum(engine) == checksum(clean_engine)


def test_a_load_killed_half_way_leaves_nothing_and_the_retry_equals_a_clean_run(engine, clean_engine):
    for target in (engine, clean_engine):
        with target.begin() as conn:
            earlier = deliver(conn, "scjg", permits("scjg", 20))
            batch = deliver(conn, "scjg", {**permits("scjg", 20), **permits("scjg", 40, first=21)}, day="2025-09-12")
        merge.load_batch(target, earlier)
    merge.load_batch(clean_engine, batch)
    before = checksum(engine)

    with engine.connect() as blocker:
        # The load gets as far as its accounting row, which waits for this lock; then its connection is killed.
        blocker.execute(sa.text("LOCK TABLE quality.batch_accounting IN SHARE MODE"))
        outcome = []
        loader = threading.Thread(target=lambda: outcome.append(_attempt(engine, batch)))
        loader.start()
        victim = _wait_for_lock_waiter(blocker, "quality.batch_accounting")
        with engine.connect() as killer:
            assert killer.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": victim}).scalar()
        loader.join()
        blocker.rollback()
    assert isinstance(outcome[0], sa.exc.OperationalError)
    assert checksum(engine) == before  # no partial batch

    assert merge.load_batch(engine, batch) == merge.load_batch(clean_engine, batch)
    assert checksum(engine) == checksum(clean_engine)


def _attempt(engine, batch):
    try:
        return merge.load_batch(engine, batch)
    except Exception as exc:  # noqa: BLE001 - handed to the test
        return exc


def _wait_for_lock_waiter(conn, table: str) -> int:
    """The pid of the backend waiting for a lock on `table` (polled; the load has to get there first)."""
    for _ in range(1200):
        pid = conn.execute(
            sa.text("SELECT pid FROM pg_locks WHERE NOT granted AND relation = to_regclass(:t) LIMIT 1"), {"t": table}
        ).scalar()
        if pid is not None:
            return pid
        time.sleep(0.05)
    raise AssertionError(f"no load came to wait for {table}")
