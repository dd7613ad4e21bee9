"""The department scorecard for September 2025 (deadline 2025-09-20 17:00): data-scored items from deliveries by
the deadline and the month's indicators, hand-entered items from the config (a month before its year), totals
with the 附加分 cap and grades at their boundary."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
import yaml
from support.indicator_rows import accounted, batch, loaded, quarantined

from citycredit.core import config, paths
from citycredit.core.months import month_start
from citycredit.feeds import registry
from citycredit.indicators import compute, scorecard

pytestmark = pytest.mark.db
MONTH = "2025-09"
FEEDS = {d.id: len(d.feeds) for d in registry.load().departments}  # 2.2's denominator


@pytest.fixture
def scorecard_file(tmp_path):
    raw = yaml.safe_load((paths.CONFIG_DIR / "scorecard.yaml").read_text(encoding="utf-8"))
    # sthj has no 信用承诺 feed: its 3.2a (信用承诺应用) is scored by hand
    full = {"1.1": 5, "1.2": 20, "3.1": 5, "3.2a": 5, "3.2b": 5, "4.1": 5, "4.2": 5, "4.3": 5, "5.1": 10, "5.2a": 5}
    full["6"] = 4
    raw["manual"] = [
        {"department": "scjg", "period": "2025", "item": "1.1", "points": 5},
        {"department": "scjg", "period": "2025", "item": "1.2", "points": 20},
        {"department": "scjg", "period": "2025-09", "item": "1.2", "points": 15},
        *({"department": "sthj", "period": "2025-09", "item": k, "points": v} for k, v in full.items()),
    ]
    path = tmp_path / "scorecard.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def scores(engine, path):
    compute.compute_month(engine, MONTH)
    with engine.begin() as conn:
        scorecard.compute(conn, month_start(MONTH), path)
        items = {
            (r.department_id, r.item_id): (r.points, r.basis, r.numerator, r.denominator)
            for r in conn.execute(sa.text("SELECT * FROM mart.scorecard_items"))
        }
        totals = {
            r.department_id: (r.points, r.items_missing, r.grade)
            for r in conn.execute(sa.text("SELECT * FROM mart.scorecard_totals"))
        }
    return items, totals


def test_items_scored_from_data_and_by_hand_and_the_totals(engine, scorecard_file):
    with engine.begin() as conn:
        lic = batch(conn, "scjg", "license", "2025-09-01 00:00")
        loaded(conn, lic, 2, "license")
        loaded(conn, lic, 3, "license")
        pen = batch(conn, "scjg", "penalty", "2025-09-20 17:00")  # at the deadline: in time
        loaded(conn, pen, 2, "penalty")
        accounted(conn, batch(conn, "scjg", "subject_registry", "2025-09-10 10:00", feed="scjg_subjects"), loaded=1)
        accounted(conn, batch(conn, "scjg", "credit_list", "2025-09-20 17:01"), loaded=1)  # a minute late
        sthj = batch(conn, "sthj", "license", "2025-09-05 10:00")
        for row in range(2, 11):
            loaded(conn, sthj, row, "license")
        quarantined(conn, sthj, 11, "license")  # accuracy 90 %: below the 95 % asked
        accounted(conn, batch(conn, "sthj", "penalty", "2025-09-06 10:00"), loaded=1)
        accounted(conn, batch(conn, "sthj", "credit_list", "2025-09-07 10:00"), loaded=1)
    items, totals = scores(engine, scorecard_file)

    assert items[("scjg", "2.1")] == (10, "data", 2, 2)
    assert items[("scjg", "2.2")] == (0, "data", 3, FEEDS["scjg"])  # 信用承诺 not delivered
    assert items[("scjg", "5.2b")] == (0, "data", 0, 1)
    assert items[("scjg", "1.2")][:2] == (15, "manual")  # the month's entry wins over the year's
    assert items[("scjg", "3.1")] == (None, "missing", None, None)
    assert totals["scjg"] == (30, 8, None)  # no grade while items are missing

    assert items[("sthj", "2.1")] == (0, "data", 2, 2)
    assert (items[("sthj", "2.2")][0], items[("sthj", "5.2b")][0]) == (10, 5)
    assert totals["sthj"] == (89, 0, "良好")  # 85 + 附加分 4: just under 优秀

    assert items[("yjgl", "2.1")] == (0, "data", 0, 1)
    assert set(totals) == {"scjg", "sthj", "jtys", "zjj", "yjgl", "fgw"}


@pytest.mark.parametrize(
    ("item_32", "extra", "cap", "total", "grade"),
    [(10, 9, 3, 88, "良好"), (15, 0, 10, 90, "优秀"), (15, 12, 10, 100, "优秀")],
)
def test_extra_points_are_capped_and_grades_start_at_their_minimum(
    engine, scorecard_file, item_32, extra, cap, total, grade
):
    raw = yaml.safe_load(scorecard_file.read_text(encoding="utf-8"))
    raw["annexes"]["附件1"]["extra_max_points"] = cap
    raw["annexes"]["附件1"]["items"][-1]["points"] = max(extra, 10)
    points = {"3.2a": 5, "3.2b": item_32 - 5, "6": extra}
    raw["manual"] = [{**e, "points": points.get(e["item"], e["points"])} for e in raw["manual"]]
    scorecard_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with engine.begin() as conn:
        accounted(conn, batch(conn, "sthj", "license", "2025-09-05 10:00"), loaded=1)  # no accuracy: 2.1 scores 0
        accounted(conn, batch(conn, "sthj", "penalty", "2025-09-06 10:00"), loaded=1)
        accounted(conn, batch(conn, "sthj", "credit_list", "2025-09-07 10:00"), loaded=1)
    _, totals = scores(engine, scorecard_file)
    assert totals["sthj"] == (Decimal(total), 0, grade)


def test_only_deliveries_that_loaded_rows_earn_the_delivery_items(engine, scorecard_file):
    """按时报送 is earned by data: a file sent again, an unreadable file and a file whose every row was quarantined
    show that a department sent something, not that it reported. A batch still loading at scoring time counts. A
    snapshot list (scjg_credit_list) whose rows are all unchanged restates the list, so it reports; a changes
    feed (sthj_credit_list) with only unchanged rows brought nothing new."""
    with engine.begin() as conn:
        accounted(conn, batch(conn, "scjg", "license", "2025-08-05 10:00"), loaded=2)
        batch(conn, "scjg", "license", "2025-09-05 10:00", outcome="duplicate")  # August's file again
        batch(conn, "scjg", "penalty", "2025-09-06 10:00", outcome="rejected")  # unreadable
        subjects = batch(conn, "scjg", "subject_registry", "2025-09-07 10:00", feed="scjg_subjects")
        accounted(conn, subjects, quarantined=4)
        pending = batch(conn, "scjg", "credit_list", "2025-09-08 10:00")
        conn.execute(sa.text("UPDATE landing.batches SET status = 'normalized' WHERE batch_id = :b"), {"b": pending})
        commitments = batch(conn, "scjg", "credit_commitment", "2025-09-09 10:00", feed="scjg_commitment")
        accounted(conn, commitments, duplicate=3)
        accounted(conn, batch(conn, "sthj", "credit_list", "2025-09-09 10:00"), duplicate=3)
    items, _ = scores(engine, scorecard_file)
    assert items[("scjg", "2.2")] == (0, "data", 1, FEEDS["scjg"])  # only the credit list, still loading
    assert items[("scjg", "5.2b")][:3] == (5, "data", 1)
    assert items[("sthj", "5.2b")][:3] == (0, "data", 0)

    with engine.begin() as conn:  # the snapshot finishes loading: every row as the warehouse already held it
        conn.execute(sa.text("UPDATE landing.batches SET status = 'loaded' WHERE batch_id = :b"), {"b": pending})
        accounted(conn, pending, duplicate=7)
    items, _ = scores(engine, scorecard_file)
    assert items[("scjg", "5.2b")][:3] == (5, "data", 1)


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ({"item": "1.1", "points": 6}, r"manual\[0\]\.points"),
        ({"item": "2.1", "points": 10}, r"manual\[0\]\.item: '2.1' is scored from data"),
        ({"item": "9.9", "points": 1}, r"manual\[0\]\.item: '9.9' is not an item"),
    ],
)
def test_a_wrong_manual_score_is_refused_naming_the_entry(tmp_path, scorecard_file, entry, error):
    raw = yaml.safe_load(scorecard_file.read_text(encoding="utf-8"))
    raw["manual"] = [{"department": "scjg", "period": "2025", **entry}]
    path = tmp_path / "wrong.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(config.ConfigError, match=error):
        scorecard.load(path)
