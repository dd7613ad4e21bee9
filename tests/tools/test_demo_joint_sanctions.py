"""The sample 联合奖惩 and 城市上报案例 feeds (issue #19): how they arrive, and that a demo month has their
indicators."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from citycredit.core import paths
from citycredit.feeds.registry import load as load_registry
from citycredit.tools.demo.feeds import generate_feeds
from citycredit.validate import selfcheck

FEEDS = ("scjg_joint_sanction", "fgw_joint_sanction", "fgw_case_register")


@pytest.fixture(scope="module")
def delivered(tmp_path_factory):
    return [d for d in generate_feeds(tmp_path_factory.mktemp("inbox"), records_per_feed=400) if d.feed_id in FEEDS]


def rows(delivered, feed: str) -> pd.DataFrame:
    """The feed's rows as the self-check normalizes them, with the day each file was delivered."""
    from citycredit.normalize import readers, standardize

    frames = []
    for d in (d for d in delivered if d.feed_id == feed):
        table = readers.open_table(d.path)
        header = standardize.map_headers(table.headers, d.dataset)
        for chunk in table.chunks():
            frames.append(standardize.normalize_frame(chunk, d.dataset, header).assign(delivered=d.delivered_at.date()))
    return pd.concat(frames, ignore_index=True)


def test_the_feeds_are_in_the_registry_and_told_from_their_headers(delivered):
    registry = load_registry()
    assert {f.id: f.department_id for f in registry.feeds if f.dataset in ("joint_sanction", "case_register")} == {
        "scjg_joint_sanction": "scjg", "fgw_joint_sanction": "fgw", "fgw_case_register": "fgw"
    }  # fmt: skip
    for d in delivered:
        assert selfcheck.run_check(d.path, None, d.delivered_at.date()).dataset == d.dataset


def test_joint_sanction_cases_come_for_the_month_before_by_the_25th_and_again_once_fed_back(delivered):
    for feed in ("scjg_joint_sanction", "fgw_joint_sanction"):
        frame = rows(delivered, feed)
        implemented = pd.to_datetime(frame["jc_ssrq"], errors="coerce").dt.date
        august = frame[implemented < dt.date(2025, 9, 1)]
        assert len(august) and (august["delivered"] >= dt.date(2025, 9, 1)).all()
        first = august.groupby("jc_bh")["delivered"].min()
        assert 0.6 < (first <= dt.date(2025, 9, 25)).mean() < 1  # most by the 25th, some later
        fed_back = frame[frame["jc_fkrq"].notna()]
        assert len(fed_back) and (pd.to_datetime(fed_back["jc_fkrq"]).dt.date < fed_back["delivered"]).all()
        again = set(fed_back["jc_bh"]) & set(frame.loc[frame["jc_fkrq"].isna(), "jc_bh"])
        assert again, "a case comes first without 反馈日期, then with it"
        assert set(frame["jc_jclx"].dropna()) <= {"惩戒", "激励", "惩戒类", "奖励性措施"}


def test_the_case_register_holds_every_kind_with_a_subject_where_the_kind_has_one(delivered):
    frame = rows(delivered, "fgw_case_register")
    kinds = set(frame["al_lb"].dropna())
    first_five = ("行业信用监管领域", "地方红黑名单", "联合惩戒案例", "信用修复培训案例", "注销吊销退出黑名单案例")
    assert {*first_five, "主动信用承诺案例", "主动修正退出黑名单案例"} <= kinds
    no_subject = frame["al_lb"].isin(["行业信用监管领域", "地方红黑名单"])
    assert frame.loc[no_subject, "al_zt_mc"].isna().all() and frame.loc[~no_subject, "al_zt_mc"].notna().mean() > 0.9


@pytest.mark.db
def test_the_demo_month_has_the_new_indicators(warehouse_url):
    from citycredit.core import warehouse
    from citycredit.indicators import compute
    from citycredit.tasks import ingest

    generate_feeds(paths.data_path("landing", "inbox"), records_per_feed=400)
    for feed in FEEDS:
        for batch_id in ingest.land_feed(feed):
            ingest.load_batch(ingest.validate_batch(ingest.normalize_batch(batch_id)))
    engine = warehouse.engine()
    with engine.connect() as conn:
        quarantined = conn.execute(sa.text("SELECT count(*) FROM quality.quarantine")).scalar()
        versions = conn.execute(sa.text("SELECT max(version) FROM core.joint_sanction")).scalar()
    assert quarantined > 0 and versions == 2  # the faults are caught; fed-back cases are new versions
    compute.compute_month(engine, "2025-09")
    city = {
        r["indicator"]: r
        for r in compute.month_values(engine, "2025-09")
        if r["scope"] == "city" and r["dataset"] == "all"
    }
    assert city["joint_sanction_cases"]["value"] > 20
    for indicator in ("joint_sanction_reported_on_time", "joint_sanction_feedback_on_time"):
        assert city[indicator]["denominator"] > 5 and 0 < city[indicator]["value"] < 1, indicator
    kinds = [city[i]["value"] for i in city if i.startswith("case_register_")]
    assert len(kinds) == 7 and sum(kinds) >= 15 and sum(k > 0 for k in kinds) >= 6
