"""A load plans its joins from what it reads, not from statistics it outdates (load/planning.py).

A load that failed (or was killed) after writing its versions and quarantined rows leaves them dead; a vacuum then
records its tables as holding no rows over all their pages, and a batch's findings are seldom analyzed before it
loads, nor are its staged rows when the staging table already held ten times as many. On those statistics the planner
reckoned the retried load's reads at one row and joined a 1M-row batch's versions with its quarantined rows (and with
themselves, read back from core) by nested loops: statements of a second ran for more than ten minutes before they
were stopped. Here the same statistics, made the way production makes them, on a batch large enough that no sound plan
loops over it."""

import pytest
import sqlalchemy as sa
from support import plans
from support.staged_batches import LICENSE_RECORD, stage

from citycredit.load import merge, uscc_stock

pytestmark = pytest.mark.db

# Tables whose statistics the scenario sets; autovacuum would mend them while the test runs.
TABLES = ("core.license", "quality.quarantine", "staging.license_rows", "quality.findings", "quality.corrections",
          "quality.uscc_observations")  # fmt: skip
WRONG, FIXED = 500, 1500  # rows 1..500 quarantined, 501..2000 valid; row r + 500 fixes row r


def license_rows() -> dict[int, dict]:
    rows = {}
    for row in range(1, WRONG + FIXED + 1):
        number = row - WRONG if row > WRONG else row
        content = None if row <= WRONG else LICENSE_RECORD["xk_nr"]  # 许可内容 missing: the error
        rows[row] = {**LICENSE_RECORD, "xk_wsh": f"平市监许〔2025〕{number}号", "xk_nr": content}
    return rows


def statistics(conn, table: str) -> tuple[int, float]:
    return conn.execute(
        sa.text("SELECT relpages, reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": table}
    ).one()


@pytest.mark.parametrize("path", ["in order", "after a later delivery"])
def test_a_load_retried_after_a_failed_one_joins_its_rows_without_a_product(engine, monkeypatch, path):
    """``after a later delivery``: a batch with the same keys, received two days later, loaded before this one, so the
    retried load merges this batch into its versions (load/versions.py)."""
    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(sa.text(f"ALTER TABLE {table} SET (autovacuum_enabled = false, vacuum_truncate = false)"))
        before = {**LICENSE_RECORD, "xk_wsh": "平市监许〔2024〕1号"}
        earlier = stage(conn, "license", {1: before}, feed_id="scjg_license", department_id="scjg")
    merge.load_batch(engine, earlier)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE staging.license_rows, quality.findings"))  # they know the earlier batch only
    with engine.begin() as conn:
        batch = stage(conn, "license", license_rows(), feed_id="scjg_license", department_id="scjg",
                      day="2025-09-08", errors=tuple(range(1, WRONG + 1)))  # fmt: skip
        if path == "after a later delivery":
            revised = {row: {**values, "xk_nr": "食品经营许可（变更）"} for row, values in license_rows().items()
                       if row > WRONG}  # fmt: skip
            later = stage(conn, "license", revised, feed_id="scjg_license", department_id="scjg", day="2025-09-10")
    if path == "after a later delivery":
        merge.load_batch(engine, later)

    def killed(*args):
        raise RuntimeError("the worker was killed")

    monkeypatch.setattr(uscc_stock, "count_quarantined", killed)  # the load's last step: everything else written
    with pytest.raises(RuntimeError, match="killed"):
        merge.load_batch(engine, batch)
    monkeypatch.undo()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM core.license, quality.quarantine"))
        pages, rows = statistics(conn, "quality.quarantine")
        assert pages > 0 and rows == 0  # what the failed load leaves: pages, "no rows"
        pages, rows = statistics(conn, "core.license")
        assert rows == conn.execute(sa.text("SELECT count(*) FROM core.license")).scalar_one()  # committed ones only

    with plans.captured(engine) as captured:
        accounting = merge.load_batch(engine, batch)

    assert (accounting.received, accounting.loaded, accounting.quarantined, accounting.corrected) == (
        WRONG + FIXED,
        FIXED,
        WRONG,
        WRONG,
    )
    if path == "after a later delivery":  # the later delivery's versions stay current
        with engine.connect() as conn:
            current = sa.text("SELECT count(*) FROM core.license WHERE is_current AND batch_id = :b")
            assert conn.execute(current, {"b": later}).scalar_one() == FIXED
    assert len(captured) > 10
    assert plans.summary(captured) == []
