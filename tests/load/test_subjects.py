"""The market-subject register on a real PostgreSQL: versions by subject and 存续 subjects on any day."""

from datetime import date

import pytest
from support.staged_batches import stage

from citycredit.load import merge, subjects

pytestmark = pytest.mark.db


def subject(name: str, code: str, kind: str = "企业", status: str = "存续", founded: str = "2018-05-04", **more):
    return {"zt_mc": name, "zt_shxym": code, "zt_lx": kind, "zt_djzt": status, "zt_clrq": founded,
            "zt_qhdm": "410402", **more}  # fmt: skip


def register(engine, rows: list[dict], day: str) -> merge.Accounting:
    with engine.begin() as conn:
        batch = stage(
            conn, "subject_registry", dict(enumerate(rows, start=2)), feed_id="scjg_subjects", department_id="scjg",
            day=day,
        )  # fmt: skip
    return merge.load_batch(engine, batch)


def test_the_population_comes_from_the_registry():
    assert subjects.population() == 4987137


def test_subjects_in_existence_on_a_day_follow_the_register_versions(engine):
    register(
        engine,
        [
            subject("平顶山市鑫华建材有限公司", "914403001922038216"),
            subject("平顶山市恒德物流有限公司", "91330100799655058B", founded="2025-09-10"),
            subject("新华区李记烩面馆", "92330100MA2B3C4D17", kind="个体工商户"),
            subject("平顶山市瑞丰食品有限公司", "91110108551385082Q", status="吊销", founded="2010-01-01"),
        ],
        "2025-09-01",
    )
    acc = register(
        engine,
        [
            subject("平顶山市鑫华建材有限公司", "914403001922038216", status="注销", zt_zxrq="2025-09-20"),
            subject("新华区李记烩面馆", "92330100MA2B3C4D17", kind="个体工商户"),
        ],
        "2025-09-25",
    )
    assert (acc.loaded, acc.revised, acc.duplicate) == (1, 1, 1)
    # 2025-09-15: the register of 09-01; the 恒德 company was founded on 09-10, 瑞丰 is 吊销
    assert subjects.active_counts(engine, date(2025, 9, 15)) == {"个体工商户": 1, "企业": 2}
    # 2025-09-30: 鑫华's 注销 (dated 09-20) arrived on 09-25
    assert subjects.active_counts(engine, date(2025, 9, 30)) == {"个体工商户": 1, "企业": 1}
    assert subjects.active_counts(engine, date(2025, 8, 31)) == {}
