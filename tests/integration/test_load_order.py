"""Which version of a record is current does not depend on the order batches load in (invariant 7, issue #18).

A set of validated batches (corrections an hour later, a revocation, identical re-sends, two batches received at
the same moment, a row with an error, A-B-A within a batch) is loaded in every order its batches can load in;
each order starts from a copy of the same database (CREATE DATABASE ... TEMPLATE), so the batch ids are the same
and every order must leave the same `core` rows, versions and predecessors as the delivery order, and the same
accounting, corrections of quarantined rows and 统一社会信用代码 observations.
"""

from __future__ import annotations

import itertools
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import code_stock
from support.staged_batches import LICENSE_RECORD, REGISTER_RECORD, stage

from citycredit.core import paths, warehouse
from citycredit.load import merge
from citycredit.tasks import ingest

pytestmark = pytest.mark.db

QUALITY = "平顶山市生态环境局"
GOOD = Path(__file__).parents[1] / "data" / "bad" / "control_good_license.csv"


def permit(n: int, **changes) -> dict:
    return {**LICENSE_RECORD, "xk_wsh": f"平市监许〔2025〕{n}号", **changes}


CORRECTED = {"xk_nr": "食品经营许可（更正）"}
REVOKED = {"xk_zt": "2"}


def license_batches(conn) -> list[int]:
    """Four batches of one feed in delivery order; the 4th is received at the same moment as the 2nd."""
    plan = [
        # 10:00 first delivery: permits 1-3, and 5 with an error (quarantined)
        (0, {2: permit(1), 3: permit(2), 4: permit(3), 5: permit(5)}, (5,), ()),
        # 11:00 the correction of permit 1, permit 3 sent again unchanged, a new permit 4, permit 2 unchanged
        (60, {2: permit(1, **CORRECTED), 3: permit(3), 4: permit(4), 5: permit(2)}, (), (4,)),
        # 12:00 permit 1 revoked, permit 3 changed and changed back (A, B, A), permit 4 sent again, permit 5 fixed
        (
            120,
            {
                2: permit(1, **CORRECTED, **REVOKED),
                3: permit(3, xk_nr="食品经营许可（变更）"),
                4: permit(3),
                5: permit(4),
                6: permit(5),
            },
            (),
            (),
        ),  # fmt: skip
        # 11:00 as well (a second file of the same minute): the correction again, permit 2 corrected
        (60, {2: permit(1, **CORRECTED), 3: permit(2, **CORRECTED)}, (), (3,)),
    ]
    ids = []
    for minutes, rows, errors, warnings in plan:
        batch = stage(
            conn, "license", rows, feed_id="scjg_license", department_id="scjg", errors=errors, warnings=warnings
        )
        conn.execute(
            sa.text(
                "UPDATE landing.batches SET received_at = received_at + make_interval(mins => :m) WHERE batch_id = :b"
            ),
            {"m": minutes, "b": batch},
        )
        ids.append(batch)
    return ids


def list_batches(conn) -> list[int]:
    """Three batches of a credit-list feed delivering changes: a listing, its exit, the listing sent again."""
    listed = {
        "md_zt_mc": "平顶山市鑫华建材有限公司",
        "md_zt_lb": "法人及非法人组织",
        "md_shxym": "914403001922038216",
        "md_lx": "严重失信主体名单",
        "md_rdbm": QUALITY,
        "md_lrrq": "2025-01-10",
        "md_lryj": "《环境保护法》第六十三条",
    }
    removed = {**listed, "md_ycrq": "2025-09-01", "md_ycyy": "修复"}
    ids = []
    for day, rows in (("2025-09-01", {2: listed}), ("2025-09-02", {2: removed}), ("2025-09-03", {2: listed})):
        ids.append(stage(conn, "credit_list", rows, feed_id="sthj_credit_list", department_id="sthj", day=day))
    return ids


def state(engine: sa.Engine, table: str) -> dict:
    """What a load leaves: every version with its place in its chain, every batch's accounting, its quarantined
    rows, the corrections of quarantined rows and the 统一社会信用代码 observations."""
    with engine.connect() as conn:
        versions = conn.execute(
            sa.text(
                f"SELECT c.batch_id, c.source_row, c.reported_on, c.department_id, c.subject_key, c.content_hash,"
                f" c.version, c.is_current, p.batch_id, p.source_row, c.extra::text"
                f" FROM {table} c LEFT JOIN {table} p ON p.record_id = c.supersedes"
                f" ORDER BY c.batch_id, c.source_row"
            )
        ).all()
        accounting = conn.execute(
            sa.text(
                "SELECT batch_id, received, loaded, quarantined, duplicate, revised, with_warnings, corrected"
                " FROM quality.batch_accounting ORDER BY batch_id"
            )
        ).all()
        quarantined = conn.execute(sa.text("SELECT batch_id, source_row FROM quality.quarantine ORDER BY 1, 2")).all()
        observed = code_stock.counted(conn)
        assert observed == code_stock.as_defined(conn)
        corrections = conn.execute(
            sa.text(
                "SELECT quarantine_batch_id, quarantine_source_row, batch_id, source_row, corrected_on"
                " FROM quality.corrections ORDER BY 1, 2"
            )
        ).all()
    return {
        "versions": versions,
        "accounting": accounting,
        "quarantined": quarantined,
        "observed": observed,
        "corrections": corrections,
    }


