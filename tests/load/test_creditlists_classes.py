"""The class of each credit-list kind and the category of each exit reason in the warehouse (sql/migrations/0014),
as include/config/credit_lists.yaml states them, beside the stored 名单类型 and 移出原因 (which do not change)."""

import pytest
import sqlalchemy as sa
from support.staged_batches import stage

from citycredit.load import creditlists, merge

pytestmark = pytest.mark.db

SAMR = "宁波市市场监督管理局"


def entry(name: str, code: str, kind: str, **more) -> dict:
    return {
        "md_zt_mc": name, "md_zt_lb": "法人及非法人组织", "md_shxym": code, "md_lx": kind, "md_rdbm": SAMR,
        "md_lrrq": "2024-03-01", "md_lryj": "《企业信息公示暂行条例》第十七条", **more,
    }  # fmt: skip


def load(engine, rows: list[dict]) -> None:
    with engine.begin() as conn:
        batch = stage(conn, "credit_list", dict(enumerate(rows, start=2)), feed_id="yjgl_credit_list",
                      department_id="yjgl", day="2025-09-05")  # fmt: skip
    merge.load_batch(engine, batch)  # a load alone classifies: the month's computation may not have run yet


def periods(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(
            conn.execute(
                sa.text("SELECT list_type, list_class, removal_reason, removal_category FROM core.credit_list_periods")
            ).all(),
            key=repr,
        )


def test_each_period_shows_the_class_of_its_kind_and_the_category_of_its_exit_reason(engine):
    load(
        engine,
        [
            entry("宁波甬丰机电设备有限公司", "914403001922038216", "严重违法失信名单"),
            entry("宁波港城贸易有限公司", "91330100799655058B", "经营异常名录", md_ycrq="2025-06-01",
                  md_ycyy="补报年度报告"),
            entry("宁波明州物流有限公司", "91110108551385082Q", "失信被执行人", md_ycrq="2025-07-01",
                  md_ycyy="履行完毕"),
            entry("宁波四明电子有限公司", "91440300708461136T", "红名单"),
            entry("宁波天一建材有限公司", "91110000600037341L", "严重失信主体名单", md_ycrq="2025-08-01",
                  md_ycyy="注销"),
            entry("宁波东钱食品有限公司", "91230500MA1B3N1N2M", "地方试点名单"),  # loaded before it was configured
        ],
    )  # fmt: skip
    assert periods(engine) == sorted(
        [
            ("严重违法失信名单", "严重失信", None, None),
            ("经营异常名录", "重点关注", "补报年度报告", "信用修复"),
            ("失信被执行人", "严重失信", "履行完毕", "司法"),
            ("红名单", "红名单", None, None),
            ("严重失信主体名单", "严重失信", "注销", "注销吊销"),
            ("地方试点名单", None, None, None),
        ],
        key=repr,
    )


def test_the_warehouse_holds_exactly_the_classes_of_the_configuration(engine):
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO core.credit_list_kinds VALUES ('已删除的名单', '严重失信')"))
        creditlists.record_classes(conn)
        kinds = dict(conn.execute(sa.text("SELECT list_type, list_class FROM core.credit_list_kinds")).all())
        reasons = dict(conn.execute(sa.text("SELECT * FROM core.credit_list_removal_reasons")).all())
    assert kinds == creditlists.classes().list_class
    assert reasons == creditlists.classes().removal_category
    assert reasons[creditlists.UNSTATED_REMOVAL] == "其他"  # the exits the loader infers from snapshots


def test_the_serious_kinds_are_one_query_away_for_the_indicators(engine):
    load(
        engine,
        [
            entry("宁波甬丰机电设备有限公司", "914403001922038216", "严重失信主体名单"),
            entry("宁波港城贸易有限公司", "91330100799655058B", "拖欠农民工工资失信联合惩戒对象名单"),
            entry("宁波明州物流有限公司", "91110108551385082Q", "经营异常名录"),
        ],
    )
    with engine.connect() as conn:
        serious = conn.execute(
            sa.text("SELECT list_type FROM core.credit_list_periods WHERE list_class = '严重失信' ORDER BY 1")
        ).scalars()
        assert list(serious) == ["严重失信主体名单", "拖欠农民工工资失信联合惩戒对象名单"]
