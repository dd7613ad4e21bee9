"""Credit lists on a real PostgreSQL: listing periods with exits and re-entries, snapshot and change feeds."""

import dataclasses
from datetime import date

import pytest
import sqlalchemy as sa
from support import code_stock, corrections
from support.staged_batches import stage

from citycredit.core.config import ConfigError
from citycredit.feeds import registry
from citycredit.load import creditlists, merge

pytestmark = pytest.mark.db

SAFETY = "平顶山市应急管理局"
QUALITY = "平顶山市市场监督管理局"


def entry(name: str, code: str, listed: str, **more) -> dict:
    return {
        "md_zt_mc": name,
        "md_zt_lb": "法人及非法人组织",
        "md_shxym": code,
        "md_lx": "严重失信主体名单",
        "md_rdbm": QUALITY,
        "md_lrrq": listed,
        "md_lryj": "《严重质量失信企业认定办法》",
        **more,
    }


A = ("平顶山市鑫华建材有限公司", "914403001922038216")
B = ("平顶山市恒德物流有限公司", "91330100799655058B")
C = ("平顶山市瑞丰食品有限公司", "91110108551385082Q")


def snapshot(engine, rows: list[dict], day: str, errors=()) -> merge.Accounting:
    with engine.begin() as conn:
        batch = stage(
            conn,
            "credit_list",
            dict(enumerate(rows, start=2)),
            feed_id="scjg_credit_list",
            department_id="scjg",
            day=day,
            errors=errors,
        )
    return loaded(engine, batch)


def changes(engine, rows: list[dict], day: str) -> merge.Accounting:
    with engine.begin() as conn:
        batch = stage(
            conn, "credit_list", dict(enumerate(rows, start=2)), feed_id="yjgl_credit_list", department_id="yjgl",
            day=day,
        )  # fmt: skip
    return loaded(engine, batch)


def loaded(engine, batch: int) -> merge.Accounting:
    """Load the batch; the code stock it leaves is the one its definition gives."""
    accounting = merge.load_batch(engine, batch)
    with engine.connect() as conn:
        assert code_stock.counted(conn) == code_stock.as_defined(conn)
    return accounting


def summary(engine) -> list[tuple]:
    return sorted(
        (p["subject_name"], str(p["listed_on"]), p["removed_on"] and str(p["removed_on"]), p["removal_reason"],
         p["inferred_exit"])
        for p in creditlists.periods(engine)
    )  # fmt: skip


def test_the_registry_declares_a_snapshot_and_a_change_feed_for_credit_lists():
    feeds = [f for f in registry.load().feeds if f.dataset == "credit_list"]
    modes = {f.id: creditlists.feed_mode(f.id) for f in feeds}
    assert set(modes.values()) == {creditlists.SNAPSHOT, creditlists.CHANGES}


def test_a_change_feed_records_an_exit_and_a_reentry_as_two_periods(engine):
    listed = entry(*A, "2025-03-01", md_rdbm=SAFETY, md_lryj="安全生产领域严重失信")
    changes(engine, [listed], "2025-03-05")
    acc = changes(engine, [{**listed, "md_ycrq": "2025-08-30", "md_ycyy": "修复"}], "2025-09-02")
    assert (acc.loaded, acc.revised, acc.inferred_exits) == (1, 1, 0)
    changes(engine, [entry(*A, "2025-09-20", md_rdbm=SAFETY, md_lryj="安全生产领域严重失信")], "2025-09-22")
    changes(engine, [listed], "2025-09-23")  # an old list line sent again: a new version, not a new period
    assert summary(engine) == [
        (A[0], "2025-03-01", None, None, False),
        (A[0], "2025-09-20", None, None, False),
    ]
    with engine.connect() as conn:
        history = conn.execute(
            sa.text(
                "SELECT md_lrrq::text, version, md_ycrq::text, md_ycyy FROM core.credit_list ORDER BY md_lrrq, version"
            )
        ).all()
    assert history == [
        ("2025-03-01", 1, None, None),
        ("2025-03-01", 2, "2025-08-30", "修复"),
        ("2025-03-01", 3, None, None),
        ("2025-09-20", 1, None, None),
    ]


