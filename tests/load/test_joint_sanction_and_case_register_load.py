"""The 联合奖惩 and 城市上报案例 feeds through the ingest's task bodies (issue #19): files dropped in the inbox are
landed, normalized (synonyms to code values), validated (a bad row quarantined) and loaded; a case re-sent with its
反馈日期 becomes a new version, and the month's indicators count each case once."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from support.indicator_rows import values

from citycredit.core import paths
from citycredit.indicators import compute
from citycredit.tasks import ingest

pytestmark = pytest.mark.db
SHAPES = Path(__file__).parents[1] / "data" / "real_shapes"
CITY = ZoneInfo("Asia/Shanghai")
BAD_ROW = (  # 奖惩类型 in the clerk's own words
    "SCJG-LHJC-2025-007,宝丰县宏达运输有限公司,法人及非法人组织,91410489MA8PBRNY21,失信被执行人,"
    "（2025）豫0421执88号,奖励性措施,限制乘坐飞机,,平顶山市市场监督管理局,11410400005260186J,2025-09-29,,\n"
)


def drop(department: str, feed: str, name: str, text: str, at: str) -> None:
    """A file delivered into the feed's inbox folder at the given city time (its mtime)."""
    path = paths.data_path("landing", "inbox") / department / feed / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    stamp = dt.datetime.fromisoformat(at).replace(tzinfo=CITY).timestamp()
    os.utime(path, (stamp, stamp))


def ingest_feed(feed: str) -> list[int]:
    batches = ingest.land_feed(feed)
    for batch_id in batches:
        ingest.load_batch(ingest.validate_batch(ingest.normalize_batch(batch_id)))
    return batches


def accounting(conn, batch_id: int) -> tuple:
    return conn.execute(
        sa.text("SELECT received, loaded, quarantined, duplicate, revised FROM quality.batch_accounting"
                " WHERE batch_id = :b"), {"b": batch_id},
    ).one()  # fmt: skip


def without_feedback(text: str) -> str:
    """The sheet as the department first sends it: 反馈时间 (the 13th column) still empty."""
    lines = text.splitlines(keepends=True)
    rows = (line.split(",") for line in lines[1:])
    return lines[0] + "".join(",".join(v if k != 12 else "" for k, v in enumerate(row)) for row in rows)


def test_joint_sanction_cases_are_loaded_and_their_feedback_is_a_new_version(engine):
    sheet = (SHAPES / "joint_sanction_cases.csv").read_text(encoding="utf-8")
    drop("scjg", "scjg_joint_sanction", "联合奖惩案例20251020.csv", without_feedback(sheet) + BAD_ROW,
         "2025-10-20 10:00")  # fmt: skip
    (first,) = ingest_feed("scjg_joint_sanction")
    drop("scjg", "scjg_joint_sanction", "联合奖惩案例20251103.csv", sheet, "2025-11-03 09:30")
    (second,) = ingest_feed("scjg_joint_sanction")
    with engine.connect() as conn:
        assert accounting(conn, first) == (7, 6, 1, 0, 0)  # received, loaded, quarantined, duplicate, revised
        (rules,) = conn.execute(sa.text("SELECT rule_ids FROM quality.quarantine WHERE batch_id = :b"),
                                {"b": first}).one()  # fmt: skip
        assert rules == ["JC-CODE-JCLX"]
        # the three cases fed back come again as new versions; the other three are unchanged
        assert accounting(conn, second) == (6, 3, 0, 3, 3)
        current = conn.execute(
            sa.text("SELECT jc_bh, jc_zt_lb, jc_mdlx, jc_jclx, jc_ssrq, jc_fkrq, version FROM core.joint_sanction"
                    " WHERE is_current ORDER BY jc_bh")
        ).all()  # fmt: skip
    assert [tuple(r)[1:4] for r in current] == [
        ("法人及非法人组织", "失信被执行人", "惩戒"),
        ("法人及非法人组织", "严重违法失信名单", "惩戒"),
        ("法人及非法人组织", "纳税信用A级纳税人", "激励"),
        ("个体工商户", "经营异常名录", "惩戒"),
        ("法人及非法人组织", "安全生产严重失信主体", "惩戒"),
        ("法人及非法人组织", "红名单", "激励"),
    ]
    assert current[2].jc_ssrq == dt.date(2025, 9, 12) and current[2].jc_fkrq == dt.date(2025, 10, 29)
    assert [r.version for r in current] == [2, 1, 2, 1, 2, 1]

    compute.compute_month(engine, "2025-10")
    # six cases first delivered on 10-20 (the re-sent ones are not reported again), all implemented in September:
    # all six reported by the 25th; fed back by the 30th: 001 (10-28), 003 (10-29), 005 (10-30) → 3 / 6.
    assert values(engine, "2025-10", "joint_sanction_cases")[("scjg", "all")] == (6, None, 6)
    assert values(engine, "2025-10", "joint_sanction_reported_on_time")[("city", "all")] == (6, 6, 1)
    assert values(engine, "2025-10", "joint_sanction_feedback_on_time")[("city", "all")] == (3, 6, Decimal("0.5"))
    compute.compute_month(engine, "2025-11")
    assert values(engine, "2025-11", "joint_sanction_cases")[("city", "all")] == (0, None, 0)


def test_the_case_register_is_loaded_with_the_seven_kinds_as_code_values(engine):
    register = (SHAPES / "case_register_cases.csv").read_text(encoding="utf-8")
    drop("fgw", "fgw_case_register", "城市上报案例20251009.csv", register, "2025-10-09 15:00")
    (batch_id,) = ingest_feed("fgw_case_register")
    with engine.connect() as conn:
        assert accounting(conn, batch_id) == (7, 7, 0, 0, 0)
        kinds = conn.execute(sa.text("SELECT al_lb, al_zt_mc IS NULL FROM core.case_register ORDER BY al_bh")).all()
    assert [tuple(k) for k in kinds] == [
        ("行业信用监管领域", True), ("地方红黑名单", True), ("联合惩戒案例", False), ("信用修复培训案例", False),
        ("注销吊销退出黑名单案例", False), ("主动信用承诺案例", False), ("主动修正退出黑名单案例", False),
    ]  # fmt: skip
    compute.compute_month(engine, "2025-10")
    city = [r for r in compute.month_values(engine, "2025-10") if r["scope"] == "city" and r["dataset"] == "all"]
    counts = {r["indicator"]: r["numerator"] for r in city if r["indicator"].startswith("case_register_")}
    assert len(counts) == 7 and set(counts.values()) == {1}