def states_of_every_order(server_url: str, warehouse_url: str, batches: list[int], table: str) -> dict:
    """The state each load order leaves, each order in a fresh copy of the staged database."""
    warehouse.engine(warehouse_url).dispose()  # a template database must have no other session
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    source = sa.engine.make_url(warehouse_url)
    results = {}
    try:
        for order in itertools.permutations(batches):
            name = f"cc_order_{uuid.uuid4().hex[:12]}"
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"'))
            engine = sa.create_engine(source.set(database=name))
            try:
                for batch in order:
                    merge.load_batch(engine, batch)
                results[order] = state(engine, table)
            finally:
                engine.dispose()
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
    return results


def test_every_load_order_of_license_batches_leaves_the_core_of_the_delivery_order(engine, server_url, warehouse_url):
    with engine.begin() as conn:
        batches = license_batches(conn)
    results = states_of_every_order(server_url, warehouse_url, batches, "core.license")
    assert len(results) == 24
    b1, b2, b3, b4 = batches
    in_order = results[(b1, b2, b4, b3)]  # b4 was received at the same moment as b2, with a higher batch id
    current = {(v[0], v[1]) for v in in_order["versions"] if v[7]}
    # permit 1: revoked at 12:00; permit 2: corrected in the 4th batch (same minute as the 2nd, received later);
    # permit 3: A again at 12:00 (row 4); permit 4: first sent at 11:00; permit 5: fixed at 12:00
    assert current == {(b3, 2), (b4, 3), (b3, 4), (b2, 4), (b3, 6)}
    assert [c[:4] for c in in_order["corrections"]] == [(b1, 5, b3, 6)]  # permit 5, quarantined at 10:00, fixed
    # the identical re-sends are duplicates in the batch delivered later, whatever loaded first
    assert [a[1:5] for a in in_order["accounting"]] == [(4, 3, 1, 0), (4, 2, 0, 2), (5, 4, 0, 1), (2, 1, 0, 1)]
    for order, result in results.items():
        assert result == in_order, f"load order {order} left another core than the delivery order"


def test_every_load_order_of_a_credit_list_feed_leaves_the_same_periods(engine, server_url, warehouse_url):
    with engine.begin() as conn:
        batches = list_batches(conn)
    results = states_of_every_order(server_url, warehouse_url, batches, "core.credit_list")
    in_order = results[tuple(batches)]
    # listed, removed, listed again: three versions of the period, the listing sent again current
    assert [(v[0], v[6], v[7]) for v in in_order["versions"]] == [
        (batches[0], 1, False),
        (batches[1], 2, False),
        (batches[2], 3, True),
    ]
    for order, result in results.items():
        assert result == in_order, f"load order {order} left other listing periods than the delivery order"


def test_register_batches_keyed_by_the_subject_alone_load_in_any_order(engine, server_url, warehouse_url):
    """市场主体登记 has no key column besides the subject: its record is the subject itself."""
    company = REGISTER_RECORD
    deregistered = {**company, "zt_djzt": "注销", "zt_zxrq": "2025-08-20"}
    with engine.begin() as conn:
        batches = [
            stage(conn, "subject_registry", rows, feed_id="scjg_subjects", department_id="scjg", day=day)
            for day, rows in (("2025-09-01", {2: company}), ("2025-09-02", {2: deregistered}))
        ]
    results = states_of_every_order(server_url, warehouse_url, batches, "core.subject_registry")
    in_order = results[tuple(batches)]
    assert [(v[0], v[6], v[7]) for v in in_order["versions"]] == [(batches[0], 1, False), (batches[1], 2, True)]
    assert results[tuple(reversed(batches))] == in_order


def test_loading_a_batch_again_after_an_out_of_order_load_changes_nothing(engine):
    with engine.begin() as conn:
        first, second, *_ = license_batches(conn)
    merge.load_batch(engine, second)
    accounting = merge.load_batch(engine, first)
    before = state(engine, "core.license")
    assert merge.load_batch(engine, first) == accounting
    assert merge.load_batch(engine, second).loaded == 2  # its re-send of permit 2 is now a duplicate
    assert state(engine, "core.license") == before