def test_a_snapshot_without_a_subject_closes_its_period_and_a_later_listing_opens_another(engine):
    assert snapshot(engine, [entry(*A, "2025-01-10"), entry(*B, "2025-02-01")], "2025-09-01").loaded == 2
    acc = snapshot(engine, [entry(*B, "2025-02-01")], "2025-09-08")
    assert (acc.received, acc.loaded, acc.duplicate, acc.inferred_exits) == (1, 0, 1, 1)
    snapshot(engine, [entry(*B, "2025-02-01"), entry(*A, "2025-09-10")], "2025-09-15")
    assert summary(engine) == sorted(
        [
            (A[0], "2025-01-10", "2025-09-08", creditlists.UNSTATED_REMOVAL, True),
            (A[0], "2025-09-10", None, None, False),
            (B[0], "2025-02-01", None, None, False),
        ]
    )


def test_a_snapshot_line_sent_to_quarantine_does_not_close_the_listing(engine):
    snapshot(engine, [entry(*A, "2025-01-10"), entry(*C, "2025-01-12")], "2025-09-01")
    acc = snapshot(engine, [entry(*A, "2025-01-10"), entry(*C, "2025-01-12", md_lryj=None)], "2025-09-08", errors=(3,))
    assert (acc.quarantined, acc.inferred_exits) == (1, 0)
    assert [p[2] for p in summary(engine)] == [None, None]


def test_an_exit_a_snapshot_states_itself_is_kept_and_a_closed_period_is_not_closed_again(engine):
    snapshot(engine, [entry(*A, "2025-01-10")], "2025-09-01")
    snapshot(engine, [entry(*A, "2025-01-10", md_ycrq="2025-09-03", md_ycyy="期满")], "2025-09-08")
    assert snapshot(engine, [], "2025-09-15").inferred_exits == 0
    assert summary(engine) == [(A[0], "2025-01-10", "2025-09-03", "期满", False)]


def test_reloading_a_snapshot_changes_nothing(engine):
    snapshot(engine, [entry(*A, "2025-01-10")], "2025-09-01")
    with engine.begin() as conn:
        batch = stage(conn, "credit_list", {}, feed_id="scjg_credit_list", department_id="scjg", day="2025-09-08")
    first = merge.load_batch(engine, batch)
    assert first.inferred_exits == 1
    assert merge.load_batch(engine, batch) == first
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM core.credit_list")).scalar() == 2


def test_snapshots_loaded_out_of_order_end_in_the_state_of_an_in_order_load(engine):
    with engine.begin() as conn:
        first = stage(conn, "credit_list", {2: entry(*A, "2025-01-10"), 3: entry(*C, "2025-01-12")},
                      feed_id="scjg_credit_list", department_id="scjg", day="2025-09-01")  # fmt: skip
        second = stage(conn, "credit_list", {2: entry(*B, "2025-02-01"), 3: entry(*C, "2025-01-12")},
                       feed_id="scjg_credit_list", department_id="scjg", day="2025-09-08")  # fmt: skip
    assert loaded(engine, second).inferred_exits == 0
    assert loaded(engine, first).inferred_exits == 1  # A: not in the later snapshot
    assert summary(engine) == sorted(
        [
            (A[0], "2025-01-10", "2025-09-08", creditlists.UNSTATED_REMOVAL, True),
            (B[0], "2025-02-01", None, None, False),
            (C[0], "2025-01-12", None, None, False),
        ]
    )


def test_the_snapshot_received_last_holds_the_periods_whatever_its_batch_id(engine):
    """Two snapshots landed in one run in the other order (the file received later got the lower batch id)."""
    with engine.begin() as conn:
        newer = stage(conn, "credit_list", {2: entry(*B, "2025-02-01")},
                      feed_id="scjg_credit_list", department_id="scjg", day="2025-09-08")  # fmt: skip
        older = stage(conn, "credit_list", {2: entry(*A, "2025-01-10"), 3: entry(*B, "2025-02-01")},
                      feed_id="scjg_credit_list", department_id="scjg", day="2025-09-01")  # fmt: skip
    loaded(engine, newer)
    loaded(engine, older)
    assert summary(engine) == sorted(
        [
            (A[0], "2025-01-10", "2025-09-08", creditlists.UNSTATED_REMOVAL, True),
            (B[0], "2025-02-01", None, None, False),
        ]
    )


