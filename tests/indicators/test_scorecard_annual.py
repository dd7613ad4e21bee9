"""The annual assessment of 2025 rolled up from twelve computed months (scorecard.yaml, after `rules`), and the
monthly DAG's task computing it with January.

A registry of two departments, so the feeds are known whatever departments.yaml grows:
  scjg: license, penalty, credit_list (snapshot), credit_commitment;  zjj: license, penalty.
Hand-worked year for scjg (附件1), each delivery one loaded row before the 20th:
  Jan-Sep: license, penalty, credit_list; Jan-Jun also a 信用承诺 file; Oct-Dec nothing.
  2.1  双公示 (10, months): earned Jan-Sep (accuracy 100 %, no late row) → 10 × 9/12 = 7.50
  2.2  every feed (10, months): Jan-Jun → 10 × 6/12 = 5.00
  5.2b 红黑榜 (5, months): Jan-Sep → 5 × 9/12 = 3.75
  3.2a 信用承诺 (5, best): the first commitment is dated 2025-01-15 → 5 from January on → 5
  by hand (year entries): 1.1 5 + 1.2 20 + 3.1 5 + 3.2b 10 + 4.1 5 + 4.2 3 + 4.3 5 + 5.1 8 + 5.2a 5 = 66
  6 附加分: month entries only, 2025-03: 4 and 2025-11: 10 → the year's latest, 10 (the cap is 10)
  total 21.25 + 66 + 10 = 97.25 → 优秀
zjj: license every month, penalty never → 2.1 and 2.2: 0 of 12 months → 0; no credit-list feed and no
  hand score for 5.2b → missing, so no grade.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
import yaml
from support.indicator_rows import accounted, batch, loaded, record

from citycredit.core import paths
from citycredit.core.months import month_start
from citycredit.indicators import annual, compute, scorecard
from citycredit.tasks import monthly

pytestmark = pytest.mark.db
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


@pytest.fixture
def two_departments(tmp_path, monkeypatch):
    raw = yaml.safe_load((paths.CONFIG_DIR / "departments.yaml").read_text(encoding="utf-8"))
    raw["departments"] = [
        {"id": "scjg", "name": "平顶山市市场监督管理局", "uscc": "11410400005260186J", "feeds": [
            {"id": "scjg_license", "kind": "file", "dataset": "license"},
            {"id": "scjg_penalty", "kind": "file", "dataset": "penalty"},
            {"id": "scjg_credit_list", "kind": "file", "dataset": "credit_list", "mode": "snapshot"},
            {"id": "scjg_commitment", "kind": "file", "dataset": "credit_commitment"}]},
        {"id": "zjj", "name": "平顶山市住房和城乡建设局", "uscc": "11410400001860918M", "feeds": [
            {"id": "zjj_license", "kind": "file", "dataset": "license"},
            {"id": "zjj_penalty", "kind": "file", "dataset": "penalty"}]},
    ]  # fmt: skip
    path = tmp_path / "departments.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CITYCREDIT_REGISTRY", str(path))


@pytest.fixture
def scorecard_file(tmp_path, two_departments):
    raw = yaml.safe_load((paths.CONFIG_DIR / "scorecard.yaml").read_text(encoding="utf-8"))
    by_hand = {"1.1": 5, "1.2": 20, "3.1": 5, "3.2b": 10, "4.1": 5, "4.2": 3, "4.3": 5, "5.1": 8, "5.2a": 5}
    raw["manual"] = [
        *({"department": "scjg", "period": "2025", "item": k, "points": v} for k, v in by_hand.items()),
        {"department": "scjg", "period": "2025-03", "item": "6", "points": 4},
        {"department": "scjg", "period": "2025-11", "item": "6", "points": 10, "note": "信用平顶山 专题报道"},
        *({"department": "zjj", "period": "2025", "item": k, "points": v} for k, v in by_hand.items()),
        {"department": "zjj", "period": "2025", "item": "3.2a", "points": 0},
        {"department": "zjj", "period": "2025", "item": "6", "points": 0},
    ]
    path = tmp_path / "scorecard.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def a_year_of_deliveries(conn) -> None:
    for m in range(1, 13):
        day = f"2025-{m:02d}-10 09:00"
        if m <= 9:
            for dataset in ("license", "penalty"):
                loaded(conn, batch(conn, "scjg", dataset, day), 2, dataset)
            accounted(conn, batch(conn, "scjg", "credit_list", day), loaded=1)
        if m <= 6:
            b = batch(conn, "scjg", "credit_commitment", day, feed="scjg_commitment")
            accounted(conn, b, loaded=1)
            record(conn, "credit_commitment", b, m, cn_zt_mc="示例商贸有限公司", cn_wsh=f"承诺{m}",
                   cn_rq=f"2025-{m:02d}-15")  # fmt: skip
        loaded(conn, batch(conn, "zjj", "license", day), 2, "license")


def assessed(engine, path, year=2025):
    with engine.begin() as conn:
        for month in MONTHS:
            scorecard.compute(conn, month_start(month), path)
        annual.compute(conn, year, path)
        items = {
            (r.department_id, r.item_id): (r.points, r.basis, r.rollup, r.months_earned)
            for r in conn.execute(sa.text("SELECT * FROM mart.scorecard_annual_items WHERE year = :y"), {"y": year})
        }
        totals = {
            r.department_id: (r.points, r.items_missing, r.grade, r.months_scored)
            for r in conn.execute(sa.text("SELECT * FROM mart.scorecard_annual_totals WHERE year = :y"), {"y": year})
        }
    return items, totals


def test_a_year_of_months_rolls_up_per_item_into_a_graded_total(engine, scorecard_file):
    with engine.begin() as conn:
        a_year_of_deliveries(conn)
    for month in MONTHS:
        compute.compute_month(engine, month)
    items, totals = assessed(engine, scorecard_file)

    assert items[("scjg", "2.1")] == (Decimal("7.50"), "data", "months", 9)
    assert items[("scjg", "2.2")] == (Decimal("5.00"), "data", "months", 6)
    assert items[("scjg", "5.2b")] == (Decimal("3.75"), "data", "months", 9)
    assert items[("scjg", "3.2a")][:3] == (5, "data", "best")
    assert items[("scjg", "4.2")] == (3, "manual", "manual", None)
    assert items[("scjg", "6")][:2] == (10, "manual")  # November's entry, the year's latest
    assert totals["scjg"] == (Decimal("97.25"), 0, "优秀", 12)

    assert items[("zjj", "2.1")][:2] == (0, "data") and items[("zjj", "2.2")][:2] == (0, "data")
    assert items[("zjj", "5.2b")][:2] == (None, "missing")
    assert totals["zjj"][1:3] == (1, None)


def test_a_month_the_scorecard_never_scored_counts_as_not_earned(engine, scorecard_file):
    """Only January to June scored: 2.2 earned in all six, 10 × 6/12; the total says 6 months."""
    with engine.begin() as conn:
        a_year_of_deliveries(conn)
        for month in MONTHS[:6]:
            scorecard.compute(conn, month_start(month), scorecard_file)
        annual.compute(conn, 2025, scorecard_file)
        row = conn.execute(
            sa.text(
                "SELECT points, note FROM mart.scorecard_annual_items WHERE department_id = 'scjg' AND item_id = '2.2'"
            )
        ).one()
        months = conn.execute(
            sa.text("SELECT months_scored FROM mart.scorecard_annual_totals WHERE department_id = 'scjg'")
        ).scalar()
    assert row.points == Decimal("5.00") and "6 个月无数据评分" in row.note
    assert months == 6


def test_the_monthly_task_assesses_the_year_before_with_january(engine, two_departments):
    def years():
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT DISTINCT year FROM mart.scorecard_annual_totals")).scalars().all()

    monthly.compute_indicators("2025-12")
    assert years() == []
    monthly.compute_indicators("2026-01")
    assert years() == [2025]