def test_a_correction_delivered_an_hour_later_stays_current_when_its_batch_loads_first(engine):
    """The issue's case through the ingest's task bodies: v1 and its correction v2 an hour later, landed in one
    run; the load tasks finish in the other order."""
    inbox = paths.data_path("landing", "inbox", "scjg", "scjg_license")
    inbox.mkdir(parents=True, exist_ok=True)
    original = GOOD.read_text(encoding="utf-8")
    (inbox / "许可_v1.csv").write_text(original, encoding="utf-8")
    (inbox / "许可_v2.csv").write_text(original.replace("食品经营许可", "食品经营许可更正"), encoding="utf-8")
    os.utime(inbox / "许可_v1.csv", (1_757_000_000,) * 2)
    os.utime(inbox / "许可_v2.csv", (1_757_003_600,) * 2)
    batches = ingest.land_feed("scjg_license")
    assert len(batches) == 2
    for batch in batches:
        ingest.validate_batch(ingest.normalize_batch(batch))
    with engine.connect() as conn:
        by_name = dict(conn.execute(sa.text("SELECT source_name, batch_id FROM landing.batches")).all())
    ingest.load_batch(by_name["许可_v2.csv"])
    ingest.load_batch(by_name["许可_v1.csv"])
    with engine.connect() as conn:
        current = conn.execute(
            sa.text("SELECT DISTINCT b.source_name, c.xk_nr FROM core.license c JOIN landing.batches b USING (batch_id)"
                    " WHERE c.is_current")
        ).all()  # fmt: skip
        versions = conn.execute(sa.text("SELECT max(version), count(*) FROM core.license")).one()
    assert current == [("许可_v2.csv", "食品经营许可更正")]
    assert tuple(versions) == (2, 6)  # three permits, each v1 then v2


def stamped(n: int, time: str | None, **changes) -> dict:
    """Permit n as a feed with 数据更新时间戳 sends it (``time``: the record's update time of 2025-09-05, or None)."""
    return permit(n, xk_sjc=None if time is None else f"2025-09-05T{time}:00+08:00", **changes)


def stamped_batches(conn) -> list[int]:
    """Four batches of a feed whose records carry 数据更新时间戳, in delivery order; the 2nd and 3rd are received at
    the same moment, so only the records' own times order their rows."""
    plan = [
        # 10:00: permit 1's second version on the row before its first (the later time on the earlier row)
        (0, {2: stamped(1, "09:30", xk_nr="食品经营许可（第二版）"), 3: stamped(1, "09:00"), 4: stamped(2, "09:00")}),
        # 11:00: permit 2 corrected at 10:45; permit 1 sent without a time
        (60, {2: stamped(2, "10:45", **CORRECTED), 3: stamped(1, None, xk_nr="食品经营许可（第三版）")}),
        # 11:00 as well, a higher batch id: permit 2 as it was at 10:15 (older than the correction), permit 1 at 10:50
        (
            60,
            {
                2: stamped(2, "10:15", xk_nr="食品经营许可（误报）"),
                3: stamped(1, "10:50", xk_nr="食品经营许可（第四版）"),
            },
        ),
        # 12:00: the correction of permit 2 sent again unchanged
        (120, {2: stamped(2, "10:45", **CORRECTED)}),
    ]
    ids = []
    for minutes, rows in plan:
        batch = stage(conn, "license", rows, feed_id="scjg_license", department_id="scjg")
        conn.execute(
            sa.text(
                "UPDATE landing.batches SET received_at = received_at + make_interval(mins => :m) WHERE batch_id = :b"
            ),
            {"m": minutes, "b": batch},
        )
        ids.append(batch)
    return ids


def test_every_load_order_follows_the_records_update_time_after_receipt(engine, server_url, warehouse_url):
    """Receipt, then 数据更新时间戳 (a row without one first), then batch id and source row (issue #18 item 1)."""
    with engine.begin() as conn:
        batches = stamped_batches(conn)
    results = states_of_every_order(server_url, warehouse_url, batches, "core.license")
    assert len(results) == 24
    a, b, c, d = batches
    in_order = results[tuple(batches)]
    chains = [(v[0], v[1], v[6], v[7]) for v in in_order["versions"]]
    # permit 1: A row 3 (09:00), A row 2 (09:30), B row 3 (11:00, no time), C row 3 (11:00, 10:50) current;
    # permit 2: A row 4 (09:00), C row 2 (10:15), B row 2 (10:45) current: the later batch id does not win
    assert set(chains) == {(a, 3, 1, False), (a, 2, 2, False), (b, 3, 3, False), (c, 3, 4, True),
                           (a, 4, 1, False), (c, 2, 2, False), (b, 2, 3, True)}  # fmt: skip
    # the 12:00 re-send of the correction is a duplicate of the current version
    assert [x[1:5] for x in in_order["accounting"]] == [(3, 3, 0, 0), (2, 2, 0, 0), (2, 2, 0, 0), (1, 0, 0, 1)]
    for order, result in results.items():
        assert result == in_order, f"load order {order} left another core than the delivery order"


def test_the_newest_update_time_is_current_and_stored_as_an_instant(engine):
    with engine.begin() as conn:
        batches = stamped_batches(conn)
    for batch in reversed(batches):
        merge.load_batch(engine, batch)
    with engine.connect() as conn:
        current = conn.execute(
            sa.text("SELECT xk_wsh, xk_nr, xk_sjc FROM core.license WHERE is_current ORDER BY xk_wsh")
        ).all()
    assert [(r.xk_nr, r.xk_sjc.isoformat()) for r in current] == [
        ("食品经营许可（第四版）", "2025-09-05T02:50:00+00:00"),
        ("食品经营许可（更正）", "2025-09-05T02:45:00+00:00"),
    ]