def test_a_feed_mode_other_than_snapshot_or_changes_is_a_configuration_error(monkeypatch):
    real = registry.load()
    feeds = tuple(
        dataclasses.replace(f, options={"mode": "full"}) if f.id == "scjg_credit_list" else f for f in real.feeds
    )
    department = dataclasses.replace(real.departments[0], feeds=tuple(f for f in feeds if f.department_id == "scjg"))
    monkeypatch.setattr(registry, "load", lambda: dataclasses.replace(real, departments=(department,)))
    with pytest.raises(ConfigError, match="scjg_credit_list.*mode"):
        creditlists.feed_mode("scjg_credit_list")


@pytest.mark.parametrize("order", [(0, 1, 2), (0, 2, 1), (2, 1, 0)], ids=["in order", "exit last", "reverse"])
def test_a_code_leaves_the_stock_once_when_its_listing_returns_after_an_inferred_exit(engine, order):
    """The exit the load infers carries the listing's code but observes nothing: the listing's first version stays
    in the code stock through the exit and leaves it when the listing is sent again (its next delivered version),
    whatever order the three snapshots load in. (A stale empty snapshot closes nothing once the later one that
    holds the listing is loaded: out of order, the listing has no exit to pass through.)"""
    with engine.begin() as conn:
        batches = [
            stage(conn, "credit_list", rows, feed_id="scjg_credit_list", department_id="scjg", day=day)
            for rows, day in [({2: entry(*A, "2025-01-10")}, "2025-09-01"), ({}, "2025-09-08"),
                              ({2: entry(*A, "2025-01-10")}, "2025-09-15")]
        ]  # fmt: skip
    for i in order:
        loaded(engine, batches[i])  # each load leaves the stock its definition gives
    with engine.connect() as conn:
        held = "SELECT observations FROM quality.uscc_pairs_on(:d) WHERE code = :c"
        assert conn.execute(sa.text(held), {"d": "2025-09-10", "c": A[1]}).scalar() == 1
        assert conn.execute(sa.text(held), {"d": "2025-09-15", "c": A[1]}).scalar() == 1
        if order == (0, 1, 2):
            assert code_stock.counted(conn) == [
                (batches[0], "scjg", date(2025, 9, 1), A[1], A[0], True, date(2025, 9, 15), 1),
                (batches[2], "scjg", date(2025, 9, 15), A[1], A[0], True, None, 1),
            ]


@pytest.mark.parametrize("order", ["delivered", "reversed"])
def test_a_quarantined_listing_is_corrected_by_its_own_period_only(engine, order):
    """A listing sent with a mistyped code is fixed by the same period sent again (same 认定部门, 名单类型 and
    列入日期, found by the subject's name), not by another period of the same subject, in either load order."""
    mistyped = entry(A[0], "914403001922038217", "2025-01-10")
    with engine.begin() as conn:
        batches = [
            stage(conn, "credit_list", rows, feed_id="yjgl_credit_list", department_id="yjgl", day=day,
                  errors=errors)
            for rows, day, errors in [({2: mistyped}, "2025-09-01", (2,)),
                                      ({2: entry(*A, "2025-06-01")}, "2025-09-08", ()),
                                      ({2: entry(*B, "2025-01-10"), 3: entry(*A, "2025-01-10")}, "2025-09-15", ())]
        ]  # fmt: skip
    for batch in batches if order == "delivered" else reversed(batches):
        loaded(engine, batch)
    with engine.connect() as conn:
        fixes = corrections.linked(conn, "core.credit_list", "md_lrrq::text")
    assert fixes == [(batches[0], 2, batches[2], 3, "2025-09-15", "2025-01-10")]
